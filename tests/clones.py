"""Many rows quickly: copies of a row together with the rows that hang off it.

:func:`clone_tree` copies a row and, recursively to ``depth`` levels, the rows of its
reverse foreign keys, re-pointing the copies' foreign keys at the copies of their parents.
Unique values are kept unique (text gets a suffix, numbers an offset). The copies are
written with ``bulk_create`` — no services, no audit: this is for measuring how a read
surface scales with the number of rows, not for testing writes."""

import copy
import itertools

from django.db import models

_counter = itertools.count(1)


def _unique_sets(model):
    sets = [(field.name,) for field in model._meta.concrete_fields if field.unique]
    sets += [tuple(names) for names in model._meta.unique_together]
    sets += [
        tuple(constraint.fields)
        for constraint in model._meta.constraints
        if isinstance(constraint, models.UniqueConstraint) and constraint.fields
    ]
    return sets


def _make_unique(model, row, remapped, n):
    for names in _unique_sets(model):
        fields = [model._meta.get_field(name) for name in names]
        if any(field.primary_key for field in fields):
            continue
        if any(field.is_relation and field.name in remapped for field in fields):
            continue  # points at a new parent copy: unique already
        for field in fields:
            value = getattr(row, field.attname)
            if isinstance(field, models.CharField | models.TextField):
                suffix = f"-c{n}"
                limit = field.max_length or len(value) + len(suffix)
                setattr(row, field.attname, (value or "")[: limit - len(suffix)] + suffix)
                break
            if isinstance(field, models.IntegerField) and not field.is_relation:
                setattr(row, field.attname, (value or 0) + n)
                break
        else:
            raise ValueError(f"cannot make {model.__name__} {names} unique in a copy")


def _children(model, graph_models):
    for relation in model._meta.related_objects:
        if relation.one_to_many or relation.one_to_one:
            if relation.related_model in graph_models:
                yield relation


def clone_tree(row, copies, graph_models, depth=2, fan_out=2):
    """``copies`` copies of ``row`` and of its descendants (reverse foreign keys to models in
    ``graph_models``, ``depth`` levels down, at most ``fan_out`` rows per relation of each
    row). Returns the copies of ``row``."""
    model = type(row)
    originals = [row] * copies
    return _clone_level(model, originals, {}, graph_models, depth, fan_out)


def _clone_level(model, originals, parents, graph_models, depth, fan_out):
    """Copies of ``originals`` (rows of ``model``); ``parents`` maps a foreign key's attname
    to the new parent id of each copy (by position)."""
    copies = []
    for i, original in enumerate(originals):
        clone = copy.copy(original)
        clone.pk = None
        clone._state = copy.copy(original._state)
        clone._state.adding = True
        clone._state.fields_cache = {}
        for attname, new_ids in parents.items():
            setattr(clone, attname, new_ids[i])
        remapped = {attname.removesuffix("_id") for attname in parents}
        _make_unique(model, clone, remapped, next(_counter))
        copies.append(clone)
    model.objects.bulk_create(copies)
    if depth <= 0:
        return copies
    for relation in _children(model, graph_models):
        attname = relation.field.attname
        manager = relation.related_model._default_manager
        found = {}
        kids, new_parent_ids = [], []
        for original, clone in zip(originals, copies, strict=True):
            if original.pk not in found:
                found[original.pk] = list(
                    manager.filter(**{attname: original.pk}).order_by("pk")[:fan_out]
                )
            kids += found[original.pk]
            new_parent_ids += [clone.pk] * len(found[original.pk])
        if kids:
            _clone_level(
                relation.related_model,
                kids,
                {attname: new_parent_ids},
                graph_models,
                depth - 1,
                fan_out,
            )
    return copies

"""No N+1 in the graph: every list of rows GraphQL resolves (a connection's page, the targets
of a foreign key, a node lookup) is a :class:`Batch`, and each row knows its batch. When a
field of one row needs related rows, they are loaded for the whole batch in one query and
kept on the batch, so the next rows of the batch find theirs already there. The query count
of a request therefore depends on its shape, not on how many rows it returns."""

from registry.graphql.filtering import filtered


class Batch(list):
    """Rows resolved together; ``loaded`` holds what was loaded for all of them, by field
    and arguments."""

    def __init__(self, rows=()):
        super().__init__(rows)
        self.loaded = {}
        for row in self:
            row._graphql_batch = self

    def load(self, key, loader):
        """``loader(self)``'s result, computed once per batch and ``key``. An error (a bad
        argument) is raised for the first row only, so it is reported once; the others
        resolve to null."""
        if key not in self.loaded:
            self.loaded[key] = None
            self.loaded[key] = loader(self)
        return self.loaded[key]


def batch_of(row):
    """The batch ``row`` was resolved in (a batch of its own if it came from elsewhere)."""
    batch = getattr(row, "_graphql_batch", None)
    return batch if batch is not None else Batch([row])


def arguments_key(args):
    return tuple(sorted((name, repr(value)) for name, value in args.items()))


def forward_resolver(field):
    """Resolves a foreign key (or one-to-one) to the related row the reader may see, or
    null: one query per batch."""
    related = field.related_model

    def load(batch, info):
        ids = {getattr(row, field.attname) for row in batch} - {None}
        targets = Batch(filtered(related, None, {}, info).filter(pk__in=ids)) if ids else []
        by_id = {target.pk: target for target in targets}
        return {row.pk: by_id.get(getattr(row, field.attname)) for row in batch}

    def resolve(row, info):
        found = batch_of(row).load((field.name,), lambda batch: load(batch, info))
        return found.get(row.pk) if found is not None else None

    return resolve


def reverse_one_resolver(relation):
    """Resolves the reverse side of a one-to-one (e.g. a consultation's adoption report)."""
    related, attname = relation.related_model, relation.field.attname

    def load(batch, info):
        rows = filtered(related, None, {}, info).filter(**{f"{attname}__in": [r.pk for r in batch]})
        return {getattr(row, attname): row for row in Batch(rows)}

    def resolve(row, info):
        found = batch_of(row).load((relation.name,), lambda batch: load(batch, info))
        return found.get(row.pk) if found is not None else None

    return resolve

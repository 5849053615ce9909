"""Bulk import of enforcement decisions from CSV (a department's case system exports them by
the thousand): every row validated as a single create would be, the computed dates from the
rule tables read once, index numbers handed out per department and year in one statement,
the rows written in batches with one audit entry each — all or nothing.

The CSV is UTF-8 with a header row naming the fields (those the create API writes and, as
it does, requires; ``body`` and ``power`` are ids; list fields such as ``penalty_types``
are separated by ``;``). An unknown or missing column, or any invalid row, refuses the whole
file with the errors by row number (the header is row 1)."""

import csv
import datetime
import functools
from decimal import Decimal, InvalidOperation

from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, models, transaction
from django.utils.translation import gettext_lazy as _

from enforcement import redaction
from enforcement.models import EnforcementAction, EnforcementBody, EnforcementPower
from enforcement.services.deadlines import preloaded_rules
from registry import audit, bulk
from registry.choices import Action, AuditAction
from registry.models import IndexNumberSequence
from registry.permissions import can


@functools.cache
def columns():
    """``{column: required}``: the fields a create through the API writes (the create
    serializer's writable fields), and whether it requires them."""
    from enforcement.api.serializers import EnforcementActionSerializer

    fields = EnforcementActionSerializer().fields
    return {name: field.required for name, field in fields.items() if not field.read_only}


TRUE, FALSE = ("true", "1", "yes", "是"), ("false", "0", "no", "否", "")
MAX_REPORTED_ERRORS = 100
BATCH = 2000


class ImportRefused(Exception):
    """The file was refused; ``errors`` holds the messages by column, or under ``rows`` by
    row number (the header is row 1) and field."""

    def __init__(self, errors):
        super().__init__(errors)
        self.errors = errors


def _parse(field, text):
    """The Python value of one CSV cell for model field ``field``, or raise ``ValueError``
    with the message."""
    text = text.strip()
    if isinstance(field, models.DateField):
        if not text:
            return None
        try:
            return datetime.date.fromisoformat(text)
        except ValueError:
            raise ValueError(_("日期格式应为 YYYY-MM-DD。")) from None
    if isinstance(field, models.DecimalField):
        if not text:
            return None
        try:
            return Decimal(text)
        except InvalidOperation:
            raise ValueError(_("金额应为数字。")) from None
    if isinstance(field, ArrayField):
        return [item.strip() for item in text.replace("；", ";").split(";") if item.strip()]
    if isinstance(field, models.BooleanField):
        if text.lower() in TRUE:
            return True
        if text.lower() in FALSE:
            return False
        raise ValueError(_("应为 true 或 false。"))
    if field.many_to_one:
        if not text.isdigit():
            raise ValueError(_("应为正整数 id。"))
        return int(text)
    return text


def read(lines):
    """The rows of a CSV file as dicts of parsed values (``(row number, values, errors)``);
    refuses a file whose header is wrong."""
    reader = csv.reader(lines)
    header = [name.strip().lstrip("\ufeff") for name in next(reader, [])]
    allowed = columns()
    unknown = sorted(set(header) - set(allowed))
    missing = [name for name, required in allowed.items() if required and name not in header]
    problems = {name: [_("未知的列。")] for name in unknown}
    problems.update({name: [_("缺少必需的列。")] for name in missing})
    if len(set(header)) != len(header):
        problems["header"] = [_("列名重复。")]
    if problems:
        raise ImportRefused(problems)
    fields = [EnforcementAction._meta.get_field(name) for name in header]
    for number, cells in enumerate(reader, start=2):
        if not any(cell.strip() for cell in cells):
            continue
        values, errors = {}, {}
        if len(cells) != len(header):
            errors["row"] = [_("列数与表头不一致。")]
        for column, field, text in zip(header, fields, cells, strict=False):
            try:
                values[column] = _parse(field, text)
            except ValueError as exc:
                errors[column] = [str(exc.args[0])]
        yield number, values, errors


def _visible(queryset, ids, user):
    return {r.pk: r for r in queryset.restrict(user, Action.VIEW).filter(pk__in=ids)}


def _build(values, bodies, powers):
    """An unsaved decision for one row (its relations from the preloaded ones)."""
    errors = {}
    body, power = bodies.get(values.pop("body")), powers.get(values.pop("power"))
    if body is None:
        errors["body"] = [_("执法主体不存在。")]
    if power is None:
        errors["power"] = [_("执法职权不存在。")]
    if errors:
        return None, errors
    values.setdefault("date_made", None)
    if values["date_made"] is None:
        values["date_made"] = values.get("decision_date")
    action = EnforcementAction(**values)
    action.body, action.power, action.department = body, power, body.department
    try:
        # Relations were resolved above (no query per row); uniqueness is checked in bulk.
        action.full_clean(
            exclude=["index_number", "department", "body", "power"],
            validate_unique=False,
            validate_constraints=False,
        )
    except ValidationError as exc:
        return None, exc.message_dict
    return action, {}


def _check_unique(actions_by_row, seen, errors):
    """Document numbers are unique per body, in the file (``seen`` so far) and in the
    registry."""
    fresh = {}
    for number, action in actions_by_row.items():
        key = (action.body_id, action.document_number)
        if key in seen:
            errors.setdefault(number, {})["document_number"] = [
                _("与第 %(row)d 行的决定文书号重复。") % {"row": seen[key]}
            ]
        else:
            seen[key] = fresh[key] = number
    existing = EnforcementAction.objects.filter(
        body_id__in={body for body, _number in fresh},
        document_number__in={number for _body, number in fresh},
    ).values_list("body_id", "document_number")
    for key in set(existing) & fresh.keys():
        errors.setdefault(fresh[key], {})["document_number"] = [_("该执法主体已有此决定文书号。")]


def _assign_index_numbers(actions):
    """Reserve each department's and year's block of index numbers in one statement."""
    groups = {}
    for action in actions:
        groups.setdefault((action.department, action.date_made.year), []).append(action)
    table = IndexNumberSequence._meta.db_table
    with connection.cursor() as cursor:
        for (department, year), members in groups.items():
            cursor.execute(
                f"INSERT INTO {table} (department_id, year, last_value) VALUES (%s, %s, %s) "
                f"ON CONFLICT (department_id, year) DO UPDATE SET last_value = "
                f"{table}.last_value + EXCLUDED.last_value RETURNING last_value",
                [department.pk, year, len(members)],
            )
            last = cursor.fetchone()[0]
            prefix = department.uscc or department.code
            for offset, action in enumerate(members):
                action.index_number = f"{prefix}/{year}-{last - len(members) + offset + 1:05d}"


def _chunks(rows, size=BATCH):
    chunk = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


class _Import:
    """One file's import: rows validated and written a chunk at a time inside the caller's
    transaction (memory stays bounded), validation going on after the first error so the
    report is complete (up to ``MAX_REPORTED_ERRORS`` rows)."""

    def __init__(self, acting_user):
        self.user = acting_user
        self.errors = {}
        self.seen = {}  # (body id, document number) -> row number
        self.allowed = set()  # departments the user may create records for
        self.created = []

    def chunk(self, rows):
        user = self.user
        referenced = {c: {v.get(c) for _n, v, _e in rows} for c in ("body", "power")}
        bodies = _visible(
            EnforcementBody.objects.select_related("department"), referenced["body"], user
        )
        powers = _visible(EnforcementPower.objects.all(), referenced["power"], user)
        for department in {body.department for body in bodies.values()} - self.allowed:
            if not can(user, Action.CHANGE, department):
                raise PermissionDenied(_("您无权为该部门录入记录。"))
            self.allowed.add(department)
        built = {}
        for number, values, row_errors in rows:
            if not row_errors:
                action, row_errors = _build(values, bodies, powers)
            if row_errors:
                self.errors[number] = row_errors
            else:
                built[number] = action
        _check_unique(built, self.seen, self.errors)
        if not self.errors:
            self.write(list(built.values()))

    def write(self, actions):
        _assign_index_numbers(actions)
        for action in actions:
            redaction.store_public_text(action)  # what save() would store
        created = bulk.copy_insert(actions)
        audit.record_many(created, AuditAction.CREATED, actor=self.user, after=audit.snapshot)
        self.created += [action.pk for action in created]


@transaction.atomic
def import_actions(lines, *, acting_user):
    """Create draft decisions from the CSV ``lines``; the ids created, in the file's order,
    or :class:`ImportRefused` with the errors by row (and nothing written)."""
    job = _Import(acting_user)
    with preloaded_rules():
        for rows in _chunks(read(lines)):
            job.chunk(rows)
            if len(job.errors) >= MAX_REPORTED_ERRORS:
                break
    if job.errors:  # raising rolls back what earlier chunks wrote
        reported = sorted(job.errors.items())[:MAX_REPORTED_ERRORS]
        raise ImportRefused({"rows": {str(number): errors for number, errors in reported}})
    if not job.created:
        raise ImportRefused({"file": [_("文件中没有数据行。")]})
    return job.created

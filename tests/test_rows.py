"""Lists and exports read records as value rows (``registry/api/rows.py``). Every resource's
row plan must render exactly what its serializer renders from model instances — for every
reader, on the demo data set — so the fast path can never show the public more, or anyone
something different, than the instance path does."""

import io

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory
from rest_framework.request import Request

from registry.api.renderers import JSONRenderer
from registry.api.router import resources
from registry.api.rows import RowRecord, plan_for
from tests.world import create_user, module_world

pytestmark = pytest.mark.xdist_group("rows")

# The resources of the registries (the suite's own test resource has no demo data).
RESOURCES = {
    prefix: viewset
    for prefix, viewset in resources()
    if viewset.serializer_class.Meta.model._meta.app_label != "recordapp"
}
PLANNED = sorted(p for p, viewset in RESOURCES.items() if plan_for(viewset.serializer_class))
# Resources whose lists must be read from rows (the ones portals page through most).
MUST_HAVE_PLANS = {"enforcement-actions", "enforcement-powers", "enforcement-officers"}


def build():
    from registry.demo import load_all
    from registry.models import Department

    load_all(io.StringIO())
    readers = {
        "anonymous": AnonymousUser(),
        "oversight": create_user("rows_oversight", ("oversight", None)),
        "legality_reviewer": create_user("rows_reviewer", ("legality_reviewer", None)),
    }
    for department in Department.objects.order_by("code"):
        readers[f"editor of {department.code}"] = create_user(
            f"rows_editor_{department.code}", ("editor", department)
        )
    return readers


world = module_world(build)


def list_viewset(prefix, user):
    request = Request(RequestFactory().get(f"/api/v1/{prefix}/"))
    request.user = user
    return RESOURCES[prefix](
        request=request, format_kwarg=None, kwargs={}, basename=prefix, action="list"
    )


def rendered(rows):
    return JSONRenderer().render(rows)


def test_the_busiest_lists_are_read_from_rows():
    assert MUST_HAVE_PLANS <= set(PLANNED)


@pytest.mark.parametrize("prefix", PLANNED)
def test_rows_render_what_the_serializer_renders(world, db, prefix):
    compared = 0
    for user in world.values():
        viewset = list_viewset(prefix, user)
        plan = viewset.row_plan()  # the reader's: a public one when every row is public
        queryset = viewset.get_queryset().order_by("pk")
        serializer = viewset.get_serializer()
        expected = [serializer.to_representation(record) for record in queryset]
        render = plan.renderer(serializer)
        actual = [render(row) for row in plan.values(queryset)]
        assert rendered(actual) == rendered(expected), prefix
        compared += len(expected)
    assert compared, f"the demo data has no {prefix} to compare"


def test_enforcement_actions_are_redacted_from_rows_for_the_public(world, db):
    """The fast path keeps the redaction: the public row has no private field and the
    stored public text, an editor of the department the full record."""
    from enforcement.choices import PartyKind
    from enforcement.models import EnforcementAction
    from enforcement.redaction import PRIVATE_FIELDS

    action = EnforcementAction.objects.public().filter(party_kind=PartyKind.NATURAL_PERSON)[0]
    editor = next(u for n, u in world.items() if n == f"editor of {action.department.code}")
    for user, redacted in ((AnonymousUser(), True), (editor, False)):
        viewset = list_viewset("enforcement-actions", user)
        plan = viewset.row_plan()
        row = plan.values(viewset.get_queryset().filter(pk=action.pk)).get()
        data = plan.renderer(viewset.get_serializer())(row)
        assert (set(PRIVATE_FIELDS) & set(data) == set()) is redacted
        assert (data["party_name"] != action.party_name) is redacted
        assert "＊" in data["party_name"] if redacted else data["party_name"] == action.party_name


def test_a_serializer_with_a_field_rows_cannot_give_has_no_plan():
    from rest_framework import serializers

    from enforcement.api.serializers import EnforcementOfficerSerializer

    class WithMethodField(EnforcementOfficerSerializer):
        extra = serializers.SerializerMethodField()

        class Meta(EnforcementOfficerSerializer.Meta):
            fields = [*EnforcementOfficerSerializer.Meta.fields, "extra"]

        def get_extra(self, officer):
            return 1

    class WithOwnRepresentation(EnforcementOfficerSerializer):
        def to_representation(self, officer):
            return {"id": officer.pk}

    assert plan_for(EnforcementOfficerSerializer) is not None
    assert plan_for(WithMethodField) is None
    assert plan_for(WithOwnRepresentation) is None


def test_row_record_reads_like_an_instance():
    record = RowRecord({"id": 7, "party_name": "张三"})
    assert (record.pk, record.id, record.party_name) == (7, 7, "张三")
    with pytest.raises(AttributeError):
        record.missing  # noqa: B018


def test_a_plan_of_one_field_renders_it():
    from registry.api.rows import RowPlan

    class Serializer:
        def finish_representation(self, data, record):
            return data

    plan = RowPlan(("id",), (("id", "id", None, None),))
    assert plan.renderer(Serializer())({"id": 7}) == {"id": 7}


def python_csv(viewset, queryset, columns):
    """The CSV of ``queryset`` as the Python writer makes it (from the row plan)."""
    from registry.exports import writers

    rows = viewset.represent_queryset(queryset)
    return b"".join(writers.encoder("csv")(columns, rows))


def copied_csv(viewset, queryset, columns):
    """The same CSV written by PostgreSQL (None: the resource has no SQL form)."""
    from registry.exports import copy_csv, writers

    statement = copy_csv.copy_statement(viewset.get_serializer(), queryset, columns)
    if statement is None:
        return None
    return b"".join(writers.csv_from_lines(columns, copy_csv.copy_lines(statement)))


def export_viewset(prefix, user):
    viewset = list_viewset(prefix, user)
    viewset.action = "bulk_export"
    return viewset


# The resources whose CSV PostgreSQL must write (the big ones).
MUST_BE_COPIED = {"enforcement-actions", "enforcement-officers", "enforcement-powers"}


@pytest.mark.parametrize("prefix", PLANNED)
def test_postgresql_writes_the_csv_the_python_writer_writes(world, db, prefix):
    """Byte for byte, for every reader: the cells, the quoting, the line ends, the redaction,
    the time zone of datetimes."""
    copied = 0
    for name, user in world.items():
        viewset = export_viewset(prefix, user)
        queryset = viewset.export_queryset()
        columns = viewset.export_columns()
        actual = copied_csv(viewset, queryset, columns)
        if actual is None:
            assert prefix not in MUST_BE_COPIED, (prefix, name)
            continue
        assert actual == python_csv(viewset, queryset, columns), (prefix, name)
        copied += queryset.count()
    assert copied or prefix not in MUST_BE_COPIED


def test_postgresql_quotes_and_formats_cells_as_the_python_writer(world, db):
    """Cells that need quoting (commas, quotes, CR, LF), empty strings, a datetime without
    microseconds, a record another department's editor sees redacted beside its own."""
    import datetime

    from enforcement.models import EnforcementAction

    action = EnforcementAction.objects.public().order_by("pk")[0]
    action.facts = '甲,乙"丙"\r\n丁\n'
    action.result = ""
    action.licence_name = "\\."
    action.licence_number = " 前后空格 "
    action.published_at = datetime.datetime(2025, 3, 4, 5, 6, 7, tzinfo=datetime.UTC)
    action.save()  # the stored public text follows
    own = f"editor of {action.department.code}"
    other = next(u for n, u in world.items() if n.startswith("editor of") and n != own)
    for user in (AnonymousUser(), world["oversight"], other):
        viewset = export_viewset("enforcement-actions", user)
        queryset = viewset.export_queryset()
        columns = viewset.export_columns()
        actual = copied_csv(viewset, queryset, columns)
        assert actual == python_csv(viewset, queryset, columns)
        assert b'"\xe7\x94\xb2,' in actual and b"2025-03-04T13:06:07+08:00" in actual


@pytest.mark.parametrize("prefix", PLANNED)
def test_list_pages_read_through_compiled_statements_render_the_serializer(world, db, prefix):
    """The list endpoint (prepared statements, their converters, the keyset pages) gives
    the public what the serializer gives for the same records, newest first."""
    from rest_framework.test import APIClient

    viewset = list_viewset(prefix, AnonymousUser())
    serializer = viewset.get_serializer()
    expected = [serializer.to_representation(r) for r in viewset.get_queryset().order_by("-pk")]
    listed, url = [], f"/api/v1/{prefix}/?page_size=7"
    while url:
        body = APIClient().get(url).json()
        listed += body["results"]
        url = body["next"]
    assert rendered(listed) == rendered(expected)
    assert expected or prefix not in MUST_HAVE_PLANS, f"the demo data has no public {prefix}"


def test_a_reader_who_sees_every_action_redacted_never_selects_private_columns(world, db):
    public = list_viewset("enforcement-actions", AnonymousUser()).row_plan()
    editor = list_viewset("enforcement-actions", world["editor of scjgj"]).row_plan()
    private = {"party_id_number", "party_phone", "party_address", "private_names"}
    assert public.finished and not private & set(public.lookups)
    assert {"party_name", "facts"}.isdisjoint(public.lookups)  # read from public_* instead
    assert not editor.finished and private <= set(editor.lookups)


def test_boolean_properties_are_selected_in_their_sql_form(world, db):
    """``is_overdue`` is computed by PostgreSQL (the model's ``property_expressions``), not
    by calling the property once per row; an overdue draft shows it to its editor."""
    import datetime

    from enforcement.models import EnforcementAction

    draft = EnforcementAction.objects.filter(published_at__isnull=True).first()
    EnforcementAction.objects.filter(pk=draft.pk).update(publication_due=datetime.date(2000, 1, 3))
    editor = world[f"editor of {draft.department.code}"]
    for user in (editor, AnonymousUser()):
        plan = list_viewset("enforcement-actions", user).row_plan()
        assert "is_overdue" in plan.lookups and not plan.computed
    viewset = list_viewset("enforcement-actions", editor)
    plan = viewset.row_plan()
    row = plan.values(viewset.get_queryset().filter(pk=draft.pk)).get()
    assert row["is_overdue"] is True
    assert plan.renderer(viewset.get_serializer())(row)["is_overdue"] is True

"""Who may read and write every resource of the enforcement-disclosure registry (the matrix of
``tests/test_permission_matrix.py`` applied to each of them), the enforcement decisions' and
inspection plans' own actions (withdrawal with a trigger, credit repair, the draw and its
verification, the 双公示 export, the redaction policy), who sees a natural person's details,
and that no list endpoint (nor the export) issues a query per row.

The data is built once per module (``world``) inside an outer transaction; every test runs in
a savepoint that is rolled back, so each one starts from the same state and the file stays
fast."""

import csv
import datetime
import io
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from enforcement.models import (
    CreditRepair,
    EnforcementAction,
    EnforcementBody,
    EnforcementOfficer,
    EnforcementPower,
    InspectionPlan,
    InspectionResult,
)
from enforcement.services import inspections
from registry.services import workflow
from tests.endpoint_entries import ENFORCEMENT_RECORDS as RESOURCES
from tests.endpoint_matrix import EndpointMatrix, route_suffix
from tests.enforcement import builders
from tests.matrix import fresh
from tests.test_permission_matrix import (
    CREATE,
    EDIT_DRAFT,
    EDIT_PUBLISHED,
    READ_DRAFT,
    ROLES,
    WITHDRAW_PUBLISHED,
)
from tests.world import (
    api_client,
    module_world,
    people_world,
)

API = "/api/v1/"
ACTIONS = f"{API}enforcement-actions/"
PLANS = f"{API}inspection-plans/"
ROWS = 12  # published rows per list endpoint for the query counts (more than one page of 10)

BODY_PARTS = RESOURCES[1:]
MODELS = {
    "enforcement-bodies": EnforcementBody,
    "enforcement-powers": EnforcementPower,
    "enforcement-officers": EnforcementOfficer,
    "enforcement-actions": EnforcementAction,
    "inspection-plans": InspectionPlan,
    "inspection-results": InspectionResult,
}

WITHDRAW_BODY = {"reason": "执法主体已调整", "legal_basis": "《政府信息公开条例》第二十条"}
WITHDRAW_ACTION_BODY = {
    "trigger": "revoked",
    "trigger_date": "2026-09-30",
    "reason": "复议决定撤销原处罚决定",
    "legal_basis": "《行政处罚法》第四十八条",
}

# The natural person of the published case in the world (see ``builders``).
PERSON_PRIVATE = {
    "party_id_type": "居民身份证",
    "party_id_number": "500227199001011234",
    "party_address": "璧山区璧泉街道幸福路8号",
    "party_phone": "13812345678",
    "party_bank_account": "6222020202020202020",
    "party_health_info": "患有某种疾病",
    "private_names": ["李四"],
    "party_is_minor": False,
}
# Who sees an enforcement decision in full (the department and oversight); everyone else
# receives the redacted public view.
SEES_PERSON = {
    "anonymous": False,
    "editor": True,
    "publisher": True,
    "department_admin": True,
    "other_editor": False,
    "other_publisher": False,
    "oversight": True,
    "legality_reviewer": False,
    "superuser": True,
}
# The draw is an edit of the plan: on a draft as any edit of a draft; a published plan is
# visible to everyone, so outsiders are refused with 403.
DRAW_DRAFT = EDIT_DRAFT
DRAW_PUBLISHED = {
    role: 401 if role == "anonymous" else 200 if status == 200 else 403
    for role, status in EDIT_DRAFT.items()
}
REPAIR = WITHDRAW_PUBLISHED  # recording a credit repair is the publisher's


def days_ago(days):
    return timezone.localdate() - datetime.timedelta(days=days)


# ---------------------------------------------------------------------------------------------
# The world: built once per module.


def _result(plan, editor, *, publisher=None, entity=0):
    record = workflow.create(
        InspectionResult,
        acting_user=editor,
        department=plan.department,
        body=plan.body,
        plan=plan,
        name="食品经营者抽查结果",
        date_made=days_ago(5),
        entity_name=plan.selection[entity % len(plan.selection)]["name"],
        inspected_from=days_ago(20),
        inspected_until=days_ago(10),
        outcome="no_problem",
        findings="未发现问题",
    )
    return workflow.publish(record, acting_user=publisher) if publisher else record


def _drawn_plan(body, editor, publisher):
    record = builders.plan(body, editor, publisher=publisher, entities=20, ratio="1.0000")
    return inspections.draw(record, acting_user=editor)


def _side(w, department, editor, publisher, name):
    """A published body of ``department`` with a published power and a drawn, published plan."""
    side = SimpleNamespace()
    side.body = builders.body(department, editor, publisher=publisher, name=name)
    side.power = builders.power(side.body, editor, publisher=publisher)
    side.plan = _drawn_plan(side.body, editor, publisher)
    return side


def _record(resource, w, *, publish, tag):
    """A record of ``resource`` of department fgw (a draft, or published)."""
    editor = w.users["editor"]
    by = w.users["publisher"] if publish else None
    if resource == "enforcement-bodies":
        return builders.body(w.fgw, editor, publisher=by, name=f"执法主体{tag}")
    if resource == "enforcement-powers":
        return builders.power(w.body, editor, publisher=by, code=f"code-{tag}")
    if resource == "enforcement-officers":
        return builders.officer(w.body, editor, publisher=by, certificate=f"cert-{tag}")
    if resource == "enforcement-actions":
        return builders.penalty(
            w.power, editor, publisher=by, document_number=f"罚-{tag}", decision_date=days_ago(30)
        )
    if resource == "inspection-plans":
        return builders.plan(w.body, editor, publisher=by)
    return _result(w.plan, editor, publisher=by)


def _build_world():
    w = people_world()
    editor, publisher = w.users["editor"], w.users["publisher"]

    # Published bodies with a power and a drawn plan, of fgw and of the other department.
    w.fgw_side = _side(w, w.fgw, editor, publisher, "区发展改革委执法支队")
    w.body, w.power, w.plan = w.fgw_side.body, w.fgw_side.power, w.fgw_side.plan
    w.other = _side(
        w, w.scjgj, w.users["other_editor"], w.users["other_publisher"], "区市场监管局执法支队"
    )

    # One draft and one published record of fgw per resource (the permission matrix).
    w.drafts = {r: _record(r, w, publish=False, tag="draft") for r in RESOURCES}
    w.published = {r: _record(r, w, publish=True, tag="published") for r in RESOURCES}
    w.undrawn_plan = builders.plan(w.body, editor, publisher=publisher)
    # A published case of a natural person (redaction).
    w.person = builders.natural_person_penalty(
        w.power,
        editor,
        publisher=publisher,
        document_number="罚-person",
        decision_date=days_ago(10),
    )

    # Rows for the query counts: ROWS published records per list endpoint, of both
    # departments (the fgw editor sees some of them in full, the others redacted).
    sides = [(w.fgw_side, editor, publisher), (w.other, *_other_people(w))]
    w.pool = {r: [] for r in RESOURCES}
    for i in range(ROWS):
        side, by, pub = sides[i % 2]
        department = side.body.department
        w.pool["enforcement-bodies"].append(
            builders.body(department, by, publisher=pub, name=f"列表执法主体{i}")
        )
        w.pool["enforcement-powers"].append(
            builders.power(side.body, by, publisher=pub, code=f"pool-{i}")
        )
        w.pool["enforcement-officers"].append(
            builders.officer(side.body, by, publisher=pub, certificate=f"pool-{i}")
        )
        make_action = builders.natural_person_penalty if i % 3 == 0 else builders.penalty
        w.pool["enforcement-actions"].append(
            make_action(
                side.power,
                by,
                publisher=pub,
                document_number=f"罚-pool-{i}",
                decision_date=days_ago(10 + i),
            )
        )
        w.pool["inspection-plans"].append(builders.plan(side.body, by, publisher=pub))
        w.pool["inspection-results"].append(_result(side.plan, by, publisher=pub, entity=i))
    return w


def _other_people(w):
    return w.users["other_editor"], w.users["other_publisher"]


world = module_world(_build_world)


@pytest.fixture
def w(world, db):
    """The module's data; the test runs in a savepoint that is rolled back afterwards."""
    return world


def client(w, role):
    return api_client(w.tokens.get(role))


# ---------------------------------------------------------------------------------------------
# 1. The permission matrix of every resource.


class TestEndpointMatrix(EndpointMatrix):
    """Every endpoint of the enforcement registry, as tests/endpoint_entries.py says."""

    suite = "enforcement"

    def request_format(self, key):
        return "multipart" if key[0] == "enforcement-actions-bulk-import" else "json"

    def body(self, w, key, obj):
        name, method = key
        resource, action = route_suffix(name)
        if name == "enforcement-actions-export":
            return {"kind": "penalty"}
        if method == "GET":
            return None
        if name == "enforcement-actions-bulk-import":
            return {"file": import_file(w.power)}
        if (action, method) in (("list", "POST"), ("detail", "PUT")):
            return create_body(w, resource)
        if method == "PATCH":
            return {"summary": "x"}
        if action == "withdraw":
            return WITHDRAW_ACTION_BODY if resource == "enforcement-actions" else WITHDRAW_BODY
        if action == "amend":
            return {"reason": "更正错字", "summary": "更正"}
        if action == "repair":
            return {
                "decided_on": str(obj.repair_possible_from),
                "decided_by": "重庆市信用中心",
                "document_number": "修复1号",
            }
        return None


def import_file(power):
    """A CSV of one penalty under ``power`` for the bulk import."""
    from tests.enforcement.test_import import HEADER, row

    lines = io.StringIO()
    writer = csv.DictWriter(lines, HEADER)
    writer.writeheader()
    writer.writerow(row(power, 2))
    return SimpleUploadedFile("import.csv", lines.getvalue().encode(), "text/csv")


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("resource", RESOURCES)
def test_write_published(w, resource, role):
    """A published record is public, so outsiders are refused with 403 (not 404); members
    must amend rather than edit it; only publishers withdraw it (an enforcement decision with
    the event that triggered the withdrawal)."""
    record = w.published[resource]
    url = f"{API}{resource}/{record.pk}/"
    assert client(w, role).get(url).status_code == 200
    response = client(w, role).patch(url, {"summary": "x"}, format="json")
    assert response.status_code == EDIT_PUBLISHED[role], response.content
    assert fresh(record).summary != "x"
    body = WITHDRAW_ACTION_BODY if resource == "enforcement-actions" else WITHDRAW_BODY
    response = client(w, role).post(f"{url}withdraw/", body, format="json")
    assert response.status_code == WITHDRAW_PUBLISHED[role], response.content
    withdrawn = fresh(record)
    assert (withdrawn.status == "withdrawn") == (WITHDRAW_PUBLISHED[role] == 200)
    if resource == "enforcement-actions" and WITHDRAW_PUBLISHED[role] == 200:
        assert withdrawn.withdrawal_trigger == "revoked"
        assert response.json()["withdrawal_trigger_date"] == "2026-09-30"
        assert withdrawn.withdrawal_due is not None


def create_body(w, resource, *, side=None):
    """A valid body for ``POST`` of ``resource`` on a body of fgw (or of ``side``). For the
    parts of a body, the department in the body is ignored: it follows the body."""
    side = side or w.fgw_side
    today = timezone.localdate()
    base = {"name": "新记录", "date_made": str(today)}
    if resource == "enforcement-bodies":
        return {
            **base,
            "department": side.body.department.code,
            "legal_authority": "《行政处罚法》",
            "jurisdiction": "本区",
            "address": "某路1号",
            "complaint_phone": "023-41234567",
        }
    base["department"] = "scjgj" if side is w.fgw_side else "fgw"
    base["body"] = side.body.pk
    if resource == "enforcement-powers":
        return {**base, "power_type": "penalty", "code": "new-1", "legal_basis": "《食品安全法》"}
    if resource == "enforcement-officers":
        return {**base, "certificate_number": "new-cert", "valid_until": "2029-12-31"}
    if resource == "enforcement-actions":
        del base["date_made"]  # defaults to the decision date
        return {
            **base,
            "power": side.power.pk,
            "kind": "penalty",
            "document_number": "罚-new",
            "party_name": "重庆某公司",
            "party_kind": "legal_person",
            "party_credit_code": builders.COMPANY_CODE,
            "facts": "f",
            "legal_basis": "b",
            "result": "r",
            "penalty_types": ["fine"],
            "severity": "general",
            "fine_amount": "100.00",
            "decision_date": str(days_ago(3)),
        }
    if resource == "inspection-plans":
        return {
            **base,
            "year": today.year,
            "matters": ["进货查验"],
            "sampling_ratio": "0.5000",
            "inspectors_per_entity": 2,
            "entity_pool": [{"name": "经营者A"}, {"name": "经营者B"}],
            "inspector_pool": [{"name": "执法员甲"}, {"name": "执法员乙"}],
        }
    return {
        **base,
        "plan": side.plan.pk,
        "entity_name": side.plan.selection[0]["name"],
        "inspected_from": str(days_ago(9)),
        "inspected_until": str(days_ago(2)),
        "outcome": "rectify",
    }


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("resource", RESOURCES)
def test_create(w, resource, role):
    """Creating on a body of fgw: only fgw's editor (and superusers); the other department's
    editor is refused with 403 whatever department the request names."""
    model = MODELS[resource]
    before = model.objects.count()
    response = client(w, role).post(f"{API}{resource}/", create_body(w, resource), format="json")
    assert response.status_code == CREATE[role], response.content
    assert model.objects.count() == before + (CREATE[role] == 201)
    if response.status_code == 201:
        assert response.json()["status"] == "draft"
        assert response.json()["department"] == "fgw"


@pytest.mark.parametrize("resource", RESOURCES)
def test_the_department_follows_the_body(w, resource):
    """On the other department's body, its own editor creates (for that department) and fgw's
    editor is refused."""
    body = create_body(w, resource, side=w.other)
    response = client(w, "editor").post(f"{API}{resource}/", body, format="json")
    assert response.status_code == 403, response.content
    response = client(w, "other_editor").post(f"{API}{resource}/", body, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["department"] == "scjgj"
    assert fresh(MODELS[resource](pk=response.json()["id"])).department_id == w.scjgj.pk


@pytest.mark.parametrize("resource", BODY_PARTS)
def test_parts_of_a_hidden_body_are_refused_as_nonexistent(w, resource):
    body = {**create_body(w, resource, side=w.other), "body": w.drafts["enforcement-bodies"].pk}
    response = client(w, "other_editor").post(f"{API}{resource}/", body, format="json")
    assert response.status_code == 400, response.content
    assert set(response.json()["errors"]) == {"body"}


@pytest.mark.parametrize("resource", RESOURCES)
def test_a_draft_cannot_be_moved_to_another_department(w, resource):
    """fgw's editor may not move a draft into another department: neither a body directly
    nor a part by attaching it to the other department's body."""
    draft = w.drafts[resource]
    change = (
        {"department": "scjgj"} if resource == "enforcement-bodies" else {"body": w.other.body.pk}
    )
    response = client(w, "editor").patch(f"{API}{resource}/{draft.pk}/", change, format="json")
    assert response.status_code == 403, response.content
    assert fresh(draft).department_id == w.fgw.pk


# ---------------------------------------------------------------------------------------------
# 2. The resources' own actions.


@pytest.mark.parametrize("role", ROLES)
def test_credit_repair(w, role):
    action = w.published["enforcement-actions"]
    body = {
        "decided_on": str(action.repair_possible_from),
        "decided_by": "重庆市信用中心",
        "document_number": "修复1号",
    }
    response = client(w, role).post(f"{ACTIONS}{action.pk}/repair/", body, format="json")
    assert response.status_code == REPAIR[role], response.content
    assert CreditRepair.objects.filter(action=action).exists() == (REPAIR[role] == 200)
    if REPAIR[role] == 200:
        assert response.json()["display_until"] == str(action.repair_possible_from)


@pytest.mark.parametrize("role", ROLES)
def test_draw(w, role):
    """Drawing is an edit of the plan, by the department's editor."""
    for plan, table in (
        (w.drafts["inspection-plans"], DRAW_DRAFT),
        (w.undrawn_plan, DRAW_PUBLISHED),
    ):
        response = client(w, role).post(f"{PLANS}{plan.pk}/draw/")
        assert response.status_code == table[role], (plan.status, response.content)
        assert bool(fresh(plan).draw_seed) == (table[role] == 200)
        if table[role] == 200:
            assert response.json()["selection"] == fresh(plan).selection != []


@pytest.mark.parametrize("role", ROLES)
def test_verify(w, role):
    """Anyone who can see a plan can verify its draw."""
    api = client(w, role)
    response = api.get(f"{PLANS}{w.plan.pk}/verify/")
    assert response.status_code == 200, response.content
    assert response.json() == {
        "algorithm": "sha256-rank-v1",
        "seed": w.plan.draw_seed,
        "reproduced": True,
    }
    undrawn = api.get(f"{PLANS}{w.undrawn_plan.pk}/verify/")
    assert undrawn.status_code == 200 and undrawn.json()["reproduced"] is False
    draft = inspections.draw(w.drafts["inspection-plans"], acting_user=w.users["editor"])
    response = api.get(f"{PLANS}{draft.pk}/verify/")
    assert response.status_code == READ_DRAFT[role], response.content
    if READ_DRAFT[role] == 200:
        assert response.json()["reproduced"] is True


@pytest.mark.parametrize(
    "how, change",
    [
        ("edit", {"entity_pool": [{"name": "名录外的经营者"}]}),
        ("edit", {"sampling_ratio": "0.5000"}),
        ("edit", {"inspector_pool": [{"name": "甲"}, {"name": "乙"}]}),
        ("edit", {"inspectors_per_entity": 1}),
        ("amend", {"inspectors_per_entity": 1}),
    ],
)
def test_a_drawn_plan_stays_verifiable(w, how, change):
    """Once drawn, the inputs of the draw (pools, ratio, inspectors per entity) are fixed:
    neither editing a drawn draft nor amending a published plan may change them, or the
    published selection could no longer be reproduced from the recorded seed."""
    if how == "edit":
        plan = inspections.draw(w.drafts["inspection-plans"], acting_user=w.users["editor"])
        response = client(w, "editor").patch(f"{PLANS}{plan.pk}/", change, format="json")
    else:
        plan = w.plan
        body = {"reason": "更正", **change}
        response = client(w, "publisher").post(f"{PLANS}{plan.pk}/amend/", body, format="json")
    verified = client(w, "superuser").get(f"{PLANS}{plan.pk}/verify/").json()
    assert (response.status_code, verified["reproduced"]) == (400, True), response.content
    assert set(change) <= set(response.json()["errors"])


def read_csv(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    lines = b"".join(response.streaming_content).decode().splitlines()
    assert lines[0].startswith("# 双公示数据标准")
    return list(csv.reader(io.StringIO("\n".join(lines[1:]))))


@pytest.mark.parametrize("role", ROLES)
def test_export_and_redaction_policy_are_public(w, role):
    """Whoever asks gets the same public, redacted export and the redaction policy."""
    api = client(w, role)
    rows = read_csv(api.get(f"{ACTIONS}export/", {"kind": "penalty"}))
    header, data = rows[0], rows[1:]
    numbers = {row[header.index("行政处罚决定书文号")] for row in data}
    assert w.published["enforcement-actions"].document_number in numbers
    assert w.person.document_number in numbers
    assert w.drafts["enforcement-actions"].document_number not in numbers
    text = "\n".join(",".join(row) for row in rows)
    for secret in ("张三", "李四", *list(PERSON_PRIVATE.values())[1:-2]):
        assert secret not in text
    policy = api.get(f"{ACTIONS}redaction-policy/")
    assert policy.status_code == 200, policy.content
    assert [rule["code"] for rule in policy.json()] == [
        "omit_private_fields",
        "mask_natural_person_name",
        "remove_other_private_names",
        "scrub_identifier_patterns",
        "minor_never_published",
    ]


@pytest.mark.parametrize("role", ROLES)
def test_natural_person_is_redacted_outside_the_department(w, role):
    """The department and oversight see the party's details; everyone else does not receive
    them at all, and the name is masked — in the detail and in the list."""
    api = client(w, role)
    detail = api.get(f"{ACTIONS}{w.person.pk}/")
    assert detail.status_code == 200, detail.content
    listed = {row["id"]: row for row in api.get(ACTIONS, {"page_size": 500}).json()["results"]}
    for data in (detail.json(), listed[w.person.pk]):
        if SEES_PERSON[role]:
            assert data["party_name"] == "张三"
            assert {key: data[key] for key in PERSON_PRIVATE} == PERSON_PRIVATE
        else:
            assert data["party_name"] == "张＊"
            assert not set(PERSON_PRIVATE) & set(data)
            assert "李四" not in str(data) and "张三" not in str(data)


# ---------------------------------------------------------------------------------------------
# 3. Query counts: the number of queries does not grow with the page (or the export).


def count_queries(api, url, params=None):
    with CaptureQueriesContext(connection) as queries:
        response = api.get(url, params)
    assert response.status_code == 200, response.content
    return len(queries), response.json()["results"]


@pytest.mark.parametrize("role", ["anonymous", "editor"])
@pytest.mark.parametrize("resource", RESOURCES)
def test_list_queries_do_not_grow_with_the_page(w, resource, role):
    api = client(w, role)
    url = f"{API}{resource}/"
    api.get(url, {"page_size": 1})  # warm up (content types, permissions caches)
    one, first = count_queries(api, url, {"page_size": 1})
    ten, tenth = count_queries(api, url, {"page_size": 10})
    print(f"\nQUERIES {resource} {role}: page_size=1 -> {one}, page_size=10 -> {ten}")
    assert (len(first), len(tenth)) == (1, 10)
    assert one == ten, (resource, role, one, ten)


def count_export(api):
    with CaptureQueriesContext(connection) as queries:
        rows = read_csv(api.get(f"{ACTIONS}export/", {"kind": "penalty"}))
    return len(queries), len(rows) - 1


@pytest.mark.parametrize("role", ["anonymous", "editor"])
def test_export_queries_do_not_grow_with_the_rows(w, role):
    api = client(w, role)
    pool = w.pool["enforcement-actions"]
    public = EnforcementAction.objects.filter(status="published")
    public.exclude(pk__in=[a.pk for a in pool]).update(party_is_minor=True)  # never public
    count_export(api)  # warm up
    many, rows = count_export(api)
    assert rows == ROWS
    public.exclude(pk=pool[0].pk).update(party_is_minor=True)
    one, rows = count_export(api)
    assert rows == 1
    print(f"\nQUERIES export {role}: 1 row -> {one}, {ROWS} rows -> {many}")
    assert one == many, (role, one, many)

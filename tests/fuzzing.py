"""Contract fuzzing with schemathesis, in process (no server): the WSGI application under
test, the data the fuzzer aims at, the checks it runs and a tally of what it sent.

Requests go through the WSGI application gunicorn serves (Django's whole stack: middleware,
rate limits, error handlers) on the test's own database connection (see
:func:`kept_connection`), so they see the module's data and are rolled back with it."""

import datetime
from collections import Counter
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace
from unittest import mock

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from django.utils import timezone
from hypothesis import strategies as st
from schemathesis import GenerationMode

ROOT = Path(__file__).resolve().parent.parent
OPENAPI = ROOT / "api_docs" / "openapi.yaml"
GRAPHQL_SDL = ROOT / "api_docs" / "schema.graphql"
GRAPHQL = "/graphql/"


# ---------------------------------------------------------------------------------------------
# The application.


@contextmanager
def kept_connection():
    """While requests are sent to the WSGI application in the test's transaction: Django
    closes a connection at the start and end of each request when it is not in autocommit
    mode (as a test's is), and so would end the test's transaction. (Django's test client
    disconnects the same signals.)"""
    for signal in (signals.request_started, signals.request_finished):
        signal.disconnect(close_old_connections)
    try:
        yield
    finally:
        for signal in (signals.request_started, signals.request_finished):
            signal.connect(close_old_connections)


# ---------------------------------------------------------------------------------------------
# The schemas.


def wsgi_application():
    """What gunicorn serves (``registry.wsgi.application``)."""
    from registry.wsgi import application

    return application


def config():
    """Deterministic generation (CI repeats the same cases); credentials are the tests'
    business, not generated from the security schemes. (Which cases, how many and the
    Hypothesis settings: :func:`operations`, :func:`cases`, tests/test_contract_fuzzing.py.)"""
    generation = {"deterministic": True, "with-security-parameters": False}
    return schemathesis.Config.from_dict({"generation": generation})


def openapi_schema():
    """The committed OpenAPI description (tests/test_schema_files.py keeps it current)."""
    schema = schemathesis.openapi.from_path(OPENAPI, config=config())
    schema.app = wsgi_application()

    @schema.hook
    def flatmap_path_parameters(context, path_parameters):
        return aim(path_parameters, context.operation.path)

    return schema


def graphql_schema():
    """The committed GraphQL schema, served at ``/graphql/``."""
    schema = schemathesis.graphql.from_path(GRAPHQL_SDL, config=config())
    schema.app = wsgi_application()
    schema.config.update(base_url=f"http://localhost{GRAPHQL}")
    return schema


def operations(schema, *, reads=None):
    """``schema``'s operations as pytest parameters named by their label (all of them, or
    only reads or only writes). Schemathesis' own ``parametrize`` gives every operation of a
    test the same node id under pytest 9, and pytest-xdist then runs only the first."""
    found = [result.ok() for result in schema.get_all_operations()]
    if reads is not None:
        found = [operation for operation in found if (operation.method.upper() == "GET") == reads]
    return [pytest.param(operation, id=operation.label) for operation in found]


def cases(operation):
    """Cases of ``operation`` with valid data and with invalid data."""
    return st.one_of(*(operation.as_strategy(generation_mode=mode) for mode in GenerationMode))


# ---------------------------------------------------------------------------------------------
# What the fuzzer aims at: ids of existing records, put in place of generated ones.

TARGETS = {}  # URL prefix under /api/v1/ -> ids (or codes) of existing rows


def aim(path_parameters, operation_path):
    """A strategy for ``path_parameters`` that often names an existing row instead of a
    generated id (only valid generated values are replaced: invalid ones are what negative
    testing sends on purpose)."""
    parts = operation_path.strip("/").split("/")
    prefix = parts[2] if len(parts) > 2 else None
    known = TARGETS.get(prefix)
    if not known or not isinstance(path_parameters, dict):
        return st.just(path_parameters)
    strategies = {}
    for name, value in path_parameters.items():
        valid = (name == "id" and type(value) is int) or (name == "code" and isinstance(value, str))
        strategies[name] = st.sampled_from([*known, value]) if valid else st.just(value)
    return st.fixed_dictionaries(strategies)


# ---------------------------------------------------------------------------------------------
# A check of our own.

# Query parameters whose valid values depend on the data (a department's code) or on the
# server (a cursor it issued): no description can enumerate them, and a 400 naming them is
# the documented answer to a value that names nothing.
DATA_DEPENDENT_PARAMETERS = {"department", "parent", "cursor"}


@schemathesis.check
def schema_valid_queries_accepted(ctx, response, case):
    """A read whose parameters the description allows is answered, not refused with a 400
    (but for the parameters above)."""
    meta = case.meta
    if case.method != "GET" or response.status_code != 400:
        return None
    if meta is None or not meta.generation.mode.is_positive:
        return None
    try:
        errors = response.json().get("errors") or {}
    except (ValueError, AttributeError):
        errors = {}
    if not errors or set(errors) - DATA_DEPENDENT_PARAMETERS:
        raise AssertionError(
            "A read with parameters the description allows was refused: "
            + response.content.decode("utf-8", "replace")[:500]
        )
    return None


# ---------------------------------------------------------------------------------------------
# The tally: how many cases ran, and their answers.


class Tally:
    def __init__(self):
        self.cases = Counter()  # test name -> cases
        self.statuses = Counter()

    def count(self, test, response):
        self.cases[test] += 1
        self.statuses[response.status_code] += 1

    def summary(self):
        statuses = ", ".join(f"{code}: {n}" for code, n in sorted(self.statuses.items()))
        per_test = ", ".join(f"{test} {n}" for test, n in sorted(self.cases.items()))
        return f"fuzz cases run: {sum(self.cases.values())} ({per_test}); statuses {statuses}"


# ---------------------------------------------------------------------------------------------
# The data: a published and a draft record of every resource of ``fgw``.


def build_world():
    from decisions.models import (
        AccountabilityResult,
        AuditFinding,
        Evaluation,
        ExpertOpinion,
        Hearing,
        ImplementationUpdate,
    )
    from decisions.services import consultations, lifecycle
    from enforcement.models import InspectionResult
    from enforcement.services import inspections
    from registry.models import Department
    from registry.services import workflow
    from tests.decisions import builders as decisions
    from tests.enforcement import builders as enforcement
    from tests.fiscal import builders as fiscal
    from tests.world import create_user, people_world

    w = people_world()
    editor, publisher = w.users["editor"], w.users["publisher"]
    reviewer = w.users["legality_reviewer"]
    today = timezone.localdate()
    records = {}

    def keep(prefix, *rows):
        records.setdefault(prefix, []).extend(row.pk for row in rows)

    # Major decisions: a catalogue of the district office, a published and a draft decision,
    # an open consultation with comments, a closed one with its adoption report, every part.
    office = Department.objects.create(code="qzfb", name_zh="区政府办公室", kind="district_office")
    office_editor = create_user("office_editor", ("editor", office))
    office_publisher = create_user("office_publisher", ("publisher", office))
    catalogue = decisions.catalogue(office, office_publisher, office_editor)
    draft_catalogue = decisions.catalogue(w.fgw, publisher, editor, year=2027, publish=False)
    keep("catalogues", catalogue, draft_catalogue)
    decision = decisions.decision(w.fgw, editor, catalogue, publisher=publisher)
    draft_decision = decisions.decision(w.fgw, editor, catalogue, name="尚未发布的决策")
    reviewed = decisions.decision(
        w.fgw,
        editor,
        catalogue,
        publisher=publisher,
        name="关于涉密事项的决策",
        confidentiality="draft_withheld",
        confidentiality_ground="《中华人民共和国保守国家秘密法》第九条",
    )
    for stage in ("drafting", "legality_review"):
        reviewed = lifecycle.advance(reviewed, stage, acting_user=publisher)
    keep("decisions", decision, draft_decision, reviewed)
    started = datetime.date(2026, 9, 1)
    keep(
        "legality-reviews",
        decisions.lawful_review(reviewed, reviewer, started, started.replace(month=10)),
    )
    keep("decision-documents", decisions.upload_draft(draft_decision, editor))

    opens = today - datetime.timedelta(days=40)
    closed = decisions.consultation(decision, editor, opens_on=opens, days=30)
    with mock.patch("decisions.models.consultation.local_today", return_value=opens):
        closed = workflow.publish(closed, acting_user=publisher)  # published while open
    open_period = decisions.consultation(decision, editor, publisher=publisher)
    keep("consultations", open_period, closed, decisions.consultation(decision, editor))
    keep("adoption-reports", decisions.close_with_report(closed, editor, publisher, today=today))
    comments = [
        consultations.submit_comment(open_period, content=f"意见{i}", author_name="市民")
        for i in range(2)
    ]
    consultations.moderate_comment(comments[0], acting_user=editor, publish=True)
    keep("comments", *comments)
    parts = {
        "hearings": (Hearing, decisions.hearing_fields()),
        "expert-opinions": (
            ExpertOpinion,
            {
                "expert_name": "王教授",
                "organisation": "某大学",
                "opinion": "方案总体可行",
                "independence_attested": True,
                "attestation": "本人与决策事项无利害关系",
            },
        ),
        "implementation-updates": (ImplementationUpdate, {"progress_percent": 40}),
        "audit-findings": (AuditFinding, {"source": "audit", "finding": "收费标准公示不完整"}),
        "accountability-results": (AccountabilityResult, {"result": "约谈相关负责人"}),
        "evaluations": (
            Evaluation,
            {
                "trigger": "scheduled",
                "evaluator": "第三方评估机构",
                "report": "实施效果良好",
                "completed_on": today,
            },
        ),
    }
    for prefix, (model, fields) in parts.items():
        keep(
            prefix,
            decisions.part(model, decision, editor, publisher=publisher, **fields),
            decisions.part(model, decision, editor, **fields),
        )

    # Enforcement: a body with a power, an officer, a case, a drawn plan and its result.
    body = enforcement.body(w.fgw, editor, publisher=publisher)
    keep("enforcement-bodies", body, enforcement.body(w.fgw, editor, name="草稿执法主体"))
    power = enforcement.power(body, editor, publisher=publisher)
    keep("enforcement-powers", power, enforcement.power(body, editor, code="330202"))
    keep("enforcement-officers", enforcement.officer(body, editor, publisher=publisher))
    keep(
        "enforcement-actions",
        enforcement.penalty(power, editor, publisher=publisher, decision_date=today),
        enforcement.natural_person_penalty(
            power, editor, publisher=publisher, document_number="璧市监罚〔2026〕2号"
        ),
        enforcement.penalty(power, editor, document_number="璧市监罚〔2026〕3号"),
    )
    plan = enforcement.plan(body, editor, publisher=publisher, entities=5, ratio="1.0000")
    plan = inspections.draw(plan, acting_user=editor)
    keep("inspection-plans", plan, enforcement.plan(body, editor))
    result = workflow.create(
        InspectionResult,
        acting_user=editor,
        department=w.fgw,
        body=body,
        plan=plan,
        name="食品经营者抽查结果",
        date_made=today,
        entity_name=plan.selection[0]["name"],
        inspected_from=today - datetime.timedelta(days=20),
        inspected_until=today - datetime.timedelta(days=10),
        outcome="no_problem",
        findings="未发现问题",
    )
    keep("inspection-results", workflow.publish(result, acting_user=publisher))

    # Fiscal: a project with progress and a self-evaluation, a debt report, a bond and its
    # annual disclosure.
    project = fiscal.project(w.fgw, editor, publisher=publisher)
    keep("investment-projects", project, fiscal.project(w.fgw, editor, code="P2026-002"))
    keep("project-progress", fiscal.progress(project, editor, publisher=publisher))
    keep("self-evaluations", fiscal.evaluation(project, editor))
    keep(
        "debt-reports",
        fiscal.debt_report(w.fgw, editor, publisher=publisher),
        fiscal.debt_report(w.fgw, editor, year=2024),
    )
    bond = fiscal.bond(w.fgw, editor, publisher=publisher)
    keep("bonds", bond, fiscal.bond(w.fgw, editor, code="2026050002"))
    keep("bond-disclosures", fiscal.disclosure(bond, editor, publisher=publisher))

    records["departments"] = ["fgw", "scjgj", "qzfb"]
    return SimpleNamespace(**vars(w), records=records)

"""Confidentiality of the enforcement registry end to end: the public view of enforcement
decisions never shows what the redaction policy (``enforcement.redaction``) keeps back.

The scenario plants a secret in every place that must not be public:

* a natural person's penalty (and licence): the full name (2-character given name), the
  identity number, home address, phone, bank account, health data and id type in their
  private fields, *and* the same values inside the free text (name, summary, facts, result,
  licence scope), together with identifiers that are in no private field (another person's
  identity number, a mobile, a bank card, a landline: the safety-net pattern scrubbing) and
  the names of other private persons the department marked (``private_names``);
* a minor's case, every field (publishing it is refused; it is then forced to published in
  SQL and must still stay off every surface);
* penalties past their display period (general, decided over a year ago; minor, decided over
  three months ago; one whose display a credit repair ended);
* a draft of every enforcement record type, a pending one, and published records that hang
  under a draft body or a draft plan;
* withdrawn penalties (the tombstone keeps name, index number and the withdrawal's reason and
  basis: the facts, result and party fields are secrets; a natural person's withdrawn case
  must not show the person's full name in the tombstone either); a withdrawn withheld one;
* an action with a ``withheld_ground``.

Then it crawls, anonymously and as ``other_editor`` (staff of another department are the
public for fgw's records): every REST list (paged both ways), every filter with marker
values, every detail and GET sub-resource (``history/``, ``verify/``) of every row in the
database, POST/PATCH on hidden rows, ``export/?kind=penalty|licence``, ``redaction-policy/``,
every resource's bulk export, the change-feed export, a fresh snapshot's files, every Atom
feed, every GraphQL root connection with its nested relations, every filter argument, and a
relay ``node`` lookup of every row. No secret may appear in any body or header, and hidden rows
must be 404 (410 with a tombstone for withdrawn ones) / ``null``.

Positive controls: the masked name (张＊＊), the legal-person case with its credit code and the
tombstone reach the public; the department editor sees the full identity number; the same
crawl run as ``oversight`` finds every planted secret.
"""

import dataclasses
import datetime
import hashlib
import json
from dataclasses import dataclass
from types import SimpleNamespace
from urllib.parse import quote, quote_plus, urlencode

import django_filters
import pytest
from django.utils import timezone
from graphql_relay import from_global_id, to_global_id

from enforcement.api.views import RESOURCES
from enforcement.models import (
    EnforcementAction,
    EnforcementBody,
    EnforcementOfficer,
    EnforcementPower,
    InspectionPlan,
    InspectionResult,
)
from enforcement.services import actions as action_services
from enforcement.services import inspections
from registry.graphql.schema import schema as graphene_schema
from registry.services import workflow
from registry.validators import uscc_check_character
from tests.decisions.test_confidentiality import (
    INTROSPECTION,
    MAX_DEPTH,
    PAGING_ARGS,
    Selections,
    applicable_filters,
    crawl_list,
    type_string,
)
from tests.enforcement import builders
from tests.graph_crawl import crawl_statistics, lookup_nodes
from tests.world import crawl_bulk_downloads, crawl_change_feed

pytestmark = pytest.mark.django_db

URL = "/api/v1/enforcement-actions/"

# --------------------------------------------------------------------------------------------
# Secrets: ASCII markers (no escaping can hide them) and realistic personal data.


def _marker(key):
    return f"MARKER-EN-{key}-{hashlib.sha256(key.encode()).hexdigest()[:6]}"


def _uscc(first17):
    return first17 + uscc_check_character(first17)


NP_NAME = "张伟明"  # surname 张, given name 伟明
NP_MASKED = "张＊＊"
NP_ID = "500227198807154213"  # born 1988-07-15
NP_PHONE = "13987654321"
NP_BANK = "6222021234567890123"  # 19 digits
NP_ADDRESS_TEXT = "璧泉街道幸福路18号3单元"
NP_HEALTH_TEXT = "II型糖尿病"
OTHER_PERSON = "李秀英"
REALISTIC = {
    "NP-FULL-NAME": NP_NAME,
    "NP-ID-NUMBER": NP_ID,
    "NP-PHONE": NP_PHONE,
    "NP-BANK-ACCOUNT": NP_BANK,
    "NP-ADDRESS-TEXT": NP_ADDRESS_TEXT,
    "NP-HEALTH-TEXT": NP_HEALTH_TEXT,
    "OTHER-PERSON-NAME": OTHER_PERSON,
    # identifiers in free text only (no private field holds them): pattern scrubbing
    "FACTS-ID-NUMBER": "11010119750505061X",
    "FACTS-MOBILE": "15811112222",
    "FACTS-BANK-CARD": "6228480012345678901",
    "FACTS-LANDLINE": "023-65432109",
    # the minor's identity number; the credit codes of the expired and withdrawn companies
    "MINOR-ID-NUMBER": "500227201205051236",
    "EXPIRED-USCC": _uscc("91500227MA61E9XP0"),
    "WITHDRAWN-USCC": _uscc("91500227MA61W4DR2"),
    # the natural person of a withdrawn case: the tombstone's name must be masked too
    "WNP-FULL-NAME": "王秀兰",
    "WNP-ID-NUMBER": "500227199211300027",
}

# What the public must see (controls against a vacuous pass).
PUBLIC = {
    "LP-DOC": "PUBLIC-OK-legal-person-document",
    "NP-DOC": "PUBLIC-OK-natural-person-document",
    "NPL-DOC": "PUBLIC-OK-natural-person-licence",
    "NPL-LICENCE-NAME": "PUBLIC-OK-licence-name",
    "WITHDRAWN-NAME": "PUBLIC-OK-withdrawn-tombstone-name",
    "WITHDRAWN-REASON": "PUBLIC-OK-withdrawal-reason",
    "RESULT": "PUBLIC-OK-inspection-result",
}


ACTION_TEXTS = (
    "name",
    "summary",
    "document_number",
    "party_name",
    "legal_representative",
    "facts",
    "legal_basis",
    "result",
)


class Secrets(dict):
    """key -> the planted value."""

    def plant(self, key, value=None):
        assert key not in self, key
        self[key] = value if value is not None else _marker(key)
        return self[key]

    def action(self, prefix, **fields):
        """The fields of a legal-person enforcement action with a marker in every text that
        ``fields`` does not set."""
        planted = {
            field: self.plant(f"{prefix}-{field.upper().replace('_', '-')}")
            for field in ACTION_TEXTS
            if field not in fields
        }
        return {**planted, **fields}


def forms(value):
    """How ``value`` can appear in a response: raw (UTF-8 JSON, CSV), ``\\u``-escaped JSON."""
    return {value, json.dumps(value)[1:-1], json.dumps(value, ensure_ascii=False)[1:-1]}


# --------------------------------------------------------------------------------------------
# The scenario.


def create(model, editor, publisher=None, **fields):
    record = workflow.create(model, acting_user=editor, **fields)
    return workflow.publish(record, acting_user=publisher) if publisher else record


def drawn_plan(body, editor, publisher=None, *, entities, inspectors, name):
    plan = create(
        InspectionPlan,
        editor,
        department=body.department,
        body=body,
        name=name,
        date_made=timezone.localdate(),
        year=2026,
        matters=["食品经营许可"],
        sampling_ratio="0.5000",
        inspectors_per_entity=2,
        entity_pool=[{"name": n, "credit_code": ""} for n in entities],
        inspector_pool=[{"name": n, "certificate_number": ""} for n in inspectors],
    )
    plan = inspections.draw(plan, acting_user=editor)
    return workflow.publish(plan, acting_user=publisher) if publisher else plan


def inspection_result(plan, editor, publisher=None, **fields):
    today = timezone.localdate()
    values = {
        "entity_name": plan.selection[0]["name"],
        "date_made": today,
        "inspected_from": today - datetime.timedelta(days=3),
        "inspected_until": today - datetime.timedelta(days=1),
        "outcome": "rectify",
        **fields,
    }
    return create(
        InspectionResult,
        editor,
        publisher,
        department=plan.department,
        body=plan.body,
        plan=plan,
        **values,
    )


def natural_person_fields(s):
    """The natural person's case: private fields, and the same values in the free text."""
    address = f"璧山区{NP_ADDRESS_TEXT} {s.plant('NP-ADDRESS')}"
    health = f"患有{NP_HEALTH_TEXT} {s.plant('NP-HEALTH')}"
    other_marker = s.plant("OTHER-PERSON-MARKER")
    r = REALISTIC
    return {
        "party_name": NP_NAME,
        "party_kind": "natural_person",
        "party_credit_code": "",
        "legal_representative": "",
        "party_id_type": s.plant("NP-ID-TYPE"),
        "party_id_number": NP_ID,
        "party_address": address,
        "party_phone": NP_PHONE,
        "party_bank_account": NP_BANK,
        "party_health_info": health,
        "private_names": [OTHER_PERSON, other_marker],
        "facts": (
            f"当事人{NP_NAME}（身份证号{NP_ID}，住{address}，电话{NP_PHONE}，银行账户{NP_BANK}，"
            f"{health}）与{OTHER_PERSON}、{other_marker}共同无证经营。另查明同伙身份证号"
            f"{r['FACTS-ID-NUMBER']}，手机{r['FACTS-MOBILE']}，银行卡号{r['FACTS-BANK-CARD']}，"
            f"座机{r['FACTS-LANDLINE']}。"
        ),
        "summary": f"{NP_NAME}（电话{NP_PHONE}）无证经营，{OTHER_PERSON}参与",
        "legal_basis": "《无证无照经营查处办法》第十三条",
    }


@pytest.fixture
def scenario(departments, users, body, power, lifted_graphql_limits):
    fgw = departments["fgw"]
    editor, publisher = users["editor"], users["publisher"]
    today = timezone.localdate()
    s = Secrets()
    for key, value in REALISTIC.items():
        s.plant(key, value)
    hidden = {}  # (model, pk) -> the statuses a public detail may answer

    def hide(record, statuses=(404,)):
        hidden[(type(record), record.pk)] = statuses
        return record

    def penalty(power_record=power, publisher=publisher, **fields):
        return builders.penalty(power_record, editor, publisher=publisher, **fields)

    # Public controls: a legal person's penalty, an inspection plan and result.
    legal_person = penalty(document_number=PUBLIC["LP-DOC"])
    public_plan = drawn_plan(
        body,
        editor,
        publisher,
        entities=[f"经营者{i:02d}" for i in range(6)],
        inspectors=[f"执法员{i}" for i in range(4)],
        name="2026年双随机抽查计划",
    )
    public_result = inspection_result(public_plan, editor, publisher, name=PUBLIC["RESULT"])

    # A natural person's penalty and licence: public, redacted.
    person = natural_person_fields(s)
    natural_person = penalty(
        **person,
        document_number=PUBLIC["NP-DOC"],
        name=f"{NP_NAME}无证经营案",
        result=f"对{NP_NAME}（身份证号{NP_ID}）予以警告；退款至{NP_BANK}。",
        penalty_types=["warning"],
        severity="minor",
        fine_amount=None,
        confiscation_amount=None,
        decision_date=today - datetime.timedelta(days=10),
    )
    natural_person_licence = penalty(
        **person,
        kind="licence",
        document_number=PUBLIC["NPL-DOC"],
        name=f"{NP_NAME}食品经营许可",
        result="准予许可",
        penalty_types=[],
        severity="",
        fine_amount=None,
        confiscation_amount=None,
        licence_name=PUBLIC["NPL-LICENCE-NAME"],
        licence_number="JY15002279999",
        licence_scope=f"{NP_NAME}（{NP_ID}，{NP_PHONE}）经营预包装食品",
        decision_date=today - datetime.timedelta(days=10),
        valid_from=today,
        valid_until=today + datetime.timedelta(days=365 * 5),
    )

    # A minor's case, every field: publishing is refused; forced in SQL it stays hidden.
    minor = penalty(
        publisher=None,
        **s.action("MINOR"),
        party_kind="natural_person",
        party_credit_code="",
        party_is_minor=True,
        party_id_type=s.plant("MINOR-ID-TYPE"),
        party_id_number=REALISTIC["MINOR-ID-NUMBER"],
        party_address=s.plant("MINOR-ADDRESS"),
        party_phone=s.plant("MINOR-PHONE"),
        party_bank_account=s.plant("MINOR-BANK-ACCOUNT"),
        party_health_info=s.plant("MINOR-HEALTH"),
        private_names=[s.plant("MINOR-PRIVATE-NAME")],
    )
    hide(minor)

    # Past their display period: general (1 year), minor (3 months), ended by credit repair.
    expired = penalty(
        **s.action("EXPIRED-GENERAL", party_credit_code=REALISTIC["EXPIRED-USCC"]),
        decision_date=today - datetime.timedelta(days=400),
        date_made=today - datetime.timedelta(days=400),
    )
    expired_minor = penalty(
        **s.action("EXPIRED-MINOR"),
        severity="minor",
        penalty_types=["warning"],
        fine_amount=None,
        decision_date=today - datetime.timedelta(days=120),
        date_made=today - datetime.timedelta(days=120),
    )
    repaired = penalty(
        **s.action("REPAIRED"),
        decision_date=today - datetime.timedelta(days=200),
        date_made=today - datetime.timedelta(days=200),
    )
    action_services.repair_credit(
        repaired,
        acting_user=publisher,
        decided_on=today - datetime.timedelta(days=5),
        decided_by="重庆市信用中心",
        document_number=s.plant("REPAIR-DOCUMENT-NUMBER"),
    )
    for record in (expired, expired_minor, repaired):
        record.refresh_from_db()
        assert record.display_until < today, record.display_until
        hide(record)

    # Drafts of every enforcement record type (and a pending action).
    draft_body = hide(
        create(
            EnforcementBody,
            editor,
            department=fgw,
            name=s.plant("DRAFT-BODY-NAME"),
            summary=s.plant("DRAFT-BODY-SUMMARY"),
            date_made=today,
            legal_authority=s.plant("DRAFT-BODY-AUTHORITY"),
            jurisdiction=s.plant("DRAFT-BODY-JURISDICTION"),
            address=s.plant("DRAFT-BODY-ADDRESS"),
            complaint_phone=s.plant("DRAFT-BODY-PHONE"),
            complaint_mailbox=s.plant("DRAFT-BODY-MAILBOX"),
            complaint_address=s.plant("DRAFT-BODY-COMPLAINT-ADDRESS"),
            supervisor=s.plant("DRAFT-BODY-SUPERVISOR"),
        )
    )

    def power_fields(prefix, body_record):
        return {
            "department": fgw,
            "body": body_record,
            "name": s.plant(f"{prefix}-NAME"),
            "summary": s.plant(f"{prefix}-SUMMARY"),
            "date_made": today,
            "power_type": "penalty",
            "code": s.plant(f"{prefix}-CODE"),
            "legal_basis": s.plant(f"{prefix}-LEGAL-BASIS"),
            "discretion_standard": s.plant(f"{prefix}-DISCRETION"),
            "procedure": s.plant(f"{prefix}-PROCEDURE"),
            "time_limit": s.plant(f"{prefix}-TIME-LIMIT"),
            "remedy": s.plant(f"{prefix}-REMEDY"),
        }

    def officer_fields(prefix, body_record):
        return {
            "department": fgw,
            "body": body_record,
            "name": s.plant(f"{prefix}-NAME"),
            "summary": s.plant(f"{prefix}-SUMMARY"),
            "date_made": today,
            "certificate_number": s.plant(f"{prefix}-CERTIFICATE"),
            "valid_until": today + datetime.timedelta(days=700),
        }

    hide(create(EnforcementPower, editor, **power_fields("DRAFT-POWER", body)))
    hide(create(EnforcementOfficer, editor, **officer_fields("DRAFT-OFFICER", body)))
    hide(penalty(publisher=None, **s.action("DRAFT-ACTION")))
    pending = penalty(publisher=None, **s.action("PENDING-ACTION"))
    hide(workflow.submit(pending, acting_user=editor))
    entity, inspector = s.plant("DRAFT-PLAN-ENTITY"), s.plant("DRAFT-PLAN-INSPECTOR")
    draft_plan = hide(
        drawn_plan(
            body,
            editor,
            entities=[f"{entity}-{i}" for i in range(4)],
            inspectors=[f"{inspector}-{i}" for i in range(3)],
            name=s.plant("DRAFT-PLAN-NAME"),
        )
    )
    hide(
        inspection_result(
            public_plan,
            editor,
            name=s.plant("DRAFT-RESULT-NAME"),
            summary=s.plant("DRAFT-RESULT-SUMMARY"),
            findings=s.plant("DRAFT-RESULT-FINDINGS"),
        )
    )
    # Published records under a draft body / a draft plan are hidden with their parent.
    orphan_power = hide(
        create(EnforcementPower, editor, publisher, **power_fields("ORPHAN-POWER", draft_body))
    )
    hide(
        create(
            EnforcementOfficer, editor, publisher, **officer_fields("ORPHAN-OFFICER", draft_body)
        )
    )
    hide(penalty(orphan_power, **s.action("ORPHAN-ACTION")))
    hide(
        inspection_result(
            draft_plan,
            editor,
            publisher,
            name=s.plant("ORPHAN-RESULT-NAME"),
            findings=s.plant("ORPHAN-RESULT-FINDINGS"),
        )
    )

    # Withdrawn: the tombstone (name, reason, basis) is public, nothing else.
    withdrawn = penalty(
        **s.action(
            "WITHDRAWN",
            name=PUBLIC["WITHDRAWN-NAME"],  # the tombstone shows it
            party_credit_code=REALISTIC["WITHDRAWN-USCC"],
        ),
    )
    withdrawal = {
        "acting_user": publisher,
        "trigger": "revoked",
        "trigger_date": today,
        "reason": PUBLIC["WITHDRAWN-REASON"],
        "legal_basis": "《中华人民共和国行政处罚法》第四十八条",
    }
    hide(action_services.withdraw_action(withdrawn, **withdrawal), (410,))
    withdrawn_person = penalty(
        name=f"{REALISTIC['WNP-FULL-NAME']}无证经营案",
        document_number="PUBLIC-OK-withdrawn-person-document",
        party_name=REALISTIC["WNP-FULL-NAME"],
        party_kind="natural_person",
        party_credit_code="",
        legal_representative="",
        party_id_number=REALISTIC["WNP-ID-NUMBER"],
        facts=f"{REALISTIC['WNP-FULL-NAME']}无证经营。{s.plant('WNP-FACTS')}",
        result=s.plant("WNP-RESULT"),
    )
    hide(action_services.withdraw_action(withdrawn_person, **withdrawal), (410,))

    # Withheld (and withheld, then withdrawn: no tombstone either).
    hide(
        penalty(
            **s.action("WITHHELD"),
            withheld_ground="third_party_rights",
            withheld_legal_basis=s.plant("WITHHELD-GROUND-BASIS"),
        )
    )
    withheld_withdrawn = penalty(
        **s.action("WITHHELD-WITHDRAWN"),
        withheld_ground="internal_affairs",
        withheld_legal_basis=s.plant("WITHHELD-WITHDRAWN-GROUND-BASIS"),
    )
    hide(action_services.withdraw_action(withheld_withdrawn, **withdrawal))

    return SimpleNamespace(
        secrets=s,
        hidden=hidden,
        body=body,
        power=power,
        plan=public_plan,
        legal_person=legal_person,
        natural_person=natural_person,
        natural_person_licence=natural_person_licence,
        minor=minor,
        expired=expired,
        public_result=public_result,
        withdrawn=withdrawn,
        withdrawn_person=withdrawn_person,
        draft_power_code=s["DRAFT-POWER-CODE"],
    )


# --------------------------------------------------------------------------------------------
# The crawler: every response is kept and searched for every secret.


@dataclass
class Crawl:
    """What one user saw. ``hidden``: (model, pk) -> statuses a detail may answer."""

    client: object
    hidden: dict = dataclasses.field(default_factory=dict)
    anonymous: bool = False
    responses: list = dataclasses.field(default_factory=list)
    problems: list = dataclasses.field(default_factory=list)
    graphql_queries: int = 0
    statistics_queries: int = 0

    def __post_init__(self):
        self.client.raise_request_exception = False  # a 500 is a response to inspect

    def _keep(self, label, response, echo=None):
        if getattr(response, "streaming", False):
            body = b"".join(response.streaming_content)
        else:
            body = response.content
        headers = "\n".join(f"{k}: {v}" for k, v in response.headers.items())
        text = body.decode("utf-8", errors="replace") + "\n" + headers
        if echo is not None:  # a probe value echoed back (e.g. in a next link) is no leak
            probe = str(echo)
            for form in sorted(forms(probe) | {quote(probe), quote_plus(probe)}, key=len)[::-1]:
                text = text.replace(form, "<probe>")
        self.responses.append((label, response.status_code, text))
        if response.status_code >= 500:
            self.problems.append(f"{label}: HTTP {response.status_code}")
        response.body = body
        return response

    def get(self, path, echo=None, **extra):
        return self._keep(f"GET {path}", self.client.get(path, **extra), echo)

    def options(self, path):
        return self._keep(f"OPTIONS {path}", self.client.options(path))

    def post(self, path):
        return self._keep(f"POST {path}", self.client.post(path, {}, format="json"))

    def patch(self, path):
        return self._keep(f"PATCH {path}", self.client.patch(path, {}, format="json"))

    def graphql(self, query, variables=None, label=None, echo=None):
        self.graphql_queries += 1
        body = {"query": query, "variables": variables or {}}
        response = self.client.post("/graphql/", body, format="json")
        self._keep(f"GraphQL {label or query[:120]}", response, echo)
        payload = json.loads(response.body or b"{}")
        if response.status_code != 200 or payload.get("errors"):
            self.problems.append(f"GraphQL {label}: {response.status_code} {payload.get('errors')}")
        return payload

    def keep(self, label, text):
        """Content reached inside a download (a file of the snapshot's ZIP)."""
        self.responses.append((label, 200, text))

    def found(self, secrets):
        """secret key -> labels of the responses it appeared in."""
        result = {}
        for key, value in secrets.items():
            value_forms = forms(value)
            for label, _status, text in self.responses:
                if any(form in text for form in value_forms):
                    result.setdefault(key, []).append(label)
        return result

    def seen(self, text, surface=""):
        return any(text in body for label, _s, body in self.responses if label.startswith(surface))

    def expect_status(self, model, pk, response, extra=()):
        allowed = self.hidden.get((model, pk))
        if allowed is not None and response.status_code not in (*allowed, *extra):
            self.problems.append(
                f"{model.__name__} {pk} is hidden but HTTP {response.status_code} at "
                f"{self.responses[-1][0]}"
            )

    def expect_unlisted(self, model, ids, label):
        shown = sorted(pk for pk in ids if (model, pk) in self.hidden)
        if shown:
            self.problems.append(f"{label} lists hidden {model.__name__} {shown}")


def filter_values(name, flt, s):
    """Values worth probing: every choice, and ids, numbers and names of hidden records."""
    choices = flt.extra.get("choices")
    if choices is not None:
        return [value for value, _label in (choices() if callable(choices) else choices)]
    if isinstance(flt, django_filters.BooleanFilter):
        return [True, False]
    if isinstance(flt, django_filters.DateTimeFilter):
        return [timezone.now().isoformat()]
    if isinstance(flt, django_filters.DateFilter):
        return [str(timezone.localdate()), "2020-01-01"]
    models = {"body": EnforcementBody, "power": EnforcementPower, "plan": InspectionPlan}
    if name in models:
        model = models[name]
        return sorted({pk for m, pk in s.hidden if m is model} | {getattr(s, name).pk})
    secrets = s.secrets
    if name == "q":
        return [
            NP_NAME,
            "MARKER",
            secrets["MINOR-DOCUMENT-NUMBER"],
            secrets["EXPIRED-GENERAL-PARTY-NAME"],
            secrets["WITHHELD-DOCUMENT-NUMBER"],
            secrets["DRAFT-ACTION-PARTY-NAME"],
        ]
    if name == "party_credit_code":
        return [secrets["EXPIRED-USCC"], secrets["WITHDRAWN-USCC"], builders.COMPANY_CODE]
    if name == "document_number":
        return [v for k, v in secrets.items() if k.endswith("-DOCUMENT-NUMBER")]
    if name == "index_number":
        return [EnforcementAction.objects.get(pk=s.minor.pk).index_number]
    if name == "department":
        return ["fgw"]
    if name == "code":
        return [s.draft_power_code, "330201"]
    if name == "year":
        return [2026]
    return ["MARKER"]


def rest_value(value):
    return str(value).lower() if isinstance(value, bool) else value


def crawl_rest(crawl, s, *, probe=True, writes=False):
    root = crawl.get("/api/v1/").json()
    for prefix, viewset in RESOURCES:
        path = f"/api/v1/{prefix}/"
        assert root[prefix].endswith(path), root[prefix]
        model = viewset.model
        for page_size in (500, 2):
            items = crawl_list(crawl, path, page_size)
            crawl.expect_unlisted(model, [i["id"] for i in items], f"GET {path}")
        crawl.options(path)
        for action in viewset.get_extra_actions():
            if not action.detail and "get" in action.mapping and action.url_path != "export":
                crawl.get(f"{path}{action.url_path}/")
        if probe:
            for name, flt in applicable_filters(viewset.filterset_class, model):
                for value in filter_values(name, flt, s):
                    query = urlencode({name: rest_value(value), "page_size": 500})
                    response = crawl.get(f"{path}?{query}", echo=value)
                    if response.status_code == 200:
                        ids = [i["id"] for i in response.json()["results"]]
                        crawl.expect_unlisted(model, ids, f"GET {path}?{query}")
        actions = viewset.get_extra_actions()
        for pk in model.objects.values_list("pk", flat=True):
            detail = f"{path}{pk}/"
            crawl.expect_status(model, pk, crawl.get(detail))
            for action in actions:
                if action.detail and "get" in action.mapping:
                    crawl.expect_status(model, pk, crawl.get(f"{detail}{action.url_path}/"))
            if writes and (model, pk) in crawl.hidden:
                refused = (401,) if crawl.anonymous else ()
                for action in actions:
                    if action.detail and "post" in action.mapping:
                        response = crawl.post(f"{detail}{action.url_path}/")
                        crawl.expect_status(model, pk, response, refused)
                crawl.expect_status(model, pk, crawl.patch(detail), (*refused, 405))
    for kind in ("penalty", "licence"):
        crawl.get(f"{URL}export/?kind={kind}")
    crawl_change_feed(crawl.get)
    exports = crawl_bulk_downloads(crawl.get, crawl.keep)
    for prefix, viewset in RESOURCES:
        response = exports[prefix]
        if response.status_code != 200:
            crawl.problems.append(f"bulk export of {prefix}: HTTP {response.status_code}")
            continue
        ids = [json.loads(row)["id"] for row in response.body.decode().splitlines()]
        crawl.expect_unlisted(viewset.model, ids, f"the bulk export of {prefix}")


def graph_ids(payload):
    """Every (typename, pk) of a node in a GraphQL payload."""
    found = []
    if isinstance(payload, dict):
        if "__typename" in payload and isinstance(payload.get("id"), str):
            type_name, pk = from_global_id(payload["id"])
            found.append((type_name, int(pk)))
        for value in payload.values():
            found += graph_ids(value)
    elif isinstance(payload, list):
        for value in payload:
            found += graph_ids(value)
    return found


def crawl_graphql(crawl, s, *, probe=True):
    introspection = crawl.graphql(INTROSPECTION, label="introspection")
    selections = Selections(introspection["data"]["__schema"])
    models = {}
    for type_name in selections.node_types():
        models[type_name] = graphene_schema.graphql_schema.get_type(type_name).graphene_type._meta

    def check(payload, label):
        for type_name, pk in graph_ids(payload.get("data")):
            crawl.expect_unlisted(models[type_name].model, [pk], label)

    roots = list(selections.root_connections())
    names = {field["name"] for field, _node in roots}
    expected = {
        "enforcementBodies",
        "enforcementPowers",
        "enforcementOfficers",
        "enforcementActions",
        "inspectionPlans",
        "inspectionResults",
    }
    assert expected <= names, names
    for field, node in roots:
        for query in selections.root_queries(field["name"], node):
            check(crawl.graphql(query, label=field["name"]), field["name"])
        scalars = selections.of(node, frozenset({node}), depth=MAX_DEPTH)  # no relations
        if not probe or field["name"] not in expected:
            continue
        filters = dict(applicable_filters(models[node].filterset_class, models[node].model))
        for arg in field["args"]:
            if arg["name"] in PAGING_ARGS:
                continue
            snake = "".join(f"_{c.lower()}" if c.isupper() else c for c in arg["name"])
            assert snake in filters, f"GraphQL {field['name']}({arg['name']}) is not probed"
            for value in filter_values(snake, filters[snake], s):
                query = (
                    f"query($v: {type_string(arg['type'])}) {{ {field['name']}"
                    f"(first: 100, {arg['name']}: $v) {{ edges {{ node {{ {scalars} }} }} }} }}"
                )
                label = f"{field['name']}({arg['name']}: {value!r})"
                variables = {"v": selections.value(value, arg["type"])}
                check(crawl.graphql(query, variables, label=label, echo=value), label)
    for type_name, meta in models.items():
        if meta.model._meta.app_label != "enforcement":
            continue
        inner = selections.of(type_name, frozenset({type_name}), depth=MAX_DEPTH - 1)
        pks = list(meta.model.objects.values_list("pk", flat=True))
        for pk, row in lookup_nodes(crawl.graphql, type_name, pks, inner).items():
            if (meta.model, pk) in crawl.hidden and row is not None:
                crawl.problems.append(f"GraphQL node {type_name}:{pk} is hidden but resolves")
    crawl.statistics_queries = crawl_statistics(
        crawl.graphql, introspection["data"]["__schema"], crawl.problems
    )


def crawl_everything(client, s, *, hidden=None, anonymous=False, probe=True, writes=False):
    crawl = Crawl(client, dict(hidden or {}), anonymous=anonymous)
    crawl_rest(crawl, s, probe=probe, writes=writes)
    crawl.rest_requests = len(crawl.responses)
    crawl_graphql(crawl, s, probe=probe)
    return crawl


def report(found, secrets):
    return "\n".join(
        f"  {key} ({secrets[key]!r}) in {len(set(where))} responses, e.g. "
        + ", ".join(sorted(set(where))[:4])
        for key, where in sorted(found.items())
    )


# --------------------------------------------------------------------------------------------
# The test.


def test_nothing_private_reaches_the_public(client_for, scenario):
    s, secrets = scenario, scenario.secrets

    # A minor's case cannot be published.
    refused = client_for("publisher").post(f"{URL}{s.minor.pk}/publish/")
    assert refused.status_code == 400 and "未成年人" in refused.json()["detail"], refused.content
    EnforcementAction.objects.filter(pk=s.minor.pk).update(
        status="published", published_at=timezone.now()
    )

    anonymous = crawl_everything(
        client_for("anonymous"), s, hidden=s.hidden, anonymous=True, writes=True
    )
    outsider = crawl_everything(client_for("other_editor"), s, hidden=s.hidden, writes=True)

    failures = []
    for name, crawl in (("anonymous", anonymous), ("other_editor", outsider)):
        leaks = crawl.found(secrets)
        if leaks:
            failures.append(f"secrets reached {name}:\n{report(leaks, secrets)}")
        if crawl.problems:
            failures.append(f"{name}:\n  " + "\n  ".join(crawl.problems[:30]))

    # Search by a natural person's name finds nothing; marker filters find nothing.
    api = client_for("anonymous")
    for query in (
        {"q": NP_NAME},
        {"q": NP_NAME[1:]},
        {"party_credit_code": secrets["EXPIRED-USCC"]},
        {"party_credit_code": secrets["WITHDRAWN-USCC"]},
        {"document_number": secrets["MINOR-DOCUMENT-NUMBER"]},
        {"document_number": secrets["EXPIRED-GENERAL-DOCUMENT-NUMBER"]},
        {"document_number": secrets["WITHHELD-DOCUMENT-NUMBER"]},
        {"document_number": secrets["DRAFT-ACTION-DOCUMENT-NUMBER"]},
        {"q": "MARKER"},
    ):
        found = api.get(f"{URL}?{urlencode(query)}").json()["results"]
        if found:
            failures.append(f"GET {URL}?{urlencode(query)} finds {[a['id'] for a in found]}")
    graph = api.post(
        "/graphql/",
        {"query": f'{{ enforcementActions(q: "{NP_NAME}") {{ edges {{ node {{ id }} }} }} }}'},
        format="json",
    ).json()
    if graph["data"]["enforcementActions"]["edges"]:
        failures.append(f"GraphQL enforcementActions(q: {NP_NAME!r}) finds the person")

    assert not failures, "\n".join(failures)

    # Positive controls: the public sees the redacted natural person and the legal person …
    listed = {a["id"]: a for a in api.get(f"{URL}?page_size=500").json()["results"]}
    assert set(listed) == {s.legal_person.pk, s.natural_person.pk, s.natural_person_licence.pk}
    person = listed[s.natural_person.pk]
    assert person["party_name"] == NP_MASKED and person["name"] == f"{NP_MASKED}无证经营案"
    assert NP_MASKED in person["facts"] and "某某" in person["facts"]
    assert listed[s.legal_person.pk]["party_credit_code"] == builders.COMPANY_CODE
    found = api.get(f"{URL}?{urlencode({'party_credit_code': builders.COMPANY_CODE})}").json()
    assert [a["id"] for a in found["results"]] == [s.legal_person.pk]
    found = api.get(f"{URL}?{urlencode({'document_number': PUBLIC['NP-DOC']})}").json()
    assert [a["id"] for a in found["results"]] == [s.natural_person.pk]
    policy = api.get(f"{URL}redaction-policy/").json()
    assert {rule["code"] for rule in policy} >= {
        "mask_natural_person_name",
        "minor_never_published",
    }
    for crawl in (anonymous, outsider):
        for surface in (f"GET {URL}", "GraphQL ", f"GET {URL}export/?kind=penalty"):
            assert crawl.seen(NP_MASKED, surface), f"{surface} does not show {NP_MASKED}"
            assert crawl.seen(builders.COMPANY_CODE, surface), surface
        for surface in (f"GET {URL}", "GraphQL "):
            assert crawl.seen(PUBLIC["LP-DOC"], surface), surface
        for surface in ("GET /api/v1/inspection-results/", "GraphQL ", "snapshot inspection"):
            assert crawl.seen(PUBLIC["RESULT"], surface), surface
        for surface in (
            f"GET {URL}bulk-export/?format=ndjson",
            "snapshot enforcement-actions.ndjson",
            "GET /api/v1/changes/bulk-export/",
            "GET /feeds/publications.atom",
            "GET /feeds/publications/enforcement.atom",
            "GET /feeds/departments/fgw.atom",
        ):
            assert crawl.seen(NP_MASKED, surface), f"{surface} does not show {NP_MASKED}"
        licences = f"GET {URL}export/?kind=licence"
        assert crawl.seen(PUBLIC["NPL-LICENCE-NAME"], licences)
        assert crawl.seen(f"{NP_MASKED}（＊＊，＊＊）经营预包装食品", licences)
        assert crawl.seen(PUBLIC["WITHDRAWN-NAME"], f"GET {URL}{s.withdrawn.pk}/")
        assert crawl.seen(PUBLIC["WITHDRAWN-REASON"], f"GET {URL}{s.withdrawn.pk}/")
    assert anonymous.rest_requests >= 300, anonymous.rest_requests
    assert anonymous.graphql_queries >= 60, anonymous.graphql_queries
    assert anonymous.statistics_queries >= 60, anonymous.statistics_queries

    # … the department sees the full record …
    editor = client_for("editor")
    full = editor.get(f"{URL}{s.natural_person.pk}/").json()
    assert full["party_id_number"] == NP_ID and full["party_name"] == NP_NAME
    assert NP_ID in full["facts"] and OTHER_PERSON in full["facts"]
    query = f'{{ node(id: "{to_global_id("EnforcementAction", s.natural_person.pk)}") '
    query += "{ ... on EnforcementAction { partyName facts } } }"
    node = editor.post("/graphql/", {"query": query}, format="json").json()["data"]["node"]
    assert node["partyName"] == NP_NAME and NP_PHONE in node["facts"]

    # … and oversight, crawling the same surfaces, finds every planted secret.
    oversight = crawl_everything(client_for("oversight"), s, probe=False)
    unreached = sorted(set(secrets) - set(oversight.found(secrets)))
    assert unreached == [], f"secrets the crawl cannot reach even as oversight: {unreached}"

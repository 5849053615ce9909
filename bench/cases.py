"""The benchmark cases: each request the registry answers, what it is compared with, and the
target the issue sets for it. ``bench/run.py`` measures them; ``tests/test_bench_smoke.py``
runs every one on a small data set and checks its SQL query count."""

import dataclasses
from urllib.parse import urlencode

from registry.validators import uscc_check_character

LIST = "/api/v1/enforcement-actions/"

# The scalar fields of the public list page, as GraphQL names them (the REST page's fields).
ACTION_FIELDS = """id indexNumber department { code nameZh } name summary dateMade status
publishedAt revision amendedAt updatedAt body { id } power { id } kind documentNumber partyName
partyKind partyCreditCode legalRepresentative facts legalBasis result penaltyTypes severity
fineAmount confiscationAmount licenceName licenceNumber licenceScope decisionDate validFrom
validUntil publicationDue publicationRule displayUntil repairPossibleFrom"""


@dataclasses.dataclass(frozen=True)
class Request:
    uri: str
    headers: tuple = ()  # (name, value) pairs


@dataclasses.dataclass(frozen=True)
class ThroughputCase:
    """Many clients (``wrk``) against the registry and, in the same run, the reference
    answering the same URI with the same SQL."""

    name: str
    title: str
    target: str
    request: object  # Context -> Request
    queries: int  # SQL queries per request the registry may issue
    connections: int = 8


def graphql_page(context):
    query = (
        f'{{ enforcementActions(department: "{context.department}", first: 50) '
        f"{{ nodes {{ {' '.join(ACTION_FIELDS.split())} }} }} }}"
    )
    return Request(f"/graphql/?{urlencode({'query': query})}")


THROUGHPUT = (
    ThroughputCase(
        "list",
        "Public list page: 50 enforcement decisions of one department, newest first",
        "≥ 40 % of the reference; 1 SQL query",
        lambda c: Request(f"{LIST}?department={c.department}"),
        queries=1,
    ),
    ThroughputCase(
        "list_deep",
        "The same list, a page deep in it (keyset cursor; depth 50,000 or the list's end)",
        "within 1.2× of page 1 (throughput of page 1 ÷ this ≤ 1.2)",
        lambda c: Request(f"{LIST}?department={c.department}&cursor={c.deep_cursor}"),
        queries=1,
    ),
    ThroughputCase(
        "graphql",
        "The same page through GraphQL (GET, the list's fields)",
        "≥ 8 % of the reference",
        graphql_page,
        queries=4,
    ),
    ThroughputCase(
        "editor_list",
        "An editor's list of their department, drafts included (token)",
        "≥ 80 % of the public list's throughput",
        lambda c: Request(
            f"{LIST}?department={c.department}",
            (("Authorization", f"Token {c.editor_token}"),),
        ),
        queries=2,  # the token with the reader's permissions, the page
    ),
    ThroughputCase(
        "search_rare",
        "Substring search (q) over all enforcement decisions: a rare organisation name",
        "median latency < 30 ms, one client",
        lambda c: Request(f"{LIST}?{urlencode({'q': c.search_rare})}"),
        queries=1,
        connections=1,
    ),
    ThroughputCase(
        "search_common",
        "Substring search (q) over all enforcement decisions: a common word (有限公司)",
        "median latency < 30 ms, one client",
        lambda c: Request(f"{LIST}?{urlencode({'q': c.search_common})}"),
        queries=1,
        connections=1,
    ),
)

# Every public enforcement decision, as portals download them.
EXPORT_URI = "/api/v1/enforcement-actions/bulk-export/?format=csv"
FEED_URI = "/api/v1/changes/?page_size=1000"
HEALTH_URI = "/healthz"


IMPORT_URI = "/api/v1/enforcement-actions/bulk-import/"
IMPORT_COLUMNS = (
    "body",
    "power",
    "kind",
    "name",
    "document_number",
    "party_name",
    "party_kind",
    "party_credit_code",
    "party_id_number",
    "facts",
    "legal_basis",
    "result",
    "penalty_types",
    "severity",
    "fine_amount",
    "licence_name",
    "licence_number",
    "decision_date",
)


def import_row(context, unique, number):
    """One CSV row of the import case (values in ``IMPORT_COLUMNS`` order)."""
    if number % 2:
        return (
            context.body_id, context.power_id, "licence", f"准予基准公司许可 {unique}",
            f"基准许〔2026〕{unique}号", "基准测试科技有限公司", "legal_person", CREDIT_CODE, "",
            "申请材料齐全，符合法定条件。", "《中华人民共和国行政许可法》第三十八条", "准予许可。",
            "", "", "", "基准测试许可证", f"BENCH-{unique}", "2026-11-20",
        )  # fmt: skip
    return (
        context.body_id, context.power_id, "penalty", f"张某无证经营案 {unique}",
        f"基准罚〔2026〕{unique}号", "张三丰", "natural_person", "", "500227199001011234",
        "张三丰（身份证号500227199001011234）未取得许可从事经营活动。",
        "《无证无照经营查处办法》第十三条", "罚款一千元。", "fine", "general", "1000.00", "", "",
        "2026-11-20",
    )  # fmt: skip


CREDIT_CODE = "91110000600037341" + uscc_check_character("91110000600037341")


def create_payload(context, number):
    """A valid new enforcement decision (a licence) for the editor's department."""
    return {
        "body": context.body_id,
        "power": context.power_id,
        "kind": "licence",
        "name": f"基准测试许可决定 {number}",
        "document_number": f"基准许〔2026〕{number}号",
        "party_name": "基准测试科技有限公司",
        "party_kind": "legal_person",
        "party_credit_code": CREDIT_CODE,
        "facts": "申请人提交的材料齐全，符合法定形式。",
        "legal_basis": "《中华人民共和国行政许可法》第三十八条",
        "result": "准予许可。",
        "licence_name": "基准测试许可证",
        "licence_number": f"BENCH-{number}",
        "decision_date": "2026-11-20",
    }

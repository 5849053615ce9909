"""Export of penalties and licences in the layout of the 双公示 data standard: Chinese column
names, amounts in 万元 with six decimals, the party codes in their columns, the edition named
in the file's first line. Only what the public may see: the public queryset, redacted."""

import csv
import io
from decimal import Decimal

from django.utils import timezone

from enforcement import redaction
from enforcement.choices import ActionKind, PartyKind

EDITION = "双公示数据标准（行政许可、行政处罚信用信息）2021版"
TEN_THOUSAND = Decimal(10000)
SIX_PLACES = Decimal("0.000001")

PARTY_KIND_LABELS = {
    PartyKind.LEGAL_PERSON: "法人及非法人组织",
    PartyKind.NATURAL_PERSON: "自然人",
    PartyKind.INDIVIDUAL_BUSINESS: "个体工商户",
}


def wan_yuan(amount):
    """Yuan as 万元 with six decimals (exact: a yuan amount in cents always fits)."""
    if amount is None:
        return ""
    return str((amount / TEN_THOUSAND).quantize(SIX_PLACES))


def _party(action):
    return [
        redaction.public_value(action, "party_name"),
        PARTY_KIND_LABELS[action.party_kind],
        action.party_credit_code,
        redaction.public_value(action, "legal_representative"),
        "",  # 证件类型: never public for natural persons; legal persons use the credit code
        "",  # 证件号码
    ]


def _authority(action):
    department = action.department
    return [action.body.name, department.uscc or "", department.name_zh, department.uscc or ""]


PENALTY_COLUMNS = [
    "行政相对人名称",
    "行政相对人类别",
    "行政相对人代码_1（统一社会信用代码）",
    "法定代表人",
    "证件类型",
    "证件号码",
    "行政处罚决定书文号",
    "违法行为类型",
    "违法事实",
    "处罚依据",
    "处罚类别",
    "处罚内容",
    "罚款金额（万元）",
    "没收违法所得、没收非法财物的金额（万元）",
    "暂扣或吊销证照名称及编号",
    "处罚决定日期",
    "处罚有效期",
    "公示截止期",
    "处罚机关",
    "处罚机关统一社会信用代码",
    "数据来源单位",
    "数据来源单位统一社会信用代码",
    "备注",
]
LICENCE_COLUMNS = [
    "行政相对人名称",
    "行政相对人类别",
    "行政相对人代码_1（统一社会信用代码）",
    "法定代表人",
    "证件类型",
    "证件号码",
    "行政许可决定文书名称",
    "行政许可决定文书号",
    "许可类别",
    "许可证书名称",
    "许可编号",
    "许可内容",
    "许可决定日期",
    "有效期自",
    "有效期至",
    "许可机关",
    "许可机关统一社会信用代码",
    "当前状态",
    "数据来源单位",
    "数据来源单位统一社会信用代码",
    "备注",
]


def penalty_row(action):
    from enforcement.choices import PenaltyType

    types = "、".join(str(PenaltyType(t).label) for t in action.penalty_types)
    authority = _authority(action)
    return [
        *_party(action),
        action.document_number,
        redaction.public_value(action, "name"),
        redaction.public_value(action, "facts"),
        redaction.public_value(action, "legal_basis"),
        types,
        redaction.public_value(action, "result"),
        wan_yuan(action.fine_amount),
        wan_yuan(action.confiscation_amount),
        action.licence_number,
        action.decision_date.isoformat(),
        action.valid_until.isoformat() if action.valid_until else "",
        action.display_until.isoformat() if action.display_until else "",
        *authority,
        "",
    ]


def licence_row(action):
    authority = _authority(action)
    return [
        *_party(action),
        redaction.public_value(action, "name"),
        action.document_number,
        action.power.name,
        action.licence_name,
        action.licence_number,
        redaction.public_value(action, "licence_scope"),
        action.decision_date.isoformat(),
        action.valid_from.isoformat() if action.valid_from else "",
        action.valid_until.isoformat() if action.valid_until else "",
        authority[0],
        authority[1],
        "有效",
        authority[2],
        authority[3],
        "",
    ]


LAYOUTS = {
    ActionKind.PENALTY: (PENALTY_COLUMNS, penalty_row),
    ActionKind.LICENCE: (LICENCE_COLUMNS, licence_row),
}


def rows(queryset, kind):
    """Yield the CSV lines (as text) of the export of ``kind`` over ``queryset``."""
    columns, make_row = LAYOUTS[kind]
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    generated = timezone.localtime().isoformat(timespec="seconds")
    buffer.write(f"# {EDITION}；类别：{ActionKind(kind).label}；生成时间：{generated}\n")
    writer.writerow(columns)
    yield buffer.getvalue()
    queryset = queryset.filter(kind=kind).select_related("department", "body", "power")
    for action in queryset.order_by("id").iterator(chunk_size=2000):
        buffer.seek(0)
        buffer.truncate()
        writer.writerow(make_row(action))
        yield buffer.getvalue()

"""The redaction policy of the public view of enforcement decisions. Each rule names its
legal ground; departments (and oversight) see the full record.

The public never receives the party's identity number, home address, phone, bank account or
health data (those fields are not in the public representation at all), a natural person's
name is masked with the surname kept, names of other private persons the department marked
are removed from free text, and identity-number, phone and bank-account patterns are scrubbed
from free text as a safety net. A minor's case is never public (see the model's
``disclosable_q``)."""

import re
from dataclasses import dataclass

from enforcement.choices import PartyKind

PRIVATE_FIELDS = frozenset(
    (
        "party_id_type",
        "party_id_number",
        "party_address",
        "party_phone",
        "party_bank_account",
        "party_health_info",
        "private_names",
        "party_is_minor",
    )
)
FREE_TEXT_FIELDS = ("name", "summary", "facts", "legal_basis", "result", "licence_scope")
# Fields whose public value differs from the stored one; computed when the record is saved
# and kept in a column of its own (``EnforcementAction.public_<field>``), not on every read.
REDACTED_FIELDS = ("party_name", "legal_representative", *FREE_TEXT_FIELDS)
PUBLIC_COLUMNS = {field: f"public_{field}" for field in REDACTED_FIELDS}


@dataclass(frozen=True)
class Rule:
    code: str
    description: str
    legal_ground: str


POLICY = (
    Rule(
        "omit_private_fields",
        "证件号码、住址、电话、银行账户、健康信息不公开",
        "《中华人民共和国个人信息保护法》第二十八条、第三十四条；《政府信息公开条例》第十五条",
    ),
    Rule(
        "mask_natural_person_name",
        "自然人姓名隐去名字、保留姓氏",
        "国办发〔2018〕118号；《个人信息保护法》第三十四条",
    ),
    Rule(
        "remove_other_private_names",
        "删除文书中涉及的其他自然人姓名",
        "《政府信息公开条例》第十五条",
    ),
    Rule(
        "scrub_identifier_patterns",
        "删除自由文本中的身份证号、电话号码、银行卡号",
        "《个人信息保护法》第二十八条",
    ),
    Rule(
        "minor_never_published",
        "当事人为未成年人的案件不公开",
        "《中华人民共和国未成年人保护法》第一百零三条",
    ),
)

COMPOUND_SURNAMES = (
    "欧阳",
    "司马",
    "上官",
    "诸葛",
    "东方",
    "皇甫",
    "尉迟",
    "公孙",
    "慕容",
    "长孙",
    "宇文",
    "司徒",
    "夏侯",
    "令狐",
    "端木",
    "西门",
    "南宫",
    "独孤",
    "申屠",
    "万俟",
)
ID_NUMBER = re.compile(
    r"(?<!\d)[1-9]\d{5}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx](?!\d)"
)
MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
LANDLINE = re.compile(r"(?<!\d)0\d{2,3}-?\d{7,8}(?!\d)")
BANK_CARD = re.compile(r"(?<!\d)\d{16,19}(?!\d)")
REMOVED = "＊＊"


def mask_name(name):
    """张三 -> 张＊, 欧阳娜娜 -> 欧阳＊＊ (surname kept, one mark per hidden character)."""
    name = name.strip()
    surname = next((s for s in COMPOUND_SURNAMES if name.startswith(s) and len(name) > 2), name[:1])
    return surname + "＊" * max(len(name) - len(surname), 1)


def scrub(text, action):
    """Free text as the public may read it."""
    if not text:
        return text
    secrets = [
        action.party_id_number,
        action.party_address,
        action.party_phone,
        action.party_bank_account,
        action.party_health_info,
    ]
    for secret in sorted(filter(None, (s.strip() for s in secrets)), key=len, reverse=True):
        text = text.replace(secret, REMOVED)
    for name in sorted(
        filter(None, (n.strip() for n in action.private_names)), key=len, reverse=True
    ):
        text = text.replace(name, "某某")
    if action.party_kind == PartyKind.NATURAL_PERSON and action.party_name.strip():
        text = text.replace(action.party_name.strip(), mask_name(action.party_name))
    for pattern in (ID_NUMBER, BANK_CARD, MOBILE, LANDLINE):
        text = pattern.sub(REMOVED, text)
    return text


def public_value(action, field):
    """The public value of one field of ``action`` (None for fields never public)."""
    if field in PRIVATE_FIELDS:
        return None
    value = getattr(action, field)
    if field == "party_name" and action.party_kind == PartyKind.NATURAL_PERSON:
        return mask_name(value)
    if field == "legal_representative" and action.party_kind != PartyKind.LEGAL_PERSON:
        return mask_name(value) if value else value
    if field in FREE_TEXT_FIELDS:
        return scrub(value, action)
    return value


def public_text(action):
    """The public values of the redacted fields of ``action``, by column."""
    return {column: public_value(action, field) for field, column in PUBLIC_COLUMNS.items()}


def store_public_text(action):
    """Sets the public columns of ``action`` (``save()`` does it; so does a bulk import)."""
    for column, value in public_text(action).items():
        setattr(action, column, value)


def redact(data, action):
    """The public representation: ``data`` (a serialized action) with private fields
    dropped and the redacted fields replaced by their public values, as stored when the
    action was saved."""
    public = {key: value for key, value in data.items() if key not in PRIVATE_FIELDS}
    for field, column in PUBLIC_COLUMNS.items():
        if field in public:
            public[field] = getattr(action, column)
    return public


def redact_cells(cells):
    """:func:`redact` in SQL: the CSV cells (``{field: expression}``, see
    ``registry.exports.copy_csv``) of the public representation."""
    from django.db.models import F

    from registry.exports.copy_csv import text

    public = {name: cell for name, cell in cells.items() if name not in PRIVATE_FIELDS}
    for field, column in PUBLIC_COLUMNS.items():
        if field in public:
            public[field] = text(F(column))
    return public

"""Builders for enforcement scenarios, through the service functions."""

import datetime
from decimal import Decimal

from enforcement.models import (
    EnforcementAction,
    EnforcementBody,
    EnforcementOfficer,
    EnforcementPower,
    InspectionPlan,
)
from registry.services import workflow

COMPANY_CODE = "914403001922038216"


def body(department, editor, *, publisher=None, name="璧山区市场监督管理局"):
    record = workflow.create(
        EnforcementBody,
        acting_user=editor,
        department=department,
        name=name,
        date_made=datetime.date(2026, 1, 5),
        legal_authority="《市场监督管理行政处罚程序规定》",
        jurisdiction="璧山区行政区域内市场监管执法",
        address="璧山区璧城街道某路1号",
        complaint_phone="023-41234567",
        complaint_mailbox="12315@bishan.example.cn",
    )
    return workflow.publish(record, acting_user=publisher) if publisher else record


def power(body_record, editor, *, publisher=None, power_type="penalty", code="330201"):
    record = workflow.create(
        EnforcementPower,
        acting_user=editor,
        department=body_record.department,
        body=body_record,
        name="对销售不符合安全标准的食品的处罚",
        date_made=datetime.date(2026, 1, 5),
        power_type=power_type,
        code=code,
        legal_basis="《中华人民共和国食品安全法》第一百二十四条",
        discretion_standard="首次违法且货值较小的，从轻处罚",
        time_limit="90日",
    )
    return workflow.publish(record, acting_user=publisher) if publisher else record


def officer(body_record, editor, *, publisher=None, certificate="50012026001"):
    record = workflow.create(
        EnforcementOfficer,
        acting_user=editor,
        department=body_record.department,
        body=body_record,
        name="赵执法",
        date_made=datetime.date(2026, 1, 5),
        certificate_number=certificate,
        valid_until=datetime.date(2028, 12, 31),
    )
    return workflow.publish(record, acting_user=publisher) if publisher else record


def penalty(power_record, editor, *, publisher=None, **fields):
    values = {
        "name": "某公司销售不合格食品案",
        "kind": "penalty",
        "document_number": fields.pop("document_number", "璧市监罚〔2026〕1号"),
        "party_name": "重庆某食品有限公司",
        "party_kind": "legal_person",
        "party_credit_code": COMPANY_CODE,
        "legal_representative": "钱某某",
        "facts": "当事人销售不符合食品安全标准的食品。",
        "legal_basis": "《中华人民共和国食品安全法》第一百二十四条",
        "result": "罚款五万元，没收违法所得。",
        "penalty_types": ["fine", "confiscation"],
        "severity": "general",
        "fine_amount": Decimal("50000.00"),
        "confiscation_amount": Decimal("1234.56"),
        "decision_date": datetime.date(2026, 9, 30),
        **fields,
    }
    values.setdefault("date_made", values["decision_date"])
    record = workflow.create(
        EnforcementAction,
        acting_user=editor,
        department=power_record.department,
        body=power_record.body,
        power=power_record,
        **values,
    )
    return workflow.publish(record, acting_user=publisher) if publisher else record


def natural_person_penalty(power_record, editor, **fields):
    return penalty(
        power_record,
        editor,
        name="张三无证经营案",
        party_name="张三",
        party_kind="natural_person",
        party_credit_code="",
        legal_representative="",
        party_id_type="居民身份证",
        party_id_number="500227199001011234",
        party_address="璧山区璧泉街道幸福路8号",
        party_phone="13812345678",
        party_bank_account="6222020202020202020",
        party_health_info="患有某种疾病",
        private_names=["李四"],
        facts="张三（身份证号500227199001011234，住璧山区璧泉街道幸福路8号，电话13812345678）"
        "与李四共同无证经营。",
        penalty_types=["warning"],
        severity="minor",
        fine_amount=None,
        confiscation_amount=None,
        result="警告。",
        **fields,
    )


def plan(body_record, editor, *, publisher=None, entities=20, ratio="0.1000"):
    record = workflow.create(
        InspectionPlan,
        acting_user=editor,
        department=body_record.department,
        body=body_record,
        name="2026年食品经营者双随机抽查计划",
        date_made=datetime.date(2026, 3, 1),
        year=2026,
        matters=["食品经营许可", "进货查验"],
        sampling_ratio=Decimal(ratio),
        inspectors_per_entity=2,
        entity_pool=[{"name": f"经营者{i:02d}", "credit_code": ""} for i in range(entities)],
        inspector_pool=[
            {"name": f"执法员{i}", "certificate_number": f"5001{i:04d}"} for i in range(6)
        ],
    )
    return workflow.publish(record, acting_user=publisher) if publisher else record

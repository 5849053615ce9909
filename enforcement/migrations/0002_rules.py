"""The enforcement time limits (deadline rule table) and version 1 of the display-period
rules."""

import datetime

from django.db import migrations

DEADLINE_RULES = [
    {
        "code": "enforcement_publication_7wd",
        "name": "行政许可、行政处罚决定信息公开期限",
        "legal_basis": "《国务院办公厅关于全面推行行政执法公示制度执法全过程记录制度重大执法决定"
        "法制审核制度的指导意见》（国办发〔2018〕118号）；《行政处罚法》第四十八条",
        "amount": 7,
        "unit": "working_days",
        "start_event": "执法决定作出之日",
    },
    {
        "code": "enforcement_publication_20wd",
        "name": "其他行政执法决定信息公开期限",
        "legal_basis": "国办发〔2018〕118号",
        "amount": 20,
        "unit": "working_days",
        "start_event": "执法决定作出之日",
    },
    {
        "code": "enforcement_withdrawal_3wd",
        "name": "撤回被变更、撤销或确认违法的行政处罚决定信息",
        "legal_basis": "《行政处罚法》第四十八条第二款、第八十五条（“三日”指工作日）",
        "amount": 3,
        "unit": "working_days",
        "start_event": "决定被变更、撤销、确认违法或者确认无效之日",
    },
    {
        "code": "inspection_result_20wd",
        "name": "双随机抽查检查结果公示期限",
        "legal_basis": "《国务院关于在市场监管领域全面推行部门联合“双随机、一公开”监管的意见》"
        "（国发〔2019〕5号）",
        "amount": 20,
        "unit": "working_days",
        "start_event": "抽查检查结束之日",
    },
]

DISPLAY_BASIS = (
    "《失信行为纠正后的信用信息修复管理办法（试行）》（国家发展改革委令2023年第58号）；"
    "发改办财金〔2019〕527号"
)
# severity -> (minimum months, maximum months)
DISPLAY_MONTHS = {"minor": (3, 3), "general": (3, 12), "serious": (12, 36)}
PENALTY_TYPES = [
    "warning",
    "circulation",
    "fine",
    "confiscation",
    "qualification_downgrade",
    "licence_revocation",
    "activity_restriction",
    "detention",
    "other",
]


def seed(apps, schema_editor):
    DeadlineRule = apps.get_model("registry", "DeadlineRule")
    for rule in DEADLINE_RULES:
        DeadlineRule.objects.update_or_create(code=rule["code"], defaults=rule)
    DisplayRule = apps.get_model("enforcement", "DisplayRule")
    DisplayRule.objects.bulk_create(
        DisplayRule(
            version=1,
            effective_from=datetime.date(2019, 7, 1),
            penalty_type=penalty_type,
            severity=severity,
            minimum_months=months[0],
            maximum_months=months[1],
            legal_basis=DISPLAY_BASIS,
        )
        for penalty_type in PENALTY_TYPES
        for severity, months in DISPLAY_MONTHS.items()
    )


def unseed(apps, schema_editor):
    apps.get_model("registry", "DeadlineRule").objects.filter(
        code__in=[r["code"] for r in DEADLINE_RULES]
    ).delete()
    apps.get_model("enforcement", "DisplayRule").objects.filter(version=1).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("enforcement", "0001_initial"),
        ("registry", "0002_audit_append_only_and_seed"),
    ]

    operations = [migrations.RunPython(seed, unseed)]

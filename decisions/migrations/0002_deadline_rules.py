"""The time limits of the major-decision procedure, as rows of the deadline rule table."""

from django.db import migrations

RULES = [
    {
        "code": "consultation_min_major_decision",
        "name": "重大行政决策公开征求意见的最短期限",
        "legal_basis": "《重大行政决策程序暂行条例》（国务院令第713号）第十五条",
        "amount": 30,
        "unit": "calendar_days",
        "start_event": "征求意见开始之日",
    },
    {
        "code": "consultation_min_normative_document",
        "name": "行政规范性文件公开征求意见的最短期限",
        "legal_basis": "《国务院办公厅关于加强行政规范性文件制定和监督管理工作的通知》"
        "（国办发〔2018〕37号）",
        "amount": 7,
        "unit": "working_days",
        "start_event": "征求意见开始之日",
    },
    {
        "code": "legality_review_min",
        "name": "合法性审查的必要审查时间",
        "legal_basis": "《重大行政决策程序暂行条例》（国务院令第713号）第二十七条",
        "amount": 7,
        "unit": "working_days",
        "start_event": "送请合法性审查之日",
    },
]


def seed(apps, schema_editor):
    DeadlineRule = apps.get_model("registry", "DeadlineRule")
    for rule in RULES:
        DeadlineRule.objects.update_or_create(code=rule["code"], defaults=rule)


def unseed(apps, schema_editor):
    apps.get_model("registry", "DeadlineRule").objects.filter(
        code__in=[r["code"] for r in RULES]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("decisions", "0001_initial"), ("registry", "0002_audit_append_only_and_seed")]

    operations = [migrations.RunPython(seed, unseed)]

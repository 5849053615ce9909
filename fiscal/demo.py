"""Demo data of the fiscal registry: plausible district debt figures for 2019 to this year,
investment projects on both sides of both disclosure thresholds (among them a school at
350,000 yuan that must be disclosed and an ordinary project at 450,000 that need not), a
few bonds with their funded projects and during-life disclosures. Built through the service
functions as of each day; deterministic."""

import datetime
import random
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from fiscal.models import (
    Bond,
    BondDisclosure,
    BondProject,
    DebtReport,
    FundingLine,
    InvestmentProject,
    PerformanceTarget,
    ProjectProgress,
    SelfEvaluation,
)
from fiscal.models.bonds import latest_passed_due_year
from fiscal.services import parts
from registry.demo import as_of
from registry.models import Department
from registry.services import workflow

BOND_WORDS = {"special": "专项", "general": "一般"}
YI = Decimal(100_000_000)  # 亿元 in yuan
CENT = Decimal("0.01")

PROJECTS = [
    # department, name, category, amount (yuan)
    ("jw", "璧山区实验小学塑胶运动场改造", "school", "350000.00"),
    ("jw", "璧城小学厕所改造", "school", "280000.00"),
    ("jw", "璧山中学教学楼抗震加固工程", "school", "4860000.00"),
    ("jw", "来凤小学食堂扩建", "school", "300000.00"),
    ("jw", "青杠幼儿园新建工程", "school", "12500000.00"),
    ("wsjkw", "区人民医院门诊楼改造", "hospital", "8800000.00"),
    ("wsjkw", "河边镇卫生院设备购置", "hospital", "299999.99"),
    ("wsjkw", "区中医院康复科装修", "hospital", "650000.00"),
    ("jtj", "璧南大道人行道修缮", "other", "450000.00"),
    ("jtj", "八塘镇农村公路提档升级", "other", "23600000.00"),
    ("jtj", "城区公交站台更新", "other", "499999.99"),
    ("cgj", "城区路灯节能改造", "other", "500000.00"),
    ("cgj", "璧山公园绿化提升", "other", "3200000.00"),
    ("slj", "璧南河河道整治（一期）", "other", "56000000.00"),
    ("slj", "正兴镇小型水库除险加固", "other", "1800000.00"),
    ("ghzyj", "国土空间总体规划编制", "other", "2600000.00"),
]
TARGETS = [
    ("quantity", "完成建设内容", "100", "%"),
    ("quality", "工程验收合格率", "100", "%"),
    ("timeliness", "按期完工率", "≥95", "%"),
    ("social", "受益群众人数", "≥5000", "人"),
    ("service_user_satisfaction", "群众满意度", "≥90", "%"),
]


def _yuan(value):
    return (Decimal(value) * YI).quantize(CENT)


class Builder:
    def __init__(self, admin):
        self.admin = admin

    def create(self, model_class, day, **fields):
        with as_of(day):
            return workflow.create(model_class, acting_user=self.admin, date_made=day, **fields)

    def publish(self, record, day):
        with as_of(day):
            return workflow.publish(record, acting_user=self.admin)


def _debt_reports(build, finance, today):
    rng = random.Random(2019)
    general_limit, special_limit = Decimal("108.0"), Decimal("152.0")
    for year in range(2019, today.year + 1):
        general_limit += Decimal(rng.randint(30, 60)) / 10
        special_limit += Decimal(rng.randint(120, 220)) / 10
        capacity = Decimal(170 + (year - 2019) * 6 + rng.randint(-4, 4))
        general_capacity = (capacity * Decimal("0.42")).quantize(Decimal("0.1"))
        fund = (capacity * Decimal("0.33")).quantize(Decimal("0.1"))
        state = Decimal("2.5")
        transfer = capacity - general_capacity - fund - state
        points = ["budget", "mid_year_adjustment", "final_accounts"]
        if year == today.year:
            points = ["budget", "mid_year_adjustment"]
        for point in points:
            fill = {
                "budget": Decimal("0.93"),
                "mid_year_adjustment": Decimal("0.95"),
                "final_accounts": Decimal("0.96"),
            }[point]
            general_balance = (general_limit * fill).quantize(Decimal("0.01"))
            special_balance = (special_limit * fill).quantize(Decimal("0.01"))
            if year == 2022 and point == "final_accounts":
                special_balance = special_limit + Decimal("1.20")  # flagged: above its limit
            day = {
                "budget": datetime.date(year, 2, 10),
                "mid_year_adjustment": datetime.date(year, 9, 15),
                "final_accounts": datetime.date(year + 1, 8, 20),
            }[point]
            day = min(day, today)
            report = build.create(
                DebtReport,
                day,
                department=finance,
                year=year,
                reporting_point=point,
                name=f"璧山区{year}年政府债务限额和余额情况（{_label(point)}）",
                summary="依据《地方政府债务信息公开办法（试行）》公开。",
                general_limit=_yuan(general_limit),
                special_limit=_yuan(special_limit),
                total_limit=_yuan(general_limit) + _yuan(special_limit),
                general_balance=_yuan(general_balance),
                special_balance=_yuan(special_balance),
                total_balance=_yuan(general_balance) + _yuan(special_balance),
                principal_repaid=_yuan(Decimal(rng.randint(80, 140)) / 10),
                interest_repaid=_yuan(Decimal(rng.randint(60, 95)) / 10),
                general_budget_revenue=_yuan(general_capacity),
                fund_budget_revenue=_yuan(fund),
                state_capital_revenue=_yuan(state),
                transfer_revenue=_yuan(transfer),
                comprehensive_capacity=_yuan(general_capacity)
                + _yuan(fund)
                + _yuan(state)
                + _yuan(transfer),
            )
            build.publish(report, min(day + datetime.timedelta(days=5), today))


def _label(point):
    return {"budget": "预算", "mid_year_adjustment": "预算调整", "final_accounts": "决算"}[point]


def _projects(build, today):
    year = today.year
    made = []
    for serial, (code, name, category, amount) in enumerate(PROJECTS, start=1):
        department = Department.objects.get(code=code)
        day = datetime.date(year, 2, 1) + datetime.timedelta(days=serial * 3)
        project = build.create(
            InvestmentProject,
            day,
            department=department,
            name=name,
            summary=f"{name}，总投资{amount}元。",
            project_code=f"2026-500120-{serial:04d}",
            category=category,
            year=year,
            total_investment=Decimal(amount),
            project_text=f"建设内容：{name}。建设地点：璧山区。建设工期：12个月。",
        )
        for kind, indicator, value, unit in TARGETS:
            with as_of(day):
                parts.add_part(
                    project,
                    PerformanceTarget,
                    acting_user=build.admin,
                    kind=kind,
                    indicator=indicator,
                    target_value=value,
                    unit=unit,
                )
        with as_of(day):
            parts.add_part(
                project,
                FundingLine,
                acting_user=build.admin,
                source="general_budget",
                amount=Decimal(amount),
            )
        if serial % 5 != 0:  # every fifth project is left undisclosed (a draft)
            project = build.publish(project, day + datetime.timedelta(days=10))
            progress = build.create(
                ProjectProgress,
                day + datetime.timedelta(days=90),
                department=department,
                project=project,
                name=f"{name}进展情况",
                summary="工程按计划推进。",
                progress_percent=60,
                amount_spent=(Decimal(amount) * Decimal("0.6")).quantize(CENT),
            )
            build.publish(progress, day + datetime.timedelta(days=91))
        made.append(project)
    last_year_project = made[2]
    evaluation = build.create(
        SelfEvaluation,
        min(datetime.date(year, 11, 20), today),
        department=last_year_project.department,
        project=last_year_project,
        name=f"{last_year_project.name}绩效自评报告",
        summary="绩效目标基本完成。",
        evaluation_year=year,
        score=Decimal("92.50"),
        results=[
            {"target": t.pk, "actual": t.target_value} for t in last_year_project.targets.all()
        ],
    )
    build.publish(evaluation, min(datetime.date(year, 11, 25), today))
    return made


def _bonds(build, finance, projects, today):
    specs = [
        ("2019050123", datetime.date(2019, 6, 18), 10, "special", "new", "3.4100"),
        ("2021050456", datetime.date(2021, 8, 10), 7, "general", "refinancing", "3.1500"),
        ("2023050789", datetime.date(2023, 4, 25), 15, "special", "new", "2.9800"),
        ("2025051012", datetime.date(2025, 3, 12), 20, "special", "new", "2.1500"),
    ]
    for index, (code, issue, term, bond_type, purpose, rate) in enumerate(specs):
        bond = build.create(
            Bond,
            issue,
            department=finance,
            code=code,
            bond_type=bond_type,
            purpose=purpose,
            name=f"{issue.year}年重庆市{BOND_WORDS[bond_type]}债券（璧山区）",
            summary="重庆市政府代璧山区发行。",
            amount=_yuan(Decimal(3 + index * 2)),
            term_years=term,
            coupon_rate=Decimal(rate),
            issue_date=issue,
            maturity_date=issue.replace(year=issue.year + term),
            interest_schedule="按年付息，到期一次还本" if term < 10 else "每半年付息，到期一次还本",
            use_of_proceeds="用于璧山区学校、医院和市政基础设施项目建设。",
        )
        for project in projects[index * 3 : index * 3 + 2]:
            with as_of(issue):
                parts.add_part(
                    bond,
                    BondProject,
                    acting_user=build.admin,
                    project=project,
                    amount=project.total_investment,
                )
        bond = build.publish(bond, issue + datetime.timedelta(days=2))
        for year in bond.annual_disclosure_years(today):
            if code == "2021050456" and year == latest_passed_due_year(today):
                continue  # the latest annual disclosure is missing: flagged as overdue
            disclosure = build.create(
                BondDisclosure,
                datetime.date(year, 6, 20),
                department=finance,
                bond=bond,
                name=f"{bond.name}{year}年存续期信息",
                kind="annual",
                period_year=year,
                summary="按时足额支付利息；募投项目按计划建设。",
                amount=(bond.amount * bond.coupon_rate / 100).quantize(CENT),
            )
            build.publish(disclosure, datetime.date(year, 6, 25))


@transaction.atomic
def load_demo(stdout=None):
    if DebtReport.objects.exists():
        return
    build = Builder(get_user_model().objects.get(username="admin"))
    finance = Department.objects.get(code="czj")
    today = timezone.localdate()
    _debt_reports(build, finance, today)
    projects = _projects(build, today)
    _bonds(build, finance, projects, today)
    if stdout is not None:
        stdout.write(
            f"fiscal: {DebtReport.objects.count()} debt reports, "
            f"{len(projects)} projects, {Bond.objects.count()} bonds"
        )

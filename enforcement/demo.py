"""Demo data of the enforcement registry: bodies with their powers and officers, a few hundred
decisions over three years in every state (published on time and late, overdue, withdrawn,
expired, credit-repaired, natural-person and minor cases), an inspection plan with its draw
and results. Deterministic (seeded), built through the service functions as of each day."""

import datetime
import random
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from enforcement.models import (
    EnforcementAction,
    EnforcementBody,
    EnforcementOfficer,
    EnforcementPower,
    InspectionPlan,
    InspectionResult,
)
from enforcement.services import actions, inspections
from registry.demo import as_of
from registry.models import Department
from registry.services import workflow
from registry.validators import uscc_check_character

DAY = datetime.timedelta(days=1)
DOCUMENT_MARKS = {"penalty": "罚", "licence": "许", "inspection": "检", "coercive_measure": "强"}

BODIES = [
    # department, body name, prefix, powers: (type, code, name, basis)
    (
        "scjgj",
        "璧山区市场监督管理局",
        "璧市监",
        [
            (
                "penalty",
                "330201",
                "对销售不符合食品安全标准的食品的处罚",
                "《食品安全法》第一百二十四条",
            ),
            ("penalty", "330305", "对虚假宣传行为的处罚", "《反不正当竞争法》第二十条"),
            ("licence", "110101", "食品经营许可", "《食品安全法》第三十五条"),
            ("inspection", "440102", "食品经营者监督检查", "《食品安全法》第一百一十条"),
        ],
    ),
    (
        "sthjj",
        "重庆市璧山区生态环境局",
        "璧环",
        [
            ("penalty", "330801", "对超标排放大气污染物的处罚", "《大气污染防治法》第九十九条"),
            (
                "coercive_measure",
                "220301",
                "查封、扣押造成污染物排放的设施",
                "《环境保护法》第二十五条",
            ),
        ],
    ),
    (
        "cgj",
        "璧山区城市管理综合行政执法支队",
        "璧城管",
        [
            ("penalty", "330901", "对擅自占用城市道路的处罚", "《城市道路管理条例》第四十二条"),
            (
                "penalty",
                "330902",
                "对随意倾倒建筑垃圾的处罚",
                "《固体废物污染环境防治法》第一百一十一条",
            ),
        ],
    ),
    (
        "jtj",
        "璧山区交通运输综合行政执法支队",
        "璧交",
        [
            (
                "penalty",
                "331101",
                "对未取得道路运输经营许可擅自从事经营的处罚",
                "《道路运输条例》第六十三条",
            ),
            ("licence", "111101", "道路货物运输经营许可", "《道路运输条例》第二十四条"),
        ],
    ),
]
NAME_WORDS = "兴盛恒诚鑫丰"
COMPANY_WORDS = ["食品", "餐饮", "商贸", "建材", "运输", "环保科技", "物流", "农业开发", "机械"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英"


def _company(rng, serial):
    first17 = f"91500120MA{serial:06d}X"[:17]
    name = f"重庆市璧山区{rng.choice(NAME_WORDS)}{rng.choice(COMPANY_WORDS)}有限公司"
    return name, first17 + uscc_check_character(first17)


def _person(rng):
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice([1, 2])))


class Builder:
    def __init__(self, admin, rng):
        self.admin, self.rng = admin, rng
        self.serial = 0

    def publish(self, record, day):
        with as_of(day):
            return workflow.publish(record, acting_user=self.admin)

    def body(self, code, name):
        department = Department.objects.get(code=code)
        with as_of(datetime.date(2024, 1, 3)):
            record = workflow.create(
                EnforcementBody,
                acting_user=self.admin,
                department=department,
                name=name,
                date_made=datetime.date(2024, 1, 3),
                summary=f"{name}依法履行行政执法职责。",
                legal_authority="《中华人民共和国行政处罚法》《中华人民共和国行政许可法》及机构编制文件",
                jurisdiction="璧山区行政区域",
                address="重庆市璧山区璧城街道",
                complaint_phone="023-12345",
                complaint_mailbox="12345@bishan.example.cn",
                complaint_address="重庆市璧山区行政服务中心",
                supervisor="璧山区司法局",
            )
        return self.publish(record, datetime.date(2024, 1, 4))

    def power(self, body, power_type, code, name, basis):
        with as_of(datetime.date(2024, 1, 5)):
            record = workflow.create(
                EnforcementPower,
                acting_user=self.admin,
                department=body.department,
                body=body,
                name=name,
                date_made=datetime.date(2024, 1, 5),
                power_type=power_type,
                code=code,
                legal_basis=basis,
                discretion_standard="按《重庆市市场监管行政处罚裁量基准》执行",
                procedure="立案、调查、告知、听证（依申请）、决定、送达",
                time_limit="自立案之日起九十日内作出决定",
                remedy="行政复议或者行政诉讼",
            )
        return self.publish(record, datetime.date(2024, 1, 6))

    def officers(self, body, count):
        for _ in range(count):
            self.serial += 1
            with as_of(datetime.date(2024, 1, 8)):
                record = workflow.create(
                    EnforcementOfficer,
                    acting_user=self.admin,
                    department=body.department,
                    body=body,
                    name=_person(self.rng),
                    date_made=datetime.date(2024, 1, 8),
                    certificate_number=f"5001200{self.serial:05d}",
                    valid_until=datetime.date(2028, 12, 31),
                )
            self.publish(record, datetime.date(2024, 1, 9))

    def action(self, power, prefix, day, number, *, natural=False, minor=False):
        rng = self.rng
        kind = {
            "penalty": "penalty",
            "licence": "licence",
            "inspection": "inspection",
            "coercive_measure": "coercive_measure",
        }[power.power_type]
        self.serial += 1
        conduct = power.name.removeprefix("对").removesuffix("的处罚")
        if natural:
            party, code = _person(rng), ""
        else:
            party, code = _company(rng, self.serial)
        fields = {
            "name": f"{party}{conduct}案" if kind == "penalty" else f"{party}{power.name}",
            "kind": kind,
            "document_number": f"{prefix}{DOCUMENT_MARKS[kind]}〔{day.year}〕{number}号",
            "party_name": party,
            "party_kind": "natural_person" if natural else "legal_person",
            "party_credit_code": code,
            "legal_representative": "" if natural else _person(rng),
            "facts": f"经查，当事人{party}存在{conduct}行为。",
            "legal_basis": power.legal_basis,
            "result": "",
            "decision_date": day,
            "date_made": day,
        }
        if natural:
            fields.update(
                party_id_type="居民身份证",
                party_id_number=f"500227{rng.randint(1960, 2000)}0101{rng.randint(1000, 9999)}",
                party_address="重庆市璧山区某街道某号",
                party_phone=f"139{rng.randint(10**7, 10**8 - 1)}",
                party_is_minor=minor,
            )
        if kind == "penalty":
            fine = Decimal(rng.choice([2000, 5000, 10000, 30000, 50000, 100000, 200000]))
            severity = "minor" if fine <= 5000 else rng.choice(["general", "general", "serious"])
            types = ["warning"] if severity == "minor" and rng.random() < 0.3 else ["fine"]
            if "fine" in types and rng.random() < 0.3:
                types.append("confiscation")
            fields.update(
                penalty_types=types,
                severity=severity,
                fine_amount=fine if "fine" in types else None,
                confiscation_amount=Decimal(rng.randint(100, 99999)) / 100
                if "confiscation" in types
                else None,
                result=f"{'警告' if types == ['warning'] else f'罚款{fine}元'}。",
            )
        elif kind == "licence":
            fields.update(
                licence_name=power.name.removesuffix("许可") + "许可证",
                licence_number=f"JY{rng.randint(10**12, 10**13 - 1)}",
                licence_scope="预包装食品销售",
                valid_from=day,
                valid_until=day.replace(year=day.year + 5),
                result="准予许可。",
            )
        else:
            fields.update(result="依法实施。")
        with as_of(day):
            return workflow.create(
                EnforcementAction,
                acting_user=self.admin,
                department=power.department,
                body=power.body,
                power=power,
                **fields,
            )


@transaction.atomic
def load_demo(stdout=None):
    if EnforcementBody.objects.exists():
        return
    admin = get_user_model().objects.get(username="admin")
    rng = random.Random(2026)
    build = Builder(admin, rng)
    today = timezone.localdate()
    start = datetime.date(today.year - 2, 1, 10)
    span = (today - start).days
    made = 0
    for code, name, prefix, powers in BODIES:
        body = build.body(code, name)
        power_records = [build.power(body, *p) for p in powers]
        build.officers(body, 6)
        numbers = {}
        for _ in range(100 if code == "scjgj" else 65):
            power = rng.choice(power_records)
            day = start + datetime.timedelta(days=rng.randrange(span))
            numbers[day.year] = numbers.get(day.year, 0) + 1
            natural = power.power_type == "penalty" and rng.random() < 0.2
            minor = natural and rng.random() < 0.1
            action = build.action(
                power, prefix, day, numbers[day.year], natural=natural, minor=minor
            )
            made += 1
            if minor:
                continue  # a minor's case stays unpublished for good
            lateness = rng.random()
            if day > today - 10 * DAY and lateness < 0.5:
                continue  # recent: not yet published (some will show as overdue)
            if lateness < 0.04:
                continue  # never published: overdue
            delay = rng.randint(1, 5) if lateness < 0.85 else rng.randint(12, 30)
            action = build.publish(action, min(day + delay * DAY, today))
            fate = rng.random()
            if fate < 0.04:
                trigger_day = min(day + rng.randint(20, 60) * DAY, today)
                with as_of(trigger_day + rng.randint(1, 4) * DAY):
                    actions.withdraw_action(
                        action,
                        acting_user=admin,
                        trigger=rng.choice(["changed", "revoked", "confirmed_unlawful"]),
                        trigger_date=trigger_day,
                        reason="行政复议决定撤销原行政处罚决定，依法撤回公示信息。",
                        legal_basis="《中华人民共和国行政处罚法》第四十八条第二款",
                    )
            elif (
                fate < 0.12
                and action.kind == "penalty"
                and action.repair_possible_from
                and action.repair_possible_from < today
            ):
                repair_day = action.repair_possible_from + rng.randint(0, 20) * DAY
                if repair_day <= today:
                    with as_of(repair_day):
                        actions.repair_credit(
                            action,
                            acting_user=admin,
                            decided_on=repair_day,
                            decided_by="重庆市公共信用信息中心",
                            document_number=f"渝信修〔{repair_day.year}〕{made}号",
                            note="当事人已履行行政处罚决定并提交信用承诺。",
                        )
    _inspection_plan(build, today)
    if stdout is not None:
        stdout.write(f"enforcement: {made} decisions, {len(BODIES)} bodies")


def _inspection_plan(build, today):
    body = EnforcementBody.objects.get(department__code="scjgj")
    year = today.year
    with as_of(datetime.date(year, 3, 1)):
        plan = workflow.create(
            InspectionPlan,
            acting_user=build.admin,
            department=body.department,
            body=body,
            name=f"{year}年度食品经营者“双随机、一公开”抽查计划",
            date_made=datetime.date(year, 3, 1),
            year=year,
            matters=["食品经营许可情况", "进货查验记录", "从业人员健康管理"],
            sampling_ratio=Decimal("0.05"),
            inspectors_per_entity=2,
            entity_pool=[
                {
                    "name": _company(build.rng, 9000 + i)[0] + f"（{i}号店）",
                    "credit_code": _company(build.rng, 9000 + i)[1],
                }
                for i in range(120)
            ],
            inspector_pool=[
                {"name": o.name, "certificate_number": o.certificate_number}
                for o in EnforcementOfficer.objects.filter(body=body)
            ],
        )
        workflow.publish(plan, acting_user=build.admin)
    with as_of(datetime.date(year, 3, 10)):
        plan = inspections.draw(plan, acting_user=build.admin)
    for i, entity in enumerate(plan.selection):
        until = datetime.date(year, 4, 10) + i * DAY
        with as_of(until + 3 * DAY):
            result = workflow.create(
                InspectionResult,
                acting_user=build.admin,
                department=body.department,
                body=body,
                plan=plan,
                name=f"{entity['name']}抽查结果",
                date_made=until,
                entity_name=entity["name"],
                entity_credit_code=entity["credit_code"],
                inspected_from=until - 2 * DAY,
                inspected_until=until,
                outcome=build.rng.choice(["no_problem", "no_problem", "rectify", "case_opened"]),
                findings="检查人员依法开展现场检查。",
            )
            workflow.publish(result, acting_user=build.admin)

"""Demo data of the major-decision registry: the catalogues of the current and two earlier
years, decisions in every stage and of every confidentiality level, an open consultation with
comments, a closed one with its adoption report, a shortened one with its reason.

Everything goes through the service functions, run "as of" the day each step happened."""

import datetime

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from decisions.models import (
    AccountabilityResult,
    AdoptionReport,
    AuditFinding,
    Catalogue,
    Consultation,
    Decision,
    Evaluation,
    ExpertOpinion,
    Hearing,
    ImplementationUpdate,
)
from decisions.services import consultations, documents, lifecycle, reviews
from registry.demo import as_of
from registry.models import Department
from registry.services import workflow

DAY = datetime.timedelta(days=1)


def _pdf(title):
    content = f"%PDF-1.4\n% {title}\n".encode()
    return ContentFile(content, name=f"{title}.pdf")


class Builder:
    """Creates one decision's history step by step, each step on its own day."""

    def __init__(self, admin, reviewer):
        self.admin, self.reviewer = admin, reviewer

    def catalogue(self, year, office):
        with as_of(datetime.date(year, 1, 10)):
            record = workflow.create(
                Catalogue,
                acting_user=self.admin,
                department=office,
                name=f"璧山区{year}年度重大行政决策事项目录",
                summary=f"经区政府常务会议审议通过的{year}年度重大行政决策事项目录。",
                date_made=datetime.date(year, 1, 10),
                year=year,
                approval_date=datetime.date(year, 1, 8),
            )
            return workflow.publish(record, acting_user=self.admin)

    def decision(self, catalogue, code, name, category, day, **fields):
        with as_of(day):
            record = workflow.create(
                Decision,
                acting_user=self.admin,
                department=Department.objects.get(code=code),
                catalogue=catalogue,
                name=name,
                category=category,
                date_made=day,
                summary=fields.pop("summary", f"{name}，列入{catalogue.year}年度目录。"),
                background=fields.pop("background", "落实区委、区政府年度重点工作安排。"),
                legal_basis=fields.pop("legal_basis", "《重大行政决策程序暂行条例》"),
                **fields,
            )
            return workflow.publish(record, acting_user=self.admin)

    def stage(self, decision, stage, day, **details):
        with as_of(day):
            return lifecycle.advance(decision, stage, acting_user=self.admin, **details)

    def draft(self, decision, day):
        decision = self.stage(decision, "drafting", day)
        with as_of(day + DAY):
            for kind, title in (
                ("draft", "决策草案"),
                ("explanation", "起草说明"),
                ("basis", "决策依据"),
            ):
                documents.upload(
                    decision,
                    acting_user=self.admin,
                    kind=kind,
                    title=f"{decision.name}{title}",
                    file=_pdf(title),
                )
        return decision

    def consult(self, decision, opens_on, closes_on, shortening_reason=""):
        with as_of(opens_on - 2 * DAY):
            period = workflow.create(
                Consultation,
                acting_user=self.admin,
                department=decision.department,
                decision=decision,
                name=f"关于公开征求《{decision.name}》意见的公告",
                summary="欢迎社会各界提出意见建议。",
                date_made=opens_on - 2 * DAY,
                opens_on=opens_on,
                closes_on=closes_on,
                channels=["online", "email", "letter"],
                shortening_reason=shortening_reason,
            )
            workflow.publish(period, acting_user=self.admin)
        self.stage(decision, "consultation", opens_on)
        return period

    def comments(self, period, texts, day):
        made = []
        with as_of(day):
            for content, author, contact, verdict in texts:
                comment = consultations.submit_comment(
                    period, content=content, author_name=author, contact=contact
                )
                if verdict != "pending":
                    comment = consultations.moderate_comment(
                        comment,
                        acting_user=self.admin,
                        publish=verdict == "publish",
                        rejection_reason="" if verdict == "publish" else verdict,
                    )
                made.append(comment)
        return made

    def report(self, period, day, items):
        with as_of(day):
            report = workflow.create(
                AdoptionReport,
                acting_user=self.admin,
                department=period.department,
                consultation=period,
                name=f"{period.decision.name}公众意见采纳情况",
                summary="共收到意见若干条，采纳情况如下。",
                date_made=day,
            )
            for fields in items:
                consultations.add_adoption_item(report, acting_user=self.admin, **fields)
            return workflow.publish(report, acting_user=self.admin)

    def review(self, decision, started_on, completed_on=None, result="lawful"):
        with as_of(started_on):
            review = reviews.start_review(
                decision, acting_user=self.reviewer, started_on=started_on
            )
        if completed_on:
            with as_of(completed_on):
                reviews.complete_review(
                    review,
                    acting_user=self.reviewer,
                    completed_on=completed_on,
                    result=result,
                    internal_notes="经审查，程序完备。",
                    risk_disclosure="存在一定社会稳定风险，已提示。"
                    if result == "lawful_with_risk"
                    else "",
                )
        return review

    def decide(self, decision, day, number, explanation=""):
        self.stage(decision, "deliberation", day - 5 * DAY)
        return self.stage(
            decision,
            "decided",
            day,
            decided_on=day,
            document_number=number,
            final_text=f"{decision.name}全文（略）。",
            adoption_explanation=explanation,
        )

    def part(self, model_class, decision, day, name, **fields):
        with as_of(day):
            record = workflow.create(
                model_class,
                acting_user=self.admin,
                department=decision.department,
                decision=decision,
                name=name,
                date_made=day,
                **fields,
            )
            return workflow.publish(record, acting_user=self.admin)

    def through_review(self, decision, start, *, comments=(), shortening_reason="", days=30):
        """drafting → consultation (closed) → adoption report → lawful legality review."""
        decision = self.draft(decision, start)
        opens = start + 10 * DAY
        closes = opens + datetime.timedelta(days=days)
        period = self.consult(decision, opens, closes, shortening_reason)
        published = [
            c for c in self.comments(period, comments, opens + 3 * DAY) if c.status == "published"
        ]
        items = [{"comment": c, "outcome": "adopted"} for c in published[:1]]
        items += [
            {
                "theme": "实施时间安排",
                "outcome": "partly_adopted",
                "reason": "分阶段实施，兼顾财政承受能力。",
            }
        ]
        self.report(period, closes + 3 * DAY, items)
        self.stage(decision, "legality_review", closes + 5 * DAY)
        self.review(decision, closes + 6 * DAY, closes + 20 * DAY)
        return decision


COMMENTS = [
    ("建议在学校和医院周边设置限时免费停车泊位。", "市民张先生", "13900000001", "publish"),
    ("夜间收费标准建议适当降低，方便居民停车。", "", "resident@example.cn", "publish"),
    ("加微信领取优惠券！！！", "推广", "", "spam"),
    ("希望同步公布停车收费资金的使用情况。", "李女士", "", "publish"),
    ("与本次征求意见无关：反映小区物业问题。", "", "", "off_topic"),
    ("建议增加新能源汽车充电车位。", "王先生", "13900000002", "pending"),
]


@transaction.atomic
def load_demo(stdout=None):
    if Catalogue.objects.exists():
        return
    admin = get_user_model().objects.get(username="admin")
    reviewer = get_user_model().objects.get(username="legality_reviewer")
    build = Builder(admin, reviewer)
    office = Department.objects.get(code="qzfb")
    today = timezone.localdate()
    year = today.year
    y2, y1 = year - 2, year - 1

    # Two years ago: evaluated, implementing with findings, suspended.
    old = build.catalogue(y2, office)
    plan = build.decision(
        old,
        "ghzyj",
        f"璧山区城市停车设施专项规划（{y2}—2035年）",
        "plan",
        datetime.date(y2, 1, 15),
        risk_assessor="重庆某城市规划咨询公司",
    )
    plan = build.through_review(plan, datetime.date(y2, 2, 1))
    plan = build.decide(plan, datetime.date(y2, 5, 20), f"璧山府发〔{y2}〕12号")
    build.stage(plan, "implementing", datetime.date(y2, 6, 1))
    build.part(
        ImplementationUpdate,
        plan,
        datetime.date(y2, 12, 1),
        "停车规划实施进展",
        summary="新增公共停车泊位3200个。",
        progress_percent=60,
    )
    build.part(
        Evaluation,
        plan,
        datetime.date(y1, 9, 1),
        "停车规划实施情况评估报告",
        trigger="scheduled",
        evaluator="区社会科学界联合会",
        report="规划目标基本实现，建议优化中心城区泊位布局。",
        completed_on=datetime.date(y1, 8, 25),
    )
    build.stage(plan, "evaluated", datetime.date(y1, 9, 5))

    renewal = build.decision(
        old,
        "zfcxjw",
        "璧山区城镇老旧小区改造实施方案",
        "public_policy",
        datetime.date(y2, 1, 15),
        public_interest_high=True,
    )
    renewal = build.through_review(renewal, datetime.date(y2, 3, 1))
    renewal = build.decide(
        renewal,
        datetime.date(y2, 7, 10),
        f"璧山府发〔{y2}〕21号",
        "采纳居民关于加装电梯和停车位的意见，未采纳全面拆除重建的意见。",
    )
    build.stage(renewal, "implementing", datetime.date(y2, 7, 20))
    build.part(
        AuditFinding,
        renewal,
        datetime.date(y1, 4, 1),
        "老旧小区改造专项审计发现",
        source="audit",
        finding="部分项目结算资料不完整。",
        rectification_status="rectified",
        rectification="已补齐资料并完成结算审核。",
    )
    build.part(
        AccountabilityResult,
        renewal,
        datetime.date(y1, 6, 1),
        "问责情况",
        result="对1名工作人员予以诫勉谈话。",
    )

    waste = build.decision(
        old, "cgj", "璧山区生活垃圾分类收费办法", "public_policy", datetime.date(y2, 1, 15)
    )
    waste = build.through_review(waste, datetime.date(y2, 4, 1))
    waste = build.decide(waste, datetime.date(y2, 8, 15), f"璧山府发〔{y2}〕30号")
    build.stage(waste, "implementing", datetime.date(y2, 9, 1))
    build.stage(
        waste,
        "suspended",
        datetime.date(y1, 3, 1),
        reason="上级出台新的收费政策，依据第三十七条中止执行，待评估后调整。",
    )

    # Last year: implementing, decided, withdrawn from the catalogue, draft_withheld.
    last = build.catalogue(y1, office)
    preschool = build.decision(
        last, "jw", "璧山区学前教育普惠发展三年行动计划", "public_policy", datetime.date(y1, 1, 20)
    )
    preschool = build.through_review(preschool, datetime.date(y1, 2, 1))
    preschool = build.decide(preschool, datetime.date(y1, 6, 1), f"璧山府发〔{y1}〕9号")
    build.stage(preschool, "implementing", datetime.date(y1, 6, 10))
    build.part(
        ImplementationUpdate,
        preschool,
        datetime.date(y1, 12, 1),
        "普惠园建设进展",
        summary="新增普惠性学位1200个。",
        progress_percent=45,
    )

    river = build.decision(
        last, "slj", "璧南河流域综合治理工程", "public_project", datetime.date(y1, 1, 20)
    )
    river = build.draft(river, datetime.date(y1, 3, 1))
    hearing_day = datetime.datetime(y1, 4, 20, 9, 30, tzinfo=timezone.get_current_timezone())
    build.part(
        Hearing,
        river,
        datetime.date(y1, 3, 20),
        "璧南河综合治理工程听证会公告",
        held_at=hearing_day,
        place="璧山区行政服务中心二楼听证室",
        selection_method="自愿报名，按界别随机抽取",
        participants=[
            {"name": "陈某", "sector": "沿河居民"},
            {"name": "刘某", "sector": "企业代表"},
            {"name": "赵某", "sector": "人大代表"},
        ],
        materials_sent_on=datetime.date(y1, 4, 10),
    )
    build.part(
        ExpertOpinion,
        river,
        datetime.date(y1, 3, 25),
        "水利专家论证意见",
        expert_name="周教授",
        organisation="重庆某大学水利学院",
        opinion="工程方案总体可行，建议加强生态流量保障。",
        independence_attested=True,
        attestation="本人与该工程无利害关系。",
    )
    with as_of(datetime.date(y1, 3, 28)):
        period = workflow.create(
            Consultation,
            acting_user=admin,
            department=river.department,
            decision=river,
            name="关于公开征求《璧南河流域综合治理工程》意见的公告",
            date_made=river.date_made,
            opens_on=datetime.date(y1, 4, 1),
            closes_on=datetime.date(y1, 5, 1),
            channels=["online", "hearing"],
        )
        workflow.publish(period, acting_user=admin)
    build.stage(river, "consultation", datetime.date(y1, 4, 1))
    build.report(period, datetime.date(y1, 5, 8), [{"theme": "生态流量", "outcome": "adopted"}])
    build.stage(river, "legality_review", datetime.date(y1, 5, 10))
    build.review(river, datetime.date(y1, 5, 10), datetime.date(y1, 5, 30), "lawful_with_risk")
    build.decide(river, datetime.date(y1, 7, 1), f"璧山府发〔{y1}〕18号")

    buses = build.decision(
        last, "jtj", "璧山区城区公交线网优化方案", "public_policy", datetime.date(y1, 1, 20)
    )
    build.stage(
        buses,
        "withdrawn",
        datetime.date(y1, 5, 1),
        reason="纳入市级轨道交通接驳规划统筹实施，调出本年度目录。",
    )

    reserve = build.decision(
        last,
        "yjj",
        "璧山区应急物资储备布局方案",
        "public_policy",
        datetime.date(y1, 1, 20),
        confidentiality="draft_withheld",
        confidentiality_ground="《中华人民共和国政府信息公开条例》第十四条（危及公共安全）",
    )
    reserve = build.draft(reserve, datetime.date(y1, 2, 1))
    build.stage(reserve, "legality_review", datetime.date(y1, 3, 1))
    build.review(reserve, datetime.date(y1, 3, 1), datetime.date(y1, 3, 20))
    build.decide(reserve, datetime.date(y1, 4, 15), f"璧山府发〔{y1}〕7号")

    # This year: an open consultation with comments, legality review in progress,
    # deliberation after a shortened consultation, drafting, planned, fully withheld.
    current = build.catalogue(year, office)
    start = today - 15 * DAY
    parking = build.decision(
        current,
        "fgw",
        "璧山区城区机动车停放服务收费标准调整",
        "public_policy",
        start - 30 * DAY,
        public_interest_high=True,
    )
    parking = build.draft(parking, start - 5 * DAY)
    open_period = build.consult(parking, start, start + 30 * DAY)
    build.comments(open_period, COMMENTS, today - 2 * DAY)
    build.part(
        Hearing,
        parking,
        today - 1 * DAY,
        "停车收费标准调整听证会公告",
        held_at=timezone.now() + 12 * DAY,
        place="璧山区发展改革委会议室",
        selection_method="公开报名，按消费者、经营者、专家等界别遴选",
        participants=[
            {"name": "黄某", "sector": "消费者"},
            {"name": "吴某", "sector": "停车场经营者"},
        ],
        materials_sent_on=today + 3 * DAY,
    )

    health = build.decision(
        current, "wsjkw", "璧山区医疗卫生服务体系规划", "plan", start - 150 * DAY
    )
    health = build.draft(health, start - 140 * DAY)
    h_period = build.consult(health, start - 120 * DAY, start - 90 * DAY)
    comments = build.comments(h_period, COMMENTS[:2], start - 110 * DAY)
    build.report(
        h_period,
        start - 85 * DAY,
        [
            {"comment": comments[0], "outcome": "adopted"},
            {
                "comment": comments[1],
                "outcome": "not_adopted",
                "reason": "超出本规划范围，已转区卫生健康委研究。",
            },
        ],
    )
    build.stage(health, "legality_review", start - 80 * DAY)
    build.review(health, today - 3 * DAY)

    land = build.decision(
        current,
        "ghzyj",
        "璧山区工业园区国有建设用地使用权出让政策",
        "resources_policy",
        start - 200 * DAY,
    )
    land = build.through_review(
        land,
        start - 190 * DAY,
        days=15,
        shortening_reason="落实市政府招商引资专项部署，时限紧迫，依法缩短征求意见期限。",
    )
    build.stage(land, "deliberation", today - 20 * DAY)

    fund = build.decision(
        current, "czj", "璧山区政府投资项目管理办法", "public_policy", start - 60 * DAY
    )
    build.draft(fund, start - 20 * DAY)

    build.decision(
        current,
        "yjj",
        "璧山区重点区域安全防控方案",
        "other",
        start - 60 * DAY,
        confidentiality="fully_withheld",
        confidentiality_ground="《中华人民共和国保守国家秘密法》第十三条",
    )
    build.decision(
        current, "nyncw", "璧山区农村人居环境整治提升五年行动方案", "plan", start - 60 * DAY
    )
    build.decision(
        current, "sthjj", "璧山区大气污染防治攻坚方案", "public_policy", start - 10 * DAY
    )
    with as_of(today):
        workflow.create(
            Decision,
            acting_user=admin,
            department=Department.objects.get(code="jtj"),
            catalogue=current,
            name="璧山区慢行交通系统建设方案（草稿）",
            category="plan",
            date_made=today,
        )
    if stdout is not None:
        stdout.write(f"decisions: {Decision.objects.count()} decisions in 3 catalogues")

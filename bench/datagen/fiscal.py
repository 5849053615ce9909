"""Government investment projects with their performance targets and funding lines. A
project that must be disclosed (threshold table) is published only with its text, targets on
every first-level indicator and funding that adds up to the total, as
``InvestmentProject.check_publishable`` requires."""

import datetime
import math
from decimal import Decimal

from bench.datagen import words
from bench.datagen.enforcement import FIRST_DAY
from bench.datagen.rules import daily_counts
from bench.datagen.texts import money_cn

DAY = datetime.timedelta(days=1)
CATEGORY_OF = {"jw": "school", "wsjkw": "hospital"}
SOURCES = (
    "general_budget",
    "fund_budget",
    "special_bond",
    "general_bond",
    "higher_transfer",
    "self_raised",
)
LEVEL_KINDS = (  # one kind of each first-level indicator, then extras
    ("quantity", "quality", "timeliness", "cost"),
    ("social", "economic", "sustainability"),
    ("service_user_satisfaction",),
)
TARGETS = {kind: (indicator, value, unit) for kind, indicator, value, unit in words.TARGETS}
SOURCE_NAMES = {
    "general_budget": "一般公共预算",
    "fund_budget": "政府性基金预算",
    "special_bond": "专项债券",
    "general_bond": "一般债券",
    "higher_transfer": "上级补助",
    "self_raised": "单位自筹",
}


class ProjectMaker:
    def __init__(self, ctx, loader, ranked):
        from fiscal.models import FundingLine, InvestmentProject, PerformanceTarget

        self.ctx, self.loader, self.rng, self.rules = ctx, loader, ctx.rng, ctx.rules
        self.pick, self.between = ctx.texts.pick, ctx.texts.between
        self.project, self.target, self.line = InvestmentProject, PerformanceTarget, FundingLine
        self.content_type = ctx.content_type(InvestmentProject)
        loader.prepare(InvestmentProject, PerformanceTarget, FundingLine)
        self.depts = [dept for dept, _share in ranked]
        self.shares = [share for _dept, share in ranked]
        self.stats = {"draft": 0, "withdrawn": 0, "withheld": 0, "disclosure_required": 0}

    def run(self, total):
        for day, count in daily_counts(total, FIRST_DAY, self.ctx.today, self.rules):
            for _ in range(count):
                self.make(day)

    def make(self, day):
        rng, ctx = self.rng, self.ctx
        dept = rng.choices(self.depts, weights=self.shares)[0]
        category = CATEGORY_OF.get(dept.code, "other")
        if rng.random() < (0.15 if category != "other" else 0.03):
            category = self.pick(("school", "hospital", "other"))
        total = Decimal(
            max(50_000, min(int(rng.lognormvariate(math.log(2e6), 1.6)), 2_000_000_000))
        )
        total = (total // 100 * 100).quantize(Decimal("0.01"))
        minimum, rule = self.rules.threshold(category, day)
        town = self.pick(words.TOWNS)
        facility = self.pick(words.PROJECT_FACILITIES[category])
        name = f"{town}{facility}{self.pick(words.PROJECT_WORKS)}"
        project_id = self.loader.next_id(self.project)
        sources = self._funding(project_id, total)
        row = {
            "id": project_id,
            "department_id": dept.id,
            "index_number": self.loader.index_number(dept, day.year),
            "name": name,
            "summary": f"{name}，总投资{money_cn(total / 10_000)}万元。",
            "date_made": day,
            "project_code": f"{day.year}-500120-{48 + project_id % 30:02d}-01-{project_id:06d}",
            "category": category,
            "year": day.year,
            "total_investment": total,
            "project_text": (
                f"项目位于{ctx.texts.address()}，主要建设内容包括{facility}主体工程及配套附属设施，"
                f"总投资{money_cn(total / 10_000)}万元，资金来源为{'、'.join(sources)}。"
                f"项目建成后将有效改善{town}群众生产生活条件，提升公共服务水平。"
                f"计划建设工期{self.between(6, 36)}个月。"
            ),
            "disclosure_required": total >= minimum,
            "disclosure_rule": rule,
        }
        self.stats["disclosure_required"] += row["disclosure_required"]
        self._targets(project_id)
        created = ctx.moment(day) or ctx.now
        row.update(created_at=created, updated_at=created)
        published = None
        if rng.random() >= 0.03:
            published = ctx.moment(day + self.between(1, 20) * DAY, after=created)
        if published is None:
            self.stats["draft"] += 1
        else:
            self._publish(row, published)
        self.loader.add(self.project, row)

    def _publish(self, row, published):
        rng = self.rng
        row.update(status="published", published_at=published, updated_at=published)
        text = f"{row['index_number']} {row['name']}"
        self.loader.event(
            published, self.content_type, row["id"], row["department_id"], "published", text
        )
        draw = rng.random()
        if draw < 0.01:
            moment = self.ctx.moment(
                published.date() + self.between(30, 300) * DAY, after=published
            )
            if moment is not None:
                reason = "项目经区政府研究取消立项，撤回公开信息。"
                row.update(
                    status="withdrawn",
                    withdrawn_at=moment,
                    updated_at=moment,
                    withdrawal_reason=reason,
                    withdrawal_legal_basis="《政府投资条例》第十一条",
                )
                self.loader.event(
                    moment,
                    self.content_type,
                    row["id"],
                    row["department_id"],
                    "withdrawn",
                    text,
                    reason,
                )
                self.stats["withdrawn"] += 1
        elif draw < 0.02:
            ground, basis = self.pick(words.WITHHELD)
            row.update(withheld_ground=ground, withheld_legal_basis=basis)
            self.stats["withheld"] += 1

    def _targets(self, project_id):
        rng = self.rng
        kinds = [self.pick(group) for group in LEVEL_KINDS]
        kinds += rng.sample(
            [k for group in LEVEL_KINDS[:2] for k in group if k not in kinds], self.between(0, 3)
        )
        for kind in kinds:
            indicator, value, unit = TARGETS[kind]
            self.loader.add(
                self.target,
                {
                    "id": self.loader.next_id(self.target),
                    "project_id": project_id,
                    "level": _level(kind),
                    "kind": kind,
                    "indicator": indicator,
                    "target_value": value.format(
                        n=self.between(5, 500) * 100, m=self.between(5, 200)
                    ),
                    "unit": unit,
                },
            )

    def _funding(self, project_id, total):
        """Funding lines adding up to ``total`` exactly; returns the sources' names."""
        rng = self.rng
        sources = rng.sample(SOURCES, self.pick((1, 1, 2, 2, 3)))
        cents = int(total * 100)
        amounts = []
        for _ in sources[:-1]:
            part = int(cents * rng.uniform(0.2, 0.6))
            amounts.append(part)
            cents -= part
        amounts.append(cents)
        for source, amount in zip(sources, amounts, strict=True):
            self.loader.add(
                self.line,
                {
                    "id": self.loader.next_id(self.line),
                    "project_id": project_id,
                    "source": source,
                    "amount": Decimal(amount) / 100,
                },
            )
        return [SOURCE_NAMES[s] for s in sources]


def _level(kind):
    from fiscal.choices import INDICATOR_LEVEL_OF_KIND

    return INDICATOR_LEVEL_OF_KIND[kind].value

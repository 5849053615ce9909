"""Major decisions and their procedure: each decision moves through the stages as
``decisions.services.lifecycle.advance`` allows (a published consultation before the
consultation stage; the period closed and the adoption report published before legality
review; a completed, lawful review of at least 7 working days before deliberation; the
decision's number and text once decided), then public comments on the consultations."""

import datetime

from bench.datagen import words
from bench.datagen.enforcement import FIRST_DAY
from bench.datagen.rules import daily_counts, split_counts
from bench.datagen.texts import SHANGHAI, date_cn

DAY = datetime.timedelta(days=1)
STALL = 0.1  # chance that a decision stays at a stage (the procedure takes its time)
CHANNELS = (["online", "email"], ["online", "email", "letter"], ["online", "symposium"])
REJECTIONS = (("spam", 0.3), ("off_topic", 0.6), ("duplicate", 0.85), ("abusive", 1.0))


class DecisionMaker:
    def __init__(self, ctx, loader, ranked, catalogues, reviewer_id):
        from decisions.models import (
            AdoptionItem,
            AdoptionReport,
            Comment,
            Consultation,
            Decision,
            LegalityReview,
        )

        self.ctx, self.loader, self.rng, self.rules = ctx, loader, ctx.rng, ctx.rules
        self.pick, self.between = ctx.texts.pick, ctx.texts.between
        self.models = {
            "decision": Decision,
            "consultation": Consultation,
            "comment": Comment,
            "report": AdoptionReport,
            "item": AdoptionItem,
            "review": LegalityReview,
        }
        self.types = {key: ctx.content_type(model) for key, model in self.models.items()}
        loader.prepare(*self.models.values())
        self.depts = [dept for dept, _share in ranked]
        self.shares = [share for _dept, share in ranked]
        self.by_id = {dept.id: dept for dept in self.depts}
        self.catalogues = catalogues
        self.reviewer_id = reviewer_id
        self.consultations = []  # what the comments need to know of each consultation
        self.decided_numbers = {}
        self.stats = {"stages": {}, "draft": 0, "withdrawn": 0, "withheld": 0, "comments": {}}

    def run(self, total_decisions, total_comments):
        for day, count in daily_counts(total_decisions, FIRST_DAY, self.ctx.today, self.rules):
            for _ in range(count):
                self.make(day)
        self.comments(total_comments)

    def _event(self, kind, moment, row, action, reason=""):
        text = f"{row['index_number']} {row['name']}"
        self.loader.event(
            moment, self.types[kind], row["id"], row["department_id"], action, text, reason
        )

    # ----------------------------------------------------------------- decisions

    def make(self, day):
        ctx, rng = self.ctx, self.rng
        dept = rng.choices(self.depts, weights=self.shares)[0]
        category = self.pick(
            ("public_policy", "plan", "resources_policy", "public_project", "other")
        )
        topic, town = self.pick(words.TOPICS), self.pick(words.TOWNS)
        name = self.pick(words.DECISION_NAMES[category]).format(
            topic=topic, town=town, year=day.year, end=day.year + 10, end3=day.year + 2
        )
        draw = rng.random()
        confidentiality = (
            "none" if draw < 0.96 else "draft_withheld" if draw < 0.99 else "fully_withheld"
        )
        created = ctx.moment(day) or ctx.now
        row = {
            "id": self.loader.next_id(self.models["decision"]),
            "department_id": dept.id,
            "index_number": self.loader.index_number(dept, day.year),
            "catalogue_id": self.catalogues[day.year],
            "category": category,
            "name": name,
            "summary": f"{name}，由{dept.name}承办，列入{day.year}年度重大行政决策事项目录。",
            "background": self.pick(words.DECISION_BACKGROUND).format(
                topic=topic, issue=self.pick(words.ISSUES)
            )
            + self.pick(words.DECISION_GOALS),
            "legal_basis": "、".join(rng.sample(words.DECISION_BASES, 3)) + "等法律法规和政策规定",
            "date_made": day,
            "confidentiality": confidentiality,
            "confidentiality_ground": ""
            if confidentiality == "none"
            else self.pick(words.CONFIDENTIALITY_GROUNDS),
            "public_interest_high": rng.random() < 0.2,
            "risk_assessor": self.pick(words.RISK_ASSESSORS) if rng.random() < 0.6 else "",
            "stage": "planned",
            "created_at": created,
            "updated_at": created,
        }
        published = None
        if rng.random() >= 0.03:
            published = ctx.moment(day + self.between(1, 7) * DAY, after=created)
        if published is None:
            self.stats["draft"] += 1
        else:
            row.update(status="published", published_at=published, updated_at=published)
            self._event("decision", published, row, "published")
            draw = rng.random()
            if draw < 0.01:
                self._withdraw(row, published)
            elif draw < 0.02:
                ground, basis = self.pick(words.WITHHELD)
                row.update(withheld_ground=ground, withheld_legal_basis=basis)
                self.stats["withheld"] += 1
            else:
                self._procedure(row, published, topic, town)
        self.stats["stages"][row["stage"]] = self.stats["stages"].get(row["stage"], 0) + 1
        self.loader.add(self.models["decision"], row)

    def _withdraw(self, row, published):
        moment = self.ctx.moment(published.date() + self.between(30, 200) * DAY, after=published)
        if moment is None:
            return
        reason = "经区政府常务会议研究，该事项不再作为重大行政决策事项办理，撤回公开。"
        row.update(
            status="withdrawn",
            withdrawn_at=moment,
            updated_at=moment,
            withdrawal_reason=reason,
            withdrawal_legal_basis="《重大行政决策程序暂行条例》第三条、第九条",
        )
        self._event("decision", moment, row, "withdrawn", reason)
        self.stats["withdrawn"] += 1

    def _advance(self, row, stage, moment, reason=""):
        row.update(stage=stage, stage_changed_at=moment, updated_at=moment, stage_reason=reason)
        self._event("decision", moment, row, "stage_changed", reason)

    def _later(self, moment, low, high):
        """A moment ``low``..``high`` days after ``moment`` (None if still to come)."""
        day = moment.date() + self.between(low, high) * DAY
        return self.ctx.moment(day, after=moment)

    def _procedure(self, row, published, topic, town):
        rng = self.rng
        moment = self._later(published, 5, 30)
        if moment is None:
            return
        self._advance(row, "drafting", moment)
        if rng.random() < STALL:
            return self._maybe_taken_out(row, moment)
        if row["confidentiality"] == "none":
            consultation = self._consultation(row, moment, topic, town)
            if consultation is None:
                return
            opened = self.ctx.moment(
                consultation["opens_on"] + self.between(0, 3) * DAY,
                after=consultation["published_at"],
            )
            if opened is None:
                return
            self._advance(row, "consultation", opened)
            if rng.random() < STALL:
                return self._maybe_taken_out(row, opened)
            report = self._later(
                datetime.datetime.combine(consultation["closes_on"], datetime.time(18), SHANGHAI),
                5,
                25,
            )
            if report is None:
                return
            self._adoption_report(row, consultation, report)
            moment = self._later(report, 1, 10)
        else:
            moment = self._later(moment, 30, 120)
        if moment is None:
            return
        self._advance(row, "legality_review", moment)
        completed = self._legality_review(row, moment)
        if completed is None:  # still under review
            return
        if rng.random() < STALL:
            return self._maybe_taken_out(row, moment)
        for stage, low, high in (
            ("deliberation", 3, 20),
            ("decided", 5, 30),
            ("implementing", 10, 60),
        ):
            moment = self._later(completed if stage == "deliberation" else moment, low, high)
            if moment is None:
                return
            if stage == "decided":
                self._decide(row, moment)
            self._advance(row, stage, moment)
            if rng.random() < STALL:
                return
        if rng.random() < 0.03:
            moment = self._later(moment, 30, 200)
            if moment is not None:
                self._advance(row, "suspended", moment, self.pick(words.SUSPENSION_REASONS))

    def _maybe_taken_out(self, row, moment):
        """Some stalled decisions are taken out of the catalogue (调出目录) later."""
        if self.rng.random() < 0.2:
            moment = self._later(moment, 10, 90)
            if moment is not None:
                self._advance(row, "withdrawn", moment, self.pick(words.STAGE_REASONS))

    def _decide(self, row, moment):
        year = moment.year
        number = self.decided_numbers.get(year, 0) + 1
        self.decided_numbers[year] = number
        goals = "、".join(self.rng.sample(words.ISSUES, 2))
        row.update(
            decided_on=moment.date(),
            document_number=f"璧府发〔{year}〕{number}号",
            final_text=(
                f"为解决{goals}等问题，经{date_cn(moment.date())}区政府常务会议审议通过，"
                f"决定实施{row['name']}。一、明确责任分工，{row['name']}由承办单位牵头组织实施；"
                "二、强化资金保障，所需经费纳入年度预算；三、加强监督评估，定期向社会公开执行情况。"
                "本决定自印发之日起施行。"
            ),
            adoption_explanation="公开征求意见期间共收到意见若干条，经研究，采纳了关于加强资金监管、"
            "增加公众参与环节等意见，未采纳的意见已说明理由。"
            if row["public_interest_high"] or self.rng.random() < 0.5
            else "",
        )

    # ----------------------------------------------------------------- parts

    def _consultation(self, row, after, topic, town):
        rng, ctx = self.rng, self.ctx
        published = self._later(after, 15, 90)
        if published is None:
            return None
        opens_on = published.date() + self.between(0, 5) * DAY
        document_type = "major_decision" if rng.random() < 0.85 else "normative_document"
        minimum, minimum_rule = self.rules.consultation_minimum(document_type, opens_on)
        closes_on, shortening = max(minimum, opens_on + self.between(30, 45) * DAY), ""
        if rng.random() < 0.02:
            closes_on = opens_on + 15 * DAY
            shortening = "因上级政策时限要求，经区政府同意，征求意见期限缩短为15日。"
        dept_id = row["department_id"]
        dept = self.by_id[dept_id]
        consultation = {
            "id": self.loader.next_id(self.models["consultation"]),
            "department_id": dept_id,
            "decision_id": row["id"],
            "index_number": self.loader.index_number(dept, published.year),
            "name": f"关于《{row['name']}（征求意见稿）》公开征求意见的公告",
            "summary": f"现将《{row['name']}（征求意见稿）》向社会公开征求意见，"
            f"征求意见时间为{date_cn(opens_on)}至{date_cn(closes_on)}。",
            "date_made": published.date(),
            "status": "published",
            "published_at": published,
            "created_at": published - datetime.timedelta(days=1),
            "updated_at": published,
            "document_type": document_type,
            "opens_on": opens_on,
            "closes_on": closes_on,
            "channels": self.pick(CHANNELS),
            "shortening_reason": shortening,
            "minimum_closes_on": minimum,
            "minimum_rule": minimum_rule,
        }
        self._event("consultation", published, consultation, "published")
        if rng.random() < 0.03 and not shortening:
            extended = ctx.moment(closes_on - self.between(1, 5) * DAY, after=published)
            if extended is not None:
                notice = "应社会各界要求，征求意见截止日期延长至"
                closes_on += self.between(10, 15) * DAY
                consultation.update(
                    closes_on=closes_on,
                    extension_notice=f"{notice}{date_cn(closes_on)}。",
                    revision=2,
                    amended_at=extended,
                    updated_at=extended,
                )
                self._event(
                    "consultation",
                    extended,
                    consultation,
                    "amended",
                    consultation["extension_notice"],
                )
        row["prepublished_on"] = opens_on
        row["updated_at"] = max(row["updated_at"], published)
        self.loader.add(self.models["consultation"], consultation)
        weight = rng.paretovariate(1.16) * (3 if row["public_interest_high"] else 1)
        self.consultations.append(
            (
                consultation["id"],
                dept_id,
                opens_on,
                closes_on,
                weight if opens_on <= ctx.today else 0,
                topic,
                town,
            )
        )
        return consultation

    def _adoption_report(self, row, consultation, moment):
        rng = self.rng
        dept = self.by_id[row["department_id"]]
        report = {
            "id": self.loader.next_id(self.models["report"]),
            "department_id": row["department_id"],
            "consultation_id": consultation["id"],
            "index_number": self.loader.index_number(dept, moment.year),
            "name": f"《{row['name']}》公开征求意见采纳情况",
            "summary": "现将公开征求意见的采纳情况予以公布。",
            "date_made": moment.date(),
            "status": "published",
            "published_at": moment,
            "created_at": moment - datetime.timedelta(hours=3),
            "updated_at": moment,
        }
        self.loader.add(self.models["report"], report)
        self._event("report", moment, report, "published")
        for theme, outcome, reason in rng.sample(words.ADOPTION_THEMES, self.between(1, 3)):
            self.loader.add(
                self.models["item"],
                {
                    "id": self.loader.next_id(self.models["item"]),
                    "report_id": report["id"],
                    "theme": theme,
                    "outcome": outcome,
                    "reason": reason,
                },
            )

    def _legality_review(self, row, moment):
        """The review sent on ``moment``; returns the moment it was completed (None while
        it is still under way)."""
        rng = self.rng
        started = moment.date()
        minimum = self.rules.legality_minimum(started)
        completed_on = minimum + self.between(0, 10) * DAY
        completed = self.ctx.moment(completed_on, after=moment)
        result = "lawful" if rng.random() < 0.8 else "lawful_with_risk"
        review = {
            "id": self.loader.next_id(self.models["review"]),
            "decision_id": row["id"],
            "reviewer_id": self.reviewer_id,
            "started_on": started,
            "minimum_completed_on": minimum,
            "created_at": moment,
        }
        if completed is not None:
            review.update(
                completed_on=completed.date(),
                result=result,
                risk_disclosure="实施中可能引发群体性诉求，已提示承办单位做好风险防范。"
                if result == "lawful_with_risk"
                else "",
                internal_notes="经审查，决策草案的制定主体、权限、程序和内容符合法律法规规定。",
                working_days=self.rules.working_days_between(started, completed.date()),
            )
        self.loader.add(self.models["review"], review)
        return completed

    # ----------------------------------------------------------------- comments

    def comments(self, total):
        """``total`` comments over the open and closed consultations (heavy-tailed: a few
        draw hundreds), submitted while each was open, loaded in submission order."""
        rng, ctx = self.rng, self.ctx
        weights = [c[4] for c in self.consultations]
        if not total or not any(weights):
            return
        submissions = []
        for index, count in enumerate(split_counts(total, weights)):
            _id, _dept, opens_on, closes_on, _w, _topic, _town = self.consultations[index]
            start = datetime.datetime.combine(opens_on, datetime.time(), SHANGHAI)
            end = min(
                datetime.datetime.combine(closes_on + DAY, datetime.time(), SHANGHAI), ctx.now
            )
            span = max(1, int((end - start).total_seconds()))
            for _ in range(count):
                submissions.append((start + datetime.timedelta(seconds=rng.randrange(span)), index))
        submissions.sort()
        for submitted, index in submissions:
            self._comment(submitted, self.consultations[index])

    def _comment(self, submitted, consultation):
        rng, ctx = self.rng, self.ctx
        consultation_id, dept_id, _opens, _closes, _weight, topic, town = consultation
        opener = self.pick(words.COMMENT_OPENERS).format(identity=self.pick(words.IDENTITIES))
        point = self.pick(words.COMMENT_POINTS).format(
            topic=topic, town=town, n=self.between(2, 30)
        )
        content = opener + point + "。" + self.pick(words.COMMENT_REASONS).format(town=town)
        draw = rng.random()
        author = (
            ""
            if draw < 0.3
            else f"{self.pick(words.SURNAMES)}{'先生' if draw < 0.6 else '女士'}"
            if draw < 0.85
            else f"{town}居民"
        )
        row = {
            "id": self.loader.next_id(self.models["comment"]),
            "consultation_id": consultation_id,
            "content": content,
            "author_name": author,
            "contact": ctx.texts.phone() if rng.random() < 0.6 else "",
            "submitted_at": submitted,
            "status": "pending",
        }
        moderated = submitted + datetime.timedelta(minutes=self.between(60, 72 * 60))
        if moderated <= ctx.now:
            draw = rng.random()
            if draw < 0.88:
                row.update(status="published", moderated_at=moderated)
                self.loader.event(
                    moderated,
                    self.types["comment"],
                    row["id"],
                    dept_id,
                    "published",
                    f"#{row['id']} {content[:30]}",
                )
            else:
                reason = next(name for name, upto in REJECTIONS if draw < 0.88 + 0.12 * upto)
                row.update(status="rejected", rejection_reason=reason, moderated_at=moderated)
        status = row["status"]
        self.stats["comments"][status] = self.stats["comments"].get(status, 0) + 1
        self.loader.add(self.models["comment"], row)

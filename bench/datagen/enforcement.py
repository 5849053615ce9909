"""Enforcement decisions (行政处罚 and 行政许可), streamed day by day from 2021 to today and
loaded with COPY, with the computed fields ``EnforcementAction.clean()`` would set and the
public events the workflow would have recorded."""

import bisect
import datetime
from decimal import Decimal
from itertools import accumulate

from bench.datagen import words
from bench.datagen.redactor import Redactor
from bench.datagen.rules import daily_counts
from bench.datagen.texts import SHANGHAI, date_cn, money_cn
from enforcement.services.deadlines import add_months

FIRST_DAY = datetime.date(2021, 1, 1)
LICENCE_SHARE = 0.6  # 双公示: licences outnumber penalties
PARTY_KINDS = (("legal_person", 0.6), ("natural_person", 0.9), ("individual_business", 1.0))
SEVERITIES = (("minor", 0.3), ("general", 0.85), ("serious", 1.0))
SERIOUS_EXTRAS = (
    "confiscation",
    "activity_restriction",
    "licence_revocation",
    "qualification_downgrade",
)
PENALTY_WORDS = {
    "warning": "警告",
    "circulation": "通报批评",
    "confiscation": "没收违法所得人民币{confiscation}元",
    "fine": "罚款人民币{fine}元",
    "activity_restriction": "责令停产停业{days}日",
    "licence_revocation": "吊销相关许可证件",
    "qualification_downgrade": "降低资质等级",
}
MINOR_FINES = (200, 500, 1000, 2000, 3000, 5000)
DRAFT_RECENT_DAYS = 10
REDACTION_BATCH = 2000


def pick(rng, table):
    """The name of the first (name, cumulative probability) entry above a random draw."""
    draw = rng.random()
    return next(name for name, upto in table if draw < upto)


class ActionMaker:
    """Builds one enforcement decision row after another (see :meth:`make`)."""

    def __init__(self, ctx, loader, bodies, ranked, total):
        from enforcement.models import EnforcementAction

        loader.prepare(EnforcementAction)
        self.ctx, self.loader = ctx, loader
        self.rng, self.texts, self.rules = ctx.rng, ctx.texts, ctx.rules
        self.model = EnforcementAction
        self.content_type = ctx.content_type(EnforcementAction)
        self.units = [(bodies[dept.code], dept) for dept, _share in ranked]
        self.cumulative = list(accumulate(share for _dept, share in ranked))
        self.companies = max(200, int(total * 0.6))
        self.document_numbers = {}
        natural_penalties = total * (1 - LICENCE_SHARE) * 0.3
        self.minors_wanted = max(1, round(total * 20 / 1_000_000))
        self.minor_every = max(1, int(natural_penalties / self.minors_wanted))
        self.natural_penalties = 0
        self.stats = {"minors": 0, "draft": 0, "withdrawn": 0, "withheld": 0, "expired": 0}
        # Where the model stores its redacted text on save(), compute it as save() would.
        self.stores_public_text = any(
            f.name.startswith("public_") for f in EnforcementAction._meta.concrete_fields
        )
        self.batch = []

    def run(self, total):
        redactor = Redactor() if self.stores_public_text else None
        try:
            for day, count in daily_counts(total, FIRST_DAY, self.ctx.today, self.rules):
                for _ in range(count):
                    self.make(day)
                    if len(self.batch) >= REDACTION_BATCH or redactor is None:
                        self._ship(redactor.submit(self.batch) if redactor else self.batch)
                        self.batch = []
            self._ship(redactor.submit(self.batch) if redactor else self.batch)
            if redactor is not None:
                self._ship(redactor.finish())
                redactor = None
        finally:
            if redactor is not None:
                redactor.close()

    def _ship(self, rows):
        for row in rows:
            self.loader.add(self.model, row)

    # ----------------------------------------------------------------- one decision

    def make(self, day):
        rng, texts = self.rng, self.texts
        bodies, dept = self.units[self._unit()]
        body = bodies[0] if len(bodies) == 1 or rng.random() < 0.6 else texts.pick(bodies)
        kind = "licence" if body.licences and rng.random() < LICENCE_SHARE else "penalty"
        power_id, template = texts.pick(body.licences if kind == "licence" else body.penalties)
        party_kind = pick(rng, PARTY_KINDS)
        minor = False
        if kind == "penalty" and party_kind == "natural_person":
            self.natural_penalties += 1
            minor = (
                self.natural_penalties % self.minor_every == self.minor_every // 2
                and self.stats["minors"] < self.minors_wanted
            )
        row = {
            "id": self.loader.next_id(self.model),
            "department_id": dept.id,
            "body_id": body.id,
            "power_id": power_id,
            "kind": kind,
            "decision_date": day,
            "date_made": day,
            "party_kind": party_kind,
            "party_is_minor": minor,
        }
        row.update(self._party(party_kind, minor))
        row["index_number"] = self.loader.index_number(dept, day.year)
        row["document_number"] = self._document_number(body, kind, day.year)
        due, rule, provisional, calendar = self.rules.publication_due(day)
        row.update(
            publication_due=due,
            publication_rule=rule,
            publication_due_provisional=provisional,
            calendar_version=calendar,
        )
        if kind == "penalty":
            self._penalty(row, body, template, day)
        else:
            self._licence(row, body, template, day)
        self._lifecycle(row, day, minor)
        if rng.random() < 0.05 and not minor:
            witness = texts.person()
            row["private_names"] = [witness]
            sentence = texts.pick(words.WITNESS_SENTENCES).format(witness=witness)
            if len(row["facts"]) + len(sentence) <= 300:
                row["facts"] += sentence
        self.batch.append(row)

    def _unit(self):
        return bisect.bisect_left(self.cumulative, self.rng.random() * self.cumulative[-1])

    def _party(self, party_kind, minor):
        rng, texts = self.rng, self.texts
        if party_kind == "legal_person":
            name, code = texts.company(texts.between(0, self.companies - 1))
            return {
                "party_name": name,
                "party_credit_code": code,
                "legal_representative": texts.person(),
            }
        operator = texts.person()
        private = {
            "party_id_type": "居民身份证",
            "party_id_number": texts.id_number(adult=not minor),
            "party_address": texts.address(),
            "party_phone": texts.phone(),
        }
        if rng.random() < 0.1:
            private["party_bank_account"] = f"6217{texts.between(0, 10**15 - 1):015d}"
        if party_kind == "natural_person":
            return {"party_name": operator, **private}
        name, code = texts.individual_business(texts.between(0, self.companies - 1), operator)
        return {
            "party_name": name,
            "party_credit_code": code,
            "legal_representative": operator,
            **private,
        }

    def _document_number(self, body, kind, year):
        key = (body.id, kind, year)
        number = self.document_numbers.get(key, 0) + 1
        self.document_numbers[key] = number
        return f"{body.prefix}{words.DOCUMENT_MARKS[kind]}〔{year}〕{number}号"

    # ----------------------------------------------------------------- content

    def _penalty(self, row, body, template, day):
        rng, texts = self.rng, self.texts
        _code, _matter, law, violated, article, conduct, details = template
        severity = pick(rng, SEVERITIES)
        if severity == "minor":
            draw = rng.random()
            types = ["warning"] if draw < 0.4 else ["fine"] if draw < 0.9 else ["warning", "fine"]
            fine = texts.pick(MINOR_FINES)
        elif severity == "general":
            types = ["fine"] + (["confiscation"] if rng.random() < 0.25 else [])
            fine = texts.between(50, 1000) * 100
        else:
            types = ["fine", texts.pick(SERIOUS_EXTRAS)]
            fine = min(int(rng.lognormvariate(11.9, 0.8)), 2_000_000) // 1000 * 1000 + 50_000
        if row["party_kind"] == "natural_person" and severity != "minor":
            fine = max(200, fine // 500 * 100)
        fine = Decimal(fine).quantize(Decimal("0.01"))
        confiscation = (
            Decimal(texts.between(10_000, 5_000_000)) / 100 if "confiscation" in types else None
        )
        amounts = {
            "fine": money_cn(fine),
            "confiscation": money_cn(confiscation or 0),
            "days": texts.pick((7, 15, 30)),
        }
        imposed = [PENALTY_WORDS[t].format(**amounts) for t in types]
        penalties = "；".join(f"{i}.{text}" for i, text in enumerate(imposed, start=1))
        party = row["party_name"]
        detail = texts.pick(details).format(
            goods=texts.pick(words.GOODS),
            qty=texts.between(2, 300),
            amount=money_cn(texts.between(500, 200_000)),
            road=texts.pick(words.ROADS),
            address=self.texts.address(),
        )
        display_until, repair_from, display_rule = self.rules.display_period(day, severity, types)
        row.update(
            name=f"{party}{conduct}案",
            summary=f"{party}因{conduct}，被处以{'、'.join(imposed)}。",
            facts=self._facts(body, party, conduct, detail, day),
            legal_basis=f"{law}{violated}、{article}"
            + ("；《重庆市行政处罚裁量基准适用规则》" if rng.random() < 0.5 else ""),
            result=f"依据{law}{article}的规定，决定对当事人作出如下行政处罚：{penalties}。",
            penalty_types=types,
            severity=severity,
            fine_amount=fine if "fine" in types else None,
            confiscation_amount=confiscation,
            display_until=display_until,
            repair_possible_from=repair_from,
            display_rule=display_rule,
        )

    def _facts(self, body, party, conduct, detail, day):
        rng, texts = self.rng, self.texts
        opening = texts.pick(words.OPENINGS).format(
            date=date_cn(day - datetime.timedelta(days=texts.between(10, 120))),
            party=party,
            address=self.texts.address(),
            body=body.name,
            town=texts.pick(words.TOWNS),
        )
        evidence = "、".join(rng.sample(words.EVIDENCE, texts.between(2, 4)))
        text = f"{opening}{conduct}。{detail}" + words.CONCLUSION.format(evidence=evidence)
        for extra, chance in ((words.MITIGATIONS, 0.4), (words.NOTICES, 0.6)):
            sentence = texts.pick(extra)
            # A short text always gets the notice (facts run 100 to 300 characters).
            if (rng.random() < chance or len(text) < 100) and len(text) + len(sentence) <= 300:
                text += sentence
        return text

    def _licence(self, row, body, template, day):
        rng, texts = self.rng, self.texts
        _code, matter, law, article, licence_name, prefix, scopes, years = template
        party = row["party_name"]
        number = f"{prefix}{texts.between(0, 99_999_999):08d}"
        scope = texts.pick(scopes)
        valid_until = add_months(day, 12 * years) - datetime.timedelta(days=1)
        materials = "、".join(
            rng.sample(("申请书", "营业执照", "场所证明", "设备清单", "人员资质证明"), 3)
        )
        row.update(
            name=f"准予{party}{matter}的决定",
            summary=f"准予{party}{matter}，许可编号{number}。",
            facts=(
                f"申请人{party}于{date_cn(day - datetime.timedelta(days=texts.between(3, 20)))}"
                f"向{body.name}提出{matter}申请，提交了{materials}等材料。经审查，申请材料齐全、"
                f"符合法定形式，经现场核查，申请人的场所、设施和管理制度符合{law}{article}规定的条件。"
            ),
            legal_basis=f"{law}{article}",
            result=f"准予许可，核发《{licence_name}》（编号：{number}），有效期至{date_cn(valid_until)}。",
            licence_name=licence_name,
            licence_number=number,
            licence_scope=scope,
            valid_from=day,
            valid_until=valid_until,
        )

    # ----------------------------------------------------------------- status and events

    def _lifecycle(self, row, day, minor):
        """Draft, published on time or late, withdrawn, withheld, expired; and the events."""
        ctx, rng, texts = self.ctx, self.rng, self.texts
        created = ctx.moment(day) or ctx.now
        row["created_at"] = row["updated_at"] = created
        age = (ctx.today - day).days
        draft = minor or (age <= DRAFT_RECENT_DAYS and rng.random() < 0.5) or rng.random() < 0.026
        published = None
        if not draft:
            draw = rng.random()
            delay = (
                texts.between(1, 5)
                if draw < 0.8
                else texts.between(6, 7)
                if draw < 0.95
                else texts.between(8, 30)
            )
            published = ctx.moment(self.rules.working_days_after(day, delay), after=created)
        if published is None:
            self.stats["minors" if minor else "draft"] += 1
            return
        row.update(status="published", published_at=published, updated_at=published)
        text = f"{row['index_number']} {row['name']}"
        self.loader.event(
            published, self.content_type, row["id"], row["department_id"], "published", text
        )
        draw = rng.random()
        withdrawn = None
        if draw < 0.01 and age > 30:
            withdrawn = self._withdraw(row, published)
        elif draw < 0.02:
            ground, basis = texts.pick(words.WITHHELD)
            row.update(withheld_ground=ground, withheld_legal_basis=basis)
            self.stats["withheld"] += 1
        display_until = row.get("display_until")
        if display_until is not None and display_until < ctx.today:
            ended = datetime.datetime.combine(
                display_until + datetime.timedelta(days=1), datetime.time(0, 5), tzinfo=SHANGHAI
            )
            ended = max(ended, published + datetime.timedelta(hours=1))
            if ended <= ctx.now and (withdrawn is None or ended < withdrawn):
                reason = f"display_until {display_until.isoformat()}"
                self.loader.event(
                    ended,
                    self.content_type,
                    row["id"],
                    row["department_id"],
                    "display_ended",
                    text,
                    reason,
                )
                self.stats["expired"] += 1

    def _withdraw(self, row, published):
        ctx, texts = self.ctx, self.texts
        trigger_day = min(
            published.date() + datetime.timedelta(days=texts.between(10, 180)), ctx.today
        )
        withdrawn = ctx.moment(
            trigger_day + datetime.timedelta(days=texts.between(1, 3)), after=published
        )
        if withdrawn is None:
            return None
        trigger, reason = texts.pick(words.WITHDRAWAL_REASONS)
        basis = words.WITHDRAWAL_BASIS
        if row["kind"] == "licence":
            reason = "行政许可决定被依法撤销，撤回公示信息。"
            basis = "《中华人民共和国行政许可法》第六十九条"
        row.update(
            status="withdrawn",
            withdrawn_at=withdrawn,
            updated_at=withdrawn,
            withdrawal_reason=reason,
            withdrawal_legal_basis=basis,
            withdrawal_trigger=trigger,
            withdrawal_trigger_date=trigger_day,
            withdrawal_due=self.rules.working_days_after(trigger_day, 3),
        )
        text = f"{row['index_number']} {row['name']}"
        self.loader.event(
            withdrawn, self.content_type, row["id"], row["department_id"], "withdrawn", text, reason
        )
        self.stats["withdrawn"] += 1
        return withdrawn

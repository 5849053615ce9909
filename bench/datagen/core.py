"""The small tables, created through the ORM: departments, the benchmark users, the
enforcement bodies with their powers and officers, and the annual catalogues. Their public
events go into the same chain as the bulk-loaded records'."""

import datetime
import math
from dataclasses import dataclass, field

from bench.datagen import words
from bench.datagen.loader import Dept
from bench.datagen.texts import date_cn

# Departments by their share of each registry, largest first: a slowly falling head and a
# long, thin tail (the largest ~7 %, the smallest ~0.04 %: a few hundred enforcement
# decisions in a million).
SHARES = tuple(k**-0.15 * math.exp(-1e-5 * (k - 1) ** 3.8) for k in range(1, 33))
TOWN_CODES = (
    "bcjd lfjd bqjd qgjd djjd dljd hbz flz dxz zxz gpz shz btz qtz jlz".split()
)  # fmt: skip
ENFORCEMENT_ORDER = (
    "scjgj cgj jtj sthjj yjj wsjkw zfcxjw ghzyj nyncw rlsbj slj".split()
    + list(TOWN_CODES)
    + "jw wxb fgw sfj czj qzfb".split()
)
DECISION_ORDER = (
    "fgw qzfb zfcxjw ghzyj jtj jw wsjkw sthjj nyncw slj czj rlsbj scjgj cgj yjj sfj wxb".split()
    + list(TOWN_CODES)
)
PROJECT_ORDER = (
    "jtj slj zfcxjw jw wsjkw nyncw cgj ghzyj sthjj".split()
    + list(TOWN_CODES)
    + "fgw qzfb scjgj yjj rlsbj sfj czj wxb".split()
)
ABBREVIATIONS = {
    "scjgj": "市监", "cgj": "城管", "jtj": "交", "sthjj": "环", "yjj": "应急", "wsjkw": "卫",
    "zfcxjw": "建", "ghzyj": "规资", "nyncw": "农", "rlsbj": "人社", "slj": "水", "jw": "教",
    "wxb": "网信", "fgw": "发改", "sfj": "司", "czj": "财", "qzfb": "府",
}  # fmt: skip
BODIES_PUBLISHED_ON = datetime.date(2020, 12, 15)
USERNAMES = {"editor": "bench_editor", "oversight": "bench_oversight", "legality": "bench_legality"}


@dataclass
class Body:
    id: int
    name: str
    prefix: str  # of its document numbers (文书号)
    dept: Dept
    penalties: list = field(default_factory=list)  # (power id, template)
    licences: list = field(default_factory=list)


def weights(order, depts):
    """(dept, share) of the departments in ``order`` (others: the smallest share)."""
    ranked = [code for code in order if code in depts]
    ranked += sorted(code for code in depts if code not in ranked)
    return [(depts[code], SHARES[min(i, len(SHARES) - 1)]) for i, code in enumerate(ranked)]


def departments():
    """The district's departments (those of ``registry.demo``), created if missing."""
    from registry.choices import DepartmentKind
    from registry.demo import DEPARTMENTS, synthetic_uscc
    from registry.models import Department

    office = None
    found = {}
    for serial, (code, name_zh, name_en, kind) in enumerate(DEPARTMENTS, start=1):
        department = Department.objects.filter(code=code).first()
        if department is None:
            department = Department.objects.create(
                code=code,
                name_zh=name_zh,
                name_en=name_en,
                kind=kind,
                uscc=synthetic_uscc(serial),
                parent=office,
            )
        if kind == DepartmentKind.DISTRICT_OFFICE:
            office = department
        found[code] = Dept(
            department.pk, code, department.uscc or department.code, department.name_zh
        )
    return found


def users():
    """The benchmark's users (roles and tokens are given at the end, after the chain)."""
    from django.contrib.auth import get_user_model

    user_model = get_user_model()
    return {
        role: user_model.objects.get_or_create(username=username)[0]
        for role, username in USERNAMES.items()
    }


def _body_names(dept, rank):
    short = dept.name.removeprefix("区")
    abbreviation = ABBREVIATIONS.get(dept.code, dept.name[:2])
    if dept.code in TOWN_CODES:
        suffix = "人民政府" if dept.name.endswith("镇") else "办事处"
        names = [(f"重庆市璧山区{dept.name}{suffix}", f"璧{abbreviation}")]
    else:
        names = [(f"重庆市璧山区{short}", f"璧{abbreviation}")]
    if rank < 12:
        names.append((f"璧山区{short}综合行政执法支队", f"璧{abbreviation}执"))
    if rank < 4:
        town = words.TOWNS[rank]
        names.append((f"璧山区{short}{town}执法大队", f"璧{abbreviation}{town[:2]}"))
    return names


def enforcement_bodies(ctx, loader, ranked):
    """Bodies, powers and officers of every department, published in December 2020."""
    from enforcement.models import EnforcementBody, EnforcementOfficer, EnforcementPower

    bodies = {}
    made = {EnforcementBody: [], EnforcementPower: [], EnforcementOfficer: []}
    loader.prepare(*made)
    published = ctx.moment(BODIES_PUBLISHED_ON)
    for rank, (dept, _share) in enumerate(ranked):
        domain = words.DOMAINS.get(dept.code, "town" if dept.code in TOWN_CODES else "general")
        for number, (name, prefix) in enumerate(_body_names(dept, rank)):
            body = EnforcementBody(
                id=loader.next_id(EnforcementBody),
                name=name,
                summary=f"{name}依法履行行政执法职责，实行执法公示、执法全过程记录和重大执法决定法制审核制度。",
                legal_authority="《中华人民共和国行政处罚法》《中华人民共和国行政许可法》及机构编制文件",
                jurisdiction=f"璧山区行政区域内{dept.name}职责范围内的行政执法事项",
                address=f"重庆市璧山区{words.ROADS[rank % len(words.ROADS)]}{rank + 1}号",
                complaint_phone="023-41412345",
                complaint_mailbox=f"{dept.code}@bishan.example.cn",
                complaint_address="重庆市璧山区行政服务中心",
                supervisor="璧山区司法局",
                **_published(loader, dept, published, BODIES_PUBLISHED_ON),
            )
            made[EnforcementBody].append(body)
            entry = Body(body.id, name, prefix, dept)
            bodies.setdefault(dept.code, []).append(entry)
            licences = words.LICENCES.get(domain, []) if number == 0 else []
            for template in words.PENALTIES[domain]:
                power = _power(loader, dept, body, published, "penalty", template[:5])
                made[EnforcementPower].append(power)
                entry.penalties.append((power.id, template))
            for template in licences:
                power = _power(loader, dept, body, published, "licence", template[:4])
                made[EnforcementPower].append(power)
                entry.licences.append((power.id, template))
            for _ in range(max(3, 18 - rank // 2)):
                made[EnforcementOfficer].append(_officer(ctx, loader, dept, body, published))
    for model, records in made.items():
        _save(ctx, loader, model, records)
    return bodies


def _published(loader, dept, moment, day):
    return {
        "department_id": dept.id,
        "index_number": loader.index_number(dept, day.year),
        "date_made": day,
        "status": "published",
        "published_at": moment,
        "created_at": moment - datetime.timedelta(days=3),
        "updated_at": moment,
    }


def _power(loader, dept, body, moment, power_type, template):
    from enforcement.models import EnforcementPower

    code, matter, law, article = template[:4]
    if power_type == "penalty":
        article = template[4]
    return EnforcementPower(
        id=loader.next_id(EnforcementPower),
        body_id=body.id,
        name=matter,
        summary=f"{matter}（{body.name}）",
        power_type=power_type,
        code=code,
        legal_basis=f"{law}{article}",
        discretion_standard="按《重庆市行政处罚裁量基准》执行" if power_type == "penalty" else "",
        procedure="立案、调查取证、告知、听证（依申请）、法制审核、决定、送达、执行"
        if power_type == "penalty"
        else "申请、受理、审查、决定、送达",
        time_limit="自立案之日起九十日内作出决定" if power_type == "penalty" else "二十个工作日",
        remedy="行政复议或者行政诉讼",
        **_published(loader, dept, moment, BODIES_PUBLISHED_ON),
    )


def _officer(ctx, loader, dept, body, moment):
    from enforcement.models import EnforcementOfficer

    officer_id = loader.next_id(EnforcementOfficer)
    return EnforcementOfficer(
        id=officer_id,
        body_id=body.id,
        name=ctx.texts.person(),
        summary=f"{body.name}行政执法人员",
        certificate_number=f"500120{officer_id:08d}",
        valid_until=datetime.date(2029, 12, 31),
        officer_status="active" if ctx.rng.random() < 0.95 else "suspended",
        **_published(loader, dept, moment, BODIES_PUBLISHED_ON),
    )


def _save(ctx, loader, model, records):
    """``bulk_create`` (which stamps ``created_at`` with now), then restore the dates."""
    stamps = {record.id: (record.created_at, record.updated_at) for record in records}
    model.objects.bulk_create(records, batch_size=1000)
    for record in records:
        record.created_at, record.updated_at = stamps[record.id]
    model.objects.bulk_update(records, ["created_at", "updated_at"], batch_size=1000)
    content_type = ctx.content_type(model)
    for record in records:
        loader.event(
            record.published_at,
            content_type,
            record.id,
            record.department_id,
            "published",
            str(record),
        )
    loader.counts[model._meta.db_table] += len(records)


def catalogues(ctx, loader, office, years):
    """The annual catalogue of each year, published in January with version 1 (its entries
    are the public decisions at that moment: none yet). An existing one is reused."""
    from decisions.models import Catalogue, CatalogueVersion

    found = {}
    loader.prepare(Catalogue)
    for year in years:
        catalogue = Catalogue.objects.filter(year=year).first()
        if catalogue is None:
            approved = datetime.date(year, 1, 15)
            moment = ctx.moment(datetime.date(year, 1, 20))
            catalogue = Catalogue(
                id=loader.next_id(Catalogue),
                year=year,
                approval_date=approved,
                name=f"璧山区{year}年度重大行政决策事项目录",
                summary=f"经区政府常务会议审议通过，{date_cn(approved)}批准。",
                **_published(loader, office, moment, datetime.date(year, 1, 10)),
            )
            _save(ctx, loader, Catalogue, [catalogue])
            CatalogueVersion.objects.create(
                catalogue=catalogue,
                number=1,
                approval_date=approved,
                published_at=moment,
                note="首次发布",
                entries=[],
                changes={"added": [], "removed": [], "changed": []},
            )
        found[year] = catalogue.pk
    return found

"""Demo data: the district's real departments and towns/streets, and demo users for every
role. Registries add their demo records by registering a loader from ``AppConfig.ready()``.

The unified social credit codes here are synthetic (valid GB 32100 check characters,
division code 500120 of Bishan District); the passwords are for demos only.
"""

import datetime
import zoneinfo
from contextlib import contextmanager
from unittest import mock

from django.contrib.auth import get_user_model
from django.db import transaction

from registry.choices import DepartmentKind
from registry.validators import uscc_check_character

DEMO_PASSWORD = "registry-demo-2026"
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")

D, T, OFFICE = (
    DepartmentKind.DEPARTMENT,
    DepartmentKind.TOWN_OR_STREET,
    DepartmentKind.DISTRICT_OFFICE,
)
DEPARTMENTS = [
    # code, Chinese name, English name, kind
    ("qzfb", "区政府办公室", "District Government Office", OFFICE),
    ("fgw", "区发展改革委", "District Development and Reform Commission", D),
    ("jw", "区教委", "District Education Commission", D),
    ("czj", "区财政局", "District Finance Bureau", D),
    ("sfj", "区司法局", "District Justice Bureau", D),
    ("sthjj", "区生态环境局", "District Ecology and Environment Bureau", D),
    ("zfcxjw", "区住房城乡建委", "District Housing and Urban-Rural Development Commission", D),
    ("jtj", "区交通局", "District Transport Bureau", D),
    ("wsjkw", "区卫生健康委", "District Health Commission", D),
    ("scjgj", "区市场监管局", "District Market Regulation Bureau", D),
    ("yjj", "区应急局", "District Emergency Management Bureau", D),
    ("cgj", "区城市管理局", "District Urban Management Bureau", D),
    ("wxb", "区网信办", "District Cyberspace Affairs Office", D),
    ("rlsbj", "区人力社保局", "District Human Resources and Social Security Bureau", D),
    ("ghzyj", "区规划自然资源局", "District Planning and Natural Resources Bureau", D),
    ("nyncw", "区农业农村委", "District Agriculture and Rural Affairs Commission", D),
    ("slj", "区水利局", "District Water Resources Bureau", D),
    ("bcjd", "璧城街道", "Bicheng Subdistrict", T),
    ("bqjd", "璧泉街道", "Biquan Subdistrict", T),
    ("lfjd", "来凤街道", "Laifeng Subdistrict", T),
    ("qgjd", "青杠街道", "Qinggang Subdistrict", T),
    ("djjd", "丁家街道", "Dingjia Subdistrict", T),
    ("dljd", "大路街道", "Dalu Subdistrict", T),
    ("hbz", "河边镇", "Hebian Town", T),
    ("flz", "福禄镇", "Fulu Town", T),
    ("dxz", "大兴镇", "Daxing Town", T),
    ("zxz", "正兴镇", "Zhengxing Town", T),
    ("gpz", "广普镇", "Guangpu Town", T),
    ("shz", "三合镇", "Sanhe Town", T),
    ("btz", "八塘镇", "Batang Town", T),
    ("qtz", "七塘镇", "Qitang Town", T),
    ("jlz", "健龙镇", "Jianlong Town", T),
]

# username, role, department code (None for district-wide roles)
USERS = [
    ("fgw_editor", "editor", "fgw"),
    ("fgw_publisher", "publisher", "fgw"),
    ("fgw_admin", "department_admin", "fgw"),
    ("scjgj_editor", "editor", "scjgj"),
    ("scjgj_publisher", "publisher", "scjgj"),
    ("czj_editor", "editor", "czj"),
    ("czj_publisher", "publisher", "czj"),
    ("oversight", "oversight", None),
    ("legality_reviewer", "legality_reviewer", None),
]

_loaders = []


def register_loader(loader):
    """Registries call this from ``ready()`` with a function ``loader(stdout)`` that creates
    their demo records idempotently."""
    if loader not in _loaders:
        _loaders.append(loader)


def synthetic_uscc(serial):
    """A synthetic credit code for a government organ (category 11) of Bishan District."""
    first17 = f"11500120MB{serial:07d}"
    return first17 + uscc_check_character(first17)


@transaction.atomic
def load_core():
    from registry.models import Department
    from registry.services.roles import grant_role

    office = None
    for serial, (code, name_zh, name_en, kind) in enumerate(DEPARTMENTS, start=1):
        department, _ = Department.objects.update_or_create(
            code=code,
            defaults={
                "name_zh": name_zh,
                "name_en": name_en,
                "kind": kind,
                "uscc": synthetic_uscc(serial),
                "parent": None if kind == DepartmentKind.DISTRICT_OFFICE else office,
            },
        )
        if kind == DepartmentKind.DISTRICT_OFFICE:
            office = department
    User = get_user_model()
    if not User.objects.filter(username="admin").exists():
        User.objects.create_superuser("admin", password=DEMO_PASSWORD)
    for username, role, code in USERS:
        # (.invalid: a reserved domain no message can reach, RFC 2606; the deadline digest
        # writes to publishers' addresses, by default on the console.)
        user, created = User.objects.get_or_create(
            username=username, defaults={"email": f"{username}@demo.invalid"}
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
            grant_role(user, role, Department.objects.get(code=code) if code else None)


def load_all(stdout=None):
    load_core()
    for loader in _loaders:
        loader(stdout)


@contextmanager
def as_of(day, hour=10):
    """Run demo-building code as if it were ``day`` at ``hour`` in Asia/Shanghai, so that
    historical records pass through the same service functions and rules as live ones."""
    moment = datetime.datetime.combine(day, datetime.time(hour), tzinfo=SHANGHAI)
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield

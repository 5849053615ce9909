"""What the benchmark cases need from the database they run against: the department they
page through, an editor's token, the cursor of a deep page, search terms. Read (and the
editor created) through the ORM, so any registry database serves, generated or not."""

import base64
import dataclasses
from urllib.parse import urlencode

from django.contrib.auth import get_user_model
from django.db.models import Count
from rest_framework.authtoken.models import Token

from enforcement.choices import PartyKind
from enforcement.models import EnforcementAction, EnforcementPower
from registry.choices import Role
from registry.models import Department
from registry.services import roles

EDITOR = "bench-editor"
DEEP_PAGE_DEPTH = 50_000


@dataclasses.dataclass(frozen=True)
class Context:
    department: str  # code of the department with the most public enforcement decisions
    department_rows: int  # its public enforcement decisions
    editor_token: str  # an editor of that department
    deep_cursor: str  # the cursor of the page after the first DEEP_PAGE_DEPTH rows (or less)
    deep_depth: int  # how deep that page starts
    search_rare: str  # a substring of one organisation's name
    search_common: str  # a substring of many organisations' names
    power_id: int  # a public power of the department (for creates)
    body_id: int  # the body of that power


def keyset_cursor(position):
    """The cursor ``KeysetPagination`` issues for the page after the row with id
    ``position`` (DRF's cursor format: base64 of ``p=<position>``)."""
    return base64.b64encode(urlencode({"p": str(position)}).encode()).decode()


def rare_term(names):
    """Four characters of one organisation's trade name (字号 and trade: "光美餐饮" of
    "重庆市光美餐饮管理股份有限公司"), which few other names contain."""
    for name in names:
        if name.startswith("重庆市") and not name.startswith("重庆市璧山区") and len(name) > 7:
            return name[3:7]
    return names[0][:4]


def editor_token(department):
    user, created = get_user_model().objects.get_or_create(username=EDITOR)
    if created:
        roles.grant_role(user, Role.EDITOR, department)
    return Token.objects.get_or_create(user=user)[0].key


def build():
    public = EnforcementAction.objects.public()
    largest = (
        public.values("department")
        .annotate(rows=Count("id"))
        .order_by("-rows", "department")
        .first()
    )
    department = Department.objects.get(pk=largest["department"])
    rows = largest["rows"]
    listed = public.filter(department=department).order_by("-id")
    depth = min(DEEP_PAGE_DEPTH, max(rows - 50, 0))
    position = listed.values_list("id", flat=True)[depth - 1] if depth else None
    organisations = (
        public.exclude(party_kind=PartyKind.NATURAL_PERSON)
        .order_by("id")
        .values_list("party_name", flat=True)[rows // 2 : rows // 2 + 200]
    )
    power = EnforcementPower.objects.public().filter(department=department).order_by("id")[0]
    return Context(
        department=department.code,
        department_rows=rows,
        editor_token=editor_token(department),
        deep_cursor=keyset_cursor(position) if position else "",
        deep_depth=depth,
        search_rare=rare_term(organisations),
        search_common="有限公司",
        power_id=power.pk,
        body_id=power.body_id,
    )

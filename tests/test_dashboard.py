"""The dashboard page (issue 10) over the demo data: served to everyone with no inline
script and nothing from outside, its chart data equal to counts made independently (Python
over the records), computed in a fixed number of queries; the vendored ECharts keeps its
licence. That the charts are drawn is checked in a real browser by ``make browser-check``
(tests/browser/check_pages.py)."""

import datetime
import json
import re
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.staticfiles import finders
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dashboard import data
from decisions.models import Comment, Consultation
from enforcement.choices import ActionKind
from enforcement.models import EnforcementAction
from fiscal.models import DebtReport
from registry.compliance import registration
from tests.test_annual_report import PublicView, record_models
from tests.world import demo_data_world

ROOT = Path(__file__).resolve().parent.parent
VENDORED = ROOT / "dashboard/static/dashboard/echarts"


world = demo_data_world()


@pytest.fixture
def demo(world, db):
    return world


class Scripts(HTMLParser):
    """The page's <script> elements (attributes, text) and the elements with data-chart."""

    def __init__(self):
        super().__init__()
        self.scripts, self.charts, self._in_script = [], [], None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script":
            self._in_script = [attrs, ""]
            self.scripts.append(self._in_script)
        if "data-chart" in attrs:
            self.charts.append(attrs["data-chart"])

    def handle_data(self, text):
        if self._in_script is not None:
            self._in_script[1] += text

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = None


def page(client=None, **headers):
    response = (client or Client()).get("/dashboard/", **headers)
    assert response.status_code == 200, response.content[:300]
    parsed = Scripts()
    parsed.feed(response.content.decode())
    return response, parsed


def test_the_page_runs_only_its_own_scripts(demo):
    response, parsed = page()
    assert response["Content-Type"].startswith("text/html")
    policy = response["Content-Security-Policy"]
    script_src = re.search(r"script-src ([^;]*)", policy).group(1)
    assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src
    sources = [attrs["src"] for attrs, _text in parsed.scripts if "src" in attrs]
    assert [src.rsplit("/", 1)[-1] for src in sources] == [
        "echarts.common.min.js",
        "dashboard.js",
    ]
    assert all(src.startswith(settings.STATIC_URL) for src in sources)
    inline = [(attrs, text) for attrs, text in parsed.scripts if "src" not in attrs]
    # the only inline element is the JSON data, which the browser never runs
    assert [attrs for attrs, _text in inline] == [
        {"id": "dashboard-data", "type": "application/json"}
    ]
    embedded = json.loads(inline[0][1])
    assert set(parsed.charts) == {"scorecards", "published", "enforcement", "debt", "consultations"}
    assert set(parsed.charts) <= set(embedded)
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", response.content.decode())


def test_vendored_echarts_keeps_its_licences():
    for name in (
        "LICENSE-echarts.txt",
        "NOTICE-echarts.txt",
        "LICENSE-zrender.txt",
        "LICENSE-d3.txt",
        "LICENSE-tslib.txt",
    ):
        assert (VENDORED / name).stat().st_size > 100, name
    assert "Apache License" in (VENDORED / "LICENSE-echarts.txt").read_text()
    assert "Apache ECharts" in (VENDORED / "NOTICE-echarts.txt").read_text()
    script = (VENDORED / "echarts.common.min.js").read_text()
    assert 'version="6.1.0"' in script
    # no eval under the CSP: the build never constructs code from text
    assert "new Function" not in script and "eval(" not in script
    assert finders.find("dashboard/echarts/LICENSE-echarts.txt")


def test_chart_data_match_counts_made_from_the_records(demo):
    today = timezone.localdate()
    built = data.dashboard(today)
    view = PublicView()
    months = built["published"]["months"]
    assert len(months) == 12 and months[-1] == today.strftime("%Y-%m")

    # records published per month and registry
    expected = Counter()
    for prefix, model in record_models():
        for record in model.objects.filter(published_at__isnull=False):
            month = timezone.localtime(record.published_at).strftime("%Y-%m")
            if month in months and view.counted(prefix, record):
                expected[model._meta.app_label, month] += 1
    names = {
        "重大行政决策": "decisions",
        "行政执法公示": "enforcement",
        "财政和债务信息公开": "fiscal",
    }
    found = Counter()
    for series in built["published"]["series"]:
        for month, count in zip(months, series["data"], strict=True):
            if count:
                found[names[series["name"]], month] = count
    assert found == expected and sum(expected.values()) > 0

    # enforcement decisions per month of decision and kind
    expected = Counter()
    for action in EnforcementAction.objects.filter(status="published"):
        month = action.decision_date.strftime("%Y-%m")
        if month in months and view.counted("enforcement-actions", action):
            expected[str(ActionKind(action.kind).label), month] += 1
    found = Counter()
    for series in built["enforcement"]["series"]:
        for month, count in zip(months, series["data"], strict=True):
            if count:
                found[series["name"], month] = count
    assert found == expected and sum(expected.values()) > 0

    # debt: per year the latest reporting point published
    rank = {"budget": 1, "mid_year_adjustment": 2, "final_accounts": 3}
    latest = {}
    for report in DebtReport.objects.all():
        if view.status("debt-reports", report.pk) != 200:
            continue
        if (
            report.year not in latest
            or rank[report.reporting_point] > rank[latest[report.year].reporting_point]
        ):
            latest[report.year] = report
    years = sorted(latest)
    assert built["debt"]["years"] == [str(year) for year in years] and years
    assert built["debt"]["balance"] == [
        round(float(latest[y].total_balance) / 1e8, 2) for y in years
    ]
    assert built["debt"]["debt_ratio"] == [round(float(latest[y].debt_ratio), 2) for y in years]
    assert built["debt"]["points"][-1] == latest[years[-1]].get_reporting_point_display()

    # the ten most recent public consultations and their comments
    public = [
        c
        for c in Consultation.objects.filter(opens_on__lte=today)
        if view.status("consultations", c.pk) == 200
    ]
    public.sort(key=lambda c: (c.opens_on, c.pk))
    recent = public[-data.CONSULTATIONS :]
    assert built["consultations"]["names"] == [c.name for c in recent]
    assert built["consultations"]["received"] == [
        Comment.objects.filter(consultation=c).count() for c in recent
    ]
    assert built["consultations"]["shown"] == [
        sum(1 for m in Comment.objects.filter(consultation=c) if m.status == "published")
        for c in recent
    ]
    assert sum(built["consultations"]["received"]) > 0


def test_scorecards_add_up_the_compliance_counts(demo):
    """Each department's card holds the listed (shortfall) measures of every check that
    applies to it, as the compliance API counts them."""
    from rest_framework.test import APIClient

    today = timezone.localdate()
    cards = {card["code"]: card for card in data.scorecards(today)["cards"]}
    counts = APIClient().get("/api/v1/compliance/", {"year": today.year}).json()
    checks = counts["checks"]
    expected = {}
    for check in checks:
        listed = [m["code"] for m in check["measures"] if m["listed"]]
        for entry in check["departments"]:
            card = expected.setdefault(entry["department"], {"checks": 0, "shortfalls": 0})
            card["checks"] += 1
            card["shortfalls"] += sum(entry["counts"][code] for code in listed)
    assert {
        code: {"checks": c["checks"], "shortfalls": c["shortfalls"]} for code, c in cards.items()
    } == expected
    assert any(card["shortfalls"] for card in cards.values())
    chart = data.scorecards(today)["chart"]
    assert sum(sum(series["data"]) for series in chart["series"]) == sum(
        card["shortfalls"] for card in cards.values()
    )


def test_a_fixed_number_of_queries(demo):
    """One query per chart, and one per compliance check plus the departments' names for
    the scorecards, whatever the data."""
    with CaptureQueriesContext(connection) as queries:
        data.dashboard()
    assert len(queries.captured_queries) == 4 + len(registration.checks()) + 1


def test_the_data_are_computed_once_a_minute(demo):
    """A second visit within the minute reads nothing from the database; another language's
    data are computed anew."""
    page()
    with CaptureQueriesContext(connection) as queries:
        page()
    assert len(queries.captured_queries) == 0
    with CaptureQueriesContext(connection) as queries:
        page(HTTP_ACCEPT_LANGUAGE="en")
    assert len(queries.captured_queries) == 4 + len(registration.checks()) + 1


def test_oversight_gets_links_to_the_records_behind_a_shortfall(demo):
    anonymous, _ = page()
    assert b"/api/v1/compliance/" not in anonymous.content.split(b"<footer")[0]
    client = Client()
    client.force_login(get_user_model().objects.get(username="oversight"))
    overseen, _ = page(client)
    year = timezone.localdate().year
    links = re.findall(rb'href="(/api/v1/compliance/[^"]+)"', overseen.content)
    assert links and all(f"year={year}".encode() in link for link in links)
    first = links[0].decode().replace("&amp;", "&")
    detail = client.get(first)
    assert detail.status_code == 200, detail.content[:300]


def test_english_page(demo):
    response, _ = page(HTTP_ACCEPT_LANGUAGE="en")
    text = response.content.decode()
    assert '<html lang="en">' in text
    assert "<title>Open government data dashboard</title>" in text


def test_month_starts_cross_the_year():
    assert data.month_starts(datetime.date(2026, 2, 15), 3) == [
        datetime.date(2025, 12, 1),
        datetime.date(2026, 1, 1),
        datetime.date(2026, 2, 1),
    ]

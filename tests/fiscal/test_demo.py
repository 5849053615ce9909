"""The fiscal demo data covers what the issue asks for."""

import pytest
from django.core.management import call_command
from django.utils import timezone

from fiscal.models import Bond, DebtReport, InvestmentProject


@pytest.mark.django_db
def test_demo_figures_projects_and_bonds(client_for):
    call_command("load_demo")
    today = timezone.localdate()
    years = set(DebtReport.objects.values_list("year", flat=True))
    assert years == set(range(2019, today.year + 1))
    assert DebtReport.objects.filter(special_over_limit=True).exists()
    school = InvestmentProject.objects.get(category="school", total_investment="350000.00")
    ordinary = InvestmentProject.objects.get(category="other", total_investment="450000.00")
    assert school.disclosure_required and not ordinary.disclosure_required
    assert InvestmentProject.objects.filter(disclosure_required=True, status="draft").exists()
    assert Bond.objects.count() >= 3
    overdue = client_for("anonymous").get("/api/v1/bonds/?disclosure_overdue=true").json()
    assert len(overdue["results"]) == 1
    trend = client_for("anonymous").get("/api/v1/debt-reports/trend/?indicator=total_balance")
    assert len(trend.json()) == len([y for y in years if y < today.year])
    call_command("verify_audit")

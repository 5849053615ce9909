"""The demo data set covers what the issue asks for, built through the same rules."""

import pytest
from django.core.management import call_command

from decisions.choices import Confidentiality, Stage
from decisions.models import AdoptionReport, Catalogue, Comment, Consultation, Decision


@pytest.mark.django_db
def test_demo_covers_every_state(client_for):
    call_command("load_demo")
    assert Catalogue.objects.count() == 3
    assert set(Decision.objects.values_list("stage", flat=True)) == set(Stage.values)
    assert set(Decision.objects.values_list("confidentiality", flat=True)) == set(
        Confidentiality.values
    )
    open_now = [c for c in Consultation.objects.all() if c.is_open()]
    assert len(open_now) == 1
    assert set(
        Comment.objects.filter(consultation=open_now[0]).values_list("status", flat=True)
    ) == {"pending", "published", "rejected"}
    assert AdoptionReport.objects.filter(status="published").count() >= 3
    assert Consultation.objects.exclude(shortening_reason="").filter(status="published").exists()
    call_command("verify_audit")
    listed = client_for("anonymous").get("/api/v1/decisions/?page_size=100").json()["results"]
    assert len(listed) == Decision.objects.public().count() == 13

"""The versioning policy: deprecated paths announce themselves with Deprecation, Sunset and
Link headers; a sunset less than six months after the notice is refused."""

import datetime

import pytest

from registry.api.deprecation import DEPRECATIONS, Deprecation


def test_policy_refuses_short_notice():
    with pytest.raises(ValueError, match="six months"):
        Deprecation(r"^/api/v1/x/", datetime.date(2026, 1, 1), datetime.date(2026, 5, 1), "x")


def test_announced_deprecations_respect_the_policy():
    for entry in DEPRECATIONS:
        assert (entry.sunset - entry.announced).days >= 183


@pytest.mark.django_db
def test_headers_on_deprecated_paths_only(client, settings):
    settings.REGISTRY_DEPRECATIONS = (
        Deprecation(
            r"^/api/v1/departments/",
            datetime.date(2026, 11, 1),
            datetime.date(2027, 6, 1),
            "2026-11-01-departments",
        ),
    )
    response = client.get("/api/v1/departments/")
    assert response["Deprecation"] == "@1793491200"
    assert response["Sunset"] == "Tue, 01 Jun 2027 00:00:00 GMT"
    assert 'rel="deprecation"' in response["Link"]
    assert "Deprecation" not in client.get("/healthz")

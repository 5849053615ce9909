"""Security settings that hold for every deployment: sign-in attempts are limited per
address, HSTS is sent over TLS, errors are JSON without Django's debug pages, size limits
are named in their errors, and the secret key comes from the environment."""

import re

import pytest
from django.conf import settings as django_settings
from django.test import Client
from rest_framework.test import APIClient

from registry.ratelimits.models import Counter

pytestmark = pytest.mark.django_db

TOKEN = "/api/v1/auth/token/"


def token_login(client, password):
    return client.post(TOKEN, {"username": "editor", "password": password}, format="json")


def test_sign_in_attempts_are_limited_per_address_token_and_admin_together(users, settings):
    settings.REGISTRY_LOGIN_RATE = "3/minute"
    client = APIClient()
    assert [token_login(client, "guess").status_code for _ in range(2)] == [400, 400]
    admin = Client()
    assert admin.get("/admin/login/").status_code == 200  # showing the form is not counted
    assert admin.post("/admin/login/", {"username": "editor", "password": "x"}).status_code == 200
    assert Counter.objects.get(key__endswith="login:ip:127.0.0.1/60").count == 3
    # The fourth attempt, right password or not, waits.
    limited = token_login(client, "pw-editor")
    assert limited.status_code == 429 and int(limited["Retry-After"]) > 0
    assert limited.json()["detail"]
    refused = admin.post("/admin/login/", {"username": "editor", "password": "pw-editor"})
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    assert "登录尝试过于频繁" in refused.content.decode()
    # Another address is not held up.
    other = APIClient(REMOTE_ADDR="203.0.113.9")
    assert token_login(other, "pw-editor").status_code == 200


def test_hsts_over_tls_only(client):
    assert "Strict-Transport-Security" not in client.get("/healthz")
    secure = client.get("/healthz", secure=True)
    assert secure["Strict-Transport-Security"].startswith("max-age=31536000")
    assert secure["X-Content-Type-Options"] == "nosniff"


def test_errors_are_json_never_debug_pages(settings):
    assert not django_settings.DEBUG
    client = Client(raise_request_exception=False)
    from django.urls import path

    def broken(request):
        raise RuntimeError("a bug with a secret-looking value 500227199001011234")

    import registry.urls

    settings.ROOT_URLCONF = type(
        "Urls", (), {"urlpatterns": [path("boom", broken)], "handler500": registry.urls.handler500}
    )
    response = client.get("/boom")
    assert response.status_code == 500
    assert response["Content-Type"].startswith("application/json")
    body = response.content.decode()
    assert "Traceback" not in body and "500227199001011234" not in body
    assert response.json()["detail"]


def test_the_secret_key_comes_from_the_environment(monkeypatch):
    from registry import settings as registry_settings

    monkeypatch.setenv("DJANGO_SECRET_KEY", "from-the-environment")
    assert registry_settings._secret_key() == "from-the-environment"


def test_size_limits_are_named(client_for, departments):
    client = client_for("editor")
    body = {"department": "fgw", "name": "字" * (1024 * 1024), "date_made": "2026-11-02"}
    too_big = client.post("/api/v1/test-notices/", body, format="json")
    assert too_big.status_code == 413
    assert str(django_settings.DATA_UPLOAD_MAX_MEMORY_SIZE) in too_big.json()["detail"]
    many = client.get("/api/v1/test-notices/?" + "&".join(["status=draft"] * 1001))
    assert many.status_code == 400
    assert str(django_settings.DATA_UPLOAD_MAX_NUMBER_FIELDS) in many.json()["detail"]


def _policy(response):
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split("; ")}


@pytest.mark.parametrize("path", ["/api/docs/", "/api/redoc/", "/graphql/"])
def test_docs_pages_run_only_their_own_scripts(db, client, path):
    """The documentation pages carry a Content-Security-Policy: scripts from the registry
    itself, or inline ones with this response's nonce; no eval, no plugins, no framing. (The
    browser check, tests/browser/check_pages.py, renders them under it.)"""
    response = client.get(path, HTTP_ACCEPT="text/html")
    assert response.status_code == 200
    policy = _policy(response)
    assert policy["default-src"] == ["'self'"]
    assert "'unsafe-inline'" not in policy["script-src"]
    assert "'unsafe-eval'" not in policy["script-src"]
    assert policy["object-src"] == policy["frame-ancestors"] == ["'none'"]
    html = response.content.decode()
    nonces = [s.removeprefix("'nonce-").rstrip("'") for s in policy["script-src"][1:]]
    for script in re.findall(r"<script\b[^>]*>", html):
        if "src=" in script or 'type="application/json"' in script:
            continue
        assert nonces and f'nonce="{nonces[0]}"' in script, script  # inline: this nonce
    if path == "/api/docs/":  # Swagger UI's own script comes from the same URL
        script = client.get(path, {"script": ""})
        assert script.status_code == 200 and script["Content-Type"] == "application/javascript"


def test_api_responses_carry_the_policy(db, client):
    response = client.get("/api/v1/")
    assert _policy(response)["frame-ancestors"] == ["'none'"]
    assert "nonce" not in response["Content-Security-Policy"]  # no page, no nonce


def test_uploads_are_refused_beyond_their_limit_before_they_are_read(
    client_for, departments, settings, tmp_path
):
    """Files do not count towards DATA_UPLOAD_MAX_MEMORY_SIZE: a multipart body over
    REGISTRY_UPLOAD_MAX_BYTES is a 413 naming the limit, and nothing of it is stored."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.REGISTRY_UPLOAD_MAX_BYTES = 4096
    settings.FILE_UPLOAD_TEMP_DIR = tmp_path
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 0  # any file read would land in tmp_path
    upload = SimpleUploadedFile("import.csv", b"x" * 8192, "text/csv")
    response = client_for("editor").post(
        "/api/v1/enforcement-actions/bulk-import/", {"file": upload}, format="multipart"
    )
    assert response.status_code == 413, response.content
    assert "4096" in response.json()["detail"]
    assert list(tmp_path.iterdir()) == []
    small = SimpleUploadedFile("import.csv", b"body,power\n", "text/csv")
    response = client_for("editor").post(
        "/api/v1/enforcement-actions/bulk-import/", {"file": small}, format="multipart"
    )
    assert response.status_code == 400  # read, and refused for what it says

"""Test settings: the real settings plus a minimal concrete record type used only by the
tests to pin the behaviour of the record base, the workflow and the permission path."""

import os
import tempfile
from pathlib import Path

from registry.settings import *  # noqa: F403

INSTALLED_APPS = [*INSTALLED_APPS, "tests.recordapp.apps.RecordAppConfig"]  # noqa: F405
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Static files are served from the apps' folders in tests (no collectstatic run needed).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405

# A test database per run, so that two suites (two developers, or CI and a developer) can
# run side by side against the same cluster.
DATABASES["default"]["TEST"] = {"NAME": f"test_registry_{os.getpid()}"}  # noqa: F405

# Snapshot archives of a test run go to a directory of their own.
REGISTRY_EXPORT_ROOT = Path(tempfile.mkdtemp(prefix="registry-exports-"))

# Rate limits never get in the way of the suite (tests/test_rate_limits.py sets small ones);
# counting is in PostgreSQL whatever the environment says.
REGISTRY_RATE_LIMITS = {"anonymous": "100000/minute", "keyed": "100000/minute"}
REGISTRY_RATE_LIMIT_REDIS_URL = ""

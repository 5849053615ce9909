"""The English catalog (locale/en) is complete and is used when a client asks for English.

msgids are Simplified Chinese in the source; ``make messages`` regenerates
``locale/en/LC_MESSAGES/django.po`` and compiles the committed ``django.mo``."""

import ast
import re
from pathlib import Path

import pytest
from django.utils import translation
from rest_framework.test import APIClient

ROOT = Path(__file__).resolve().parent.parent
PROJECT_PACKAGES = ["registry", "api_docs", "dashboard", "decisions", "enforcement", "fiscal"]
CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]")

# Name of the marking function -> (index of the context argument or None, index of the
# msgid, index of the plural msgid or None).
MARKERS = {
    "_": (None, 0, None),
    "gettext": (None, 0, None),
    "gettext_lazy": (None, 0, None),
    "gettext_noop": (None, 0, None),
    "pgettext": (0, 1, None),
    "pgettext_lazy": (0, 1, None),
    "ngettext": (None, 0, 1),
    "ngettext_lazy": (None, 0, 1),
    "npgettext": (0, 1, 2),
    "npgettext_lazy": (0, 1, 2),
}


def _project_sources():
    for package in PROJECT_PACKAGES:
        directory = ROOT / package
        if not directory.is_dir():
            continue
        for path in sorted(directory.rglob("*.py")):
            if "migrations" not in path.relative_to(ROOT).parts:
                yield path


def _literal(call, index):
    if index is None or index >= len(call.args):
        return None
    node = call.args[index]
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def _marked_messages():
    """Yield (location, context, msgid, plural) for every literal marked for translation."""
    for path in _project_sources():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        in_fstring = {
            id(inner)
            for outer in ast.walk(tree)
            if isinstance(outer, ast.JoinedStr)
            for inner in ast.walk(outer)
        }
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
            if name not in MARKERS:
                continue
            context_at, msgid_at, plural_at = MARKERS[name]
            msgid = _literal(node, msgid_at)
            if msgid is None:
                continue
            location = f"{path.relative_to(ROOT)}:{node.lineno}"
            if id(node) in in_fstring:
                location += (
                    " [inside an f-string, which makemessages cannot extract: move the call out]"
                )
            yield location, _literal(node, context_at), msgid, _literal(node, plural_at)


def _is_translated(context, msgid, plural):
    if plural is not None:
        if context is not None:
            forms = [translation.npgettext(context, msgid, plural, n) for n in (1, 2)]
        else:
            forms = [translation.ngettext(msgid, plural, n) for n in (1, 2)]
        return forms != [msgid, plural] and all(forms)
    if context is not None:
        return translation.pgettext(context, msgid) != msgid
    return translation.gettext(msgid) != msgid


@pytest.fixture(autouse=True)
def _keep_active_language():
    """Requests activate their language in this thread; do not leak it into other tests."""
    with translation.override(translation.get_language()):
        yield


def test_every_chinese_msgid_has_an_english_translation():
    messages = list(_marked_messages())
    assert len(messages) > 50, "the scan found almost no marked strings: is it broken?"
    untranslated = {}
    with translation.override("en"):
        for location, context, msgid, plural in messages:
            if not CJK.search(msgid + (plural or "")):
                continue
            if not _is_translated(context, msgid, plural):
                untranslated.setdefault(msgid, []).append(location)
    assert not untranslated, (
        f"{len(untranslated)} msgid(s) have no English translation in "
        "locale/en/LC_MESSAGES/django.mo. Run `make messages`, fill in the empty (or fuzzy) "
        "msgstr entries of locale/en/LC_MESSAGES/django.po, run `make messages` again to "
        "compile, and commit both files:\n"
        + "\n".join(
            f"  {msgid!r}  ({', '.join(locations)})" for msgid, locations in untranslated.items()
        )
    )


def _page_size_error(**headers):
    response = APIClient().get("/api/v1/test-notices/?page_size=0", **headers)
    assert response.status_code == 400, response.content
    return response.json()["detail"]


def test_api_errors_follow_accept_language(db):
    english = _page_size_error(HTTP_ACCEPT_LANGUAGE="en")
    assert "page_size" in english
    assert not CJK.search(english), english

    for headers in ({}, {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}):
        chinese = _page_size_error(**headers)
        assert "page_size" in chinese
        assert CJK.search(chinese), (headers, chinese)


def test_admin_is_chinese_by_default(db):
    client = APIClient()
    page = client.get("/admin/login/")
    assert page.status_code == 200
    assert "政务公开登记系统" in page.content.decode()

    english = client.get("/admin/login/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "政务公开登记系统" not in english
    assert "Government Transparency Registry" in english

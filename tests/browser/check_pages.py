#!/usr/bin/env python3
"""Check that the API documentation pages render in a real browser with no outside network.

Usage::

    python tests/browser/check_pages.py BASE_URL [--artifacts DIR]

e.g. ``python tests/browser/check_pages.py http://127.0.0.1:8765``. BASE_URL must be a
loopback address (127.0.0.0/8, localhost or [::1]) of a running server.

For each of Swagger UI (/api/docs/), Redoc (/api/redoc/) and GraphiQL (/graphql/):

1. The page's HTML is fetched with urllib (``Accept: text/html``): it must answer 200, and no
   src/href of a <script>, <link>, <img>, <iframe>, <source> or <embed> may point at an
   http(s) or protocol-relative URL whose host is not loopback.
2. Debian's headless Chromium (/usr/bin/chromium) opens the page with every non-loopback
   request blocked (host resolver maps every other name to NOTFOUND, and all other traffic is
   sent to a dead proxy on 127.0.0.1:9, so nothing leaves the machine), waits for up to
   --budget ms of virtual time, dumps the DOM after the page's JavaScript ran and takes a
   1366x768 screenshot. The DOM must show the rendered app (not just the empty shell the
   server sends): Swagger UI's operation blocks and title, Redoc's API content and title,
   GraphiQL's container and editors.
3. Chromium's net log must show no request that the page itself started to a non-loopback
   host, except the --allow-external prefixes (by default only Redoc's attribution logo,
   which redoc.standalone.js hard-codes and hides itself when it fails to load).

Prints one PASS/FAIL line per page, then "browser: N passed, N failed". Exit status: 0 when
every page passed, 1 when any failed, 2 when the check could not run (no Chromium, bad
arguments, server not reachable within --wait seconds).

Standard library only: it runs in CI without extra packages.
"""

from __future__ import annotations

import argparse
import ipaddress
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

DEFAULT_CHROMIUM = "/usr/bin/chromium"
# Loaded by redoc.standalone.js itself (the "API docs by Redocly" footer image); the <img> has
# an onError handler that removes it, so the page works without it.
DEFAULT_ALLOWED_EXTERNAL = ("https://cdn.redoc.ly/redoc/logo-mini.svg",)
BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
RESOURCE_ATTRS = {
    "script": ("src",),
    "link": ("href",),
    "img": ("src", "srcset"),
    "iframe": ("src",),
    "source": ("src", "srcset"),
    "embed": ("src",),
}
NOISE = ("dbus/", "/usr/bin/chromium: ", "vaapi_wrapper", "sandbox_linux", "idle_linux")


# --------------------------------------------------------------------------- helpers


def is_loopback_host(host: str | None) -> bool:
    if not host:
        return False
    host = host.strip("[]").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def external_url(url: str) -> bool:
    """True if loading ``url`` would reach a host other than this machine's loopback."""
    url = url.strip()
    parsed = urllib.parse.urlsplit(url)
    if parsed.scheme in ("http", "https", "ws", "wss") or (
        not parsed.scheme and url.startswith("//")
    ):
        return not is_loopback_host(parsed.hostname)
    return False


class PageParser(HTMLParser):
    """Collects resource URLs, class names, <title> and h1/h2 texts of an HTML document."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.resources: list[tuple[str, str, str]] = []  # (tag, attribute, url)
        self.classes: dict[str, int] = {}
        self.title = ""
        self.headings: list[str] = []
        self.body_text: list[str] = []
        self._in_title = False
        self._heading: list[str] | None = None
        self._heading_tag = ""
        self._heading_depth = 0
        self._skip = 0  # inside <script>/<style>/<noscript>/<template>

    def handle_starttag(self, tag, attrs):
        attrs_d = dict(attrs)
        for name in RESOURCE_ATTRS.get(tag, ()):
            value = attrs_d.get(name)
            if not value:
                continue
            urls = [part.split()[0] for part in value.split(",") if part.strip()]
            urls = urls if name == "srcset" else [value]
            self.resources.extend((tag, name, u) for u in urls)
        for token in (attrs_d.get("class") or "").split():
            self.classes[token] = self.classes.get(token, 0) + 1
        if tag == "title":
            self._in_title = True
        elif tag in ("script", "style", "noscript", "template"):
            self._skip += 1
        elif tag in ("h1", "h2"):
            if self._heading is None:
                self._heading, self._heading_tag, self._heading_depth = [], tag, 1
            elif tag == self._heading_tag:
                self._heading_depth += 1

    def handle_endtag(self, tag):
        if tag == "title":
            self._in_title = False
        elif tag in ("script", "style", "noscript", "template"):
            self._skip = max(0, self._skip - 1)
        elif self._heading is not None and tag == self._heading_tag:
            self._heading_depth -= 1
            if self._heading_depth == 0:
                self.headings.append(" ".join("".join(self._heading).split()))
                self._heading = None

    def handle_data(self, data):
        if self._in_title:
            self.title += data
            return
        if self._skip:
            return
        self.body_text.append(data)
        if self._heading is not None:
            self._heading.append(data)

    @property
    def text(self) -> str:
        return " ".join(" ".join(self.body_text).split())


def parse_html(html: str) -> PageParser:
    parser = PageParser()
    parser.feed(html)
    parser.close()
    parser.title = " ".join(parser.title.split())
    return parser


def fetch(url: str, timeout: float = 30) -> tuple[int, str, str]:
    """GET ``url`` like a browser navigation; returns (status, content type, body)."""
    request = urllib.request.Request(url, headers={"Accept": BROWSER_ACCEPT})
    # A proxy set in the environment must not be used for a loopback server.
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(request, timeout=timeout) as response:
            body = response.read().decode(
                response.headers.get_content_charset() or "utf-8", "replace"
            )
            return response.status, response.headers.get("Content-Type", ""), body
    except urllib.error.HTTPError as exc:
        body = exc.read().decode("utf-8", "replace")
        return exc.code, exc.headers.get("Content-Type", ""), body


def wait_for_server(base_url: str, seconds: float) -> str | None:
    """Poll ``base_url`` until it answers at all; returns an error text if it never did."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            fetch(base_url + "/", timeout=5)
            return None
        except (urllib.error.URLError, OSError) as exc:
            if time.monotonic() >= deadline:
                return f"{base_url}/ is not reachable: {getattr(exc, 'reason', exc)}"
            time.sleep(1)


# --------------------------------------------------------------------------- chromium


@dataclass
class BrowserRun:
    ok: bool
    dom: str = ""
    error: str = ""
    # (method, url) of every request the page itself started, from Chromium's net log
    page_requests: list[tuple[str, str]] = field(default_factory=list)
    netlog_error: str = ""


def chromium_flags(profile: str, base_host: str, budget_ms: int) -> list[str]:
    excluded = ["localhost", "127.0.0.1"]
    if base_host not in excluded:
        excluded.append(base_host)
    rules = "MAP * ~NOTFOUND, " + ", ".join(f"EXCLUDE {h}" for h in excluded)
    return [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--no-default-browser-check",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-default-apps",
        "--disable-extensions",
        "--disable-domain-reliability",
        "--no-pings",
        "--hide-scrollbars",
        "--mute-audio",
        f"--user-data-dir={profile}",
        f"--host-resolver-rules={rules}",
        # Anything not loopback (Chromium always bypasses the proxy for loopback) goes to a
        # proxy on the discard port, where nothing listens: the request fails on this machine.
        "--proxy-server=http://127.0.0.1:9",
        f"--virtual-time-budget={budget_ms}",
        "--window-size=1366,768",
    ]


def read_netlog(path: Path, origin: str) -> tuple[list[tuple[str, str]], str]:
    """Requests started by a document of ``origin`` (method, url), or an error text."""
    try:
        raw = path.read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        return [], f"no net log ({exc})"
    try:
        log = json.loads(raw)
    except json.JSONDecodeError:
        # A net log cut short (Chromium killed) lacks its closing brackets.
        try:
            log = json.loads(raw.rstrip().rstrip(",") + "]}")
        except json.JSONDecodeError as exc:
            return [], f"unreadable net log ({exc})"
    names = {v: k for k, v in log.get("constants", {}).get("logEventTypes", {}).items()}
    requests = []
    for event in log.get("events", []):
        if names.get(event.get("type")) != "URL_REQUEST_START_JOB":
            continue
        params = event.get("params") or {}
        if params.get("initiator") == origin and params.get("url"):
            requests.append((params.get("method", "GET"), params["url"]))
    return requests, ""


def run_chromium(
    chromium: str, url: str, screenshot: Path, budget_ms: int, timeout: float
) -> BrowserRun:
    parsed = urllib.parse.urlsplit(url)
    origin = f"{parsed.scheme}://{parsed.netloc}"
    profile = tempfile.mkdtemp(prefix="check-pages-chromium-")
    netlog = Path(profile) / "netlog.json"
    cmd = [chromium, *chromium_flags(profile, parsed.hostname or "", budget_ms)]
    cmd += [f"--log-net-log={netlog}", f"--screenshot={screenshot}", "--dump-dom", url]
    try:
        proc = subprocess.run(
            cmd,
            capture_output=True,
            text=True,
            errors="replace",
            timeout=timeout,
            stdin=subprocess.DEVNULL,
        )
    except subprocess.TimeoutExpired:
        shutil.rmtree(profile, ignore_errors=True)
        return BrowserRun(False, error=f"chromium did not finish within {timeout:.0f}s")
    try:
        requests, netlog_error = read_netlog(netlog, origin)
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    if proc.returncode != 0 or not proc.stdout.strip():
        lines = [
            ln for ln in proc.stderr.splitlines() if ln.strip() and not any(n in ln for n in NOISE)
        ]
        tail = " | ".join(lines[-3:]) or "no output"
        return BrowserRun(False, error=f"chromium exited {proc.returncode} without a DOM: {tail}")
    return BrowserRun(True, dom=proc.stdout, page_requests=requests, netlog_error=netlog_error)


# --------------------------------------------------------------------------- pages


# (problems, summary for the PASS line)
Verdict = tuple[list[str], str]


def contains_title(headings: list[str], title: str) -> bool:
    return any(title in heading for heading in headings)


def check_swagger(dom: PageParser, served: PageParser, _requests, _path: str) -> Verdict:
    title = served.title
    problems = []
    if "Failed to load API definition" in dom.text:
        problems.append("Swagger UI shows 'Failed to load API definition'")
    if not dom.classes.get("swagger-ui"):
        problems.append("no element with class 'swagger-ui' (Swagger UI did not start)")
    operations = dom.classes.get("opblock", 0)
    if not operations:
        problems.append("no operation block (class 'opblock') rendered")
    if title and not contains_title(dom.headings, title):
        problems.append(f"rendered headings do not show the API title {title!r}")
    return problems, f"{operations} operations, title {title!r}"


def check_redoc(dom: PageParser, served: PageParser, _requests, _path: str) -> Verdict:
    title = served.title
    problems = []
    if "Something went wrong" in dom.text:
        problems.append("Redoc shows 'Something went wrong'")
    if not dom.classes.get("api-content"):
        problems.append("no element with class 'api-content' (Redoc did not render the spec)")
    verbs = dom.classes.get("http-verb", 0)
    if not verbs:
        problems.append("no operation (class 'http-verb') rendered")
    if title and not contains_title(dom.headings, title):
        problems.append(f"rendered headings do not show the API title {title!r}")
    return problems, f"API content with operations, title {title!r}"


def check_graphiql(dom: PageParser, _served: PageParser, requests, path: str) -> Verdict:
    problems = []
    if not dom.classes.get("graphiql-container"):
        problems.append("no element with class 'graphiql-container' (GraphiQL did not render)")
    editors = dom.classes.get("CodeMirror", 0)
    if not editors:
        problems.append("no CodeMirror editor rendered")
    posts = [u for m, u in requests if m == "POST" and urllib.parse.urlsplit(u).path == path]
    if not posts:
        problems.append(f"GraphiQL sent no POST to {path} (schema introspection)")
    return problems, f"graphiql-container, {editors} editors, introspection POST sent"


PAGES = (
    ("swagger-ui", "/api/docs/", check_swagger),
    ("redoc", "/api/redoc/", check_redoc),
    ("graphiql", "/graphql/", check_graphiql),
)


def check_page(args, base_url: str, name: str, path: str, checker) -> tuple[bool, str]:
    url = base_url + path
    artifacts: Path = args.artifacts
    screenshot = artifacts / f"{name}.png"
    problems: list[str] = []

    try:
        status, content_type, html = fetch(url)
    except (urllib.error.URLError, OSError) as exc:
        return False, f"GET {url} failed: {getattr(exc, 'reason', exc)}"
    if status != 200:
        problems.append(f"GET {path} answered {status}")
    if "text/html" not in content_type:
        problems.append(f"GET {path} answered {content_type or 'no content type'}, not text/html")
    served = parse_html(html)
    for tag, attr, ref in served.resources:
        if external_url(ref):
            problems.append(f"served HTML loads <{tag} {attr}={ref!r}> from outside")

    if screenshot.exists():
        screenshot.unlink()
    run = run_chromium(args.chromium, url, screenshot, args.budget, args.timeout)
    if not run.ok:
        return False, "; ".join([*problems, run.error])
    (artifacts / f"{name}.dom.html").write_text(run.dom, encoding="utf-8")
    dom = parse_html(run.dom)

    page_problems, summary = checker(dom, served, run.page_requests, path)
    problems.extend(page_problems)

    allowed = tuple(args.allow_external)
    notes = []
    if run.netlog_error:
        problems.append(f"cannot tell which requests the page made: {run.netlog_error}")
    for method, req_url in dict.fromkeys(run.page_requests):
        if not external_url(req_url):
            continue
        if req_url.startswith(allowed):
            notes.append(f"allowed external request blocked: {req_url}")
        else:
            problems.append(f"page requested {method} {req_url} (blocked: not loopback)")

    if not screenshot.is_file() or screenshot.stat().st_size == 0:
        problems.append("no screenshot written")
    if problems:
        return False, "; ".join(problems) + f" [DOM: {artifacts / (name + '.dom.html')}]"
    detail = f"rendered: {summary}; screenshot {screenshot}"
    if notes:
        detail += "; " + "; ".join(notes)
    return True, detail


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Render the API doc pages in headless Chromium with no outside network."
    )
    parser.add_argument("base_url", help="e.g. http://127.0.0.1:8765 (loopback only)")
    parser.add_argument(
        "--artifacts",
        type=Path,
        default=Path("artifacts/browser"),
        help="where screenshots and dumped DOMs go (default: artifacts/browser)",
    )
    parser.add_argument(
        "--chromium",
        default=os.environ.get("CHROMIUM", DEFAULT_CHROMIUM),
        help=f"Chromium binary (default: $CHROMIUM or {DEFAULT_CHROMIUM})",
    )
    parser.add_argument(
        "--budget",
        type=int,
        default=15000,
        help="virtual time budget per page in ms (default: 15000)",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=120,
        help="wall-clock seconds allowed per Chromium run (default: 120)",
    )
    parser.add_argument(
        "--wait",
        type=float,
        default=0,
        help="seconds to wait for the server to answer before checking (default: 0)",
    )
    parser.add_argument(
        "--allow-external",
        action="append",
        metavar="URL_PREFIX",
        default=list(DEFAULT_ALLOWED_EXTERNAL),
        help="a URL prefix the page may try (and fail) to load at run time; repeatable "
        f"(always allowed: {', '.join(DEFAULT_ALLOWED_EXTERNAL)})",
    )
    args = parser.parse_args(argv)

    base_url = args.base_url.rstrip("/")
    parsed = urllib.parse.urlsplit(base_url)
    if parsed.scheme not in ("http", "https") or not is_loopback_host(parsed.hostname):
        print(
            f"error: BASE_URL must be http(s) on a loopback host, got {args.base_url!r}",
            file=sys.stderr,
        )
        return 2
    if not (os.path.isfile(args.chromium) and os.access(args.chromium, os.X_OK)):
        print(
            f"error: Chromium not found at {args.chromium}. Install Debian's package with "
            "'apt-get install -y chromium' (or pass --chromium PATH / set $CHROMIUM).",
            file=sys.stderr,
        )
        return 2
    if args.wait:
        error = wait_for_server(base_url, args.wait)
        if error:
            print(f"error: {error}", file=sys.stderr)
            return 2
    args.artifacts.mkdir(parents=True, exist_ok=True)

    passed = failed = 0
    for name, path, checker in PAGES:
        ok, detail = check_page(args, base_url, name, path, checker)
        print(f"{'PASS' if ok else 'FAIL'} {name} {path}: {detail}", flush=True)
        passed += ok
        failed += not ok
    print(f"browser: {passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Check that the API documentation pages render in a real browser with no outside network.

Usage::

    python tests/browser/check_pages.py BASE_URL [--artifacts DIR]

e.g. ``python tests/browser/check_pages.py http://127.0.0.1:8765``. BASE_URL must be a
loopback address (127.0.0.0/8, localhost or [::1]) of a running server.

For each of Swagger UI (/api/docs/), Redoc (/api/redoc/), GraphiQL (/graphql/) and the
dashboard (/dashboard/, at 1366x768 and at a phone's 390x844):

1. The page's HTML is fetched with urllib (``Accept: text/html``): it must answer 200, and no
   src/href of a <script>, <link>, <img>, <iframe>, <source> or <embed> may point at an
   http(s) or protocol-relative URL whose host is not loopback.
2. Debian's headless Chromium (/usr/bin/chromium) opens the page with every non-loopback
   request blocked (host resolver maps every other name to NOTFOUND, and all other traffic is
   sent to a dead proxy on 127.0.0.1:9, so nothing leaves the machine), waits for up to
   --budget ms of virtual time, dumps the DOM after the page's JavaScript ran and takes a
   screenshot at the page's window size(s). The DOM must show the rendered app (not just the
   empty shell the server sends): Swagger UI's operation blocks and title, Redoc's API content
   and title, GraphiQL's container and editors, and every chart of the dashboard (each
   [data-chart] element the server sent holds an ECharts SVG with drawn shapes). The
   dashboard must also write nothing to the console (Chromium logs every console message,
   CSP violations and uncaught errors included, to its stderr).
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
import base64
import ipaddress
import json
import os
import select
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
VOID_TAGS = frozenset(
    ("area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr")
)
SVG_SHAPES = frozenset(("path", "rect", "circle", "ellipse", "line", "polyline", "polygon"))
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
        # [data-chart] elements: name -> {"svg": count, "shapes": count, "width": first svg's}
        self.charts: dict[str, dict] = {}
        self._chart: str | None = None
        self._chart_depth = 0

    def handle_starttag(self, tag, attrs):
        attrs_d = dict(attrs)
        self._track_chart(tag, attrs_d)
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

    def _track_chart(self, tag, attrs_d):
        if self._chart is not None:
            if tag in VOID_TAGS:
                return
            self._chart_depth += 1
            chart = self.charts[self._chart]
            if tag == "svg":
                chart["svg"] += 1
                chart.setdefault("width", attrs_d.get("width"))
            elif tag in SVG_SHAPES:
                chart["shapes"] += 1
        elif attrs_d.get("data-chart") is not None and tag not in VOID_TAGS:
            self._chart, self._chart_depth = attrs_d["data-chart"], 1
            self.charts[self._chart] = {"svg": 0, "shapes": 0}

    def handle_endtag(self, tag):
        if self._chart is not None:
            self._chart_depth -= 1
            if self._chart_depth == 0:
                self._chart = None
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
    # what the page wrote to the console (messages, uncaught errors, CSP violations)
    console: list[str] = field(default_factory=list)
    # the document's width in CSS pixels (DevTools runs only): wider than the viewport means
    # the page scrolls sideways
    scroll_width: int | None = None
    # (method, url) of every request the page itself started, from Chromium's net log
    page_requests: list[tuple[str, str]] = field(default_factory=list)
    netlog_error: str = ""


def chromium_flags(
    profile: str, base_host: str, budget_ms: int, window: tuple[int, int] = (1366, 768)
) -> list[str]:
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
        f"--window-size={window[0]},{window[1]}",
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
    chromium: str,
    url: str,
    screenshot: Path,
    budget_ms: int,
    timeout: float,
    window: tuple[int, int] = (1366, 768),
) -> BrowserRun:
    parsed = urllib.parse.urlsplit(url)
    origin = f"{parsed.scheme}://{parsed.netloc}"
    profile = tempfile.mkdtemp(prefix="check-pages-chromium-")
    netlog = Path(profile) / "netlog.json"
    cmd = [chromium, *chromium_flags(profile, parsed.hostname or "", budget_ms, window)]
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


class DevTools:
    """Chromium driven through its DevTools protocol over ``--remote-debugging-pipe`` (the
    browser reads commands on fd 3 and writes answers and events on fd 4, each message JSON
    ended by a NUL byte): no port, no WebSocket, standard library only."""

    def __init__(self, cmd: list[str], log: Path):
        to_browser_read, self._to_browser = os.pipe()
        self._from_browser, from_browser_write = os.pipe()

        def child_fds():
            os.dup2(to_browser_read, 3)
            os.dup2(from_browser_write, 4)

        with log.open("wb") as stderr:
            self.proc = subprocess.Popen(
                [*cmd, "--remote-debugging-pipe"],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=stderr,
                preexec_fn=child_fds,
                pass_fds=(3, 4),
            )
        os.close(to_browser_read)
        os.close(from_browser_write)
        self._buffer = b""
        self._next_id = 0
        self.events: list[dict] = []

    def _read_message(self, deadline: float) -> dict:
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("no answer from Chromium in time")
            ready, _, _ = select.select([self._from_browser], [], [], left)
            if ready:
                chunk = os.read(self._from_browser, 1 << 20)
                if not chunk:
                    raise ConnectionError("Chromium closed its DevTools pipe")
                self._buffer += chunk
        message, _, self._buffer = self._buffer.partition(b"\0")
        return json.loads(message)

    def call(self, method: str, params=None, session=None, timeout: float = 30) -> dict:
        self._next_id += 1
        command = {"id": self._next_id, "method": method, "params": params or {}}
        if session:
            command["sessionId"] = session
        os.write(self._to_browser, json.dumps(command).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while True:
            message = self._read_message(deadline)
            if message.get("id") == self._next_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})
            self.events.append(message)

    def wait(self, seconds: float) -> None:
        """Collect events for ``seconds``."""
        deadline = time.monotonic() + seconds
        try:
            while True:
                self.events.append(self._read_message(deadline))
        except TimeoutError:
            pass

    def close(self) -> None:
        try:
            self.call("Browser.close", timeout=5)
        except (OSError, RuntimeError, TimeoutError, ConnectionError):
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        os.close(self._to_browser)
        os.close(self._from_browser)


def console_of(events: list[dict]) -> list[str]:
    """What the page wrote to the console: console calls, uncaught exceptions and the
    browser's own log entries (CSP violations, failed loads, deprecations)."""
    found = []
    for event in events:
        method, params = event.get("method"), event.get("params") or {}
        if method == "Runtime.consoleAPICalled":
            text = " ".join(
                str(arg.get("value", arg.get("description", ""))) for arg in params.get("args", [])
            )
            found.append(f"console.{params.get('type')}: {text}")
        elif method == "Runtime.exceptionThrown":
            details = params.get("exceptionDetails", {})
            exception = details.get("exception", {}).get("description") or details.get("text")
            found.append(f"uncaught: {exception}")
        elif method == "Log.entryAdded":
            entry = params.get("entry", {})
            where = f" ({entry['url']})" if entry.get("url") else ""
            found.append(f"{entry.get('source')} {entry.get('level')}: {entry.get('text')}{where}")
    return found


def run_chromium_emulated(
    chromium: str,
    url: str,
    screenshot: Path,
    settle_ms: int,
    timeout: float,
    window: tuple[int, int],
    lang: str,
) -> BrowserRun:
    """Open ``url`` in a viewport of exactly ``window`` (a phone's width too: headless
    Chromium does not make a window narrower than 500 px, so the viewport is set through
    the DevTools protocol), in language ``lang``, with the same network blocking as
    :func:`run_chromium`; wait ``settle_ms`` after the load event, then take the DOM, the
    console and a full-page screenshot."""
    parsed = urllib.parse.urlsplit(url)
    origin = f"{parsed.scheme}://{parsed.netloc}"
    profile = tempfile.mkdtemp(prefix="check-pages-chromium-")
    netlog = Path(profile) / "netlog.json"
    flags = chromium_flags(profile, parsed.hostname or "", settle_ms)
    flags = [flag for flag in flags if not flag.startswith("--virtual-time-budget")]
    cmd = [chromium, *flags, f"--accept-lang={lang}", f"--log-net-log={netlog}", "about:blank"]
    browser = None
    try:
        browser = DevTools(cmd, Path(profile) / "stderr.log")
        target = browser.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = browser.call("Target.attachToTarget", {"targetId": target, "flatten": True})[
            "sessionId"
        ]
        width, height = window
        browser.call(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600},
            session,
        )
        for domain in ("Page", "Runtime", "Log"):
            browser.call(f"{domain}.enable", session=session)
        browser.call("Page.navigate", {"url": url}, session, timeout=timeout)
        deadline = time.monotonic() + timeout
        while not any(e.get("method") == "Page.loadEventFired" for e in browser.events):
            if time.monotonic() > deadline:
                raise TimeoutError(f"{url} did not finish loading within {timeout:.0f}s")
            browser.wait(0.2)
        browser.wait(settle_ms / 1000)
        dom = browser.call(
            "Runtime.evaluate",
            {"expression": "document.documentElement.outerHTML", "returnByValue": True},
            session,
        )["result"]["value"]
        scroll_width = browser.call(
            "Runtime.evaluate",
            {"expression": "document.documentElement.scrollWidth", "returnByValue": True},
            session,
        )["result"]["value"]
        shot = browser.call(
            "Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True}, session
        )
        screenshot.write_bytes(base64.b64decode(shot["data"]))
        console = console_of(browser.events)
    except (OSError, RuntimeError, TimeoutError, ConnectionError, KeyError) as exc:
        return BrowserRun(False, error=f"chromium (DevTools): {exc}")
    finally:
        if browser is not None:
            browser.close()
    try:
        requests, netlog_error = read_netlog(netlog, origin)
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    return BrowserRun(
        True,
        dom=dom,
        page_requests=requests,
        netlog_error=netlog_error,
        console=console,
        scroll_width=scroll_width,
    )


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


# A chart counts as drawn when its SVG holds at least this many shapes (an ECharts chart with
# data draws axes, grid lines and the series; one with nothing to show only a text).
MIN_CHART_SHAPES = 5


def check_dashboard(dom: PageParser, served: PageParser, _requests, _path: str, window) -> Verdict:
    problems = []
    expected = list(served.charts)
    if not expected:
        problems.append("the served page has no chart ([data-chart] element)")
    for name in expected:
        chart = dom.charts.get(name)
        if not chart or not chart["svg"]:
            problems.append(f"chart {name!r} was not drawn (no SVG in its element)")
        elif chart["shapes"] < MIN_CHART_SHAPES:
            problems.append(f"chart {name!r} drew only {chart['shapes']} shapes")
        elif not (chart.get("width") or "").isdigit() or int(chart["width"]) > window[0]:
            problems.append(
                f"chart {name!r} is {chart.get('width')} px wide in a {window[0]} px window"
            )
    shapes = ", ".join(f"{n} {dom.charts.get(n, {}).get('shapes', 0)} shapes" for n in expected)
    return problems, f"{len(expected)} charts drawn as SVG ({shapes})"


@dataclass(frozen=True)
class Page:
    name: str
    path: str
    checker: object  # (rendered DOM, served HTML, page requests, path, window) -> Verdict
    windows: tuple[tuple[int, int], ...] = ((1366, 768),)
    # Driven through the DevTools protocol (:func:`run_chromium_emulated`): exact viewport
    # sizes, the console read, the page asked for in ``lang``; anything the page writes to
    # the console fails it. Otherwise one --dump-dom run per window.
    devtools: bool = False
    lang: str = "zh-CN"


def _ignore_window(checker):
    return lambda dom, served, requests, path, _window: checker(dom, served, requests, path)


PAGES = (
    Page("swagger-ui", "/api/docs/", _ignore_window(check_swagger)),
    Page("redoc", "/api/redoc/", _ignore_window(check_redoc)),
    Page("graphiql", "/graphql/", _ignore_window(check_graphiql)),
    # A desktop (1366x768) and a phone (390 px wide), in Chinese; its own artifact folder.
    Page("dashboard", "/dashboard/", check_dashboard, ((1366, 768), (390, 844)), devtools=True),
)


def check_page(args, base_url: str, page: Page, window) -> tuple[bool, str]:
    name, path = page.name, page.path
    url = base_url + path
    artifacts: Path = args.artifacts
    if len(page.windows) > 1:
        artifacts = artifacts / name
        artifacts.mkdir(parents=True, exist_ok=True)
        name = f"{window[0]}x{window[1]}"
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
    if page.devtools:
        run = run_chromium_emulated(
            args.chromium, url, screenshot, args.settle, args.timeout, window, page.lang
        )
    else:
        run = run_chromium(args.chromium, url, screenshot, args.budget, args.timeout, window)
    if not run.ok:
        return False, "; ".join([*problems, run.error])
    (artifacts / f"{name}.dom.html").write_text(run.dom, encoding="utf-8")
    dom = parse_html(run.dom)

    page_problems, summary = page.checker(dom, served, run.page_requests, path, window)
    problems.extend(page_problems)
    problems.extend(f"console: {message}" for message in run.console)
    if run.scroll_width is not None and run.scroll_width > window[0]:
        problems.append(
            f"the page is {run.scroll_width} px wide in a {window[0]} px window (scrolls sideways)"
        )

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
        "--settle",
        type=int,
        default=2500,
        help="ms to wait after the load event on pages driven through DevTools (default: 2500)",
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
    for page in PAGES:
        for window in page.windows:
            ok, detail = check_page(args, base_url, page, window)
            size = f" at {window[0]}x{window[1]}" if len(page.windows) > 1 else ""
            print(f"{'PASS' if ok else 'FAIL'} {page.name}{size} {page.path}: {detail}", flush=True)
            passed += ok
            failed += not ok
    print(f"browser: {passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())

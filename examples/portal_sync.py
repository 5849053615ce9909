#!/usr/bin/env python3
"""Reference portal client: mirror every public record of the Transparency Registry into a
local SQLite file, and keep it up to date.

    python examples/portal_sync.py --base-url http://127.0.0.1:8000 --db mirror.sqlite3
    python examples/portal_sync.py ... --bootstrap snapshot   # first run from the snapshot
    python examples/portal_sync.py ... --follow 60            # keep polling every 60 s

How it works (the registry's open-data contract, docs/open_data.md):

* The change feed ``/api/v1/changes/`` lists every public event of every resource in one
  strictly increasing sequence. Each event carries the record's *current* public state:
  ``present`` (its public representation), ``tombstone`` (withdrawn: reason and legal
  ground) or ``removed`` (no longer public). Applying events in order therefore leaves the
  mirror equal to what the public API shows.
* The client stores the feed cursor in the same SQLite transaction as the rows a page
  changed, so a crash or Ctrl-C never loses or double-applies a page: the next run resumes
  where the last committed page ended.
* ``--bootstrap snapshot`` starts an empty mirror from the full snapshot
  (``/api/v1/snapshot/``) and continues from the cursor recorded in it.
* Departments are reference data outside the feed; they are refreshed on every run.
* HTTP 429 is honoured (``Retry-After``); an API key can be sent with ``--api-key``.

Only the Python standard library is used, so portal engineers can copy this file anywhere.
"""

import argparse
import io
import json
import sqlite3
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import zipfile

SCHEMA = """
CREATE TABLE IF NOT EXISTS records (
    resource TEXT NOT NULL,
    id INTEGER NOT NULL,
    data TEXT NOT NULL,
    seq INTEGER NOT NULL,
    PRIMARY KEY (resource, id)
);
CREATE TABLE IF NOT EXISTS tombstones (
    resource TEXT NOT NULL,
    id INTEGER NOT NULL,
    data TEXT NOT NULL,
    seq INTEGER NOT NULL,
    PRIMARY KEY (resource, id)
);
CREATE TABLE IF NOT EXISTS departments (
    code TEXT PRIMARY KEY,
    data TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS sync_state (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
"""


class Registry:
    """A small HTTP client for the registry's open API."""

    def __init__(self, base_url, api_key=None, timeout=60, max_retries=8):
        self.base_url = base_url.rstrip("/")
        self.api_key = api_key
        self.timeout = timeout
        self.max_retries = max_retries

    def url(self, path, **params):
        query = urllib.parse.urlencode({k: v for k, v in params.items() if v is not None})
        return f"{self.base_url}{path}" + (f"?{query}" if query else "")

    def get(self, url):
        """The body of a GET; waits and retries on 429 and 503."""
        headers = {"Accept": "application/json", "User-Agent": "portal-sync/1.0"}
        if self.api_key:
            headers["X-API-Key"] = self.api_key
        for _attempt in range(self.max_retries):
            request = urllib.request.Request(url, headers=headers)
            try:
                with urllib.request.urlopen(request, timeout=self.timeout) as response:
                    return response.read()
            except urllib.error.HTTPError as error:
                if error.code not in (429, 503):
                    detail = error.read().decode("utf-8", "replace")
                    raise SystemExit(f"GET {url} failed: HTTP {error.code}: {detail}") from None
                time.sleep(float(error.headers.get("Retry-After") or 1))
        raise SystemExit(f"GET {url}: still rate-limited after {self.max_retries} attempts")

    def get_json(self, url):
        return json.loads(self.get(url))


class Mirror:
    """The local SQLite mirror."""

    def __init__(self, path):
        self.db = sqlite3.connect(path)
        self.db.executescript(SCHEMA)

    def cursor(self):
        row = self.db.execute("SELECT value FROM sync_state WHERE key = 'cursor'").fetchone()
        return row[0] if row else None

    def is_empty(self):
        return self.cursor() is None and not self.db.execute("SELECT 1 FROM records").fetchone()

    def apply(self, event):
        """Apply one change-feed event (inside the caller's transaction)."""
        key = (event["resource"], event["id"])
        if event["state"] == "present":
            self.db.execute("DELETE FROM tombstones WHERE resource = ? AND id = ?", key)
            self._put("records", key, event["record"], event["seq"])
        elif event["state"] == "tombstone":
            self.db.execute("DELETE FROM records WHERE resource = ? AND id = ?", key)
            self._put("tombstones", key, event["tombstone"], event["seq"])
        else:  # removed: no longer public, and nothing to show in its place
            self.db.execute("DELETE FROM records WHERE resource = ? AND id = ?", key)
            self.db.execute("DELETE FROM tombstones WHERE resource = ? AND id = ?", key)

    def _put(self, table, key, data, seq):
        self.db.execute(
            f"INSERT INTO {table} (resource, id, data, seq) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (resource, id) DO UPDATE SET data = excluded.data, seq = excluded.seq",
            (*key, json.dumps(data, ensure_ascii=False, sort_keys=True), seq),
        )

    def save_cursor(self, cursor):
        self.db.execute(
            "INSERT INTO sync_state (key, value) VALUES ('cursor', ?) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (cursor,),
        )

    def replace_departments(self, departments):
        self.db.execute("DELETE FROM departments")
        self.db.executemany(
            "INSERT INTO departments (code, data) VALUES (?, ?)",
            [(d["code"], json.dumps(d, ensure_ascii=False, sort_keys=True)) for d in departments],
        )


def cursor_of(next_url):
    return urllib.parse.parse_qs(urllib.parse.urlparse(next_url).query)["cursor"][0]


def sync_departments(registry, mirror):
    departments, url = [], registry.url("/api/v1/departments/", page_size=500)
    while url:
        body = registry.get_json(url)
        departments.extend(body["results"])
        url = body.get("next")
    with mirror.db:
        mirror.replace_departments(departments)
    return len(departments)


def bootstrap_from_snapshot(registry, mirror):
    """Load the full snapshot into an empty mirror; the feed continues from its cursor."""
    archive = zipfile.ZipFile(io.BytesIO(registry.get(registry.url("/api/v1/snapshot/"))))
    manifest = json.loads(archive.read("manifest.json"))
    with mirror.db:
        for part in manifest["files"]:
            if part["resource"] == "departments":
                continue
            with archive.open(part["file"]) as lines:
                for line in lines:
                    record = json.loads(line)
                    key = (part["resource"], record["id"])
                    mirror._put("records", key, record, manifest["change_seq"])
        mirror.save_cursor(manifest["change_cursor"])
    return manifest["change_seq"]


def sync_changes(registry, mirror, page_size=500):
    """Apply every event after the stored cursor; return how many were applied."""
    applied = 0
    while True:
        body = registry.get_json(
            registry.url("/api/v1/changes/", cursor=mirror.cursor(), page_size=page_size)
        )
        with mirror.db:  # one transaction per page: the rows and the cursor together
            for event in body["results"]:
                mirror.apply(event)
            mirror.save_cursor(cursor_of(body["next"]))
        applied += len(body["results"])
        if not body["results"]:
            return applied


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base-url", required=True, help="e.g. http://127.0.0.1:8000")
    parser.add_argument("--db", required=True, help="SQLite file of the mirror")
    parser.add_argument("--api-key", help="sent as X-API-Key (higher rate limit)")
    parser.add_argument("--page-size", type=int, default=500)
    parser.add_argument(
        "--bootstrap",
        choices=["feed", "snapshot"],
        default="feed",
        help="how an empty mirror starts: replay the whole feed, or load the snapshot",
    )
    parser.add_argument("--follow", type=float, help="keep polling every N seconds")
    args = parser.parse_args(argv)

    registry, mirror = Registry(args.base_url, args.api_key), Mirror(args.db)
    if args.bootstrap == "snapshot" and mirror.is_empty():
        seq = bootstrap_from_snapshot(registry, mirror)
        print(f"bootstrapped from the snapshot at change {seq}")
    while True:
        departments = sync_departments(registry, mirror)
        applied = sync_changes(registry, mirror, args.page_size)
        print(f"{departments} departments; {applied} events applied", flush=True)
        if not args.follow:
            return 0
        time.sleep(args.follow)


if __name__ == "__main__":
    sys.exit(main())

"""Where a case's time goes: one benchmark case run in this process under cProfile, with the
WSGI application the server runs (no network, no server), against a bench database.

    .venv/bin/python bench/profile_case.py --database-url postgres://…/registry_bench list
    .venv/bin/python bench/profile_case.py --database-url … feed --requests 30 --sort tottime
    .venv/bin/python bench/profile_case.py --database-url … import --rows 5000

Prints the median milliseconds per request (unprofiled, after a warm-up) and then the
profile of the same requests. For finding what limits a case — the figures themselves come
from ``make bench``. The import case writes inside a transaction that is rolled back."""

import argparse
import cProfile
import io
import os
import pstats
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]


def arguments():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("case", choices=["list", "editor_list", "graphql", "feed", "import"])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--requests", type=int, default=200, help="requests profiled")
    parser.add_argument("--rows", type=int, default=5000, help="rows of the import case")
    parser.add_argument("--sort", default="cumulative", help="pstats sort key")
    parser.add_argument("--lines", type=int, default=45, help="profile lines printed")
    return parser.parse_args()


def wsgi_get(application, uri, headers):
    """A GET through the WSGI application; returns the body."""
    path, _, query = uri.partition("?")
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": sys.stderr,
        **{f"HTTP_{name.upper().replace('-', '_')}": value for name, value in headers.items()},
    }
    statuses = []
    body = application(environ, lambda status, _headers, exc_info=None: statuses.append(status))
    try:
        content = b"".join(body)
    finally:
        getattr(body, "close", lambda: None)()
    if not statuses[0].startswith("200"):
        raise RuntimeError(f"{uri}: {statuses[0]} {content[:300]!r}")
    return content


def request_case(args, context):
    """A function making one request of the case (the feed walks on, page after page)."""
    import cases
    import orjson
    from django.conf import settings

    from registry.wsgi import application

    settings.ALLOWED_HOSTS = ["*"]
    if args.case == "feed":
        state = {"uri": cases.FEED_URI}

        def one():
            page = orjson.loads(wsgi_get(application, state["uri"], {}))
            following = urlsplit(page["next"])
            more = page["results"]
            state["uri"] = f"{following.path}?{following.query}" if more else cases.FEED_URI

        return one
    case = next(case for case in cases.THROUGHPUT if case.name == args.case)
    request = case.request(context)
    return lambda: wsgi_get(application, request.uri, dict(request.headers))


def import_case(args, context):
    """One import of ``--rows`` rows through the service, rolled back."""
    import context as bench_context
    import sequential
    from django.contrib.auth import get_user_model
    from django.db import transaction

    from enforcement.services.imports import import_actions

    user = get_user_model().objects.get(username=bench_context.EDITOR)
    text = sequential.import_csv(context, args.rows).decode()

    def one():
        with transaction.atomic():
            import_actions(io.StringIO(text, newline=""), acting_user=user)
            transaction.set_rollback(True)

    return one


def main():
    args = arguments()
    import run  # the servers' environment: rate limits out of the way, counted in Redis

    os.environ.update(run.server_environment(args.database_url))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "registry.settings")
    import django

    django.setup()
    import context as bench_context

    context = bench_context.build()
    if args.case == "import":
        one, count = import_case(args, context), 1
    else:
        one, count = request_case(args, context), args.requests
    for _ in range(min(count, 20)):  # warm-up
        one()
    timings = []
    for _ in range(count):
        started = time.perf_counter()
        one()
        timings.append((time.perf_counter() - started) * 1000)
    what = f"{args.rows} rows" if args.case == "import" else f"{count} requests"
    print(f"{args.case}: median {statistics.median(timings):.2f} ms over {what}")
    profile = cProfile.Profile()
    profile.enable()
    for _ in range(count):
        one()
    profile.disable()
    pstats.Stats(profile).sort_stats(args.sort).print_stats(args.lines)


if __name__ == "__main__":
    main()

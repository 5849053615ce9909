"""Benchmark data generator: a registry of realistic size and shape, loaded with COPY.

Run as a whole process (see ``bench/README.md``)::

    .venv/bin/python bench/generate.py --database-url postgres://postgres@127.0.0.1:5432/NAME \\
        [--scale 1.0] [--seed 1] [--create] [--summary FILE] [--no-public-states]
    .venv/bin/python bench/generate.py --database-url … --public-states-only

At scale 1.0: the 32 departments of ``registry.demo``, of very different sizes, with their
enforcement bodies, powers and officers (these small tables do not scale); 1,000,000
enforcement decisions (2021 to today); 100,000 major decisions with their consultations,
adoption reports and legality reviews, and 300,000 public comments; 50,000 investment
projects with targets and funding; the public events all of that implies, hash-chained into
the audit log (``manage.py verify_audit`` passes); the public states the change feed sends
and the daily refresh compares (unless ``--no-public-states``); an editor of the largest
department, an oversight user and a legality reviewer with API tokens. The large counts
scale linearly with ``--scale``. Rows come from one seeded ``random.Random``: the same seed
gives the same data on the same day (what has happened by now depends on the clock; the role
grants are stamped with it).

The big tables bypass the workflow services (far too slow at this scale) but hold what they
would have written. ``generate(connection, scale, seed)`` does the work on an already
migrated database inside the caller's transaction (a test can call it with Django's
``connection.connection``); the command line creates and migrates the database first when
asked, and commits.
"""

import argparse
import json
import os
import random
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.export_memory import django_env  # noqa: E402 (after the path is set)

# Rows at scale 1.0.
BASE_COUNTS = {
    "enforcement_actions": 1_000_000,
    "decisions": 100_000,
    "comments": 300_000,
    "investment_projects": 50_000,
}


def scaled(count, scale):
    return max(1, round(count * scale))


@dataclass
class Context:
    """What every generator shares: the random source, text builders, rules and clock."""

    rng: random.Random
    texts: object
    rules: object
    now: object  # aware datetime: nothing happens after it
    today: object
    _types: dict = field(default_factory=dict)

    def content_type(self, model):
        if model not in self._types:
            from django.contrib.contenttypes.models import ContentType

            self._types[model] = ContentType.objects.get_for_model(model).pk
        return self._types[model]

    def moment(self, day, after=None):
        """A moment in office hours of ``day`` (after ``after``), or None if it is still to
        come."""
        from bench.datagen.texts import office_time

        moment = office_time(self.rng.random, day, earliest=after)
        return moment if moment <= self.now else None


def generate(connection, scale=1.0, seed=1, *, public_states=True):
    """Fill the (migrated) database behind ``connection`` — which must be Django's own
    psycopg connection, inside a transaction it leaves open — and return the summary."""
    from django.db import connection as django_connection
    from django.utils import timezone

    from bench.datagen import chain, core, integrity, summary
    from bench.datagen.decisions import DecisionMaker
    from bench.datagen.enforcement import FIRST_DAY, ActionMaker
    from bench.datagen.fiscal import ProjectMaker
    from bench.datagen.loader import Loader
    from bench.datagen.rules import Rules
    from bench.datagen.texts import Texts

    if django_connection.connection is not connection:
        raise ValueError("pass Django's own connection (django.db.connection.connection)")
    if not django_connection.in_atomic_block:
        raise RuntimeError("generate() must run inside transaction.atomic()")
    started = time.perf_counter()
    counts = {name: scaled(count, scale) for name, count in BASE_COUNTS.items()}
    rng = random.Random(seed)
    now = timezone.now().replace(microsecond=0)
    today = timezone.localdate(now)
    ctx = Context(rng, Texts(rng), Rules(FIRST_DAY.year, today.year), now, today)
    loader = Loader(connection)
    phase = summary.Phases(connection)

    with phase("departments, bodies, catalogues (ORM)"):
        depts = core.departments()
        users = core.users()
        ranked = core.weights(core.ENFORCEMENT_ORDER, depts)
        bodies = core.enforcement_bodies(ctx, loader, ranked)
        catalogues = core.catalogues(
            ctx, loader, depts["qzfb"], range(FIRST_DAY.year, today.year + 1)
        )
    bulk = _bulk_models()
    loader.prepare(*bulk)
    tables = [model._meta.db_table for model in bulk]
    with integrity.bulk_mode(connection, tables) as relaxed:
        indexes = integrity.drop_indexes(connection, tables)
        with phase("enforcement_actions"):
            actions = ActionMaker(ctx, loader, bodies, ranked, counts["enforcement_actions"])
            actions.run(counts["enforcement_actions"])
            loader.drain()
        with phase("decisions and comments"):
            decisions = DecisionMaker(
                ctx,
                loader,
                core.weights(core.DECISION_ORDER, depts),
                catalogues,
                users["legality"].pk,
            )
            decisions.run(counts["decisions"], counts["comments"])
            loader.drain()
        with phase("investment_projects"):
            projects = ProjectMaker(ctx, loader, core.weights(core.PROJECT_ORDER, depts))
            projects.run(counts["investment_projects"])
            loader.drain()
        with phase("audit chain"):
            audit_entries = chain.write(loader)
        with phase(f"{len(indexes)} indexes rebuilt"):
            integrity.build_indexes(connection, indexes)
    with phase("checks and sequences"):
        if relaxed:
            integrity.check_foreign_keys(connection, bulk, loader.first_ids)
        index_sequences = loader.save_index_numbers()
        loader.set_sequences()
    with phase("users, roles, tokens (ORM)"):
        accounts = _accounts(ctx, users, ranked[0][0])
    # Statistics first: storing the public states reads the new rows through the public
    # querysets, and without statistics PostgreSQL plans them as if the tables were empty
    # (half a minute a batch of 2,000 instead of milliseconds).
    with phase("analyze"):
        analyze(connection, {*loader.counts, "registry_auditentry"})
    stored = 0
    if public_states:
        with phase("public states"):
            stored = chain.remember_public_states(_feed_models())
            analyze(connection, {"registry_publicstate"})
    return summary.build(
        loader=loader,
        phases=phase,
        audit_entries=audit_entries,
        makers={"enforcement": actions, "decisions": decisions, "investment_projects": projects},
        public=summary.public_counts(_feed_models()[4:]),
        accounts=accounts,
        scale=scale,
        seed=seed,
        today=today.isoformat(),
        seconds=round(time.perf_counter() - started, 1),
        index_number_sequences=index_sequences,
        public_states=stored,
        bulk_foreign_key_check=relaxed,
    )


def analyze(connection, tables):
    with connection.cursor() as cursor:
        for table in sorted(tables):
            cursor.execute(f'ANALYZE "{table}"')


def _accounts(ctx, users, largest):
    """Roles through the roles service (their audit entries follow the generated ones), and
    API tokens derived from the seed."""
    from rest_framework.authtoken.models import Token

    from registry.models import Department
    from registry.services.roles import grant_role

    grant_role(users["editor"], "editor", Department.objects.get(pk=largest.id))
    grant_role(users["oversight"], "oversight")
    grant_role(users["legality"], "legality_reviewer")
    accounts = {}
    for role, user in users.items():
        token, _created = Token.objects.get_or_create(
            user=user, defaults={"key": f"{ctx.rng.getrandbits(160):040x}"}
        )
        accounts[role] = {"username": user.username, "token": token.key}
    accounts["editor"]["department"] = largest.code
    return accounts


def _bulk_models():
    from decisions.models import (
        AdoptionItem,
        AdoptionReport,
        Comment,
        Consultation,
        Decision,
        LegalityReview,
    )
    from enforcement.models import EnforcementAction
    from fiscal.models import FundingLine, InvestmentProject, PerformanceTarget
    from registry.models import AuditEntry

    return [
        EnforcementAction,
        Decision,
        Consultation,
        AdoptionReport,
        AdoptionItem,
        LegalityReview,
        Comment,
        InvestmentProject,
        PerformanceTarget,
        FundingLine,
        AuditEntry,
    ]


def _feed_models():
    from decisions.models import AdoptionReport, Catalogue, Comment, Consultation, Decision
    from enforcement.models import (
        EnforcementAction,
        EnforcementBody,
        EnforcementOfficer,
        EnforcementPower,
    )
    from fiscal.models import InvestmentProject

    return [
        EnforcementBody,
        EnforcementPower,
        EnforcementOfficer,
        Catalogue,
        EnforcementAction,
        Decision,
        Consultation,
        AdoptionReport,
        Comment,
        InvestmentProject,
    ]


# --------------------------------------------------------------------------- command line


def _admin(url):
    import psycopg

    return psycopg.connect(urlsplit(url)._replace(path="/postgres").geturl(), autocommit=True)


def create_database(url):
    """Create the database named in ``url``, refusing one that exists, and migrate it."""
    from psycopg import sql

    name = urlsplit(url).path.lstrip("/")
    with _admin(url) as admin:
        if admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            sys.exit(f"database {name} exists already; drop it or pass another --database-url")
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    command = [sys.executable, "manage.py", "migrate", "--no-input", "-v", "0"]
    subprocess.run(command, cwd=ROOT, env=django_env(url), check=True)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True, help="postgres://…/NAME")
    parser.add_argument(
        "--scale", type=float, default=1.0, help="1.0: a million enforcement decisions"
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--create", action="store_true", help="create and migrate the database first"
    )
    parser.add_argument("--summary", help="also write the summary (JSON) to this file")
    parser.add_argument(
        "--no-public-states",
        action="store_true",
        help="do not store the public states of the change feed (storing runs at ~3,000 records/s)",
    )
    parser.add_argument(
        "--public-states-only",
        action="store_true",
        help="only store the public states, in a database generated before",
    )
    args = parser.parse_args(argv)
    if args.create:
        create_database(args.database_url)
    os.environ.update(django_env(args.database_url))
    import django

    django.setup()
    from django.db import connection, transaction

    from bench.datagen import summary as summary_module

    if args.public_states_only:
        from bench.datagen import chain

        started = time.perf_counter()
        with transaction.atomic():
            stored = chain.remember_public_states(_feed_models())
        print(f"{stored} public states stored in {time.perf_counter() - started:.0f} s")
        return
    started = time.perf_counter()
    with transaction.atomic():
        summary = generate(
            connection.connection,
            args.scale,
            args.seed,
            public_states=not args.no_public_states,
        )
        committing = time.perf_counter()
    summary["phases_seconds"]["commit"] = round(time.perf_counter() - committing, 2)
    summary["total_seconds"] = round(time.perf_counter() - started, 1)
    summary_module.show(summary)
    text = json.dumps(summary, ensure_ascii=False)
    if args.summary:
        Path(args.summary).write_text(text + "\n")
    print(text)


if __name__ == "__main__":
    main()

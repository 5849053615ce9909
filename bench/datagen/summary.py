"""What a run reports: seconds and CPU seconds per phase, rows and COPY rates per table, the
public share, the largest department and the users' tokens."""

import os
import resource
import time
from contextlib import contextmanager
from pathlib import Path

CPU_COLUMNS = ("generator", "helpers", "database")


class Phases:
    """Wall-clock seconds per phase of the run, and the CPU seconds this process, its helper
    processes and the database backend spent in it (the machine has two cores)."""

    def __init__(self, connection):
        self.seconds = {}
        self.cpu = {}
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            self.backend = Path(f"/proc/{cursor.fetchone()[0]}/stat")

    def _cpu(self):
        own = resource.getrusage(resource.RUSAGE_SELF)
        helpers = resource.getrusage(resource.RUSAGE_CHILDREN)
        try:  # utime and stime of the backend, when it runs on this machine
            fields = self.backend.read_text().rsplit(")", 1)[1].split()
            backend = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except (OSError, IndexError, ValueError):
            backend = 0.0
        return own.ru_utime + own.ru_stime, helpers.ru_utime + helpers.ru_stime, backend

    @contextmanager
    def __call__(self, name):
        started, cpu = time.perf_counter(), self._cpu()
        yield
        self.seconds[name] = round(time.perf_counter() - started, 2)
        spent = [round(after - before, 1) for before, after in zip(cpu, self._cpu(), strict=True)]
        self.cpu[name] = dict(zip(CPU_COLUMNS, spent, strict=True))


def public_counts(models):
    """What anonymous readers see now, counted through the models' own public conditions."""
    found = {
        model._meta.db_table: model.objects.filter(model.public_q()).count() for model in models
    }
    from enforcement.models import EnforcementAction

    found["enforcement_tombstones"] = EnforcementAction.objects.filter(
        EnforcementAction.tombstone_q()
    ).count()
    return found


def per_department():
    """Enforcement decisions per department code, largest first."""
    from django.db.models import Count

    from enforcement.models import EnforcementAction

    rows = (
        EnforcementAction.objects.values("department__code")
        .annotate(n=Count("id"))
        .order_by("-n")
        .values_list("department__code", "n")
    )
    return dict(rows)


def build(*, loader, phases, audit_entries, makers, public, accounts, **facts):
    """The summary of a run (``facts``: scale, seed, today, seconds, …, as given)."""
    counts = dict(sorted(loader.counts.items()))
    copied = {**counts, "registry_auditentry": audit_entries}
    departments = per_department()
    return {
        **facts,
        "counts": counts,
        "audit_entries": audit_entries,
        "events": dict(loader.event_counts),
        "public": public,
        "largest_department": next(iter(departments)),
        "enforcement_actions_per_department": departments,
        **{name: maker.stats for name, maker in makers.items()},
        "phases_seconds": phases.seconds,
        "phases_cpu_seconds": phases.cpu,
        "copy_rows_per_second": {
            table: round(rows / loader.seconds[table])
            for table, rows in copied.items()
            if loader.seconds[table]
        },
        "users": accounts,
        "peak_rss_mb": {  # ru_maxrss is in kB on Linux
            "generator": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
            "helpers": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024),
        },
    }


def show(summary):
    """The summary for a reader of the terminal."""
    print(
        f"generated at scale {summary['scale']} (seed {summary['seed']}) in {summary['seconds']} s"
    )
    print(f"  {'phase':<40} {'wall s':>8}   CPU s: {'  '.join(CPU_COLUMNS)}")
    for name, seconds in summary["phases_seconds"].items():
        cpu = summary["phases_cpu_seconds"].get(name)
        cpu = "{generator:>16.1f} {helpers:>8.1f} {database:>9.1f}".format(**cpu) if cpu else ""
        print(f"  {name:<40} {seconds:>8.1f} {cpu}")
    print(f"  {'table':<40} {'rows':>10} {'COPY rows/s':>12}")
    rates = summary["copy_rows_per_second"]
    for table, rows in {
        **summary["counts"],
        "registry_auditentry": summary["audit_entries"],
    }.items():
        print(f"  {table:<40} {rows:>10,} {rates.get(table, ''):>12}")
    print(f"public now: {summary['public']}")
    largest = summary["largest_department"]
    actions = summary["enforcement_actions_per_department"][largest]
    print(f"largest department: {largest} ({actions:,} enforcement decisions)")
    print(f"peak resident memory (MB): {summary['peak_rss_mb']}")
    for role, account in summary["users"].items():
        print(f"user {role}: {account['username']} token {account['token']}")

"""Renders ``bench/RESULTS.md`` from a run's results (``bench/results/<date>.json``)."""

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.cases import EXPORT_URI  # noqa: E402

RESULTS = ROOT / "bench" / "RESULTS.md"
HEAD = """# Benchmark results

Written by `make bench` (`bench/run.py`) from `{source}`; see `bench/README.md` for what each
case does and how the reference is built. Medians of {repeat} interleaved runs of {seconds} s
each (min–max in brackets); every ratio is the registry's figure over the reference's in the
same round, so the machine's noise falls on both sides.

- **When:** {date}
- **Machine:** {machine[cpu]}, {machine[cores]} cores, {machine[memory_gib]} GiB; Python
  {machine[python]}; {machine[postgresql]} (shared_buffers {machine[shared_buffers]}); kernel
  {machine[kernel]}
- **Data:** {data[enforcement_actions]:,} enforcement decisions; the listed department
  `{data[department]}` has {data[department_rows]:,} public ones; deep page at depth
  {data[deep_depth]:,}
- **Servers:** gunicorn with `registry/gunicorn_conf.py` (as `make run`), {settings[workers]}
  sync workers each for the registry and the reference, on 127.0.0.1; rate limits counted in
  {settings[rate_limits_in]} with the limits raised out of the way
- **Command:** `{command}`
"""


def spread(summary, fmt="{:,.0f}"):
    return f"{fmt.format(summary['median'])} ({fmt.format(summary['min'])}–" + (
        f"{fmt.format(summary['max'])})"
    )


def percent(summary):
    return f"{summary['median']:.0%} ({summary['min']:.0%}–{summary['max']:.0%})"


def throughput_section(results):
    rows = [
        "## Requests (wrk, 8 connections; search: 1 connection)",
        "",
        "| case | registry req/s | median latency ms | reference req/s | share of reference "
        "| SQL / request | target |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    cases = results["throughput"]
    for name, case in cases.items():
        rows.append(
            f"| **{name}**: {case['title']} | {spread(case['rps'])} "
            f"| {spread(case['median_ms'], '{:.1f}')} | {spread(case['reference_rps'])} "
            f"| {percent(case['ratio'])} | {case['queries']} | {case['target']} |"
        )
    derived = []
    if "list" in cases and "list_deep" in cases:
        factor = cases["list"]["rps"]["median"] / cases["list_deep"]["rps"]["median"]
        derived.append(f"- Page 1 ÷ page at depth: **{factor:.2f}×** (target ≤ 1.2×)")
    if "list" in cases and "editor_list" in cases:
        share = cases["editor_list"]["rps"]["median"] / cases["list"]["rps"]["median"]
        derived.append(f"- Editor's list ÷ public list: **{share:.0%}** (target ≥ 80 %)")
    return "\n".join(rows + [""] + derived)


def export_section(runs):
    if not runs:
        return ""
    lines = [
        f"## Streamed CSV export (`{EXPORT_URI}`) against `COPY`",
        "",
        "| run | rows | registry rows/s | COPY rows/s | share of COPY | first byte ms "
        "| worker memory growth MiB |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for number, run in enumerate(runs, 1):
        lines.append(
            f"| {number} | {run['rows']:,} | {run['rows_per_s']:,.0f} "
            f"| {run['copy']['rows_per_s']:,.0f} | {run['ratio']:.0%} "
            f"| {run['first_byte_ms']:.0f} | {run['memory_growth_mib']:.1f} |"
        )
    lines.append("")
    lines.append("Targets: ≥ 50 % of COPY's rows/s; first byte < 200 ms; growth < 100 MB.")
    return "\n".join(lines)


def feed_section(feed):
    if not feed:
        return ""
    tenths = ", ".join(f"{value:,.0f}" for value in feed["events_per_s_by_tenth"])
    return (
        "## Full sync through the change feed (`/api/v1/changes/?page_size=1000`)\n\n"
        f"{feed['events']:,} events in {feed['seconds']:.1f} s: "
        f"**{feed['events_per_s']:,.0f} events/s** (target ≥ 50,000). Events/s in each tenth "
        f"of the walk (flat = linear cost): {tenths}."
    )


def create_section(create):
    if not create:
        return ""
    return (
        "## Single create (`POST /api/v1/enforcement-actions/`, editor token, one client)\n\n"
        f"{create['count']} creates: median **{create['median_ms']:.1f} ms** (target < 30 ms)."
    )


def import_section(runs):
    if not runs:
        return ""
    rates = ", ".join(f"{run['rows_per_s']:,.0f}" for run in runs)
    median = sorted(run["rows_per_s"] for run in runs)[len(runs) // 2]
    return (
        "## Bulk import (`POST /api/v1/enforcement-actions/bulk-import/`, CSV, editor)\n\n"
        f"{runs[0]['rows']:,} rows per file: median **{median:,.0f} rows/s** ({rates}; "
        "target ≥ 5,000 rows/s). Each row validated, its dates computed and audited."
    )


def startup_section(startup):
    if not startup:
        return ""
    each = ", ".join(f"{s:.1f}" for s in startup["seconds"])
    return (
        "## `make run` until `/healthz` answers (installed checkout, loaded database)\n\n"
        f"Median **{startup['median_s']:.1f} s** ({each}; target < 10 s)."
    )


def render(results, source):
    head = HEAD.format(source=source, **results, **results["settings"])
    for note in results.get("notes", ()):
        head += f"- **Note:** {note}\n"
    sections = [
        throughput_section(results),
        export_section(results.get("export")),
        feed_section(results.get("feed")),
        create_section(results.get("create")),
        import_section(results.get("import")),
        startup_section(results.get("startup")),
    ]
    return "\n\n".join([head.rstrip(), *filter(None, sections)]) + "\n"


def write(results, source=None):
    source = source or f"bench/results/{results['date'][:10]}.json"
    RESULTS.write_text(render(results, source), encoding="utf-8")


if __name__ == "__main__":
    path = Path(sys.argv[1]).resolve()
    write(json.loads(path.read_text()), str(path.relative_to(ROOT)))

"""``make bench``: the whole site's benchmark and one report (a dev tool, not a test).

1. Seeds the full data set once (``seed_all.py``; later runs reuse it).
2. Runs every page benchmark, each its own process as ``make bench-…`` runs it: the friend
   graph (``run.py``), diaries, communities, home and search, off-kai. Their tables print as
   they go; their rows (p50 / p95 / max, queries per page, target met or not) are gathered.
3. Runs the site under load (``load.py``): gunicorn as in production, wrk beside it, each
   page's throughput as a share of the floor's, the mixed load at 16 and 50 connections, on
   one and two app servers, and a worker's peak memory.
4. Writes ``bench/results/bench-<date>.md`` and ``.json`` (and ``latest.md`` /
   ``latest.json``) with the machine, the data set and every figure beside its target.

    DEBUG=0 SECRET_KEY=bench-only-secret .venv/bin/python bench/run_all.py
        [--samples 200] [--duration 15] [--skip-pages] [--skip-load]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

import load
import load_figures
import seed_all
import seed_graph

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
BENCHES = [
    ("Friend graph", "run.py"),
    ("Diary", "run_diary.py"),
    ("Communities", "run_communities.py"),
    ("Home and search", "run_home_search.py"),
    ("Off-kai", "run_offkai.py"),
]


def machine() -> dict:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        postgres = cursor.fetchone()[0].split()[0]
    memory_kb = int(Path("/proc/meminfo").read_text().split()[1])
    return {
        "cores": os.cpu_count(), "memory_gb": round(memory_kb / 1024 / 1024, 1),
        "python": platform.python_version(), "postgresql": postgres,
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
    }


def run_pages(samples: int, results: Path) -> list[dict]:
    """Each page benchmark in its own process; returns what each ran and how it ended."""
    ran = []
    env = {**os.environ, "BENCH_RESULTS": str(results)}
    for title, script in BENCHES:
        print(f"\n=== {title} ({script}) ===", file=sys.stderr, flush=True)
        start = time.monotonic()
        code = subprocess.run(
            [sys.executable, str(HERE / script), "--samples", str(samples)], env=env, check=False
        ).returncode
        ran.append({"title": title, "script": script, "exit": code,
                    "seconds": round(time.monotonic() - start)})
    return ran


def page_tables(benches: list[dict]) -> list[str]:
    lines = []
    for bench in benches:
        lines += ["", f"### {bench['title']}", "",
                  "| read | who | n | p50 | p95 | max | queries | target | |",
                  "|---|---|---:|---:|---:|---:|---:|---|---|"]
        for r in bench["rows"]:
            met = {True: "met", False: "MISS", None: "—"}[r["met"]]
            lines.append(
                f"| {r['what']} | {r['who']} | {r['n']} | {r['p50_ms']:.1f} | "
                f"{r['p95_ms']:.1f} | {r['max_ms']:.1f} | {r['queries'] or ''} | "
                f"{r['target'] or 'in the background / comparison'} | {met} |"
            )
    return lines


def markdown(report: dict) -> str:
    m = report["machine"]
    sizes = ", ".join(f"{v:,} {k}" for k, v in report["data"].items())
    lines = [
        f"# Tsunagari benchmark, {report['date']}",
        "",
        f"Machine: {m['cores']} cores, {m['memory_gb']} GB, Python {m['python']}, "
        f"PostgreSQL {m['postgresql']} (default settings); load average at the start "
        f"{', '.join(map(str, m['load_average_at_start']))}.",
        f"Data (planner's row estimates): {sizes}.",
        f"Seeding this run: {report['seed_minutes']:.1f} min (next to nothing when the data "
        "set was already there).",
        f"Command: `{report['command']}`.",
    ]
    if report["pages"]:
        lines += ["", "## Pages, one request at a time (ms, Django's test client)"]
        lines += page_tables(report["pages"])
        failed = [b["script"] for b in report["ran"] if b["exit"] != 0]
        if failed:
            lines += ["", f"These benchmarks did not finish: {', '.join(failed)}."]
    if report["load"]:
        lines += ["", "## Under load (gunicorn, wrk on loopback; times in ms)", "",
                  load_figures.markdown(report["load"])]
    missed = [f"{b['title']}: {r['what']} ({r['who']})" for b in report["pages"]
              for r in b["rows"] if r["met"] is False]
    if report["load"]:
        missed += [f"load: {r['name']} at {r['connections']}" for r in report["load"]["runs"]
                   if load_figures.target(r)[1] == "MISS"]
    lines += ["", "## Targets missed", ""]
    lines += [f"- {item}" for item in missed] or ["None."]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Every benchmark of the site, one report.")
    parser.add_argument("--samples", type=int, default=200, help="requests per page row")
    parser.add_argument("--duration", type=int, default=15, help="seconds of each load row")
    parser.add_argument("--members", type=int, default=300, help="members logged in for load")
    parser.add_argument("--skip-pages", action="store_true", help="only the load")
    parser.add_argument("--skip-load", action="store_true", help="only the page benchmarks")
    args = parser.parse_args(argv)
    seed_graph.configure_django()
    seed_seconds = seed_all.ensure_seeded()
    report = {
        "date": datetime.now().astimezone().isoformat(timespec="minutes"),
        "command": " ".join(["make bench", *sys.argv[1:]]),
        "machine": machine(), "data": seed_all.sizes(), "seed_minutes": seed_seconds / 60,
        "ran": [], "pages": [], "load": None,
    }
    with tempfile.NamedTemporaryFile("r", suffix=".jsonl", encoding="utf-8") as rows:
        if not args.skip_pages:
            report["ran"] = run_pages(args.samples, Path(rows.name))
            report["pages"] = [json.loads(line) for line in rows if line.strip()]
    if not args.skip_load:
        from django.db import connection

        connection.close()
        print("\n=== Under load (load.py) ===", file=sys.stderr, flush=True)
        report["load"] = load.run(args.duration, args.members, None)
    RESULTS.mkdir(exist_ok=True)
    stem = "bench-" + datetime.now().strftime("%Y%m%d-%H%M")
    text = markdown(report)
    for name in (stem, "latest"):
        (RESULTS / f"{name}.md").write_text(text, encoding="utf-8")
        (RESULTS / f"{name}.json").write_text(
            json.dumps(report, indent=2, ensure_ascii=False), encoding="utf-8")
    print()
    print(text)
    print(f"Written: {RESULTS / (stem + '.md')} and .json", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

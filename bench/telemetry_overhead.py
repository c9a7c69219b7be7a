"""What metrics and traces cost: bench/batch_run.py and bench/ingest_throughput.py, each
measured with telemetry off and on in the same invocation.

    PYTHONPATH=. .venv/bin/python bench/telemetry_overhead.py \\
        [--customers 1000 --items 50 --rows 200000 --ingest-workers 2 --rounds 3
         --only batch|ingest]

*On*: tracing exports every span (``OTEL_TRACES_SAMPLER=always_on``, the worst case) over
OTLP/HTTP to a collector in this process (tests/otlp_collector.py: it decodes each
request, as a real collector would), and the Prometheus series count. *Off*: no ``OTEL_*``
exporter (``OTEL_SDK_DISABLED=true``); for the batch run the run's series count nothing
either (``batch_run.py --no-metrics``). The ingest's off arm keeps its metrics: they are
counted inside the billing service's worker processes (FastStream's middleware, once per
batch of up to 500 rows) and have no switch. Arms alternate (off, on, on, off, … per round),
so a drift of the machine's load weighs on both.

Needs Kafka and PostgreSQL (`make infra`). Last line:
batch_overhead_pct=<n> ingest_overhead_pct=<n> spans=<n>
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
from pathlib import Path

from tests.otlp_collector import Collector, running_collector

ROOT = Path(__file__).resolve().parent.parent
FIGURE = {"batch": re.compile(r"\binvoices_per_s=(\d+)"),
          "ingest": re.compile(r"\brows_per_s=(\d+)")}


def arm_env(on: bool, collector: Collector) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OTEL_")}
    env["PYTHONPATH"] = str(ROOT)
    if on:
        env.update({"OTEL_EXPORTER_OTLP_ENDPOINT": collector.endpoint,
                    "OTEL_TRACES_SAMPLER": "always_on"})
    else:
        env["OTEL_SDK_DISABLED"] = "true"
    return env


def measure(bench: str, on: bool, args: argparse.Namespace, collector: Collector) -> float:
    """One run of the bench in its own process; its figure (invoices or rows per second)."""
    if bench == "batch":
        command = ["bench/batch_run.py", "--customers", str(args.customers),
                   "--items", str(args.items), "--baseline-customers", "50"]
        command += [] if on else ["--no-metrics"]
    else:
        command = ["bench/ingest_throughput.py", "--rows", str(args.rows),
                   "--workers", str(args.ingest_workers)]
    spans_before = len(collector.spans)
    done = subprocess.run([sys.executable, *command], cwd=ROOT, env=arm_env(on, collector),
                          capture_output=True, text=True, timeout=3600)
    if done.returncode != 0:
        raise SystemExit(f"{bench} ({'on' if on else 'off'}) failed:\n{done.stdout}\n"
                         f"{done.stderr[-3000:]}")
    last = done.stdout.strip().splitlines()[-1]
    found = FIGURE[bench].search(last)
    assert found, last
    figure = float(found.group(1))
    print(f"{bench:6} telemetry {'on ' if on else 'off'}: {last}"
          + (f" (spans received: {len(collector.spans) - spans_before})" if on else ""),
          flush=True)
    return figure


def compare(bench: str, args: argparse.Namespace, collector: Collector) -> float:
    """Overhead in percent: how much slower the bench is with telemetry on."""
    figures: dict[bool, list[float]] = {False: [], True: []}
    for n in range(args.rounds):
        for on in ((False, True) if n % 2 == 0 else (True, False)):
            figures[on].append(measure(bench, on, args, collector))
    off, on = statistics.median(figures[False]), statistics.median(figures[True])
    overhead = (off - on) / off * 100
    print(f"{bench}: off {off:.0f}/s, on {on:.0f}/s, overhead {overhead:+.1f} % "
          f"(median of {args.rounds}); load average {os.getloadavg()[0]:.2f} "
          f"on {os.cpu_count()} cores", flush=True)
    return overhead


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--customers", type=int, default=1000)
    parser.add_argument("--items", type=int, default=50)
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--ingest-workers", type=int, default=2,
                        help="billing processes of the ingest (1 on a machine so loaded that "
                             "uvicorn's supervisor gives up on slow-starting workers)")
    parser.add_argument("--rounds", type=int, default=3,
                        help="off/on pairs per bench (a single run varies ±10 %% here)")
    parser.add_argument("--only", choices=("batch", "ingest"))
    args = parser.parse_args()
    results: dict[str, str] = {}
    with running_collector() as collector:
        for bench in ("batch", "ingest"):
            if args.only in (None, bench):
                results[bench] = f"{compare(bench, args, collector):.1f}"
        spans = len(collector.spans)
    if not spans:
        raise SystemExit("telemetry on exported no span: the comparison measured nothing")
    print(f"batch_overhead_pct={results.get('batch', '-')} "
          f"ingest_overhead_pct={results.get('ingest', '-')} spans={spans}")


if __name__ == "__main__":
    main()

"""Valid reads while 2,000 requests with bad API keys flood the gateway.

    PYTHONPATH=. .venv/bin/python bench/auth_flood.py [--bad 2000 --rps 50]

Needs Kafka and PostgreSQL (KAFKA_BOOTSTRAP_SERVERS, DATABASE_URL). Starts billing and
two gateways as processes on schemas of their own, all on loopback: one gateway as
configured (keys refused by format, unknown keys cached negatively, failed keys
throttled per client address), and one with the throttle off (format check and
negative cache only), to show what each layer does.

The valid reads (GET /api/v1/customers with a viewer key, open-loop at --rps, latency
from when each was due) run first alone — the baseline — and then while the bad-key
requests are sent, from another process, as fast as --concurrency connections allow
(ignoring Retry-After, as an attacker would): a mix of well-formed
random keys (each one new: the worst case, a database lookup unless throttled) and
junk that cannot be a key. The flood is bounded in count (--bad) and in time
(--max-seconds). Printed: the valid reads' p50/p99 alone and during each flood, and
what the flood got (401s, 429s, errors), and the CPU seconds the gateway and billing
used meanwhile, which a busy shared machine does not change (its latencies it does: the
load average is printed). The target: p99 during the flood < 50 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import concurrent.futures
import os
import secrets
import statistics
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path

import httpx

from affbill_runtime.migrations import upgrade
from bench._stack import drop_schema
from tests.processes import free_port, running_services

DB = os.environ.get("DATABASE_URL", "postgresql://affbill:affbill@127.0.0.1:54329/affbill")
KAFKA = os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092")
ADMIN_KEY = "affb_bench-admin-" + uuid.uuid4().hex
READ = "/api/v1/customers?limit=10"


class Connection:
    """One keep-alive HTTP/1.1 connection to the gateway; GETs with headers of the call."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def get(self, path: str, headers: dict[str, str]) -> int:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        assert self.reader is not None
        head = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        self.writer.write(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{head}\r\n".encode())
        answer = (await self.reader.readuntil(b"\r\n\r\n")).decode("latin-1")
        length = next(int(line.split(":", 1)[1]) for line in answer.split("\r\n")
                      if line.lower().startswith("content-length:"))
        await self.reader.readexactly(length)
        return int(answer.split(" ", 2)[1])

    def close(self) -> None:
        if self.writer:
            self.writer.close()
            self.writer = None


async def valid_reads(port: int, key: str, rps: int, until: asyncio.Event,
                      max_seconds: float) -> tuple[list[float], int]:
    """Open-loop reads until `until` is set (or max_seconds): latencies (ms), errors."""
    latencies: list[float] = []
    errors = 0
    pool = [Connection(port) for _ in range(20)]
    idle: asyncio.Queue[Connection] = asyncio.Queue()
    for conn in pool:
        idle.put_nowait(conn)
    await pool[0].get(READ, {"X-API-Key": key})  # warm: the key is looked up once

    async def one(at: float) -> None:
        nonlocal errors
        conn = await idle.get()
        try:
            status = await conn.get(READ, {"X-API-Key": key})
        except (OSError, asyncio.IncompleteReadError, ValueError, StopIteration):
            conn.close()
            status = 0
        idle.put_nowait(conn)
        if status == 200:
            latencies.append((time.perf_counter() - at) * 1000)
        else:
            errors += 1

    start, tasks, i = time.perf_counter(), [], 0
    while not until.is_set() and time.perf_counter() - start < max_seconds:
        at = start + i / rps
        if (delay := at - time.perf_counter()) > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(at)))
        i += 1
    await asyncio.gather(*tasks)
    for conn in pool:
        conn.close()
    return latencies, errors


def bad_key(n: int) -> str:
    """Three in four well-formed and new (a lookup unless throttled), one in four junk."""
    return "affb_" + secrets.token_urlsafe(32) if n % 4 else f"guess-{n}"


async def flood(port: int, count: int, concurrency: int, max_seconds: float
                ) -> tuple[Counter[int], float]:
    """`count` bad-key requests over `concurrency` connections: statuses and seconds taken."""
    statuses: Counter[int] = Counter()
    numbers = iter(range(count))
    started = time.perf_counter()

    async def worker() -> None:
        conn = Connection(port)
        for n in numbers:
            if time.perf_counter() - started > max_seconds:
                break
            try:
                statuses[await conn.get(READ, {"X-API-Key": bad_key(n)})] += 1
            except (OSError, asyncio.IncompleteReadError, ValueError, StopIteration):
                conn.close()
                statuses[0] += 1
        conn.close()

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return statuses, time.perf_counter() - started


def flood_process(port: int, count: int, concurrency: int, max_seconds: float
                  ) -> tuple[Counter[int], float]:
    """The flood in a process of its own: its parsing does not delay the reads' clock."""
    return asyncio.run(flood(port, count, concurrency, max_seconds))


def cpu_s(pid: int) -> float:
    """CPU seconds (user + system) a process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def figures(latencies: list[float], errors: int) -> str:
    if len(latencies) < 2:
        return f"reads={len(latencies)} p50_ms=nan p99_ms=nan errors={errors}"
    cuts = statistics.quantiles(latencies, n=100)
    return (f"reads={len(latencies)} p50_ms={cuts[49]:.1f} p99_ms={cuts[98]:.1f} "
            f"errors={errors}")


async def measure(args: argparse.Namespace, gateways: dict[str, int],
                  pids: dict[str, int]) -> None:
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{gateways['gateway']}",
                                 headers={"X-API-Key": ADMIN_KEY}, timeout=30) as admin:
        made = await admin.post("/api/v1/keys", json={"name": f"reader-{uuid.uuid4().hex[:6]}",
                                                      "role": "viewer"})
        made.raise_for_status()
        viewer = made.json()["key"]
    print(f"machine load average (1, 5, 15 min): {loadavg()} on {os.cpu_count()} cores")
    alone = asyncio.Event()
    base = await valid_reads(gateways["gateway"], viewer, args.rps, alone, args.baseline_s)
    print(f"baseline (valid reads alone, {args.rps}/s): {figures(*base)}")
    for name, port in gateways.items():
        used = {n: cpu_s(p) for n, p in pids.items()}
        done = asyncio.Event()
        reads = asyncio.create_task(valid_reads(port, viewer, args.rps, done, args.max_seconds))
        await asyncio.sleep(0.5)  # reads are under way before the flood starts
        with concurrent.futures.ProcessPoolExecutor(1) as other:
            statuses, took = await asyncio.get_running_loop().run_in_executor(
                other, flood_process, port, args.bad, args.concurrency, args.max_seconds)
        done.set()
        latencies, errors = await reads
        what = "throttle on" if name == "gateway" else "throttle off (format + negative cache)"
        got = ", ".join(f"{status or 'error'}: {n}" for status, n in sorted(statuses.items()))
        print(f"flood, {what}: {sum(statuses.values())} bad-key requests in {took:.1f} s "
              f"({got})")
        print(f"  valid reads during it: {figures(latencies, errors)}")
        cpu = {n: cpu_s(p) - used[n] for n, p in pids.items()}
        print(f"  CPU used meanwhile: {name} {cpu[name]:.2f} s, billing {cpu['billing']:.2f} s "
              f"(reads and flood together; the machine's load does not change these)")
    print(f"machine load average after: {loadavg()}")


def loadavg() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--bad", type=int, default=2000, help="bad-key requests per flood")
    parser.add_argument("--concurrency", type=int, default=100)
    parser.add_argument("--rps", type=int, default=20, help="valid reads per second")
    parser.add_argument("--baseline-s", type=float, default=10)
    parser.add_argument("--max-seconds", type=float, default=60, help="a flood's time bound")
    args = parser.parse_args()
    run = uuid.uuid4().hex[:6]
    schemas = {"billing": f"bench_af_billing_{run}", "gateway": f"bench_af_gateway_{run}"}
    ports = {"billing": free_port(), "gateway": free_port(), "gateway-open": free_port()}
    env = {"DATABASE_URL": DB, "KAFKA_BOOTSTRAP_SERVERS": KAFKA, "LOG_LEVEL": "WARNING",
           "AFFBILL_GATEWAY_BOOTSTRAP_ADMIN_KEY": ADMIN_KEY,
           "AFFBILL_GATEWAY_BILLING_URL": f"http://127.0.0.1:{ports['billing']}",
           "AFFBILL_BILLING_SERVICE_NAME": schemas["billing"],
           "AFFBILL_BILLING_CONSUMER_GROUP": f"bench-{run}-billing",
           "AFFBILL_GATEWAY_SERVICE_NAME": schemas["gateway"],
           "AFFBILL_GATEWAY_CONSUMER_GROUP": f"bench-{run}-gateway"}
    try:
        upgrade("affbill_billing", DB, schemas["billing"])
        upgrade("affbill_gateway", DB, schemas["gateway"])
        logs = Path(tempfile.mkdtemp(prefix="auth-flood-"))
        (logs / "open").mkdir()
        with running_services({"billing": ports["billing"], "gateway": ports["gateway"]},
                              {**os.environ, **env}, logs) as procs:
            # the same gateway with the throttle off, on the same keys
            with running_services({"gateway": ports["gateway-open"]}, {
                    **os.environ, **env, "AFFBILL_GATEWAY_AUTH_FAILURES_PER_S": "0",
                    "AFFBILL_GATEWAY_CONSUMER_GROUP": f"bench-{run}-gateway-open"},
                    logs / "open") as open_procs:
                asyncio.run(measure(args, {"gateway": ports["gateway"],
                                           "gateway-open": ports["gateway-open"]},
                                    {"gateway": procs["gateway"].pid,
                                     "gateway-open": open_procs["gateway"].pid,
                                     "billing": procs["billing"].pid}))
    finally:
        for schema in schemas.values():
            drop_schema(DB, schema)


if __name__ == "__main__":
    main()

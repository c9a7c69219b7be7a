"""Running affbill's own programs as real processes in tests: ports, start, readiness."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import asyncpg
import httpx

from tests.events import INTERNAL_SECRET  # the secret of a test stack's gateway and services


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_service(program: str, port: int, env: dict[str, str] | None = None,
                  log: Path | None = None) -> subprocess.Popen[bytes]:
    """`<program> serve --port <port>` from this environment's bin folder."""
    out: IO[bytes] | int = log.open("ab") if log else subprocess.DEVNULL
    return subprocess.Popen([str(Path(sys.executable).with_name(program)), "serve", "--port",
                             str(port)], env={**os.environ, **(env or {})},
                            stdout=out, stderr=subprocess.STDOUT)


def wait_ready(url: str, proc: subprocess.Popen[bytes], timeout: float = 60) -> httpx.Response:
    """Poll until `url` answers 200; fail at once if the process exits."""
    deadline = time.monotonic() + timeout
    last: httpx.Response | None = None
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"{url}: process exited with {proc.returncode}")
        try:
            last = httpx.get(url, timeout=2)
            if last.status_code == 200:
                return last
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise AssertionError(f"{url} not ready: {last.text if last else 'no answer'}")


@contextlib.contextmanager
def running_services(ports: dict[str, int], env: dict[str, str], logs: Path,
                     timeout: float = 300) -> Iterator[dict[str, subprocess.Popen[bytes]]]:
    """`affbill-<service> serve` for each {service: port}, ready before the block, ended after.
    They share INTERNAL_SECRET unless `env` names another AFFBILL_INTERNAL_SECRET. The
    timeout is generous: six processes importing at once on a busy 2-core machine have
    taken over two minutes."""
    env = {"AFFBILL_INTERNAL_SECRET": INTERNAL_SECRET, **env}
    procs = {s: start_service(f"affbill-{s}", port, env, logs / f"{s}.log")
             for s, port in ports.items()}
    try:
        for service, port in ports.items():
            wait_ready(f"http://127.0.0.1:{port}/health/ready", procs[service], timeout)
        yield procs
    finally:
        for proc in procs.values():
            proc.terminate()
        for proc in procs.values():
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                proc.kill()


STACK = ("sync", "billing", "documents", "jobs", "gateway")


def start_simulator(port: int, log: Path, *args: str) -> subprocess.Popen[bytes]:
    """The adtracker simulator (HasOffers wire format) on `port`, ready when this returns."""
    proc = subprocess.Popen([str(Path(sys.executable).with_name("affbill-simulator")), "serve",
                             "--port", str(port), "--rate-limit", "0", *args],
                            stdout=log.open("ab"), stderr=subprocess.STDOUT)
    try:
        wait_ready(f"http://127.0.0.1:{port}/control/requests", proc, timeout=30)
    except AssertionError:
        proc.kill()
        raise
    return proc


@contextlib.contextmanager
def running_stack(database_url: str, kafka: str, logs: Path, admin_key: str,
                  simulator_args: tuple[str, ...] = (), timeout: float = 300,
                  extra_env: dict[str, str] | None = None) -> Iterator[dict[str, str]]:
    """The simulator and the five services as processes on free ports, wired to each other
    (sync's connector `hasoffers-sim` is this simulator), the gateway's first admin key
    `admin_key`. The stack gets a database of its own next to `database_url` (dropped
    afterwards), and new consumer groups that start at the topics' end, so neither earlier
    data nor earlier traffic on the broker shows. `extra_env` goes to every service (e.g.
    the web UI's first user, OTEL_* variables). Yields {name: base URL}."""
    # imported here: the services' modules take seconds, which other users of this file skip
    from affbill_billing.entrypoints.messaging import consumer_groups as billing_groups
    from affbill_contracts import topics
    from affbill_documents.entrypoints.messaging import consumer_groups as documents_groups
    from affbill_runtime.messaging import ensure_topics, start_groups_at_end

    run = uuid.uuid4().hex[:6]
    group = {s: f"e2e-{run}-{s}" for s in STACK}
    ports = {s: free_port() for s in (*STACK, "simulator")}
    url = {s: f"http://127.0.0.1:{p}" for s, p in ports.items()}

    async def fresh_groups() -> None:
        await ensure_topics(kafka)
        await start_groups_at_end(kafka, {
            **billing_groups(group["billing"]), **documents_groups(group["documents"]),
            group["jobs"]: topics.JOBS_EVENTS, group["sync"]: topics.SYNC_REQUESTS})

    async def admin(sql: str) -> None:
        conn = await asyncpg.connect(database_url)
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    own_database = f"{database_url.rsplit('/', 1)[1]}_{run}"
    asyncio.run(fresh_groups())
    asyncio.run(admin(f'create database "{own_database}"'))
    env = {**os.environ, "DATABASE_URL": f"{database_url.rsplit('/', 1)[0]}/{own_database}",
           "KAFKA_BOOTSTRAP_SERVERS": kafka,
           "AFFBILL_TOPIC_PREFIX": topics.PREFIX,  # the test session's topics, never the product's
           "AFFBILL_GATEWAY_BOOTSTRAP_ADMIN_KEY": admin_key,
           "AFFBILL_INTERNAL_SECRET": INTERNAL_SECRET,  # billing signs, documents verifies
           # the last closed period is ready once the test's own sync read it
           "AFFBILL_BILLING_PERIOD_SETTLE_H": "0",
           "AFFBILL_SYNC_CONNECTORS": json.dumps([{
               "id": "hasoffers-sim", "kind": "hasoffers", "base_url": url["simulator"],
               "token": "sim-token", "timezone": "Europe/Berlin"}]),
           # the ECB rates from this simulator: foreign-currency documents with VAT need them
           "AFFBILL_SYNC_RATES_URL": f"{url['simulator']}/ecb"}
    env.update({f"AFFBILL_{s.upper()}_CONSUMER_GROUP": g for s, g in group.items()})
    env.update({f"AFFBILL_GATEWAY_{s.upper()}_URL": url[s]
                for s in ("sync", "billing", "documents", "jobs")})
    env.update(extra_env or {})
    try:
        simulator = start_simulator(ports["simulator"], logs / "simulator.log", *simulator_args)
        try:
            with running_services({s: ports[s] for s in STACK}, env, logs, timeout):
                yield url
        finally:
            simulator.terminate()
            simulator.wait(10)
    finally:
        asyncio.run(admin(f'drop database if exists "{own_database}" with (force)'))

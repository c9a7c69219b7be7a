"""The fault campaign's own world: a private Kafka and PostgreSQL (never the shared ones:
stopping those would stop everyone else), the simulator and the five services as processes,
and the faults it injects into them."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from tests.events import INTERNAL_SECRET
from tests.private_infra import PrivateKafka, PrivatePostgres
from tests.processes import STACK, free_port, start_service, start_simulator, wait_ready

KEY = "affb_fault-admin-" + "0" * 32
#: every kind of fault, injected in turn: each service killed, the broker restarted,
#: PostgreSQL restarted (immediate shutdown: a crash), the broker frozen and thawed
KINDS = (*(f"kill-9 {s}" for s in STACK), "kafka restart", "postgres restart", "kafka pause")


@dataclass
class World:
    """Private Kafka and PostgreSQL, the simulator and the services; ``url`` by name."""

    root: Path
    kafka: PrivateKafka
    pg: PrivatePostgres
    env: dict[str, str] = field(default_factory=dict)
    ports: dict[str, int] = field(default_factory=dict)
    procs: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    @property
    def url(self) -> dict[str, str]:
        return {s: f"http://127.0.0.1:{p}" for s, p in self.ports.items()}

    @property
    def db(self) -> str:
        return self.pg.url

    def start_service(self, service: str) -> None:
        self.procs[service] = start_service(f"affbill-{service}", self.ports[service], self.env,
                                            self.root / "logs" / f"{service}.log")

    def wait_ready(self, timeout: float = 600) -> None:
        """Every service answers ready (database, Kafka, consumers), or AssertionError."""
        for service in STACK:
            wait_ready(f"{self.url[service]}/health/ready", self.procs[service], timeout)

    def inject(self, kind: str, pause_s: float = 8.0) -> None:
        """One fault of ``kind`` (see KINDS); returns once what it stopped runs again."""
        if kind.startswith("kill-9 "):
            service = kind.removeprefix("kill-9 ")
            self.procs[service].kill()
            self.procs[service].wait()
            self.start_service(service)
        elif kind == "kafka restart":
            self.kafka.run("stop")
            self.kafka.run("start")
        elif kind == "postgres restart":
            self.pg.stop("immediate")
            self.pg.start()
        elif kind == "kafka pause":
            pid = int((self.root / "kafka/kafka/kafka.pid").read_text())
            os.kill(pid, signal.SIGSTOP)
            try:
                time.sleep(pause_s)
            finally:
                os.kill(pid, signal.SIGCONT)
        else:
            raise ValueError(f"unknown fault {kind!r}; one of {', '.join(KINDS)}")


def service_env(world: World, simulator: str) -> dict[str, str]:
    """The services' settings: the private Kafka and database, the simulator as connector."""
    env = {"DATABASE_URL": world.db, "KAFKA_BOOTSTRAP_SERVERS": world.kafka.bootstrap,
           "LOG_LEVEL": "WARNING", "AFFBILL_GATEWAY_BOOTSTRAP_ADMIN_KEY": KEY,
           "AFFBILL_INTERNAL_SECRET": INTERNAL_SECRET, "AFFBILL_BILLING_PERIOD_SETTLE_H": "0",
           "AFFBILL_SYNC_CONNECTORS": json.dumps([{
               "id": "hasoffers-sim", "kind": "hasoffers", "base_url": simulator,
               "token": "sim-token", "timezone": "Europe/Berlin"}]),
           "AFFBILL_SYNC_RATES_URL": f"{simulator}/ecb"}
    env.update({f"AFFBILL_GATEWAY_{s.upper()}_URL": world.url[s]
                for s in ("sync", "billing", "documents", "jobs")})
    return env


@contextlib.contextmanager
def world(simulator_args: tuple[str, ...]) -> Iterator[World]:
    """Everything started, the services ready; all of it stopped and removed after."""
    if shutil.which("java") is None:
        raise RuntimeError("the fault campaign needs Java for its own Kafka broker")
    root = Path(tempfile.mkdtemp(prefix="affbill-faults-"))
    root.chmod(0o755)
    (root / "logs").mkdir()
    (root / "kafka").mkdir()
    w = World(root, PrivateKafka(root / "kafka"), PrivatePostgres(root / "pg-root"))
    (root / "pg-root").mkdir()
    (root / "pg-root").chmod(0o755)
    simulator = None
    try:
        w.pg.create()
        w.pg.start()
        w.kafka.run("start")
        w.ports = {s: free_port() for s in (*STACK, "simulator")}
        simulator = start_simulator(w.ports["simulator"], root / "logs/simulator.log",
                                    *simulator_args)
        w.env = {**os.environ, **service_env(w, w.url["simulator"])}
        for service in STACK:
            w.start_service(service)
        w.wait_ready()
        yield w
    finally:
        for proc in [*w.procs.values(), *([simulator] if simulator else [])]:
            proc.terminate()
        for proc in [*w.procs.values(), *([simulator] if simulator else [])]:
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                proc.kill()
        with contextlib.suppress(Exception):
            w.kafka.run("stop")
        with contextlib.suppress(Exception):
            w.pg.stop()
        if not os.environ.get("AFFBILL_FAULTS_KEEP"):
            shutil.rmtree(root, ignore_errors=True)

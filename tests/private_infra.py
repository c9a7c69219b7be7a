"""A Kafka broker and a PostgreSQL cluster of a test's or a bench's own, for the work that
stops, restarts or reconfigures them (stopping the shared ones would stop everybody):
on free ports, in a folder of their own, started by the project's scripts and the
machine's Debian binaries."""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.processes import free_port

ROOT = Path(__file__).resolve().parents[1]


class PrivatePostgres:
    """A PostgreSQL cluster of this test alone (stopping the shared one would stop the
    suite), on a free port, from the machine's Debian binaries."""

    def __init__(self, root: Path) -> None:
        found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
        if not found:
            pytest.skip("no PostgreSQL binaries under /usr/lib/postgresql")
        self.bin = Path(found[-1]).parent
        self.data, self.port = root / "pgdata", free_port()
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def _as_pg(self, *args: str) -> None:
        cmd = [str(self.bin / args[0]), *args[1:]]
        if os.geteuid() == 0:  # PostgreSQL refuses to run as root
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        subprocess.run(cmd, check=True, capture_output=True)

    def create(self) -> None:
        self.data.mkdir()
        if os.geteuid() == 0:
            shutil.chown(self.data, "postgres", "postgres")
        self._as_pg("initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust")
        with (self.data / "postgresql.conf").open("a") as conf:
            conf.write(f"listen_addresses = '127.0.0.1'\nport = {self.port}\n"
                       f"unix_socket_directories = '{self.data}'\n")

    def start(self) -> None:
        self._as_pg("pg_ctl", "-D", str(self.data), "-l", str(self.data / "log"), "-w",
                    "start")

    def stop(self, mode: str = "fast") -> None:
        """Stop the cluster; ``immediate`` is a crash (no checkpoint, recovery at start)."""
        self._as_pg("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop")


class PrivateKafka:
    """deploy/local/kafka.sh with a state folder and ports of its own; the jars are those
    the shared broker runs from."""

    def __init__(self, state: Path) -> None:
        self.port, controller = free_port(), free_port()
        self.bootstrap = f"127.0.0.1:{self.port}"
        self.env = {**os.environ, "AFFBILL_STATE": str(state),
                    "AFFBILL_KAFKA_PORT": str(self.port),
                    "AFFBILL_KAFKA_CONTROLLER_PORT": str(controller)}
        shared = ROOT / ".state/kafka/libs"
        if (shared / ".version").exists():
            (state / "kafka").mkdir(parents=True)
            (state / "kafka/libs").symlink_to(shared)

    def run(self, command: str) -> None:
        subprocess.run([str(ROOT / "deploy/local/kafka.sh"), command], env=self.env,
                       check=True, capture_output=True, timeout=300)

"""Runs the processes of a Procfile and restarts the one that exits, with backoff.

    python deploy/local/supervise.py Procfile [--status-file F] [--backoff-s 1] [--max-backoff-s 30]

Unlike honcho, one crashed service does not take the stack down: it is started
again after 1 s, 2 s, 4 s … up to ``--max-backoff-s`` while it keeps crashing (the
delay starts over once it stayed up for a minute), and each exit and restart is
logged. SIGTERM or SIGINT stops every process (SIGTERM, then SIGKILL after 20 s)
and ends the supervisor. The children share the supervisor's process group, so
``kill -- -<pgid>`` (deploy/local/services.sh stop) reaches them all too. Output
lines carry the process name, as honcho's do. Standard library only.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

STABLE_S = 60.0  # up this long: the next crash starts the backoff over
STOP_GRACE_S = 20.0


def log(name: str, text: str) -> None:
    sys.stdout.write(f"{time.strftime('%H:%M:%S')} {name:<10} | {text}\n")
    sys.stdout.flush()


def read_procfile(path: Path) -> dict[str, str]:
    """{name: command} of a Procfile (``name: command`` lines; # comments)."""
    entries: dict[str, str] = {}
    for line in path.read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, _, command = line.partition(":")
            entries[name.strip()] = command.strip()
    return entries


@dataclass
class Process:
    name: str
    command: str
    popen: subprocess.Popen[bytes] | None = None
    started_at: float = 0.0
    restarts: int = 0
    crashes_in_a_row: int = 0
    due_at: float = 0.0  # when a crashed process is started again
    pumps: list[threading.Thread] = field(default_factory=list)

    def start(self) -> None:
        # bash runs a single command by exec: the pid is the service's own
        self.popen = subprocess.Popen(["/bin/bash", "-c", self.command], stdin=subprocess.DEVNULL,
                                      stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        self.started_at = time.monotonic()
        pump = threading.Thread(target=self._pump, args=(self.popen,), daemon=True)
        pump.start()
        log("supervisor", f"started {self.name} (pid {self.popen.pid})")

    def _pump(self, popen: subprocess.Popen[bytes]) -> None:
        assert popen.stdout is not None
        for raw in popen.stdout:
            log(self.name, raw.decode(errors="replace").rstrip("\n"))


class Supervisor:
    def __init__(self, entries: dict[str, str], status_file: Path | None, backoff_s: float,
                 max_backoff_s: float) -> None:
        self.processes = [Process(n, c) for n, c in entries.items()]
        self.status_file = status_file
        self.backoff_s = backoff_s
        self.max_backoff_s = max_backoff_s
        self.stopping = False

    def run(self) -> int:
        for p in self.processes:
            p.start()
        self.write_status()
        while not self.stopping:
            self.round()
            time.sleep(0.2)
        return self.stop_all()

    def round(self) -> None:
        now = time.monotonic()
        changed = False
        for p in self.processes:
            if p.popen is not None and p.popen.poll() is not None:
                code = p.popen.returncode
                up = now - p.started_at
                p.crashes_in_a_row = 1 if up >= STABLE_S else p.crashes_in_a_row + 1
                delay = min(self.max_backoff_s, self.backoff_s * 2 ** (p.crashes_in_a_row - 1))
                p.popen, p.due_at = None, now + delay
                log("supervisor", f"{p.name} exited with code {code} after {up:.0f} s; "
                                  f"restarting in {delay:g} s")
                changed = True
            if p.popen is None and now >= p.due_at and not self.stopping:
                p.restarts += 1
                p.start()
                log("supervisor", f"restarted {p.name} (restart #{p.restarts})")
                changed = True
        if changed:
            self.write_status()

    def write_status(self) -> None:
        if self.status_file is None:
            return
        status = {p.name: {"pid": p.popen.pid if p.popen else None, "restarts": p.restarts}
                  for p in self.processes}
        tmp = self.status_file.with_suffix(".tmp")
        tmp.write_text(json.dumps(status))
        tmp.replace(self.status_file)

    def stop_all(self) -> int:
        running = [p.popen for p in self.processes if p.popen and p.popen.poll() is None]
        for popen in running:
            popen.terminate()
        deadline = time.monotonic() + STOP_GRACE_S
        for popen in running:
            try:
                popen.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                popen.kill()
                popen.wait()
        log("supervisor", "all processes stopped")
        return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("procfile", type=Path)
    parser.add_argument("--status-file", type=Path)
    parser.add_argument("--backoff-s", type=float, default=1.0)
    parser.add_argument("--max-backoff-s", type=float, default=30.0)
    args = parser.parse_args(argv)
    supervisor = Supervisor(read_procfile(args.procfile), args.status_file, args.backoff_s,
                            args.max_backoff_s)

    def stop(signum: int, _frame: object) -> None:
        supervisor.stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    return supervisor.run()


if __name__ == "__main__":
    sys.exit(main())

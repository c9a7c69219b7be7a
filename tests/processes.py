"""Running affbill's own programs as real processes in tests: ports, start, readiness."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import httpx


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
                     timeout: float = 90) -> Iterator[dict[str, subprocess.Popen[bytes]]]:
    """`affbill-<service> serve` for each {service: port}, ready before the block, ended after."""
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

"""Helpers of the benchmarks: free ports, subprocess services, waiting, peak RSS."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.processes import free_port  # noqa: F401 - re-exported for the benches

BIN = Path(sys.executable).parent


def start(args: list[str], env: dict[str, str] | None = None, log: Path | None = None
          ) -> subprocess.Popen[bytes]:
    out = log.open("wb") if log else subprocess.DEVNULL
    return subprocess.Popen([str(BIN / args[0]), *args[1:]], env={**os.environ, **(env or {})},
                            stdout=out, stderr=subprocess.STDOUT)


def wait_http(url: str, proc: subprocess.Popen[bytes], timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{url}: process exited with {proc.returncode}")
        try:
            if httpx.get(url, timeout=2).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"{url} did not answer in {timeout} s")


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(20)
    except subprocess.TimeoutExpired:
        proc.kill()


def drop_schema(database_url: str, schema: str) -> None:
    """Benchmarks leave nothing behind: their schema goes when they end."""
    import asyncio

    import asyncpg

    async def drop() -> None:
        conn = await asyncpg.connect(database_url.replace("postgresql+asyncpg://", "postgresql://"))
        try:
            await conn.execute(f'drop schema if exists "{schema}" cascade')
        finally:
            await conn.close()

    asyncio.run(drop())

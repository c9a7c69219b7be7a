"""deploy/local/supervise.py with dummy commands: a killed process comes back, the others
stay up, and a stop ends them all."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

SUPERVISE = Path(__file__).resolve().parents[2] / "deploy/local/supervise.py"


def status(path: Path) -> dict[str, Any]:
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return {}


def wait_for(predicate: Any, timeout: float = 20) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := predicate():
            return value
        time.sleep(0.05)
    raise AssertionError("condition not reached")


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_a_killed_service_is_restarted_and_a_stop_ends_all(tmp_path: Path) -> None:
    procfile = tmp_path / "Procfile"
    procfile.write_text("web: sleep 300\nworker: FOO=bar sleep 300\n")
    state, out = tmp_path / "status.json", (tmp_path / "out.log").open("wb")
    supervisor = subprocess.Popen([sys.executable, str(SUPERVISE), str(procfile),
                                   "--status-file", str(state), "--backoff-s", "0.1"],
                                  stdout=out, stderr=subprocess.STDOUT)
    try:
        first = wait_for(lambda: (s := status(state)) and all(v["pid"] for v in s.values()) and s)
        os.kill(first["web"]["pid"], signal.SIGKILL)
        again = wait_for(lambda: (s := status(state))["web"]["restarts"] == 1
                         and s["web"]["pid"] and s)
        assert again["web"]["pid"] != first["web"]["pid"] and alive(again["web"]["pid"])
        assert again["worker"] == first["worker"]  # the others were left alone
        supervisor.send_signal(signal.SIGTERM)
        assert supervisor.wait(30) == 0
        assert not alive(again["web"]["pid"]) and not alive(again["worker"]["pid"])
    finally:
        if supervisor.poll() is None:
            supervisor.kill()
    text = (tmp_path / "out.log").read_text()
    assert "web exited with code -9" in text and "restarted web (restart #1)" in text

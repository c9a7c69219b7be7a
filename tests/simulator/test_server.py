"""The real server: `affbill-simulator serve` as a process, over real HTTP on loopback."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from affbill_simulator.app import create_app
from tests.processes import free_port
from tests.simulator.conftest import SCALE, client, ho, window


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    port = free_port()
    scale_args = [f"--{name.replace('_', '-')}={value}"
                  for name, value in SCALE.model_dump(mode="json").items()]
    proc = subprocess.Popen([str(Path(sys.executable).with_name("affbill-simulator")), "serve",
                             "--port", str(port), *scale_args],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            httpx.get(f"{url}/control/scale", timeout=1)
            break
        except httpx.HTTPError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                raise RuntimeError(f"simulator did not start: {proc.communicate()[0]!r}") from None
            time.sleep(0.1)
    yield url
    proc.terminate()
    proc.wait(10)


async def test_a_page_over_http_is_the_same_bytes_as_in_process(server: str) -> None:
    params = ho(limit=20, page=2) + window()
    async with httpx.AsyncClient(base_url=server, timeout=10) as http:
        r = await http.get("/Apiv3/json", params=params)
    assert r.status_code == 200 and r.headers["content-type"] == "application/json"
    data = r.json()["response"]["data"]
    assert (data["page"], data["current"], data["count"]) == (2, 20, 50)
    async with client(create_app(SCALE)) as local:  # another process, same seed and scale
        assert (await local.get("/Apiv3/json", params=params)).content == r.content


async def test_a_timeout_fault_outlasts_a_real_client_timeout(server: str) -> None:
    async with httpx.AsyncClient(base_url=server, timeout=0.3) as http:
        await http.post("/control/faults", json={"kind": "timeout", "seconds": 1,
                                                 "path_contains": "getStats"})
        with pytest.raises(httpx.ReadTimeout):
            await http.get("/Apiv3/json", params=ho(limit=1) + window())
        again = await http.get("/Apiv3/json", params=ho(limit=1) + window())
        assert again.json()["response"]["status"] == 1

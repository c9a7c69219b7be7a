"""The render pool survives a worker killed mid-render, and sizes itself to the CPU quota."""

from __future__ import annotations

import asyncio
import os
import signal
import uuid
from pathlib import Path

import pytest

from affbill_documents.adapters.cpus import available_cpus
from affbill_documents.adapters.pool import RenderPool
from tests.unit.documents.samples import invoice

pytestmark = pytest.mark.integration


def documents(n: int) -> list:
    return [invoice(lines=30, number=f"INV-POOL-{uuid.uuid4().hex[:6]}") for _ in range(n)]


@pytest.mark.timeout(900)  # two pools start (Saxon compiles the Schematron in each worker)
async def test_a_worker_killed_mid_render_is_replaced_and_its_documents_rendered() -> None:
    pool = RenderPool(workers=2)
    await pool.start()
    try:
        victim = pool.pids[0]
        rendering = asyncio.create_task(pool.render_many(documents(6)))
        await asyncio.sleep(0.2)  # the workers are busy with the batch
        os.kill(victim, signal.SIGKILL)
        rendered = await rendering
        assert all(r.valid for r in rendered), [r.failed_rules for r in rendered]
        assert pool.rebuilt == 1
        # the consumer goes on: the next documents render on the new pool
        after = await pool.render_many(documents(2))
        assert all(r.valid for r in after)
        assert pool.rebuilt == 1
    finally:
        await asyncio.to_thread(pool.close)


@pytest.mark.parametrize(("files", "expected"), [
    ({"cpu.max": "150000 100000\n"}, 1),  # 1.5 CPUs: one worker, not two throttled ones
    ({"cpu.max": "200000 100000\n"}, 2),
    ({"cpu.max": "max 100000\n"}, None),  # no quota: the CPUs the process may run on
    ({"cpu/cpu.cfs_quota_us": "300000\n", "cpu/cpu.cfs_period_us": "100000\n"}, 3),
    ({"cpu/cpu.cfs_quota_us": "-1\n", "cpu/cpu.cfs_period_us": "100000\n"}, None),
    ({}, None),
])
def test_workers_follow_the_cgroup_cpu_quota(tmp_path: Path, files: dict[str, str],
                                             expected: int | None) -> None:
    for name, content in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(content)
    usable = len(os.sched_getaffinity(0))
    assert available_cpus(tmp_path) == (min(expected, usable) if expected else usable)

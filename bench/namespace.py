"""Benchmarks run on topics of their own: imported first by every benchmark, before any
affbill module reads ``AFFBILL_TOPIC_PREFIX``. The services a benchmark starts inherit the
prefix through their environment; the benchmark's topics are deleted when it exits."""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import os
import uuid

PREFIX = os.environ.setdefault("AFFBILL_TOPIC_PREFIX", f"bench-{uuid.uuid4().hex[:8]}.")


async def _delete_topics() -> None:
    from aiokafka.admin import AIOKafkaAdminClient

    admin = AIOKafkaAdminClient(
        bootstrap_servers=os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092"))
    try:
        await admin.start()
        if mine := [t for t in await admin.list_topics() if t.startswith(PREFIX)]:
            await admin.delete_topics(mine)
    finally:
        await admin.close()


@atexit.register
def _cleanup() -> None:
    if PREFIX.startswith("bench-"):  # only what this run made, never a prefix given to it
        with contextlib.suppress(Exception):
            asyncio.run(_delete_topics())

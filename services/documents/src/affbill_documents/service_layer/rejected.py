"""Bad input loses nothing: a message that is not a valid contract is kept with the reason."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from affbill_documents.adapters import repository
from affbill_runtime.db import UnitOfWork

log = logging.getLogger("affbill.documents.rejected")


@dataclass(frozen=True)
class Rejected:
    topic: str
    reason: str
    raw: bytes
    partition: int | None = None
    offset: int | None = None


async def keep(uow_factory: Callable[[], UnitOfWork], rejected: Sequence[Rejected]) -> None:
    """Store them in rejected_messages (a redelivered one, same position, is kept once)."""
    if not rejected:
        return
    for r in rejected:
        log.error("rejected message", extra={"topic": r.topic, "partition": r.partition,
                                             "offset": r.offset, "reason": r.reason[:500]})
    async with uow_factory() as uow:
        await repository.keep_rejected(uow.session, [
            {"topic": r.topic, "partition": r.partition, "offset": r.offset,
             "reason": r.reason[:2000], "raw": r.raw} for r in rejected])
        await uow.commit()

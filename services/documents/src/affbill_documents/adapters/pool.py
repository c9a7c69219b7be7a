"""Rendering in worker processes: typst, factur-x, XSD and Schematron off the event loop.

Workers are *spawned* (never forked), each builds its own :class:`Renderer` once —
typst compiler, XSD, Saxon with the compiled Schematron — and uses it from its one
thread for every document it gets. Saxon therefore never crosses a fork or a thread,
and the XSLT is compiled once per worker, not per document.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor

from affbill_contracts.invoices import InvoiceDocument
from affbill_documents.adapters.cii import SellerContact
from affbill_documents.adapters.renderer import RENDER_ERROR, Rendered, Renderer

log = logging.getLogger("affbill.documents.pool")
_renderer: Renderer | None = None


def _start_worker(seller_contact: SellerContact | None) -> None:
    global _renderer
    _renderer = Renderer(seller_contact)


def _render(snapshot: bytes) -> Rendered:
    assert _renderer is not None, "worker not initialised"
    doc = InvoiceDocument.model_validate_json(snapshot)
    try:
        return _renderer.render(doc)
    except Exception as exc:
        return Rendered(invoice_id=doc.invoice_id, pdf=b"", xml=b"", valid=False,
                        failed_rules=[RENDER_ERROR],
                        findings=[{"rule": RENDER_ERROR, "message": f"{type(exc).__name__}: "
                                   f"{str(exc)[:500]}", "warning": False, "xml": None}],
                        e_invoice_format=doc.e_invoice_format.value)


def _ready() -> int:
    return os.getpid()


class RenderPool:
    """``await pool.render_many(docs)``: documents rendered concurrently by the workers."""

    def __init__(self, workers: int, seller_contact: SellerContact | None = None) -> None:
        self.workers = workers
        self.seller_contact = seller_contact
        self._executor: ProcessPoolExecutor | None = None

    def _pool(self) -> ProcessPoolExecutor:
        if self._executor is None:
            self._executor = ProcessPoolExecutor(
                max_workers=self.workers, mp_context=multiprocessing.get_context("spawn"),
                initializer=_start_worker, initargs=(self.seller_contact,))
        return self._executor

    async def start(self) -> None:
        """Start every worker now (Saxon compiling the Schematron takes about a second)."""
        loop = asyncio.get_running_loop()
        pids = await asyncio.gather(*(loop.run_in_executor(self._pool(), _ready)
                                      for _ in range(self.workers)))
        log.info("render workers ready", extra={"pids": sorted(set(pids))})

    async def render_many(self, docs: Sequence[InvoiceDocument]) -> list[Rendered]:
        loop = asyncio.get_running_loop()
        pool = self._pool()
        return list(await asyncio.gather(*(
            loop.run_in_executor(pool, _render, doc.model_dump_json().encode()) for doc in docs)))

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None

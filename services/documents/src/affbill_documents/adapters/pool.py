"""Rendering in worker processes: typst, factur-x, XSD and Schematron off the event loop.

Workers are *spawned* (never forked), each builds its own :class:`Renderer` once —
typst compiler, XSD, Saxon with the compiled Schematron — and uses it from its one
thread for every document it gets. Saxon therefore never crosses a fork or a thread,
and the XSLT is compiled once per worker, not per document.

A worker that dies (OOM killer, a crash in native code) breaks the whole pool: the
pool is then built anew and each document it held is rendered once more; a document
that breaks the pool twice comes back as a render error, so the consumer goes on.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

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


def _worker_died(doc: InvoiceDocument) -> Rendered:
    message = "the render worker died twice while rendering this document"
    return Rendered(invoice_id=doc.invoice_id, pdf=b"", xml=b"", valid=False,
                    failed_rules=[RENDER_ERROR],
                    findings=[{"rule": RENDER_ERROR, "message": message, "warning": False,
                               "xml": None}],
                    e_invoice_format=doc.e_invoice_format.value)


class RenderPool:
    """``await pool.render_many(docs)``: documents rendered concurrently by the workers."""

    def __init__(self, workers: int, seller_contact: SellerContact | None = None) -> None:
        self.workers = workers
        self.seller_contact = seller_contact
        self._executor: ProcessPoolExecutor | None = None
        self.pids: list[int] = []
        self.rebuilt = 0

    def _pool(self) -> ProcessPoolExecutor:
        if self._executor is None:
            self._executor = ProcessPoolExecutor(
                max_workers=self.workers, mp_context=multiprocessing.get_context("spawn"),
                initializer=_start_worker, initargs=(self.seller_contact,))
        return self._executor

    async def start(self) -> None:
        """Start every worker now (Saxon compiling the Schematron takes about a second)."""
        loop = asyncio.get_running_loop()
        pool = self._pool()
        pids = await asyncio.gather(*(loop.run_in_executor(pool, _ready)
                                      for _ in range(self.workers)))
        self.pids = sorted(set(pids))
        log.info("render workers ready", extra={"pids": self.pids})

    def _rebuild(self, broken: ProcessPoolExecutor) -> None:
        """Drop a broken pool (once, however many renders saw it break)."""
        if self._executor is broken:
            log.error("a render worker died; starting a new pool")
            broken.shutdown(wait=False, cancel_futures=True)
            self._executor = None
            self.rebuilt += 1

    async def _render_once(self, docs: Sequence[InvoiceDocument]
                           ) -> list[Rendered | BaseException]:
        loop = asyncio.get_running_loop()
        pool = self._pool()

        def submit(doc: InvoiceDocument) -> asyncio.Future[Rendered]:
            try:
                return loop.run_in_executor(pool, _render, doc.model_dump_json().encode())
            except BrokenProcessPool as exc:  # broke before this document was handed over
                failed: asyncio.Future[Rendered] = loop.create_future()
                failed.set_exception(exc)
                return failed

        results = list(await asyncio.gather(*map(submit, docs), return_exceptions=True))
        if any(isinstance(r, BrokenProcessPool) for r in results):
            self._rebuild(pool)
        return results

    async def render_many(self, docs: Sequence[InvoiceDocument]) -> list[Rendered]:
        results = await self._render_once(docs)
        again = [i for i, r in enumerate(results) if isinstance(r, BrokenProcessPool)]
        if again:
            retried = await self._render_once([docs[i] for i in again])
            for i, result in zip(again, retried, strict=True):
                died = isinstance(result, BrokenProcessPool)
                results[i] = _worker_died(docs[i]) if died else result
        for result in results:
            if isinstance(result, BaseException):
                raise result
        return results  # type: ignore[return-value]

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None

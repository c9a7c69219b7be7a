"""One document end to end: CII XML, validation, typst PDF/A-3b, embedding, hashes;
for buyers who require it also the XRechnung XML, validated with the XRechnung rules.

A :class:`Renderer` holds the per-process parts (typst compiler, XSD, compiled
Schematron); :mod:`affbill_documents.adapters.pool` runs one per worker process.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import time
import uuid
from dataclasses import dataclass, field

from affbill_contracts.invoices import EInvoiceFormat, InvoiceDocument
from affbill_documents.adapters.cii import SellerContact, cii_xml, xrechnung_xml
from affbill_documents.adapters.pdf import PdfMaker
from affbill_documents.adapters.validation import Finding, Validator
from affbill_documents.domain.printing import print_model

PROFILE = "EN 16931"
RENDER_ERROR = "RENDERING"  # the rule id a document that could not be rendered is flagged with


@dataclass(frozen=True)
class Rendered:
    invoice_id: uuid.UUID
    pdf: bytes
    xml: bytes
    valid: bool
    failed_rules: list[str]
    findings: list[dict[str, object]] = field(default_factory=list)
    render_ms: float = 0.0
    validate_ms: float = 0.0
    profile: str = PROFILE
    e_invoice_format: str = EInvoiceFormat.FACTUR_X.value
    xrechnung: bytes | None = None  # the XRechnung XML, for buyers who require it

    @property
    def xrechnung_sha256(self) -> str | None:
        return hashlib.sha256(self.xrechnung).hexdigest() if self.xrechnung is not None else None

    @property
    def pdf_sha256(self) -> str:
        return hashlib.sha256(self.pdf).hexdigest()

    @property
    def xml_sha256(self) -> str:
        return hashlib.sha256(self.xml).hexdigest()


def document_timestamp(doc: InvoiceDocument) -> dt.datetime:
    """The fixed creation time written into the PDF: the issue date, midnight UTC."""
    return dt.datetime.combine(doc.issue_date, dt.time(), tzinfo=dt.UTC)


def _findings(found: list[Finding], xml: str) -> list[dict[str, object]]:
    return [{"rule": f.rule, "message": f.message, "warning": f.warning, "xml": xml}
            for f in found]


def preview_pdf(maker: PdfMaker, doc: InvoiceDocument) -> bytes:
    """A draft's PDF from the same template and print model as an issued document, with
    the watermark DRAFT and no number; no e-invoice XML is embedded (a draft is none)."""
    return maker.typeset(print_model(doc, draft=True), document_timestamp(doc))


class Renderer:
    def __init__(self, seller_contact: SellerContact | None = None) -> None:
        self._pdf = PdfMaker()
        self._validator = Validator()
        self._contact = seller_contact or SellerContact()

    def render(self, doc: InvoiceDocument) -> Rendered:
        started = time.perf_counter()
        xml = cii_xml(doc)
        report = self._validator.validate(xml)
        findings = _findings(report.findings, "factur-x")
        failed = set(report.failed_rules)
        xrechnung = None
        if doc.e_invoice_format == EInvoiceFormat.XRECHNUNG:
            xrechnung = xrechnung_xml(doc, self._contact)
            xr_report = self._validator.validate_xrechnung(xrechnung)
            findings += _findings(xr_report.findings, "xrechnung")
            failed |= set(xr_report.failed_rules)
        validated = time.perf_counter()
        model = print_model(doc)
        stamp = document_timestamp(doc)
        pdf = self._pdf.embed(self._pdf.typeset(model, stamp), xml, stamp,
                              title=f"{model['title']} {doc.number}", author=doc.seller.name,
                              subject=f"{model['title']} {doc.number} of {doc.issue_date} "
                                      f"to {doc.buyer.name}")
        done = time.perf_counter()
        return Rendered(
            invoice_id=doc.invoice_id, pdf=pdf, xml=xml, valid=not failed,
            failed_rules=sorted(failed), findings=findings,
            render_ms=(done - validated) * 1000 + 0.0, validate_ms=(validated - started) * 1000,
            e_invoice_format=doc.e_invoice_format.value, xrechnung=xrechnung)

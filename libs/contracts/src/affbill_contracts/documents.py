"""documents.rendered: a document was rendered, validated and stored."""

from __future__ import annotations

import uuid
from typing import ClassVar

from pydantic import Field

from affbill_contracts.bounds import Count
from affbill_contracts.envelope import Payload


class DocumentRendered(Payload):
    EVENT_TYPE: ClassVar[str] = "documents.document.rendered"

    invoice_id: uuid.UUID = Field(description="Billing's id of the document.",
                                  examples=["9a3c5e7f-1b2d-4c6e-8f0a-1b2c3d4e5f60"])
    number: str = Field(description="Document number.", examples=["INV-2026-00042"])
    customer_id: str = Field(description="The customer.",
                             examples=["hasoffers-main:advertiser:501"])
    profile: str = Field(description="E-invoice profile embedded.", examples=["EN 16931"])
    pdf_sha256: str = Field(pattern="^[0-9a-f]{64}$", description="SHA-256 of the PDF bytes.",
                            examples=["9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"])
    pdf_size: Count = Field(description="PDF size in bytes.", examples=[48211])
    xml_sha256: str = Field(pattern="^[0-9a-f]{64}$", description="SHA-256 of the XML bytes.",
                            examples=["60303ae22b998861bce3b28f33eec1be758a213c86c93c076dbe9f558c11c752"])
    valid: bool = Field(description="XSD and Schematron validation passed.", examples=[True])
    failed_rules: list[str] = Field(default_factory=list,
                                    description="Ids of failed validation rules, if any.",
                                    examples=[["BR-CO-10"]])

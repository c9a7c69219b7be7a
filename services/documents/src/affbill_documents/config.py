"""Settings of the documents service (environment: AFFBILL_DOCUMENTS_*, plus the shared ones)."""

import os

from pydantic import AliasChoices, Field
from pydantic_settings import SettingsConfigDict

from affbill_documents.adapters.cii import SellerContact
from affbill_runtime.settings import ServiceSettings

CONTACT = SellerContact()


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="AFFBILL_DOCUMENTS_", extra="ignore")

    service_name: str = "documents"
    # the secret the services share: billing.invoices events must carry billing's signature
    internal_secret: str | None = Field(
        None, validation_alias=AliasChoices("AFFBILL_INTERNAL_SECRET", "internal_secret"))
    http_port: int = 8003
    # worker processes rendering and validating documents (one per core by default)
    render_workers: int = Field(default_factory=lambda: os.cpu_count() or 1, ge=1)
    # billing.invoices events taken per batch: one transaction and one rendering job each
    render_batch_size: int = Field(64, ge=1, le=1000)
    # the seller's contact in XRechnung documents (BG-6: BT-41 contact point, BT-42 phone,
    # BT-43 e-mail; the e-mail is also the seller's electronic address BT-34 when billing
    # sends none)
    seller_contact_name: str = Field(CONTACT.name, min_length=1)
    seller_contact_phone: str = Field(CONTACT.phone, pattern=r".*([0-9].*){3,}")
    seller_contact_email: str = Field(CONTACT.email, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

    def seller_contact(self) -> SellerContact:
        return SellerContact(self.seller_contact_name, self.seller_contact_phone,
                             self.seller_contact_email)

"""Settings of the billing service (environment: AFFBILL_BILLING_*, plus the shared ones)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator, model_validator
from pydantic_settings import SettingsConfigDict

from affbill_billing.domain.approvals import FourEyes
from affbill_billing.domain.fx import RateDateRule
from affbill_billing.domain.periods import local_day
from affbill_billing.domain.seller_entities import CONFIGURED, BankAccount, SellerEntity
from affbill_runtime.settings import ServiceSettings

# the seller details shipped as examples; production refuses to run with any of them
PLACEHOLDERS = ("seller_name", "seller_vat_id", "seller_tax_number", "seller_iban",
                "seller_bic", "seller_register", "seller_register_number",
                "seller_address_lines", "seller_managing_directors")


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="AFFBILL_BILLING_", extra="ignore")

    service_name: str = "billing"
    http_port: int = 8002
    # the seller: the network issuing the documents
    seller_name: str = "Affiliate Network GmbH"
    seller_country: str = "DE"
    seller_vat_id: str = "DE999999999"
    seller_tax_number: str = "37/000/00000"  # Steuernummer (BT-32): identifies on O documents
    seller_iban: str = "DE89370400440532013000"
    seller_register: str = "Amtsgericht Berlin HRB 000000"
    seller_register_number: str = "HRB 000000"  # BT-30, with the court in seller_register
    seller_address_lines: tuple[str, ...] = ("Friedrichstraße 1",)
    seller_postal_code: str = "10117"
    seller_city: str = "Berlin"
    seller_bic: str = "COBADEFFXXX"
    seller_bank_name: str = "Commerzbank"
    seller_managing_directors: tuple[str, ...] = ("Max Mustermann",)
    domestic_vat_rate: Decimal = Decimal("19")
    # which day's exchange rate a foreign-currency document uses: its invoice date, or its
    # period's last day; the configured seller's, and every entity's that names none
    fx_rate_date: RateDateRule = RateDateRule.INVOICE_DATE
    # the network's time zone: which day it is, so which billing periods are over
    network_time_zone: str = "UTC"
    # a period is ready once, per connector, a sync that read its days started this long
    # after its end; a run for a period that is not ready needs force (with a reason)
    period_settle_h: float = Field(24.0, ge=0)
    runs_need_ready_period: bool = True
    lock_period_after_run: bool = False  # lock a run's periods when it finishes
    # the fiscal year starts on the 1st of this month (profiles may bill everything held
    # back below their threshold with the period holding the year's last day)
    fiscal_year_start_month: int = Field(1, ge=1, le=12)
    # a new affiliate's self-billed credit notes are drafts first (set apart from invoices)
    credit_note_drafts_by_default: bool = False
    run_concurrency: int = 8  # customers billed at once in a run
    # a chunk of a run's customers claimed by a process is its own this long (then another
    # process may take it: the one that claimed it is taken for dead)
    run_chunk_lease_s: float = 30.0
    run_help_every_s: float = 1.0  # how often a billing process looks for runs to help
    # schedules (service_layer/schedule_leader.py): one leader across replicas starts due runs
    schedule_every_s: float = Field(30.0, gt=0)  # how often the leader looks for due runs
    schedule_election_s: float = Field(5.0, gt=0)  # how often the others stand for election
    # generator pages are reused while the database wrote nothing, at most this long; 0 = off
    generator_page_reuse_s: float = 2.0
    approvals_required: int = Field(0, ge=0, le=10)  # different users to approve a draft; 0 = off
    # four eyes (domain/approvals.py): may the user giving the last approval also issue?
    last_approver_may_issue: bool = False

    # commands (runs, bulk issues) as leased work items (service_layer/work_worker.py)
    work_item_lease_s: float = Field(30.0, gt=0)  # renewed every third of it while working
    work_item_attempts: int = Field(5, ge=1)  # then the command is failed with its reason
    work_item_retry_s: float = Field(2.0, ge=0)  # backoff after a failure, doubling
    work_item_concurrency: int = Field(4, ge=1)  # commands one process executes at once
    work_item_poll_s: float = Field(1.0, gt=0)  # how often a worker looks for due items

    @model_validator(mode="after")
    def _no_placeholder_seller_in_production(self) -> Settings:
        """The shipped seller details are examples: a production service refuses to start
        with any of them, naming the setting to give."""
        if self.production:
            for name in PLACEHOLDERS:
                if getattr(self, name) == type(self).model_fields[name].default:
                    raise ValueError(
                        f"AFFBILL_BILLING_{name.upper()} still has its shipped placeholder "
                        f"value {getattr(self, name)!r}: set the seller's real "
                        f"{name.removeprefix('seller_').replace('_', ' ')} "
                        "(required when AFFBILL_ENV=production)")
        return self

    def configured_seller(self) -> SellerEntity:
        """The seller these settings describe: the entity of profiles that name none."""
        return SellerEntity(
            CONFIGURED, self.seller_name, {"lines": list(self.seller_address_lines),
                                           "postal_code": self.seller_postal_code,
                                           "city": self.seller_city},
            self.seller_country, self.seller_vat_id or None, self.seller_tax_number or None,
            tuple(self.seller_managing_directors), self.seller_register.removesuffix(
                self.seller_register_number).strip(), self.seller_register_number,
            (BankAccount(self.seller_iban, self.seller_bic, self.seller_bank_name),),
            "en", self.domestic_vat_rate)
    @field_validator("network_time_zone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"network_time_zone: unknown time zone {value!r}") from None
        return value

    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.network_time_zone)

    def today(self, now: dt.datetime | None = None) -> dt.date:
        """The day it is in the network's time zone (now, or at an aware instant)."""
        return local_day(now or dt.datetime.now(dt.UTC), self.zone())

    def rate_date_rule(self, issuer: SellerEntity | None) -> RateDateRule:
        """Which day's rate a seller's documents use: the entity's own rule, else the
        configured seller's (these settings)."""
        return (issuer.fx_rate_date if issuer else None) or self.fx_rate_date

    def four_eyes(self) -> FourEyes:
        return FourEyes(self.approvals_required, self.last_approver_may_issue)

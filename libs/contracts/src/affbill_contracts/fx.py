"""fx.rates: exchange rates as facts, and the accounting-currency statement of a document.

A rates source (the ECB's euro reference rates by default) publishes, per day, how many
units of each currency one unit of the base currency buys, exactly as published: the
rate keeps its published digits (``1.1606``, ``0.86905``), never a float, never an
inverse. Billing stores every fact it receives as the rate history; a manual rate is the
same fact with who entered it and why.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, ClassVar

from pydantic import Field, ValidationInfo, field_validator

from affbill_contracts.base import Contract
from affbill_contracts.bounds import Name
from affbill_contracts.envelope import Payload
from affbill_contracts.money import Amount, CurrencyCode

Rate = Annotated[Decimal, Field(gt=0, max_digits=28, decimal_places=10, allow_inf_nan=False)]
"""Units of the quoted currency per one unit of the base, as published (positive)."""

MAX_RATES_PER_DAY = 500  # every ISO 4217 code fits; a source sending more is refused


class ExchangeRatesPublished(Payload):
    """The rates one source published for one day (``fx.rates``, keyed ``source:date``).

    The same day published again with other values is a correction: billing keeps both
    and uses the later one from then on; documents already issued keep their snapshot."""

    EVENT_TYPE: ClassVar[str] = "fx.rates.published"

    source: Name = Field(min_length=1, max_length=64,
                         description="Who published the rates: 'ecb', 'openexchangerates', …",
                         examples=["ecb"])
    base: CurrencyCode = Field(description="The currency one unit of which the rates quote.",
                               examples=["EUR"])
    rate_date: dt.date = Field(description="The day the rates are published for.",
                               examples=["2026-11-27"])
    rates: dict[CurrencyCode, Rate] = Field(
        min_length=1, max_length=MAX_RATES_PER_DAY,
        description="Units of each currency per one unit of the base, published digits kept.",
        examples=[{"GBP": "0.86905", "USD": "1.1606", "CHF": "0.9312"}])

    @field_validator("rates")
    @classmethod
    def _not_the_base(cls, rates: dict[str, Decimal], info: ValidationInfo
                      ) -> dict[str, Decimal]:
        base = info.data.get("base")
        if base in rates:
            raise ValueError(f"{base}: the base currency is not quoted against itself")
        return rates


class VatAccounting(Contract):
    """The VAT of a foreign-currency document in the seller's accounting currency
    (Art. 230 VAT Directive; EN 16931 BT-6 and BT-111), with the rate that made it."""

    currency: CurrencyCode = Field(description="The seller's accounting currency (BT-6).",
                                   examples=["EUR"])
    rate: Rate = Field(description="Units of the document currency per one unit of the "
                       "accounting currency, as published.", examples=["0.86905"])
    rate_date: dt.date = Field(description="The day the rate was published for.",
                               examples=["2026-11-27"])
    source: Name = Field(min_length=1, max_length=64,
                         description="Who published it ('ecb', …, or 'manual').",
                         examples=["ecb"])
    tax_total: Amount = Field(description="Total VAT in the accounting currency (BT-111): "
                              "the document's VAT total / rate, HALF_UP to its minor unit.",
                              examples=["114.79"])


class LineConversion(Contract):
    """How a line's amount was converted from the items' currency (convert mode): the
    source amount and the published quotes, so anyone recomputes the line exactly:
    ``direct_rate``: source × rate; else source / source_rate × target_rate (a quote of
    None is the base itself), rounded once, HALF_UP, to the document currency."""

    source_currency: CurrencyCode = Field(description="The items' currency.",
                                          examples=["GBP"])
    source_amount: Amount = Field(description="The line's net amount in it.",
                                  examples=["700.00"])
    base: CurrencyCode = Field(description="The currency the quotes are per one unit of.",
                               examples=["EUR"])
    source_rate: Rate | None = Field(default=None, description="Units of the source currency "
                                     "per one unit of the base.", examples=["0.86905"])
    target_rate: Rate | None = Field(default=None, description="Units of the document "
                                     "currency per one unit of the base.", examples=[None])
    direct_rate: Rate | None = Field(default=None, description="Units of the document "
                                     "currency per one unit of the source (a direct quote).",
                                     examples=[None])
    rate_date: dt.date = Field(description="The day the quotes were published for.",
                               examples=["2026-11-27"])
    source: Name = Field(min_length=1, max_length=64, description="Who published them.",
                         examples=["ecb"])

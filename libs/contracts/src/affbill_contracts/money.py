"""Money on the wire: exact decimals and ISO 4217 currency codes.

Amounts travel as JSON strings (pydantic's Decimal serialization), never as
floats, so the 5 decimals adtrackers send survive every hop. Rounding to the
currency's minor unit is a billing rule and lives in the billing domain; the
minor units themselves are part of the currency contract and live here.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import AfterValidator, Field

from affbill_contracts.base import Contract

_ZERO = "BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF"
_THREE = "BHD IQD JOD KWD LYD OMR TND"
_FOUR = "CLF UYW"
_TWO = (
    "AED AFN ALL AMD AOA ARS AUD AWG AZN BAM BBD BDT BGN BMD BND BOB BOV BRL BSD BTN "
    "BWP BYN BZD CAD CDF CHE CHF CHW CNY COP COU CRC CUP CVE CZK DKK DOP DZD EGP ERN "
    "ETB EUR FJD FKP GBP GEL GHS GIP GMD GTQ GYD HKD HNL HTG HUF IDR ILS INR IRR JMD "
    "KES KGS KHR KPW KYD KZT LAK LBP LKR LRD LSL MAD MDL MGA MKD MMK MNT MOP MRU MUR "
    "MVR MWK MXN MXV MYR MZN NAD NGN NIO NOK NPR NZD PAB PEN PGK PHP PKR PLN QAR RON "
    "RSD RUB SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT "
    "TOP TRY TTD TWD TZS UAH USD USN UYU UZS VED VES WST XCD XCG YER ZAR ZMW ZWG"
)

#: ISO 4217 active codes and their minor-unit exponent (digits after the decimal point).
MINOR_UNITS: dict[str, int] = {
    **{c: 2 for c in _TWO.split()},
    **{c: 0 for c in _ZERO.split()},
    **{c: 3 for c in _THREE.split()},
    **{c: 4 for c in _FOUR.split()},
}


class UnknownCurrency(ValueError):
    def __init__(self, code: str) -> None:
        super().__init__(f"unknown currency {code!r}: not an active ISO 4217 code")
        self.code = code


def minor_unit(code: str) -> int:
    """Digits after the decimal point for the currency (EUR → 2, JPY → 0, KWD → 3)."""
    try:
        return MINOR_UNITS[code]
    except KeyError:
        raise UnknownCurrency(code) from None


def quantum(code: str) -> Decimal:
    """The smallest amount of the currency as a Decimal exponent (EUR → Decimal('0.01'))."""
    return Decimal(1).scaleb(-minor_unit(code))


def _check_currency(code: str) -> str:
    minor_unit(code)
    return code


CurrencyCode = Annotated[
    str,
    Field(min_length=3, max_length=3, pattern="^[A-Z]{3}$"),
    AfterValidator(_check_currency),
]
"""An active ISO 4217 alphabetic code, upper case."""

Amount = Annotated[Decimal, Field(max_digits=28, decimal_places=10, allow_inf_nan=False)]
"""An exact amount: adtracker precision kept (up to 10 decimals), never a float."""


class Money(Contract):
    amount: Amount = Field(description="Exact amount.", examples=["1234.50"])
    currency: CurrencyCode = Field(description="ISO 4217 currency code.", examples=["EUR"])

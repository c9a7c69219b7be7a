"""Deterministic VAT ids that pass their country's check digits (DE, FR, AT), so the
simulated network has customers the VAT rules treat differently:

- domestic (DE) partners all have a German VAT id;
- EU partners abroad (FR, AT) have one, except every third, which has none;
- partners outside the EU (GB, CH, US) have none (their documents carry no VAT id).
"""

from __future__ import annotations

EU_ABROAD = ("FR", "AT")


def _luhn(digits: str) -> int:
    values = [int(d) for d in reversed(digits)]
    return (sum(values[::2]) + sum(sum(divmod(v * 2, 10)) for v in values[1::2])) % 10


def _mod_11_10(digits: str) -> str:
    check = 5
    for d in digits:
        check = (((check or 10) * 2) % 11 + int(d)) % 10
    return str((1 - ((check or 10) * 2) % 11) % 10)


def german(n: int) -> str:
    body = str(10_000_000 + (n * 7919) % 89_999_999)
    return f"DE{body}{_mod_11_10(body)}"


def french(n: int) -> str:
    body = str(30_000_000 + (n * 7919) % 69_999_999)
    siren = body + str((10 - _luhn(body + "0")) % 10)
    return f"FR{(12 + 3 * (int(siren) % 97)) % 97:02d}{siren}"


def austrian(n: int) -> str:
    body = str(1_000_000 + (n * 7919) % 8_999_999)
    return f"ATU{body}{(6 - _luhn(body)) % 10}"


def vat_id(country: str, n: int) -> str | None:
    """The VAT id of partner ``n`` in ``country`` (None: the partner has none)."""
    if country == "DE":
        return german(n)
    if country in EU_ABROAD and n % 3:
        return french(n) if country == "FR" else austrian(n)
    return None

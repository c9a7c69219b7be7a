"""VAT identifiers checked as their country publishes them: prefix, format and check digits.

One check for every door a VAT id comes in by (the sync quarantines a row that fails it,
billing refuses a profile that would hold it). EU ids carry their member state's prefix
(EL for Greece) and are checked by python-stdnum's per-country rules; another country's id
is checked where stdnum knows that country's VAT number, else accepted as given.
"""

from __future__ import annotations

from stdnum import get_cc_module
from stdnum.eu import vat as eu_vat
from stdnum.exceptions import ValidationError

EU_PREFIXES = frozenset(eu_vat.MEMBER_STATES) | {"el"}


def _prefix(country: str) -> str:
    return "EL" if country == "GR" else country


def vat_id_problem(vat_id: str, country: str | None) -> str | None:
    """Why the VAT id is not one (None: it is), given the holder's country (ISO 3166)."""
    compact = "".join(c for c in vat_id.upper() if c.isalnum())
    prefix = compact[:2].lower()
    if prefix in EU_PREFIXES:
        try:
            eu_vat.validate(compact)
        except ValidationError as exc:
            return f"{vat_id!r} is not a valid {prefix.upper()} VAT id: {exc}"
        return None
    if country and country.lower() in EU_PREFIXES:
        return (f"{vat_id!r} is not a VAT id of {country}: it starts with the country code "
                f"{_prefix(country)}")
    module = get_cc_module(country.lower(), "vat") if country else None
    if module is None:
        return None
    try:
        module.validate(vat_id)
    except ValidationError as exc:
        return f"{vat_id!r} is not a valid {country} VAT id: {exc}"
    return None

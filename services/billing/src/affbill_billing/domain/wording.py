"""Counts as the job log says them: `1 document`, `2 documents` (never "1 customers"), and
the few words billing writes into documents, in the document's language (en, de)."""

from __future__ import annotations

import datetime as dt


def counted(count: int, noun: str, plural: str | None = None) -> str:
    return f"{count} {noun if count == 1 else plural or noun + 's'}"


# A document's own words (line texts, payment terms) in its language: en or de.
SERVICES = {"en": "Affiliate marketing services", "de": "Affiliate-Marketing-Leistungen"}
OFFER = {"en": "Offer {id}", "de": "Angebot {id}"}


def day_text(day: dt.date, language: str) -> str:
    """A date as the document's locale prints it: ISO in English, 31.10.2026 in German."""
    return f"{day:%d.%m.%Y}" if language == "de" else day.isoformat()


def span(first: dt.date, last: dt.date, language: str) -> str:
    """A period as a line names it: one day, or first – last."""
    if first == last:
        return day_text(first, language)
    return f"{day_text(first, language)} – {day_text(last, language)}"


def conversions(units: int, language: str) -> str:
    """`1 conversion`, `1,997 conversions`; German `1 Conversion`, `1.997 Conversions`."""
    if language == "de":
        return f"{units:,} Conversion{'' if units == 1 else 's'}".replace(",", ".")
    return f"{units:,} conversion{'' if units == 1 else 's'}"


def days(count: int, language: str) -> str:
    """A number of days after "within": `1 day`, `10 days`; German `1 Tag`, `10 Tagen`."""
    if language == "de":
        return f"{count} {'Tag' if count == 1 else 'Tagen'}"
    return counted(count, "day")

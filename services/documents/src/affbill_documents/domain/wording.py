"""The PDF's words and formats in the document's language (en, de): labels, category
names, sentences, and the locale's number and date formats. Pure, no I/O.

English keeps ISO dates and ``1,234.50``; German prints ``31.10.2026`` and ``1.234,50``.
A number is only re-punctuated, never rounded or padded differently.
"""

from __future__ import annotations

import datetime as dt

LANGUAGES = ("en", "de")

LABELS: dict[str, dict[str, str]] = {
    "en": {
        "invoice": "Invoice", "cancellation": "Cancellation", "credit_note": "Credit note",
        "self_billed": "Self-billed credit note (self-billing)", "amount_paid": "Amount paid out",
        "self_billed_short": "Credit note",
        "no": "no.", "date": "Date", "due_date": "Due date", "period": "Service period",
        "supply_date": "Date of supply", "customer_no": "Customer no.",
        "customer_vat": "Customer VAT ID", "your_reference": "Your reference",
        "our_vat": "Our VAT ID", "pos": "Pos.", "description": "Description",
        "quantity": "Quantity", "unit_price": "Unit price", "net": "Net", "vat": "VAT",
        "net_total": "Net total", "gross_total": "Gross total", "page": "Page", "of": "of",
        "vat_id": "VAT ID", "tax_no": "Tax no.", "directors": "Managing directors",
        "amount_due": "Amount due",
        "amount_credited": "Amount credited", "allowance": "Allowance", "charge": "Charge",
        "less": "less", "on": "on", "draft": "DRAFT",
    },
    "de": {
        "invoice": "Rechnung", "cancellation": "Stornorechnung", "credit_note": "Gutschrift",
        "self_billed": "Gutschrift", "amount_paid": "Auszahlungsbetrag",
        "self_billed_short": "Gutschrift",
        "no": "Nr.", "date": "Datum", "due_date": "Fällig am", "period": "Leistungszeitraum",
        "supply_date": "Leistungsdatum", "customer_no": "Kundennr.",
        "customer_vat": "USt-IdNr. Kunde", "your_reference": "Ihre Referenz",
        "our_vat": "Unsere USt-IdNr.", "pos": "Pos.", "description": "Beschreibung",
        "quantity": "Menge", "unit_price": "Einzelpreis", "net": "Netto", "vat": "USt",
        "net_total": "Summe netto", "gross_total": "Gesamtbetrag", "page": "Seite",
        "of": "von", "vat_id": "USt-IdNr.", "tax_no": "Steuernr.", "directors": "Geschäftsführer",
        "amount_due": "Zahlbetrag", "amount_credited": "Gutgeschriebener Betrag",
        "allowance": "Nachlass", "charge": "Zuschlag", "less": "abzüglich", "on": "auf",
        "draft": "ENTWURF",
    },
}

CATEGORY_NAMES: dict[str, dict[str, str]] = {
    "en": {"S": "VAT", "Z": "VAT (zero rated)", "E": "VAT exempt", "AE": "Reverse charge",
           "K": "Intra-EU supply (VAT exempt)", "G": "Export (VAT exempt)",
           "O": "Not subject to VAT"},
    "de": {"S": "USt", "Z": "USt (Nullsatz)", "E": "Steuerfrei", "AE": "Steuerschuldnerschaft "
           "des Leistungsempfängers", "K": "Innergemeinschaftliche Lieferung (steuerfrei)",
           "G": "Ausfuhr (steuerfrei)", "O": "Nicht steuerbar"},
}

SENTENCES: dict[str, dict[str, str]] = {
    "en": {
        "cancels_heading": "Cancellation of invoice {number}",
        "cancels": "This document cancels invoice {number} of {date}.",
        "credits_heading": "Credit note for invoice {number}",
        "credits": "This credit note corrects invoice {number} of {date}.",
        "credited": "The amount of {amount} {currency} will be credited to your account or "
                    "refunded to you. Nothing is to be paid.",
        "payout": "We transfer the amount to your account IBAN {iban}{bic}, reference "
                  "{reference}.",
        "transfer": "Please transfer the amount due to IBAN {iban}{bic}, quoting the "
                    "reference {reference}.",
        "bic": " (BIC {bic})",
    },
    "de": {
        "cancels_heading": "Storno der Rechnung {number}",
        "cancels": "Dieses Dokument storniert die Rechnung {number} vom {date}.",
        "credits_heading": "Gutschrift zur Rechnung {number}",
        "credits": "Diese Gutschrift korrigiert die Rechnung {number} vom {date}.",
        "credited": "Der Betrag von {amount} {currency} wird Ihrem Konto gutgeschrieben oder "
                    "Ihnen erstattet. Es ist nichts zu zahlen.",
        "payout": "Wir überweisen den Betrag auf Ihr Konto IBAN {iban}{bic}, Referenz "
                  "{reference}.",
        "transfer": "Bitte überweisen Sie den Zahlbetrag auf das Konto IBAN {iban}{bic} "
                    "unter Angabe der Referenz {reference}.",
        "bic": " (BIC {bic})",
    },
}


def language_of(code: str | None) -> str:
    return code if code in LANGUAGES else "en"


def localized_number(english: str, language: str) -> str:
    """``13,451.04`` as the language writes it (de: ``13.451,04``)."""
    if language != "de":
        return english
    return english.replace(",", "\0").replace(".", ",").replace("\0", ".")


def localized_day(value: dt.date | None, language: str) -> str:
    if value is None:
        return ""
    return value.strftime("%d.%m.%Y") if language == "de" else value.isoformat()

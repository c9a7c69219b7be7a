"""The targeted Schematron gives the same SVRL report as the official XSLT, byte for byte.

Both stylesheets run on valid invoices of every kind and on invoices broken at random
(elements removed, moved, emptied, given wrong codes and amounts) that fail hundreds of
rules; a document the official XSLT cannot evaluate must fail the targeted one too.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from lxml import etree

from affbill_documents.adapters import validation
from affbill_documents.adapters.cii import SellerContact, cii_xml, xrechnung_xml
from tests.unit.documents.samples import cancellation, invoice, negated, xrechnung_invoice

CONTACT = SellerContact("Forderungsmanagement", "+49 30 1234567", "ar@network.example")
VALUES = ["", "X", "0", "-1", "19", "7.5", "S", "AE", "E", "Z", "EUR", "USD", "380", "381",
          "99999999.999", "20261301"]


def _valid_documents() -> list[Any]:
    docs = [invoice(n % 25 + 1, number=f"INV-2026-{n:05d}", reverse_charge=n % 3 == 0)
            for n in range(12)]
    docs += [cancellation(invoice(2, number="INV-2026-00100")),
             negated(cancellation(invoice(3, number="INV-2026-00101")))]
    return docs


def _broken(xml: bytes, rnd: random.Random) -> bytes:
    tree = etree.fromstring(xml)
    for _ in range(rnd.randint(1, 4)):
        elements = list(tree.iter(etree.Element))
        element = rnd.choice(elements[1:])
        parent = element.getparent()
        action = rnd.random()
        if action < 0.3:
            parent.remove(element)
        elif action < 0.6:
            element.text = rnd.choice(VALUES)
        elif action < 0.8:  # moved under another element that is not inside it
            target = rnd.choice(elements)
            if target is not element and element not in target.iterancestors():
                target.append(element)
        else:
            element.set(rnd.choice(["unitCode", "currencyID", "schemeID"]), rnd.choice(VALUES))
    return etree.tostring(tree)


@pytest.fixture(scope="module")
def saxon() -> Iterator[Any]:
    from saxonche import PySaxonProcessor

    yield PySaxonProcessor(license=False)


def _runner(saxon: Any, stylesheet: str, codedb: Any) -> Callable[[bytes], str]:
    xslt = saxon.new_xslt30_processor().compile_stylesheet(stylesheet_text=stylesheet)
    if codedb is not None:
        xslt.set_parameter("affbill-codedb", codedb)

    def run(xml: bytes) -> str:
        try:
            return xslt.transform_to_string(xdm_node=saxon.parse_xml(xml_text=xml.decode()))
        except Exception as exc:  # the official rules cannot evaluate some broken documents
            return f"dynamic error: {type(exc).__name__}"

    return run


def _same_reports(official: Callable[[bytes], str], targeted: Callable[[bytes], str],
                  documents: list[bytes]) -> int:
    failed_asserts = 0
    for xml in documents:
        expected = official(xml)
        assert targeted(xml) == expected, xml.decode()[:2000]
        failed_asserts += expected.count("<svrl:failed-assert")
    return failed_asserts


def test_en16931_targeted_report_equals_the_official_one(saxon: Any) -> None:
    source = validation._schematron_source()
    codedb = saxon.parse_xml(xml_file_name=str(validation.RULES / validation.CODEDB))
    official = _runner(saxon, source, codedb)
    targeted = _runner(saxon, validation.targeted(source), codedb)
    valid = [cii_xml(d) for d in _valid_documents()]
    rnd = random.Random(16931)
    broken = [_broken(xml, rnd) for xml in valid for _ in range(6)]

    _same_reports(official, targeted, valid)  # warnings at most
    assert _same_reports(official, targeted, broken) > 100  # the rules were really exercised


def test_xrechnung_targeted_report_equals_the_official_one(saxon: Any) -> None:
    source = validation.XRECHNUNG_SCHEMATRON.read_text(encoding="utf-8")
    official = _runner(saxon, source, None)
    targeted = _runner(saxon, validation.targeted(source), None)
    valid = [xrechnung_xml(xrechnung_invoice(n + 1, number=f"INV-2026-{n:05d}"), CONTACT)
             for n in range(6)]
    rnd = random.Random(3021)
    broken = [_broken(xml, rnd) for xml in valid for _ in range(8)]

    _same_reports(official, targeted, valid)  # warnings at most
    assert _same_reports(official, targeted, broken) > 10


def test_a_stylesheet_that_is_not_an_iso_skeleton_is_refused() -> None:
    source = validation._schematron_source().replace('select="/"', 'select="/*"', 1)
    with pytest.raises(ValueError, match="not an ISO skeleton"):
        validation.targeted(source)


def test_a_match_without_its_predicates_is_its_path() -> None:
    assert validation._without_predicates(
        "//ram:A[ram:B/udt:I='false']/ram:C[ram:D = ']['][1]/@x") == "//ram:A/ram:C/@x"
    assert validation._without_predicates("/a/b | //c[d]") == "/a/b | //c"

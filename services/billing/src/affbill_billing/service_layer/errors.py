"""What a billing use case can answer besides success; entry points map them to problems."""

from __future__ import annotations


class NotFound(LookupError):
    """No such draft, invoice or customer (404)."""


class Refused(Exception):
    """The request conflicts with the document's state (409): issued, not approved, …"""


class StaleVersion(Exception):
    """The draft changed since the caller read it (409 with the current version)."""

    def __init__(self, current: int) -> None:
        super().__init__(f"The draft changed meanwhile: it is at version {current} now; "
                         "reload it and apply your change again")
        self.current = current


class InvalidDocument(Exception):
    """The document that would be issued breaks EN 16931 rules: nothing was numbered."""

    def __init__(self, violations: list) -> None:  # list[en16931.Violation]
        self.violations = violations
        super().__init__("; ".join(f"{v.rule} {v.message} ({v.field})" for v in violations))

"""`affbill entities …` and `affbill series …` against a fake gateway."""

from __future__ import annotations

import json
from pathlib import Path

from httpx import Response

from tests.unit.cli.test_cli import FakeGateway, invoke

ENTITY = {"entity": "ltd", "legal_name": "Network Ltd", "country": "IE", "vat_id": "IE6388047V",
          "tax_number": None, "company_register": "CRO 654321", "version": 1,
          "bank_accounts": [{"iban": "IE29AIBK93115212345678"}]}
SERIES = {"series": "cn", "prefix": "CN-{yyyy}-", "padding": 4, "suffix": "", "start": 1,
          "reset": "yearly", "cancellation_suffix": "-S", "last_counter": None,
          "example": "CN-2026-0001"}


def test_entities_create_from_a_file_and_edit_with_sets(tmp_path: Path) -> None:
    fields = tmp_path / "ltd.json"
    fields.write_text(json.dumps({"legal_name": "Network Ltd", "country": "IE"}))
    gw = FakeGateway({("POST", "/api/v1/seller-entities"): ENTITY,
                      ("PATCH", "/api/v1/seller-entities/ltd"): ENTITY,
                      ("GET", "/api/v1/seller-entities"): lambda _: Response(200, json=[ENTITY])})
    made = invoke(gw, "entities", "create", "ltd", str(fields))
    assert made.exit_code == 0 and "Network Ltd" in made.output and "IE6388047V" in made.output
    assert gw.body(0) == {"legal_name": "Network Ltd", "country": "IE", "entity": "ltd"}
    edited = invoke(gw, "entities", "edit", "ltd", "--set", 'managing_directors=["A B"]',
                    "--set", "legal_name=Network Ireland Ltd", "--version", "1")
    assert edited.exit_code == 0
    assert gw.body(1) == {"managing_directors": ["A B"], "legal_name": "Network Ireland Ltd",
                          "version": 1}
    assert "CRO 654321" in invoke(gw, "entities", "list").output


def test_series_create_and_a_refused_edit_says_why() -> None:
    refused = Response(422, json={"title": "Invalid request", "status": 422, "errors": [
        {"field": "prefix", "reason": "this series has numbered documents, so its format "
                                      "cannot change"}]})
    gw = FakeGateway({("POST", "/api/v1/number-series"): SERIES,
                      ("PATCH", "/api/v1/number-series/cn"): lambda _: refused})
    made = invoke(gw, "series", "create", "cn", "--prefix", "CN-{yyyy}-", "--padding", "4",
                  "--reset", "yearly")
    assert made.exit_code == 0 and "CN-2026-0001" in made.output
    assert gw.body(0)["reset"] == "yearly" and gw.body(0)["padding"] == 4
    edit = invoke(gw, "series", "edit", "cn", "--set", "prefix=X-")
    assert edit.exit_code != 0 and "prefix: this series has numbered documents" in edit.output
    assert gw.body(1) == {"prefix": "X-"}

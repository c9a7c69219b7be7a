"""What every list prints: tables that fit 80 and 120 columns (a pipe is 80), compared with
stored snapshots; `--json` as the gateway answered, valid against its schema; `--csv` with
every column and ids whole. Regenerate the snapshots with AFFBILL_UPDATE_SNAPSHOTS=1."""

from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from affbill_cli.main import app
from affbill_cli.output import money, plural, when
from tests.cli_schemas import SCHEMAS
from tests.unit.cli.fixtures import JOB, LISTS
from tests.unit.cli.test_cli import FakeGateway

SNAPSHOTS = Path(__file__).with_name("snapshots")
UPDATE = os.environ.get("AFFBILL_UPDATE_SNAPSHOTS") == "1"


def run(args: list[str], route: str, answer: Any, columns: int | None = None) -> Any:
    gw = FakeGateway({("GET", route): lambda _: httpx.Response(200, json=answer)})
    env = {"AFFBILL_URL": None, "COLUMNS": None if columns is None else str(columns)}
    return CliRunner().invoke(app, ["--key", "k", *args],
                              obj={"transport": httpx.MockTransport(gw)}, env=env)


def matches_snapshot(name: str, output: str) -> None:
    text = "\n".join(line.rstrip() for line in output.splitlines()).strip("\n") + "\n"
    path = SNAPSHOTS / f"{name}.txt"
    if UPDATE or not path.exists():
        SNAPSHOTS.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8"), f"{name} differs from its snapshot"


@pytest.mark.parametrize("columns", [80, 120])
@pytest.mark.parametrize("name", list(LISTS))
def test_every_list_fits_its_width_and_matches_its_snapshot(name: str, columns: int) -> None:
    args, route, answer, _ = LISTS[name]
    result = run(args, route, answer, columns)
    assert result.exit_code == 0, result.output
    for line in result.output.splitlines():
        assert len(line.rstrip()) <= columns, line
    assert "…" not in result.output.replace("(1 EUR = …)", ""), "a value was cut short"
    matches_snapshot(f"{name}-{columns}", result.output)


@pytest.mark.parametrize("name", list(LISTS))
def test_a_pipe_gets_the_80_column_table(name: str) -> None:
    args, route, answer, _ = LISTS[name]
    assert run(args, route, answer).output == run(args, route, answer, 80).output


@pytest.mark.parametrize("name", list(LISTS))
def test_json_is_the_gateways_answer_and_valid_against_its_schema(name: str) -> None:
    args, route, answer, schema = LISTS[name]
    result = run([*args, "--json"], route, answer, 80)
    assert result.exit_code == 0, result.output
    printed = json.loads(result.output)
    assert printed == answer
    SCHEMAS[schema].validate_python(printed)


@pytest.mark.parametrize("name", [n for n in LISTS if n not in ("stat-rows",)])
def test_csv_has_every_column_and_whole_ids(name: str) -> None:
    args, route, answer, _ = LISTS[name]
    result = run([*args, "--csv"], route, answer, 80)
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(result.output)))
    assert len(rows) >= 2 and all(len(r) == len(rows[0]) for r in rows)
    flat = json.dumps(answer)
    for row in rows[1:]:
        for cell in row:
            if len(cell) == 36 and cell.count("-") == 4:  # a UUID: whole, as the API sent it
                assert cell in flat


def test_important_columns_stay_and_ids_shorten_at_80() -> None:
    args, route, answer, _ = LISTS["invoices"]
    narrow, wide = (run(args, route, answer, c).output for c in (80, 200))
    for kept in ("INV-2026-00001", "Acme Media GmbH", "16355.37", "-528.65", "5f0c8a8e"):
        assert kept in narrow, kept
    assert answer["items"][0]["invoice_id"] in wide
    assert "13744.01" in wide  # money rounded to the currency's minor unit
    assert "Left out at 80 columns" in narrow and "(--csv has all)" in narrow


def test_job_show_prints_every_step_with_its_total_when_known() -> None:
    result = run(["jobs", "show", JOB["job_id"]], f"/api/v1/jobs/{JOB['job_id']}", JOB, 80)
    assert result.exit_code == 0, result.output
    out = "\n".join(" ".join(line.split()) for line in result.output.splitlines())
    assert "step conversion 313" in out and "313/" not in out
    assert "step customers 3 of 40" in out and "step advertisers 200" in out
    assert "Standard sync of hasoffers-sim started" in out


def test_plurals_money_and_timestamps() -> None:
    assert [plural(1, "customer"), plural(2, "customer"), plural(1, "entry"),
            plural(0, "entry")] == ["1 customer", "2 customers", "1 entry", "0 entries"]
    assert [money("13744.00591"), money("528.6499", "EUR"), money("1234.5", "JPY"),
            money("1.2345", "KWD"), money(None)] == ["13744.01", "528.65", "1235", "1.235", ""]
    moments = ["2026-12-01 21:30:36.714326+00:00", "2026-12-01T21:30:36Z",
               "2026-12-01T22:30:36+01:00"]
    assert {when(m) for m in moments} == {"2026-12-01 21:30:36"}
    assert when("2026-12-01") == "2026-12-01" and when(None) == ""
    one = dict(LISTS["generator"][2], customers=1)
    result = run(["generator"], "/api/v1/generator", one, 120)
    assert "Generator: 1 customer\n" in result.output


def test_a_followed_bar_has_a_total_when_the_step_knows_it() -> None:
    from affbill_cli.follow import bar_of
    known = bar_of([{"step": "customers", "done": 3, "total": 40}])
    assert (known["total"], known["completed"], known["count"]) == (40, 3, "3 of 40")
    unknown = bar_of([{"step": "advertisers", "done": 200, "total": None},
                      {"step": "stats", "done": 12345, "total": None}])
    assert unknown["total"] is None and unknown["count"] == "12,345 so far"
    assert unknown["description"] == "stats (after advertisers)"
    assert "?" not in unknown["count"]

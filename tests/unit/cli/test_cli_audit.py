"""`affbill audit list|verify` against a fake gateway: the filters sent, a short table, the
chain status and a failing exit code when it is broken."""

from __future__ import annotations

from tests.unit.cli.test_cli import FakeGateway, invoke

ENTRY = {"seq": 7, "at": "2026-12-01T22:10:05.123456+00:00", "actor": "anna@network.example",
         "actor_role": "accountant", "entity_kind": "draft", "entity_id": "d-1",
         "action": "edit_presets", "request_id": "r1", "prev_hash": "a" * 64, "hash": "b" * 64,
         "before": {"version": 1, "presets": {"payment_days": 14}},
         "after": {"version": 2, "presets": {"payment_days": 30}}}
CREATED = {**ENTRY, "seq": 6, "action": "create", "before": None}


def test_list_sends_the_filters_and_shows_who_changed_what() -> None:
    gw = FakeGateway({("GET", "/api/v1/audit"): {"items": [ENTRY, CREATED], "total": 2,
                                                 "limit": 50, "offset": 0}})
    result = invoke(gw, "audit", "list", "--service", "billing", "--kind", "draft",
                    "--user", "anna@network.example", "--from", "2026-12-01T00:00:00")
    assert result.exit_code == 0, result.output
    params = dict(gw.requests[0].url.params)
    assert params == {"service": "billing", "entity_kind": "draft",
                      "user": "anna@network.example", "from": "2026-12-01T00:00:00",
                      "limit": "50", "offset": "0"}
    assert "Audit entries: 2" in result.output
    assert "2026-12-01 22:10:05" in result.output and "anna@network.example" in result.output
    assert "version: 1 → 2" in result.output and "created" in result.output


def test_verify_says_intact_or_where_the_chain_breaks() -> None:
    intact = {"intact": True, "entries": 9, "last_seq": 9, "last_hash": "c" * 64,
              "broken_at": None, "problem": None}
    result = invoke(FakeGateway({("GET", "/api/v1/audit/verify"): intact}), "audit", "verify")
    assert result.exit_code == 0 and "billing: audit trail intact" in result.output
    broken = {**intact, "intact": False, "broken_at": 4, "last_seq": 3,
              "problem": "hash does not match the entry's content"}
    gw = FakeGateway({("GET", "/api/v1/audit/verify"): broken})
    result = invoke(gw, "audit", "verify", "--service", "gateway")
    assert result.exit_code == 1
    assert "gateway: audit trail broken at entry #4" in result.output
    assert dict(gw.requests[0].url.params) == {"service": "gateway"}

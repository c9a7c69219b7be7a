"""Four eyes through the billing HTTP API: the creator's approval is refused, and the user
who gave the last approval does not also issue (unless the setting allows it)."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import text

from affbill_runtime.runtime import Runtime
from tests.integration.billing.conftest import customer_with_items

pytestmark = pytest.mark.integration
ANNA, BEN, CARL = ({"X-Affbill-User": u} for u in ("anna", "ben", "carl"))


async def _draft(billing: Runtime, api: httpx.AsyncClient) -> str:
    """A draft anna created from a customer's open items."""
    _, cid = await customer_with_items(billing)
    async with billing.engine.connect() as conn:
        items = [str(i) for i in (await conn.execute(text(
            "select item_id from billable_items where customer_id = :c"), {"c": cid})).scalars()]
    created = await api.post("/drafts", json={"customer_id": cid, "item_ids": items},
                             headers=ANNA)
    assert created.status_code == 201, created.text
    return str(created.json()["draft_id"])


async def test_one_person_never_issues_alone(billing: Runtime, api: httpx.AsyncClient) -> None:
    billing.settings.approvals_required = 1
    try:
        did = await _draft(billing, api)
        own = await api.post(f"/drafts/{did}/approve", json={"version": 1}, headers=ANNA)
        assert own.status_code == 409
        assert own.headers["content-type"] == "application/problem+json"
        assert "anna created this draft and cannot approve it" in own.json()["detail"]
        alone = await api.post(f"/drafts/{did}/issue", json={"version": 1}, headers=ANNA)
        assert alone.status_code == 409 and "has 0" in alone.json()["detail"]

        approved = (await api.post(f"/drafts/{did}/approve", json={"version": 1},
                                   headers=BEN)).json()
        assert approved["approvals"] == {"required": 1, "count": 1, "by": ["ben"],
                                         "complete": True}
        by_approver = await api.post(f"/drafts/{did}/issue", json={"version": 1}, headers=BEN)
        assert by_approver.status_code == 409
        assert "gave the last approval" in by_approver.json()["detail"]
        issued = await api.post(f"/drafts/{did}/issue", json={"version": 1}, headers=ANNA)
        assert issued.status_code == 200 and issued.json()["status"] == "issued"
        assert issued.json()["issued_by"] == "anna"
    finally:
        billing.settings.approvals_required = 0


async def test_the_last_approver_may_issue_when_the_setting_says_so(
        billing: Runtime, api: httpx.AsyncClient) -> None:
    billing.settings.approvals_required = 1
    billing.settings.last_approver_may_issue = True
    try:
        did = await _draft(billing, api)
        await api.post(f"/drafts/{did}/approve", json={"version": 1}, headers=CARL)
        issued = await api.post(f"/drafts/{did}/issue", json={"version": 1}, headers=CARL)
        assert issued.status_code == 200 and issued.json()["issued_by"] == "carl"
    finally:
        billing.settings.approvals_required = 0
        billing.settings.last_approver_may_issue = False


async def test_a_creator_approval_recorded_before_the_rule_does_not_count(
        billing: Runtime, api: httpx.AsyncClient) -> None:
    billing.settings.approvals_required = 1
    try:
        did = await _draft(billing, api)
        async with billing.engine.begin() as conn:  # as an older release let it happen
            await conn.execute(text("insert into draft_approvals (invoice_id, version, "
                                    "approved_by) values (:d, 1, 'anna')"), {"d": did})
        view = (await api.get(f"/drafts/{did}")).json()
        assert view["approvals"]["count"] == 0 and not view["approvals"]["complete"]
        refused = await api.post(f"/drafts/{did}/issue", json={"version": 1}, headers=BEN)
        assert refused.status_code == 409 and "has 0" in refused.json()["detail"]
    finally:
        billing.settings.approvals_required = 0


async def test_a_profile_naming_an_unknown_series_is_refused(
        billing: Runtime, api: httpx.AsyncClient) -> None:
    _, cid = await customer_with_items(billing)
    refused = await api.patch(f"/customers/{cid}/profile", json={"number_series": "nope"})
    assert refused.status_code == 422
    assert refused.json()["errors"] == [{"field": "number_series",
                                         "reason": "no number series 'nope'"}]
    async with billing.engine.begin() as conn:
        await conn.execute(text("insert into number_series (series, prefix) "
                                "values ('gut', 'GS-')"))
        with pytest.raises(Exception, match="billing_profiles_number_series"):
            async with conn.begin_nested():
                await conn.execute(text("update billing_profiles set number_series = 'x' "
                                        "where customer_id = :c"), {"c": cid})
    ok = await api.patch(f"/customers/{cid}/profile", json={"number_series": "gut"})
    assert ok.status_code == 200 and ok.json()["number_series"] == "gut"

"""Four eyes as pure rules: the creator never approves, N others must, and by default the
last approver does not also issue."""

from __future__ import annotations

import pytest

from affbill_billing.domain.approvals import (
    FourEyes,
    approval_refusal,
    counted_approvers,
    issue_refusal,
)

ONE, TWO = FourEyes(1), FourEyes(2)


def test_the_creator_may_not_approve_when_approvals_are_required() -> None:
    reason = approval_refusal(ONE, "anna", "anna")
    assert reason is not None and "created this draft" in reason
    assert approval_refusal(ONE, "anna", "ben") is None
    assert approval_refusal(FourEyes(0), "anna", "anna") is None  # nobody approves at all


def test_a_draft_without_creator_takes_anyone_s_approval() -> None:
    assert approval_refusal(ONE, None, "anna") is None


def test_only_distinct_users_other_than_the_creator_count() -> None:
    assert counted_approvers("anna", ["anna", "ben", "ben", "carl"]) == ["ben", "carl"]


@pytest.mark.parametrize(("approvers", "issuer", "refused"), [
    ([], "anna", "has 0"),
    (["anna"], "carl", "has 0"),  # the creator's own approval never counts
    (["ben"], "anna", None),  # the creator issues after another approved
    (["ben"], "ben", "last approval"),  # one approver alone may not release
    (["ben"], "carl", None),
])
def test_one_approval(approvers: list[str], issuer: str, refused: str | None) -> None:
    reason = issue_refusal(ONE, "anna", approvers, issuer)
    assert (reason is None) if refused is None else (refused in (reason or ""))


def test_two_approvals_an_earlier_approver_may_issue() -> None:
    assert "has 1" in (issue_refusal(TWO, "anna", ["ben"], "anna") or "")
    assert issue_refusal(TWO, "anna", ["ben", "carl"], "ben") is None
    assert "last approval" in (issue_refusal(TWO, "anna", ["ben", "carl"], "carl") or "")


def test_the_setting_lets_the_last_approver_issue() -> None:
    rule = FourEyes(1, last_approver_may_issue=True)
    assert issue_refusal(rule, "anna", ["ben"], "ben") is None
    assert issue_refusal(rule, "anna", ["anna"], "anna") is not None


def test_without_approvals_anyone_issues() -> None:
    assert issue_refusal(FourEyes(0), "anna", [], "anna") is None

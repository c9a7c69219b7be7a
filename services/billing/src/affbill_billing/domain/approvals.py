"""Four eyes: who may approve a draft and who may issue it (pure rules, no I/O).

With N approvals required (N ≥ 1), a draft is issued only after N different users other
than its creator approved the version being issued; the creator's approval is refused
(it would let one person prepare and release alone). Whether the last approver may also
issue is a setting; by default they may not, so the approval and the release are two
acts by two people (the creator, an earlier approver or anybody else issues).
With N = 0 nobody is asked to approve and anybody may issue.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class FourEyes:
    """The approval policy of the billing team."""

    required: int = 0  # approvals by different users, the draft's creator not among them
    last_approver_may_issue: bool = False


def approval_refusal(rule: FourEyes, creator: str | None, approver: str) -> str | None:
    """Why ``approver`` may not approve this draft, or None when they may."""
    if rule.required and creator is not None and approver == creator:
        return (f"{approver} created this draft and cannot approve it: "
                f"{rule.required} other users must (four eyes)")
    return None


def counted_approvers(creator: str | None, approvers: Sequence[str]) -> list[str]:
    """The approvals that count, in the order given: distinct users, never the creator
    (an approval recorded before the rule, or by a run's requester, is not counted)."""
    return [a for a in dict.fromkeys(approvers) if a != creator]


def issue_refusal(rule: FourEyes, creator: str | None, approvers: Sequence[str],
                  issuer: str) -> str | None:
    """Why ``issuer`` may not issue the draft now, or None when they may.
    ``approvers``: who approved the version being issued, oldest first."""
    if not rule.required:
        return None
    counted = counted_approvers(creator, approvers)
    if len(counted) < rule.required:
        return (f"Needs approvals by {rule.required} different users other than its creator; "
                f"has {len(counted)}")
    if not rule.last_approver_may_issue and issuer == counted[-1]:
        return (f"{issuer} gave the last approval and may not also issue it: "
                "another user issues (four eyes)")
    return None

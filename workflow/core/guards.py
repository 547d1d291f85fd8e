"""Guards: named checks a transition needs besides permission. Each raises a typed error.

They read only the `Attempt` (the item's snapshot, the reason, and facts the service
loaded for them), so they are plain functions that tests can call directly.
"""

from __future__ import annotations

from typing import Any

from workflow.core.errors import Incomplete, ReasonRequired


def reason_given(attempt: Any) -> None:
    if not (attempt.reason or "").strip():
        raise ReasonRequired("Thao tác này cần ghi rõ lý do.")


def item_is_complete(attempt: Any) -> None:
    missing = attempt.facts.get("missing", ())
    if missing:
        raise Incomplete("Chưa thể trình: " + "; ".join(missing) + ".", missing=list(missing))


def council_quorum_met(attempt: Any) -> None:
    """Kinds reviewed by a council count as reviewed only when M of its members voted for."""
    tally = attempt.facts.get("council")
    if tally is not None and not tally.reached:
        raise Incomplete(
            f"Cần {tally.quorum} phiếu tán thành của {tally.council}; hiện có {tally.votes_for}."
        )


def task_missing(unapproved_required: int) -> list[str]:
    if unapproved_required:
        return [f"còn {unapproved_required} sản phẩm bắt buộc chưa được phê duyệt"]
    return []

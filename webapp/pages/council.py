"""Council votes (Hội đồng Thi đua - Khen thưởng) on a deliverable whose kind a council
reviews: M of N votes for, and the deliverable becomes reviewed."""

from __future__ import annotations

from flask import flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import login_required

from webapp import db
from webapp.pages import bp
from webapp.pages.common import VoteForm, actor, back_to, client_addr
from workflow.core.errors import InvalidInput
from workflow.items import council
from workflow.reads.votes import check_can_vote


@bp.post("/deliverables/<int:deliverable_id>/vote")
@login_required
def vote(deliverable_id: int):
    """A member of the council that reviews the deliverable's kind, while it is submitted,
    once per submission, not its submitter: 404 if they cannot see it, 400 if no council
    reviews its kind, 409 if it is not submitted or they already voted, 403 otherwise."""
    back = url_for("pages.deliverable", deliverable_id=deliverable_id)
    back_to(back)
    session = db.session()
    check_can_vote(session, actor(), deliverable_id)  # before reading the vote
    form = VoteForm()
    choice = form.vote.data
    if choice not in ("for", "against"):
        raise InvalidInput(_("Hãy chọn Tán thành hoặc Không tán thành."))
    comment = (form.comment.data or "").strip()
    if len(comment) > 4000:
        raise InvalidInput(_("Ý kiến không quá 4.000 ký tự."))
    tally = council.cast_vote(
        session,
        actor(),
        deliverable_id,
        in_favour=choice == "for",
        comment=comment,
        client_addr=client_addr(),
    )
    flash(
        _(
            "Đã ghi phiếu %(vote)s: %(yes)d/%(quorum)d phiếu tán thành cần thiết.",
            vote=_("tán thành") if choice == "for" else _("không tán thành"),
            yes=tally.votes_for,
            quorum=tally.quorum,
        ),
        "success",
    )
    if tally.reached:
        flash(_("Đã đủ số phiếu tán thành: sản phẩm chuyển sang Đã thẩm định."), "success")
    return redirect(back + "#hoi-dong", 303)

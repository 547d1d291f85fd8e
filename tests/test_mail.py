"""Notifications: the outbox is written with the action, sent by send-mail to a real SMTP
listener (aiosmtpd on loopback), retried with back-off; reminders and escalation."""

from __future__ import annotations

import asyncio
import socket
import threading
from datetime import date, timedelta
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import func, select

from models import OutboxMessage, utcnow
from tests.helpers import bring_to, fill, office_deliverable
from workflow.core import errors, service
from workflow.items import editing
from workflow.notify import outbox as notify


class Inbox:
    def __init__(self) -> None:
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        message = message_from_bytes(envelope.content, policy=policy.default)
        self.messages.append((envelope.rcpt_tos, message))
        return "250 OK"

    def to(self, address: str):
        return [m for rcpt, m in self.messages if address in rcpt]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield inbox, notify.SmtpSettings(host="127.0.0.1", port=controller.port, sender="pd@test")
    controller.stop()


def outbox_count(session) -> int:
    session.rollback()
    return session.execute(select(func.count()).select_from(OutboxMessage)).scalar_one()


def mail_of(username: str) -> str:
    return f"{username}@sct-quangngai.example"


def test_a_submission_mails_the_office_reviewers_in_the_same_transaction(session, actors, smtp):
    inbox, settings = smtp
    item = ("deliverable", office_deliverable(session).id)
    fill(session, actors, item[1])
    service.perform(session, actors["vp.chuyenvien"], item, "submit")
    assert outbox_count(session) == 1
    assert notify.send_pending(session, settings) == (1, 0)
    (message,) = inbox.to(mail_of("vp.thamdinh"))
    assert "Trình" in message["Subject"] and "Ban Chỉ đạo" in message["Subject"]
    assert notify.send_pending(session, settings) == (0, 0)  # nothing sent twice


def test_a_return_reaches_the_submitter_with_the_reason(session, actors, smtp):
    inbox, settings = smtp
    item = ("deliverable", office_deliverable(session).id)
    bring_to(session, actors, item, "submitted")
    service.perform(session, actors["vp.thamdinh"], item, "return", reason="Thiếu danh sách")
    notify.send_pending(session, settings)
    (message,) = inbox.to(mail_of("vp.chuyenvien"))
    assert "Lý do: Thiếu danh sách" in message.get_content()


def test_a_mail_names_who_acted_by_name_and_unit_and_what_comes_next(session, actors, smtp):
    inbox, settings = smtp
    item = ("deliverable", office_deliverable(session).id)
    bring_to(session, actors, item, "reviewed")
    notify.send_pending(session, settings)
    (to_director,) = inbox.to(mail_of("giamdoc"))
    body = to_director.get_content()
    assert "Phạm Quốc Huy (Văn phòng Sở) đã “Thẩm định”" in body  # issue 12: not the login
    assert "vp.thamdinh" not in body
    assert "Việc tiếp theo: Giám đốc phê duyệt." in body


def test_a_refused_action_writes_no_mail(session, actors):
    item = ("deliverable", office_deliverable(session).id)
    before = outbox_count(session)
    with pytest.raises(errors.Incomplete):
        service.perform(session, actors["vp.chuyenvien"], item, "submit")  # no content yet
    with pytest.raises(errors.InvalidTransition):
        service.perform(session, actors["giamdoc"], item, "approve")
    assert outbox_count(session) == before


def test_an_unreachable_server_postpones_with_back_off_and_loses_nothing(session, actors, smtp):
    inbox, settings = smtp
    item = ("deliverable", office_deliverable(session).id)
    bring_to(session, actors, item, "submitted")
    down = notify.SmtpSettings(host="127.0.0.1", port=free_port())
    assert notify.send_pending(session, down) == (0, 1)
    message = session.execute(select(OutboxMessage)).scalar_one()
    assert message.attempts == 1 and message.sent_at is None and message.last_error
    assert message.next_attempt_at > utcnow()
    assert notify.send_pending(session, settings) == (0, 0)  # not due yet
    assert notify.send_pending(session, settings, now=utcnow() + timedelta(minutes=2)) == (1, 0)
    assert len(inbox.to(mail_of("vp.thamdinh"))) == 1


def test_back_off_doubles_up_to_six_hours():
    assert [notify.backoff(n).total_seconds() / 60 for n in (1, 2, 3, 4)] == [1, 2, 4, 8]
    assert notify.backoff(20) == timedelta(hours=6)


def test_reminders_go_to_the_owning_units_and_long_overdue_items_escalate(session, actors, smtp):
    inbox, settings = smtp
    # On 01/12/2025: task 3's regulation (due 20/11) is 11 days late, task 2's three items
    # (due 15/11) 16 days; November's periodic reports (due 30/11) are 1 day late.
    report = notify.remind(session, today=date(2025, 12, 1), due_soon_days=3, escalate_after_days=7)
    assert report.units == 6  # every unit has a November periodic report
    assert report.escalated_items == 4  # only the ones late by more than 7 days
    notify.send_pending(session, settings)
    (reminder,) = inbox.to(mail_of("vp.chuyenvien"))
    assert "quá hạn 11 ngày" in reminder.get_content()
    (escalation,) = inbox.to(mail_of("vp.thamdinh"))
    assert "Quá hạn cần đôn đốc: 4" in escalation["Subject"]
    (qltt,) = inbox.to(mail_of("qltt.chuyenvien"))
    assert "Nhắc hạn: 2 sản phẩm" in qltt["Subject"]  # its reports of tasks 5 and 8


def test_send_mail_and_remind_commands(app, actors, smtp):
    inbox, settings = smtp
    app.config.update(SMTP_HOST=settings.host, SMTP_PORT=settings.port)
    runner = app.test_cli_runner()
    reminded = runner.invoke(args=["remind", "--date", "30/12/2025"])
    assert reminded.exit_code == 0, reminded.output
    assert "30/12/2025" in reminded.output
    sent = runner.invoke(args=["send-mail"])
    assert sent.exit_code == 0 and "Đã gửi" in sent.output
    assert inbox.to(mail_of("qltt.chuyenvien"))  # task 7 is due 31/12/2025 for every lead
    bad = runner.invoke(args=["remind", "--date", "32/13/2025"])
    assert bad.exit_code != 0 and bad.output.startswith("Lỗi:")


class SlowInbox(Inbox):
    """A mail server that, once a message's data arrives, answers only when released."""

    def __init__(self) -> None:
        super().__init__()
        self.receiving = threading.Event()
        self.release = threading.Event()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        self.receiving.set()
        await asyncio.get_running_loop().run_in_executor(None, self.release.wait, 60)
        return await super().handle_DATA(server, session, envelope)


def test_a_slow_mail_server_does_not_hold_the_database_while_users_act(app, session, actors):
    """Issue 9: send-mail used to hold SQLite's write lock while the server answered, so a
    user's action failed with "database is locked"; now messages are leased, sent outside
    any transaction, and each result recorded on its own."""
    item = ("deliverable", office_deliverable(session).id)
    bring_to(session, actors, item, "submitted")  # one message for the Office reviewer
    inbox = SlowInbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings = notify.SmtpSettings(host="127.0.0.1", port=controller.port, timeout=60)
    result: dict = {}

    def send_mail() -> None:
        with app.extensions["pheduyet.db"].sessions() as own:
            result["sent"] = notify.send_pending(own, settings)

    sender = threading.Thread(target=send_mail)
    sender.start()
    try:
        assert inbox.receiving.wait(30)  # the server is holding the message now
        # Meanwhile a user edits a draft (a write, with its audit event): it goes through.
        qltt = next(d for d in _drafts_of(session, "qltt"))
        editing.edit_deliverable(session, actors["qltt.chuyenvien"], qltt, {"body": "Đã xong."})
        claimed = session.execute(select(OutboxMessage)).scalar_one()
        assert claimed.claimed_by and claimed.sent_at is None  # leased, committed
        session.rollback()
    finally:
        inbox.release.set()
        sender.join(60)
        controller.stop()
    assert result["sent"] == (1, 0)
    message = session.execute(select(OutboxMessage)).scalar_one()
    assert message.sent_at is not None and message.claimed_by is None and message.attempts == 1
    session.rollback()


def _drafts_of(session, unit_code: str):
    from models import Deliverable, Unit

    unit = session.execute(select(Unit.id).where(Unit.code == unit_code)).scalar_one()
    return session.execute(
        select(Deliverable.id)
        .where(Deliverable.unit_id == unit, Deliverable.state == "draft")
        .order_by(Deliverable.id)
    ).scalars()


def test_a_lease_that_ran_out_is_claimed_again(session, actors, smtp):
    inbox, settings = smtp
    item = ("deliverable", office_deliverable(session).id)
    bring_to(session, actors, item, "submitted")
    now = utcnow()
    (first,) = notify.claim(session, "sender-that-died", now=now)
    assert notify.claim(session, "another", now=now) == []  # leased: nobody else takes it
    assert notify.send_pending(session, settings, now=now) == (0, 0)
    later = now + notify.LEASE + timedelta(seconds=1)
    assert notify.send_pending(session, settings, now=later) == (1, 0)
    assert len(inbox.to(mail_of("vp.thamdinh"))) == 1

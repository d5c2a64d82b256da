"""Deadline notices: callbacks logged, and e-mails through a real local SMTP server (aiosmtpd)."""

from __future__ import annotations

import socket
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from services.reporting.config import ReportingSettings
from services.reporting.notice import service as notices
from shared.clock import FixedClock
from tests.reporting.factories_rect import (
    COUNTY_SHIZHONG,
    ORG_A,
    ORG_B,
    SUPERVISOR,
    UNIT_A,
    Env,
    closed_port_url,
    local,
    problem,
    publish_items,
    rect_app,
    reporting_settings,
)

PUBLISHED = local(2026, 9, 30, 10, 0)
DEADLINE = local(2026, 10, 11, 0, 0)  # three working days after the National Day holiday
DUE_SOON = local(2026, 10, 9, 0, 0, 1)  # two working days left
UNIT_MAIL, OFFICE_MAIL = "jtj@lixia.gov.cn", "gkb@jinan.gov.cn"


@pytest.fixture(scope="module")
def settings(database_url: str) -> ReportingSettings:
    """Migrated once, outside any event loop; each test copies it with its relay."""
    return reporting_settings(database_url)


def _with_relay(settings: ReportingSettings, **smtp: Any) -> ReportingSettings:
    return settings.model_copy(update={"smtp_host": "127.0.0.1", **smtp})


@dataclass
class Inbox:
    """An aiosmtpd handler keeping every message it accepts."""

    messages: list[tuple[list[str], EmailMessage]] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(message, EmailMessage)
        self.messages.append((list(envelope.rcpt_tos), message))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    """A real SMTP server on loopback, in its own thread."""
    inbox, port = Inbox(), _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


async def _contacts(env: Env) -> None:
    await env.ok("POST", "/notice-contacts", SUPERVISOR, json={
        "role": "unit", "region_code": "370102", "organisation_id": str(ORG_A),
        "name": "历下区教体局办公室", "email": UNIT_MAIL})
    await env.ok("POST", "/notice-contacts", SUPERVISOR, json={
        "role": "supervisor", "region_code": "370100", "name": "济南市政务公开办",
        "email": OFFICE_MAIL})


async def test_units_and_their_office_are_mailed_the_item_list_before_and_at_the_deadline(
        settings: ReportingSettings, smtp: tuple[Inbox, int]) -> None:
    inbox, port = smtp
    relay = _with_relay(settings, smtp_port=port, smtp_sender="监管系统 <govinspect@jinan.gov.cn>")
    async with rect_app(relay, FixedClock(PUBLISHED)) as env:
        await _contacts(env)
        _, items = await publish_items(env, [problem(ORG_A), problem(ORG_A), problem(ORG_B)], DEADLINE)

        env.clock.set(DUE_SOON)
        counts = await env.watch()
        assert counts["rectification_due_soon"] == 3 and counts["notices_mailed"] == 2
        assert (await env.watch())["notices_mailed"] == 0  # once
        assert len(inbox.messages) == 2
        mails = {m["Subject"]: (to, m) for to, m in inbox.messages}
        subject = "【整改提醒】历下区教育和体育局有2项问题将于2026年10月11日00:00到期"
        to, mail = mails[subject]
        assert sorted(to) == sorted([UNIT_MAIL, OFFICE_MAIL])
        body = mail.get_content()
        for item in items:
            if item.organisation_id == ORG_A:
                assert f"{item.target_name}（{item.target_code}）：错别字——{item.message}" in body
        # 市中区民政局 has no address of its own: the office that issued the circular is told.
        to, mail = mails["【整改提醒】市中区民政局有1项问题将于2026年10月11日00:00到期"]
        assert to == [OFFICE_MAIL]

        env.clock.set(DEADLINE + timedelta(seconds=1))
        counts = await env.watch()
        assert counts["rectification_overdue"] == 3 and counts["notices_mailed"] == 2
        assert "【整改逾期】历下区教育和体育局有2项问题已超过整改期限" in [
            m["Subject"] for _, m in inbox.messages]

        log = await env.ok("GET", "/notices", SUPERVISOR)
        assert log["total"] == 10  # 3 + 3 callbacks, 2 + 2 e-mails
        emails = [n for n in log["items"] if n["channel"] == "email"]
        assert {(n["kind"], n["status"], n["organisation_name"]) for n in emails} == {
            (k, "sent", o) for k in ("due_soon", "overdue") for o in ("历下区教育和体育局", "市中区民政局")}
        # Scoped: a unit sees its own notices, a district office its district's.
        own = await env.ok("GET", "/notices", UNIT_A)
        assert own["total"] == 6 and {n["organisation_id"] for n in own["items"]} == {str(ORG_A)}
        district = await env.ok("GET", "/notices", COUNTY_SHIZHONG, params={"channel": "email"})
        assert [(n["kind"], n["recipients"]) for n in district["items"]] == [
            ("overdue", [OFFICE_MAIL]), ("due_soon", [OFFICE_MAIL])]


async def test_a_relay_that_is_down_is_logged_as_failed_and_the_callback_still_goes(
        settings: ReportingSettings) -> None:
    port = int(closed_port_url().rsplit(":", 1)[1])
    async with rect_app(_with_relay(settings, smtp_port=port, smtp_timeout_s=2.0), FixedClock(PUBLISHED)) as env:
        await _contacts(env)
        await publish_items(env, [problem(ORG_A)], DEADLINE)
        env.clock.set(DEADLINE + timedelta(seconds=1))
        counts = await env.watch()
        assert counts["rectification_overdue"] == 1 and counts["notices_mailed"] == 0
        assert len(await env.events("rectification.overdue")) == 1
        log = await env.ok("GET", "/notices", SUPERVISOR, params={"channel": "email"})
        assert [(n["status"], n["status_label"]) for n in log["items"]] == [("failed", "发送失败")]
        assert "ConnectionRefusedError" in log["items"][0]["error"]


async def test_without_a_relay_only_callbacks_are_logged(settings: ReportingSettings) -> None:
    async with rect_app(settings, FixedClock(PUBLISHED)) as env:
        await _contacts(env)
        await publish_items(env, [problem(ORG_A)], DEADLINE)
        env.clock.set(DEADLINE + timedelta(seconds=1))
        assert (await env.watch())["notices_mailed"] == 0
        log = await env.ok("GET", "/notices", SUPERVISOR)
        assert [(n["channel"], n["kind"], n["status"]) for n in log["items"]] == [
            ("callback", "overdue", "queued")]


async def test_contacts_are_validated_and_scoped(settings: ReportingSettings) -> None:
    async with rect_app(settings, FixedClock(PUBLISHED)) as env:
        r = await env.call("POST", "/notice-contacts", SUPERVISOR, json={
            "role": "unit", "region_code": "370102", "name": "无单位", "email": "a@b.cn"})
        assert r.status_code == 422 and "organisation_id" in r.text
        r = await env.call("POST", "/notice-contacts", SUPERVISOR, json={
            "role": "supervisor", "region_code": "370100", "name": "坏地址", "email": "not-an-address"})
        assert r.status_code == 422 and "email" in r.text
        r = await env.call("POST", "/notice-contacts", COUNTY_SHIZHONG, json={
            "role": "supervisor", "region_code": "370100", "name": "越权", "email": "x@y.cn"})
        assert r.status_code == 403
        r = await env.call("POST", "/notice-contacts", UNIT_A, json={
            "role": "supervisor", "region_code": "370102", "name": "单位", "email": "x@y.cn"})
        assert r.status_code == 403
        # A unit's organisation is checked against the registry, as the caller sees it.
        r = await env.call("POST", "/notice-contacts", SUPERVISOR, json={
            "role": "unit", "region_code": "370103", "organisation_id": str(ORG_A),
            "name": "区划不符", "email": "x@y.cn"})
        assert r.status_code == 422 and "370102" in r.json()["detail"]
        r = await env.call("POST", "/notice-contacts", COUNTY_SHIZHONG, json={
            "role": "unit", "region_code": "370103", "organisation_id": str(ORG_A),
            "name": "他区单位", "email": "x@y.cn"})
        assert r.status_code == 422 and r.json()["errors"][0]["field"] == "organisation_id"
        await _contacts(env)
        assert len(await env.ok("GET", "/notice-contacts", SUPERVISOR)) == 2
        assert await env.ok("GET", "/notice-contacts", COUNTY_SHIZHONG) == []


class WorkerKilled(BaseException):
    """The reporting worker dying at this point (no handler of the service catches it)."""


@asynccontextmanager
async def _overdue(relay: ReportingSettings, organisation_id: uuid.UUID) -> AsyncIterator[Env]:
    """One published item of the unit, just past its deadline, with the notice addresses set."""
    async with rect_app(relay, FixedClock(PUBLISHED)) as env:
        await _contacts(env)
        await publish_items(env, [problem(organisation_id)], DEADLINE)
        env.clock.set(DEADLINE + timedelta(seconds=1))
        yield env


async def _emails(env: Env) -> list[tuple[str, int]]:
    log = await env.ok("GET", "/notices", SUPERVISOR, params={"channel": "email"})
    return [(n["status"], n["attempts"]) for n in log["items"]]


async def test_a_worker_dying_between_the_claim_and_the_mail_loses_no_mail(
        settings: ReportingSettings, smtp: tuple[Inbox, int], monkeypatch: pytest.MonkeyPatch) -> None:
    inbox, port = smtp
    relay = _with_relay(settings, smtp_port=port)
    async with _overdue(relay, ORG_A) as env:

        # Dies right after the claim committed, before any e-mail went.
        async def die(*_: Any) -> int:
            raise WorkerKilled

        with monkeypatch.context() as patch:
            patch.setattr(notices, "mail_pending", die)
            with pytest.raises(WorkerKilled):
                await env.watch()
        assert len(await env.events("rectification.overdue")) == 1 and inbox.messages == []
        assert await _emails(env) == [("pending", 0)]

        # The restarted worker sends it, once.
        counts = await env.watch()
        assert counts["rectification_overdue"] == 0 and counts["notices_mailed"] == 1
        assert (await env.watch())["notices_mailed"] == 0
        assert [m["Subject"] for _, m in inbox.messages] == [
            "【整改逾期】历下区教育和体育局有1项问题已超过整改期限"]
        assert await _emails(env) == [("sent", 1)]


async def test_a_worker_dying_while_sending_leaves_the_mail_to_the_next_one(
        settings: ReportingSettings, smtp: tuple[Inbox, int], monkeypatch: pytest.MonkeyPatch) -> None:
    inbox, port = smtp
    relay = _with_relay(settings, smtp_port=port)
    async with _overdue(relay, ORG_A) as env:

        def die_before(*_: Any) -> None:  # dies holding the claim, before the relay took it
            raise WorkerKilled

        with monkeypatch.context() as patch:
            patch.setattr(notices, "_send", die_before)
            with pytest.raises(WorkerKilled):
                await env.watch()
        assert inbox.messages == [] and await _emails(env) == [("sending", 1)]
        # Another worker leaves it alone while the first one's claim may still be alive …
        assert (await env.watch())["notices_mailed"] == 0
        # … and takes it over once the claim has run out.
        env.clock.set(DEADLINE + timedelta(seconds=1 + relay.mail_lease_s))
        assert (await env.watch())["notices_mailed"] == 1
        assert len(inbox.messages) == 1 and await _emails(env) == [("sent", 2)]



async def test_a_worker_dying_after_the_relay_took_the_mail_sends_it_once_more_at_most(
        settings: ReportingSettings, smtp: tuple[Inbox, int], monkeypatch: pytest.MonkeyPatch) -> None:
    inbox, port = smtp
    relay = _with_relay(settings, smtp_port=port)
    real_send = notices._send

    def die_after(settings: ReportingSettings, message: EmailMessage) -> None:
        real_send(settings, message)  # the relay has the message; the worker dies before marking it
        raise WorkerKilled

    async with _overdue(relay, ORG_B) as env:
        with monkeypatch.context() as patch:
            patch.setattr(notices, "_send", die_after)
            with pytest.raises(WorkerKilled):
                await env.watch()
        assert len(inbox.messages) == 1
        env.clock.set(DEADLINE + timedelta(seconds=1 + relay.mail_lease_s))
        assert (await env.watch())["notices_mailed"] == 1
        assert (await env.watch())["notices_mailed"] == 0
        assert [m["Subject"] for _, m in inbox.messages] == [
            "【整改逾期】市中区民政局有1项问题已超过整改期限"] * 2
        assert await _emails(env) == [("sent", 2)]


async def test_a_failed_mail_is_retried_a_bounded_number_of_times(settings: ReportingSettings) -> None:
    port = int(closed_port_url().rsplit(":", 1)[1])
    relay = _with_relay(settings, smtp_port=port, smtp_timeout_s=2.0, mail_max_attempts=2,
                        mail_retry_after_s=600)
    async with rect_app(relay, FixedClock(PUBLISHED)) as env:
        await _contacts(env)
        await publish_items(env, [problem(ORG_A)], DEADLINE)
        at = DEADLINE + timedelta(seconds=1)
        env.clock.set(at)
        await env.watch()
        assert await _emails(env) == [("failed", 1)]
        assert (await env.watch())["notices_mailed"] == 0 and await _emails(env) == [("failed", 1)]
        env.clock.set(at + timedelta(seconds=600))  # the retry is due
        await env.watch()
        assert await _emails(env) == [("failed", 2)]
        env.clock.set(at + timedelta(days=30))  # no tries left: it stays failed in the log
        await env.watch()
        log = await env.ok("GET", "/notices", SUPERVISOR, params={"channel": "email"})
        assert [(n["status"], n["attempts"]) for n in log["items"]] == [("failed", 2)]
        assert "ConnectionRefusedError" in log["items"][0]["error"]

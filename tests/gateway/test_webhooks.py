"""Webhooks: subscriptions inside the owner's scope, signed deliveries to a real loopback receiver,
retries with backoff on an injected clock, the delivery log, replays, and fan-out once per event."""

from __future__ import annotations

import asyncio
import itertools
import json
import random
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import func
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlmodel import col, select

from gateway.webhooks import service as webhook_service
from gateway.webhooks.delivery import DeliveryLoop
from gateway.webhooks.models import WebhookDelivery, WebhookProcessedEvent
from gateway.webhooks.signing import sign, verify
from gateway.worker import QUEUE, Resources, build_worker, deliver
from shared.clock import FixedClock
from shared.contracts.events import DELIVER_JOB, EventEnvelope, MalformedEvent
from shared.principal import Role
from shared.queue import connect
from tests.gateway.webhook_fixtures import (
    CITY,
    COUNTY_A,
    COUNTY_B,
    T0,
    Receiver,
    Settings,
    clear_tables,
    client,
    completed,
    create_tables,
    overdue,
    principal,
    registration,
    settings_for,
    webhook_app,
)

ALICE = principal("integration:county-a", regions=(COUNTY_A,))
BOB = principal("integration:county-b", regions=(COUNTY_B,))
CITY_SYS = principal("integration:city", regions=(CITY,))
ADMIN = principal("admin", roles=(Role.administrator,), all_regions=True)
UNIT = principal("unit:a", roles=(Role.unit,), regions=(COUNTY_A,))


@pytest.fixture(scope="session")
def wh_database_url(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    """The webhook tables' database: a SQLite file of their own, or the session's PostgreSQL."""
    if database_url.startswith("sqlite"):
        return f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('gateway')}/gateway.db"
    return database_url


@dataclass
class Env:
    settings: Settings
    clock: FixedClock
    sessionmaker: async_sessionmaker[AsyncSession]
    app: FastAPI
    resources: Resources

    async def publish(self, event: EventEnvelope) -> bool:
        """Hand an event to the worker's `event.deliver` handler, as arq would."""
        return await deliver({"resources": self.resources}, event.model_dump(mode="json"))

    def loop(self) -> DeliveryLoop:
        """A delivery loop on the test clock (seeded jitter)."""
        return DeliveryLoop(self.sessionmaker, self.clock, self.settings.webhooks, rng=random.Random(7))

    async def next_due(self) -> datetime | None:
        """When the earliest pending delivery is due."""
        async with self.sessionmaker() as s:
            due = (await s.execute(select(col(WebhookDelivery.next_attempt_at)).where(
                col(WebhookDelivery.status) == "pending").order_by(col(WebhookDelivery.next_attempt_at))
                .limit(1))).scalars().first()
        return due

    async def delivery_count(self) -> int:
        async with self.sessionmaker() as s:
            return int((await s.execute(select(func.count()).select_from(WebhookDelivery))).scalar_one())


@pytest.fixture
async def env(wh_database_url: str, redis_url: str) -> AsyncIterator[Env]:
    settings = settings_for(wh_database_url, redis_url)
    clock = FixedClock(T0)
    sessionmaker = await create_tables(settings)
    await clear_tables(sessionmaker)
    engine = sessionmaker.kw["bind"]
    resources = Resources(settings=settings, webhooks=settings.webhooks, clock=clock, engine=engine,
                          sessionmaker=sessionmaker, redis=await connect(redis_url))
    async with webhook_app(settings, clock) as app:
        yield Env(settings, clock, sessionmaker, app, resources)
    await clear_tables(sessionmaker)
    await resources.redis.aclose()
    await engine.dispose()


async def subscribe(app: FastAPI, who: Any, url: str, events: tuple[str, ...] = ("rectification.overdue",)
                    ) -> dict[str, Any]:
    async with client(app, who) as c:
        r = await c.post("/webhooks", json={"url": url, "events": list(events), "description": "省级系统"})
    assert r.status_code == 201, r.text
    body: dict[str, Any] = r.json()
    return body


async def deliveries(app: FastAPI, who: Any, webhook_id: str, **params: Any) -> dict[str, Any]:
    async with client(app, who) as c:
        r = await c.get(f"/webhooks/{webhook_id}/deliveries", params=params)
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


def test_signature_verifies_only_with_the_right_secret_body_and_time() -> None:
    body = b'{"id":"1","event":"rectification.overdue"}'
    ts = int(T0.timestamp())
    header = sign("whsec_right", ts, body)

    assert header.startswith(f"t={ts},v1=")
    assert verify("whsec_right", header, body, T0)
    assert not verify("whsec_wrong", header, body, T0)
    assert not verify("whsec_right", header, body + b" ", T0)
    assert not verify("whsec_right", header, body, T0 + timedelta(seconds=301))  # a replayed capture
    assert verify("whsec_right", header, body, ts + 299)
    assert not verify("whsec_right", "v1=abc", body, T0)
    both = sign(["whsec_new", "whsec_old"], ts, body)
    assert verify("whsec_new", both, body, T0) and verify("whsec_old", both, body, T0)


async def test_delivery_is_signed_carries_the_event_and_is_logged(env: Env, receiver: Receiver) -> None:
    sub = await subscribe(env.app, ALICE, receiver.url)
    secret = sub["secret"]
    assert secret.startswith("whsec_") and sub["events"] == ["rectification.overdue"]
    async with client(env.app, ALICE) as c:
        shown = (await c.get(f"/webhooks/{sub['id']}")).json()
        listed = (await c.get("/webhooks")).json()
    assert "secret" not in shown and shown["url"] == receiver.url
    assert listed["total"] == 1 and "secret" not in listed["items"][0]

    event = overdue(COUNTY_A, target_name="历下区人民政府门户网站")
    assert await env.publish(event)
    assert await env.loop().run_once() == 1

    [got] = receiver.requests
    assert got.path == "/hooks/govinspect"
    assert got.headers["X-Govinspect-Event"] == "rectification.overdue"
    assert got.headers["X-Govinspect-Event-Id"] == str(event.id)
    assert verify(secret, got.headers["X-Govinspect-Signature"], got.body, env.clock.now())
    assert not verify("whsec_" + "x" * 43, got.headers["X-Govinspect-Signature"], got.body, env.clock.now())
    payload = json.loads(got.body)
    assert payload["id"] == str(event.id) and payload["event"] == "rectification.overdue"
    assert payload["data"]["target_name"] == "历下区人民政府门户网站"
    assert datetime.fromisoformat(payload["occurred_at"]) == event.occurred_at

    log = await deliveries(env.app, ALICE, sub["id"])
    [d] = log["items"]
    assert d["status"] == "delivered" and d["event_id"] == str(event.id) and d["attempts"] == 1
    [attempt] = d["attempt_log"]
    assert attempt["status_code"] == 200 and attempt["succeeded"] and attempt["error"] is None
    assert attempt["response_excerpt"] == "收到" and attempt["latency_ms"] >= 0


async def test_receiver_down_for_an_hour_gets_every_event_afterwards(env: Env, receiver: Receiver) -> None:
    sub = await subscribe(env.app, ALICE, receiver.url)
    back_at = T0 + timedelta(hours=1)
    receiver.answer(503, "系统维护中，请稍后再试。" * 100)
    events = [overdue(COUNTY_A) for _ in range(3)]
    for e in events:
        await env.publish(e)
    loop = env.loop()
    for _ in range(60):
        if env.clock.now() >= T0 + timedelta(minutes=20) and len(events) == 3:
            events.append(overdue(COUNTY_A))  # one more while the receiver is down
            await env.publish(events[-1])
        receiver.answer(*((200, "ok") if env.clock.now() >= back_at else (503, "系统维护中，请稍后再试。" * 100)))
        await loop.run_once()
        due = await env.next_due()
        if due is None:
            break
        env.clock.set(max(due, env.clock.now()))

    delivered = [r.headers["X-Govinspect-Event-Id"] for r in receiver.requests if r.status == 200]
    assert sorted(delivered) == sorted(str(e.id) for e in events)  # each once, none lost
    log = await deliveries(env.app, ALICE, sub["id"], limit=10)
    assert log["total"] == 4 and {d["status"] for d in log["items"]} == {"delivered"}
    # Nothing waited more than the backoff cap (1 h ± jitter) after the receiver came back.
    assert all(datetime.fromisoformat(d["delivered_at"]) <= back_at + timedelta(minutes=66)
               for d in log["items"])

    first = next(d for d in log["items"] if d["event_id"] == str(events[0].id))
    failed = [a for a in first["attempt_log"] if not a["succeeded"]]
    assert len(failed) >= 7 and first["attempt_log"][-1]["succeeded"]
    assert all(a["status_code"] == 503 and a["error"] == "接收方返回 HTTP 503" for a in failed)
    assert all(len(a["response_excerpt"]) == 500 for a in failed)
    gaps = [(datetime.fromisoformat(b["started_at"]) - datetime.fromisoformat(a["started_at"])).total_seconds()
            for a, b in itertools.pairwise(failed)]
    for n, gap in enumerate(gaps[:6]):
        base = 30 * 2 ** n  # 30 s, 1 min, 2 min, 4 min, 8 min, 16 min
        assert base * 0.9 <= gap <= base * 1.1, (n, gap)


async def test_delivery_is_given_up_after_retrying_more_than_a_day(env: Env, receiver: Receiver) -> None:
    sub = await subscribe(env.app, ALICE, receiver.url)
    receiver.answer(500, "内部错误")
    await env.publish(overdue(COUNTY_A))
    loop = env.loop()
    while (due := await env.next_due()) is not None:
        env.clock.set(max(due, env.clock.now()))
        await loop.run_once()

    [d] = (await deliveries(env.app, ALICE, sub["id"]))["items"]
    assert d["status"] == "failed" and d["next_attempt_at"] is None
    starts = [datetime.fromisoformat(a["started_at"]) for a in d["attempt_log"]]
    assert starts[-1] - starts[0] >= timedelta(hours=24)
    assert max(b - a for a, b in itertools.pairwise(starts)) <= timedelta(hours=1.1)
    assert len(receiver.requests) == d["attempts"] == len(starts)


async def test_replay_sends_the_same_event_again_now(env: Env, receiver: Receiver) -> None:
    sub = await subscribe(env.app, ALICE, receiver.url)
    event = overdue(COUNTY_A)
    await env.publish(event)
    await env.loop().run_once()
    [d] = (await deliveries(env.app, ALICE, sub["id"]))["items"]

    env.clock.advance(timedelta(days=2))
    async with client(env.app, ALICE) as c:
        r = await c.post(f"/webhooks/deliveries/{d['id']}/replay")
    assert r.status_code == 200, r.text
    replayed = r.json()
    assert replayed["status"] == "delivered" and replayed["attempts"] == 2
    assert replayed["attempt_log"][-1]["replay"] and not replayed["attempt_log"][0]["replay"]
    assert receiver.event_ids() == [str(event.id), str(event.id)]
    again = receiver.requests[-1]
    assert verify(sub["secret"], again.headers["X-Govinspect-Signature"], again.body, env.clock.now())

    receiver.answer(502, "bad gateway")
    async with client(env.app, ALICE) as c:
        retrying = (await c.post(f"/webhooks/deliveries/{d['id']}/replay")).json()
    assert retrying["status"] == "pending" and retrying["last_status_code"] == 502
    assert datetime.fromisoformat(retrying["give_up_at"]) >= env.clock.now() + timedelta(hours=24)
    async with client(env.app, BOB) as c:
        assert (await c.post(f"/webhooks/deliveries/{d['id']}/replay")).status_code == 404


async def test_events_reach_only_subscribers_whose_scope_covers_them(env: Env, receiver: Receiver) -> None:
    base = f"http://127.0.0.1:{receiver.port}"
    both = ("rectification.overdue", "inspection.completed")
    a = await subscribe(env.app, ALICE, f"{base}/a", both)
    b = await subscribe(env.app, BOB, f"{base}/b", both)
    await subscribe(env.app, CITY_SYS, f"{base}/city", both)
    await subscribe(env.app, ADMIN, f"{base}/province", both)

    await env.publish(overdue(COUNTY_A))
    await env.publish(completed())
    await env.loop().run_once()

    got = sorted((r.path, r.headers["X-Govinspect-Event"]) for r in receiver.requests)
    assert got == [("/a", "rectification.overdue"), ("/city", "rectification.overdue"),
                   ("/province", "inspection.completed"), ("/province", "rectification.overdue")]
    assert (await deliveries(env.app, BOB, b["id"]))["total"] == 0
    async with client(env.app, BOB) as c:
        assert (await c.get(f"/webhooks/{a['id']}")).status_code == 404
        assert (await c.get(f"/webhooks/{a['id']}/deliveries")).status_code == 404
        assert (await c.get("/webhooks")).json()["total"] == 1
    async with client(env.app, ADMIN) as c:
        assert (await c.get("/webhooks")).json()["total"] == 4
    async with client(env.app, UNIT) as c:
        r = await c.post("/webhooks", json={"url": f"{base}/unit", "events": ["filing.late"]})
    assert r.status_code == 403 and r.json()["type"].endswith("/forbidden")


async def test_registration_events_reach_the_subscribers_of_the_units_region(
        env: Env, receiver: Receiver) -> None:
    base = f"http://127.0.0.1:{receiver.port}"
    both = ("registration.requested", "registration.closed")
    await subscribe(env.app, ALICE, f"{base}/a", ("registration.requested",))
    await subscribe(env.app, BOB, f"{base}/b", both)
    await subscribe(env.app, CITY_SYS, f"{base}/city", both)
    await subscribe(env.app, ADMIN, f"{base}/province", ("rectification.overdue",))

    asked_a, closed_a, asked_b = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    await env.publish(registration(COUNTY_A, request_id=asked_a))
    await env.publish(registration(COUNTY_A, closed=True, request_id=closed_a))
    await env.publish(registration(COUNTY_B, request_id=asked_b))
    await env.loop().run_once()

    got = sorted((r.path, r.headers["X-Govinspect-Event"],
                  json.loads(r.body)["data"]["registration_request_id"]) for r in receiver.requests)
    # County A's system chose only requests; B's sees only its county; the city sees both.
    assert got == sorted([("/a", "registration.requested", str(asked_a)),
                          ("/b", "registration.requested", str(asked_b)),
                          ("/city", "registration.requested", str(asked_a)),
                          ("/city", "registration.closed", str(closed_a)),
                          ("/city", "registration.requested", str(asked_b))])
    closed = next(json.loads(r.body)["data"] for r in receiver.requests
                  if r.headers["X-Govinspect-Event"] == "registration.closed")
    assert (closed["outcome"], closed["outcome_label"], closed["note"]) == (
        "dismissed", "已撤销", "经核实非本单位账号")


async def test_subscription_urls_and_events_are_validated(env: Env, wh_database_url: str, redis_url: str) -> None:
    strict = settings_for(wh_database_url, redis_url, allow_loopback=False)
    async with webhook_app(strict, env.clock) as app, client(app, ALICE) as c:
        for url in ("http://127.0.0.1:9/hook", "http://localhost:9/hook", "http://10.0.0.5/hook",
                    "http://169.254.169.254/latest/meta-data", "http://[::1]:9/hook"):
            r = await c.post("/webhooks", json={"url": url, "events": ["filing.late"]})
            assert r.status_code == 422, (url, r.text)
            assert "内网、本机或保留地址" in r.json()["detail"]
    async with client(env.app, ALICE) as c:
        r = await c.post("/webhooks", json={"url": "ftp://example.gov.cn/hook", "events": ["filing.late"]})
        assert r.status_code == 422 and "http 或 https" in r.json()["detail"]
        r = await c.post("/webhooks", json={"url": "http://127.0.0.1:9/hook", "events": ["website.opened"]})
        assert r.status_code == 422 and r.json()["errors"][0]["field"] == "events.0"
        r = await c.post("/webhooks", json={"url": "http://10.1.2.3/hook", "events": ["filing.late"]})
        assert r.status_code == 422  # loopback allowed in tests, private networks still not
        types = (await c.get("/webhooks/event-types")).json()
    assert {t["name"] for t in types} == {"rectification.overdue", "rectification.due_soon",
                                          "circular.published", "inspection.completed", "filing.late",
                                          "error_report.overdue", "system.stalled", "repost.checked",
                                          "registration.requested", "registration.closed"}
    assert all(t["label"] for t in types)


async def test_rotation_pause_and_deletion(env: Env, receiver: Receiver) -> None:
    sub = await subscribe(env.app, ALICE, receiver.url)
    async with client(env.app, ALICE) as c:
        rotated = (await c.post(f"/webhooks/{sub['id']}/rotate-secret")).json()
    assert rotated["secret"] != sub["secret"] and rotated["previous_secret_expires_at"]
    await env.publish(overdue(COUNTY_A))
    await env.loop().run_once()
    signature, body = receiver.requests[-1].headers["X-Govinspect-Signature"], receiver.requests[-1].body
    assert signature.count("v1=") == 2  # the old secret co-signs during the grace period
    assert verify(rotated["secret"], signature, body, env.clock.now())
    assert verify(sub["secret"], signature, body, env.clock.now())

    env.clock.advance(timedelta(hours=25))
    await env.publish(overdue(COUNTY_A))
    await env.loop().run_once()
    signature, body = receiver.requests[-1].headers["X-Govinspect-Signature"], receiver.requests[-1].body
    assert verify(rotated["secret"], signature, body, env.clock.now())
    assert not verify(sub["secret"], signature, body, env.clock.now())

    async with client(env.app, ALICE) as c:
        r = await c.patch(f"/webhooks/{sub['id']}", json={"active": False})
        assert r.status_code == 200 and r.json()["active"] is False
        await env.publish(overdue(COUNTY_A))
        assert await env.delivery_count() == 2  # nothing queued while paused
        r = await c.patch(f"/webhooks/{sub['id']}", json={"url": "http://192.168.1.20/hook"})
        assert r.status_code == 422
        assert (await c.delete(f"/webhooks/{sub['id']}")).status_code == 204
        assert (await c.get(f"/webhooks/{sub['id']}")).status_code == 404
    assert await env.delivery_count() == 0


async def test_deliveries_survive_a_worker_killed_mid_send(env: Env, receiver: Receiver) -> None:
    sub = await subscribe(env.app, ALICE, receiver.url)
    event = overdue(COUNTY_A)
    await env.publish(event)
    receiver.delay = 1.5
    dying = env.loop()
    task = asyncio.create_task(dying.run_once())
    for _ in range(100):
        if receiver.requests:
            break
        await asyncio.sleep(0.02)
    task.cancel()  # the worker is killed while the receiver is still answering
    with pytest.raises(asyncio.CancelledError):
        await task
    await dying.aclose()
    receiver.delay = 0

    restarted = env.loop()
    assert await restarted.run_once() == 0  # still leased to the dead loop
    env.clock.advance(restarted.lease + timedelta(seconds=1))
    assert await restarted.run_once() == 1
    await restarted.aclose()
    [d] = (await deliveries(env.app, ALICE, sub["id"]))["items"]
    assert d["status"] == "delivered"
    assert receiver.event_ids() == [str(event.id), str(event.id)]


async def test_a_malformed_event_is_refused_and_nothing_is_sent(env: Env, receiver: Receiver) -> None:
    """An event whose payload does not match its contract fails the job (arq retries it and the
    relay records why): no subscriber gets half of it, and it is not marked processed."""
    await subscribe(env.app, ADMIN, receiver.url, ("rectification.overdue",))
    good = overdue(COUNTY_A)
    bad = good.model_copy(update={"payload": {k: v for k, v in good.payload.items()
                                              if k != "organisation_id"}})
    with pytest.raises(MalformedEvent, match="organisation_id"):
        await env.publish(bad)
    assert await env.delivery_count() == 0
    async with env.sessionmaker() as s:
        assert (await s.execute(select(func.count()).select_from(WebhookProcessedEvent))).scalar_one() == 0
    assert await env.publish(good)  # the same event, well formed, goes out
    await env.loop().run_once()
    assert receiver.event_ids() == [str(good.id)]


async def test_an_event_delivered_twice_to_the_worker_fans_out_once(
        env: Env, receiver: Receiver, redis_url: str) -> None:
    await subscribe(env.app, ALICE, receiver.url)
    await subscribe(env.app, CITY_SYS, receiver.url)
    event = overdue(COUNTY_A)
    redis = await connect(redis_url)
    try:
        for key in await redis.keys(f"{QUEUE}*"):
            await redis.delete(key)
        # The relay re-sends when it cannot tell a job completed: the same event, twice.
        for attempt in ("first", "again"):
            await redis.enqueue_job(DELIVER_JOB, event.model_dump(mode="json"),
                                    _job_id=f"evt:{event.id}:{attempt}", _queue_name=QUEUE)
        worker = build_worker(env.settings, env.clock, burst=True, delivery_loop=False,
                              handle_signals=False)
        try:
            await worker.main()
        finally:
            await worker.close()
        assert worker.jobs_complete == 2 and worker.jobs_failed == 0
    finally:
        for key in await redis.keys(f"{QUEUE}*"):
            await redis.delete(key)
        await redis.aclose()

    assert await env.delivery_count() == 2  # one per subscription, not four
    async with env.sessionmaker() as s:
        assert (await s.execute(select(func.count()).select_from(WebhookProcessedEvent))).scalar_one() == 1
    await env.loop().run_once()
    assert receiver.event_ids() == [str(event.id), str(event.id)]  # once to each subscriber


async def test_a_revoked_owner_receives_nothing_more(env: Env, receiver: Receiver) -> None:
    sub = await subscribe(env.app, ALICE, receiver.url)
    async with env.sessionmaker() as s:
        assert await webhook_service.deactivate_owner(s, ALICE.subject) == 1
        await s.commit()
    await env.publish(overdue(COUNTY_A))
    await env.loop().run_once()
    assert receiver.requests == [] and await env.delivery_count() == 0
    async with client(env.app, ALICE) as c:
        assert (await c.get(f"/webhooks/{sub['id']}")).json()["active"] is False

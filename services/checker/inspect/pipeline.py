"""Inspect one target: a website (crawl, render where it matters, check links, run the rules,
keep evidence) or a new-media account (read its feed, run the account rules).

The worker opens one `Inspector` for its lifetime (one Chromium, one guarded HTTP client, one
per-platform feed limiter); each website gets a fresh browser context, closed when it is done.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any
from urllib.parse import urlsplit
from uuid import UUID

import httpx
from arq.connections import ArqRedis
from playwright.async_api import BrowserContext
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlmodel import select

from services.checker.browser.launcher import Browser, BrowserSettings
from services.checker.browser.render import read_page
from services.checker.browser.tabs import RenderFailed
from services.checker.common.clients import service_token
from services.checker.config import CheckerSettings
from services.checker.crawl.crawler import CrawlSettings, crawl, in_scope, scope_domains
from services.checker.crawl.external import (
    ExternalSettings,
    RedisExternalCache,
    external_targets,
    fetch_external_pages,
)
from services.checker.crawl.linkcheck import LinkCheckSettings, RedisLinkCache, check_links
from services.checker.crawl.rendered import RenderedReader
from services.checker.crawl.search import check_search
from services.checker.discovery.registry import filed_accounts
from services.checker.emblem.inputs import emblem_inputs, judged
from services.checker.evidence import EvidenceStore
from services.checker.feeds.limits import PlatformLimiter
from services.checker.feeds.reader import FeedConfig, read_account
from services.checker.ground.account import AccountSnapshot, AccountTarget
from services.checker.ground.outcome import Outcome
from services.checker.ground.run import RunFacts
from services.checker.ground.site import FAILURE_LABELS, ExternalPage, Page, SiteSnapshot, Target
from services.checker.inspect.evaluate import evaluate, evaluate_account
from services.checker.inspect.screenshots import outline_findings
from services.checker.net.fetcher import Fetcher, FetchSettings
from services.checker.net.hostmap import HostMap
from services.checker.net.ipv6 import check_ipv6, resolve_aaaa
from services.checker.net.politeness import Politeness, polite_to
from services.checker.ocr.inputs import attach_crops, ocr_inputs
from services.checker.probe.service import availability
from services.checker.profile.models import WordEntry
from services.checker.repost.record import record_account, record_site
from services.checker.rules.account import unfiled_mentions
from services.checker.rules.content.wordlists import ExpressionEntry, TypoEntry
from services.checker.rules.params import WordLists
from services.checker.rules.site import emblem, external_links, unfiled_accounts, unreachable
from shared.clients.registry import RegistryClient
from shared.contracts.events import AccountTarget as AccountRecord
from shared.contracts.events import WebsiteTarget
from shared.errors import ProblemError
from shared.events import Outbox
from shared.principal import region_prefix

log = logging.getLogger("govinspect.checker.pipeline")
# The crawl stops taking new pages after this share of the site's time budget, so rendering,
# links, rules and evidence still have time (our split: the crawl is most of the fetching).
CRAWL_SHARE = 0.5
# Rules that judge a site whose home page could not be fetched: they need probes and the
# registry, not pages (RULES.md veto.unreachable and "Registry compliance").
WITHOUT_PAGES = ("veto.unreachable", "registry.compliance")


class AccountUnreadable(RuntimeError):
    """An account's feed could not be read where a reading is required (a re-check)."""


class SiteUninspectable(RuntimeError):
    """A site's home page could not be fetched where a reading is required (a re-check)."""


@dataclass
class Inspector:
    settings: CheckerSettings
    sessionmaker: async_sessionmaker[AsyncSession]
    redis: ArqRedis
    fetcher: Fetcher
    browser: Browser | None
    evidence: EvidenceStore
    host_map: HostMap
    registry_transport: httpx.AsyncBaseTransport | None = None
    limits: PlatformLimiter = field(default_factory=PlatformLimiter.unlimited)
    outbox: Outbox | None = None  # repost.checked goes out with the repost results
    _domains: dict[UUID, set[str]] = field(default_factory=dict)
    _accounts: dict[UUID, tuple[set[str], set[str]] | None] = field(default_factory=dict)

    @classmethod
    async def open(cls, settings: CheckerSettings, sessionmaker: async_sessionmaker[AsyncSession],
                   redis: ArqRedis,
                   registry_transport: httpx.AsyncBaseTransport | None = None) -> Inspector:
        """Start the worker's HTTP client and Chromium."""
        host_map = HostMap.parse(settings.host_map)
        fetcher = Fetcher(FetchSettings(allow_private=settings.allow_private_addresses,
                                        allowed_networks=settings.allowed_networks,
                                        per_host_interval_ms=settings.per_host_interval_ms,
                                        per_host_concurrency=settings.per_host_concurrency), host_map)
        browser = None
        if settings.use_browser:
            browser = Browser(BrowserSettings(executable_path=settings.chromium_path,
                                              target_budget_s=settings.target_budget_s))
            await browser.__aenter__()
        return cls(settings, sessionmaker, redis, fetcher, browser,
                   EvidenceStore(settings.evidence_dir), host_map, registry_transport,
                   PlatformLimiter(settings.feed_polling))

    async def aclose(self) -> None:
        """Stop Chromium and close the HTTP client."""
        if self.browser is not None:
            await self.browser.__aexit__(None, None, None)
        await self.fetcher.aclose()

    async def probe_fetch(self, url: str) -> Any:
        """Fetch a home page once, without retries, for an availability probe."""
        return await self.fetcher.fetch(url, retries=0)

    async def _resolve_aaaa(self, host: str) -> list[str]:
        # A mapped host (staging, tests) answers from the map: no DNS query leaves the machine.
        mapped = self.host_map.lookup(host)
        if mapped is not None:
            return [mapped.address] if ":" in mapped.address else []
        return await resolve_aaaa(host)

    def _as_checker(self) -> RegistryClient:
        """The registry asked as the checker itself: this worker's one client of it (the
        inspection worker owns the Inspector among its resources)."""
        return RegistryClient(self.settings.registry_url,
                              service_token(self.settings.principal_secret),
                              transport=self.registry_transport)

    async def _registry_domains(self, run_id: UUID) -> set[str]:
        """Every filed domain, read once per run; empty (check skipped) if the registry is down."""
        if run_id not in self._domains:
            try:
                async with self._as_checker() as registry:
                    domains = set(await registry.filed_domains())
            except (httpx.HTTPError, ProblemError) as exc:  # an error answer, or none (503)
                log.warning("registry domains unavailable, unregistered-site check skipped: %s", exc)
                return set()
            self._domains = {run_id: domains}  # one run at a time per cache entry is enough
        return self._domains[run_id]

    async def _registry_accounts(self, run: RunFacts, code: str = unfiled_accounts.CODE
                                 ) -> tuple[set[str], set[str]] | None:
        """Every filed account's key and name, read once per run when the run judges `code`
        (registry.unfiled_account, account.unfiled_mention)."""
        block = run.profile["rules"].get(code)
        if block is None or block.get("enabled", True) is False or (
                run.rules and code not in run.rules):
            return None
        if run.id not in self._accounts:
            async with self._as_checker() as registry:
                self._accounts = {run.id: await filed_accounts(registry)}
        return self._accounts[run.id]

    async def _lists(self, region_code: str) -> WordLists:
        """The added word entries that apply to a target in `region_code`: national ones and
        those of the regions above it (a county's entries never reach another county)."""
        async with self.sessionmaker() as s:
            rows = (await s.execute(select(WordEntry))).scalars().all()
        applying: dict[tuple[str, str], WordEntry] = {}
        # The nearest region's entry wins when two regions list the same wrong form.
        for r in sorted(rows, key=lambda r: len(region_prefix(r.region_code))):
            if region_code.startswith(region_prefix(r.region_code)):
                applying[(r.list_name, r.wrong)] = r
        lists = WordLists()
        for r in applying.values():
            fields = {"wrong": r.wrong, "right": r.right, "level": r.level,
                      "exceptions": tuple(r.exceptions)}
            if r.list_name == "typo":
                lists.typos.append(TypoEntry(**fields))
            else:
                lists.expressions.append(ExpressionEntry(**fields, note=r.note))
        return lists

    @contextlib.asynccontextmanager
    async def _context(self, budget_s: float) -> AsyncIterator[BrowserContext | None]:
        if self.browser is None:
            yield None
            return
        async with self.browser.context(self.fetcher.fetch, budget_s=budget_s) as ctx:
            yield ctx

    async def inspect(self, filed: WebsiteTarget | AccountRecord, run: RunFacts) -> Outcome:
        """Inspect one target of a run (its task snapshot, read through the contract) and
        return its findings."""
        if isinstance(filed, AccountRecord):
            return await self.inspect_account(filed, run)
        target = _target(filed)
        profile: dict[str, Any] = run.profile
        politeness = self.settings.politeness(profile, filed)
        async with polite_to(self.fetcher, scope_domains(target), target.home_url, politeness) as polite:
            return await self._inspect_site(target, run, polite)

    async def _inspect_site(self, target: Target, run: RunFacts, polite: Politeness) -> Outcome:
        profile: dict[str, Any] = run.profile
        clock = _Stopwatch()
        async with self._context(polite.target_budget_s) as ctx:
            reader = None
            if ctx is not None:
                domains = scope_domains(target)
                reader = RenderedReader(partial(self._render, ctx), lambda url: in_scope(url, domains),
                                        self.settings.rendering)
            crawled = await crawl(target, self.fetcher, CrawlSettings(
                max_pages=polite.max_pages, max_depth=polite.max_depth,
                max_attachments=self.settings.max_attachments,
                concurrency=max(CrawlSettings().concurrency, polite.per_host_concurrency),
                time_budget_s=polite.target_budget_s * CRAWL_SHARE), reader)
            pages = crawled.pages
            clock.lap(f"crawl+render ({len(reader.rendered) if reader else 0} inner pages rendered)")
            if not pages or pages[0].failure is not None:
                return await self._uninspectable(target, run, pages[0] if pages else None)
            urls = [link.url for p in pages for link in p.links if link.url]
            link_status = await check_links(urls, self.fetcher, RedisLinkCache(self.redis, run.id),
                                            LinkCheckSettings(
                                                recheck_delay_s=self.settings.link_recheck_delay_s))
            clock.lap("links")
            host = urlsplit(target.home_url).hostname or ""
            window = int(profile["rules"].get("veto.unreachable", {}).get("window_days", 7))
            async with self.sessionmaker() as s:
                avail = await availability(s, target.id, run.as_of, window)
            emblems, references = await emblem_inputs(self.sessionmaker, self.fetcher, pages[0], profile,
                                                      run.rules)
            ocr = await ocr_inputs(pages, self.fetcher, self.settings, profile, run.rules)
            filed = await self._registry_accounts(run)
            site = SiteSnapshot(
                target=target, as_of=run.as_of, pages=pages, link_status=link_status,
                availability=avail,
                search=await check_search(pages, self.fetcher, target.domains) if pages else None,
                ipv6=await check_ipv6(host, self._resolve_aaaa, self.fetcher,
                                      url=target.home_url) if host else None,
                registry_sites=await self._registry_domains(run.id),
                external_pages=await self._external_pages(pages, target, run),
                emblems=emblems, emblem_references=references, ocr_pages=[r.page for r in ocr],
                registry_accounts=filed[0] if filed else None,
                registry_account_names=filed[1] if filed else None)
            clock.lap(f"search+ipv6+external+emblems+ocr ({len(ocr)} pictures read)")
            findings = evaluate(site, profile, await self._lists(target.region_code),
                                only=set(run.rules) if run.rules else None)
            attach_crops(findings, ocr, self.evidence)
            if run.kind != "recheck":  # a re-check looks at findings, not at repost tasks
                await record_site(self.sessionmaker, site, run, self.outbox, self.fetcher)
            notes = self._notes(site, profile, run.rules)
            clock.lap("rules")
            if ctx is not None:
                await outline_findings(ctx, findings, self.evidence, self.settings)
            clock.lap("evidence")
        log.info("inspected %s: %d pages, %d links, %d findings; %s", target.site_code,
                 len(pages), len(link_status), len(findings), clock.summary())
        return Outcome(findings=findings, pages_fetched=len(pages),
                       links_checked=len(link_status), notes=notes)

    async def _external_pages(self, pages: list[Page], target: Target,
                              run: RunFacts) -> dict[str, ExternalPage]:
        """What the off-site link targets serve now, when the run judges 外链变质 (else nothing)."""
        block = run.profile["rules"].get(external_links.CODE)
        if block is None or block.get("enabled", True) is False or (
                run.rules and external_links.CODE not in run.rules):
            return {}
        urls = external_targets(pages, target.domains, list(block.get("link_tags", ["a"])),
                                self.settings.external_max_pages)
        return await fetch_external_pages(
            urls, self.fetcher, RedisExternalCache(self.redis, run.id),
            ExternalSettings(excerpt_chars=self.settings.external_excerpt_chars))

    @staticmethod
    def _notes(site: SiteSnapshot, profile: dict[str, Any], rules: list[str] | None) -> list[dict[str, Any]]:
        """Facts about the run beside the findings: availability not judged for want of probes,
        emblems not judged for want of a reference image."""
        notes = []
        if site.pages and site.pages[0].failure is None and judged(profile, rules):
            notes.append(emblem.reference_note(site))
        block = profile["rules"].get(unreachable.CODE)
        if block is not None and block.get("enabled", True) is not False and (
                not rules or unreachable.CODE in rules):
            notes.append(unreachable.availability_note(site, unreachable.Params.model_validate(block)))
        return [note for note in notes if note]

    async def _uninspectable(self, target: Target, run: RunFacts, home: Page | None) -> Outcome:
        """A site whose home page could not be fetched is 未能检查, with the reason; only the
        rules that need no page still apply (probes: veto.unreachable; the registry's
        "filed running but gone")."""
        reason = "未获取到首页"
        if home is not None:
            failure = home.failure or "other"
            code = f"，HTTP {home.status}" if home.status else ""
            reason = f"首页无法访问：{FAILURE_LABELS.get(failure, failure)}（{failure}{code}）"
        if run.kind == "recheck":  # proves nothing fixed: the task fails, as for accounts
            raise SiteUninspectable(f"网站 {target.site_code} 未能检查：{reason}")
        window = int(run.profile["rules"].get("veto.unreachable", {}).get("window_days", 7))
        async with self.sessionmaker() as s:
            avail = await availability(s, target.id, run.as_of, window)
        # Nothing past the home page was fetched: the page-based inputs are empty by fact.
        site = SiteSnapshot(target=target, as_of=run.as_of, pages=[home] if home else [],
                            availability=avail, link_status={}, search=None, ipv6=None,
                            registry_sites=set(), external_pages={}, emblems=[], emblem_references=[],
                            ocr_pages=[], registry_accounts=None, registry_account_names=None)
        only = set(WITHOUT_PAGES) & (set(run.rules) if run.rules else set(WITHOUT_PAGES))
        findings = evaluate(site, run.profile, await self._lists(target.region_code), only=only)
        log.warning("%s not inspected: %s", target.site_code, reason)
        return Outcome(findings=findings, pages_fetched=len(site.pages), uninspected=reason,
                       notes=self._notes(site, run.profile, run.rules))

    async def inspect_account(self, filed: AccountRecord, run: RunFacts) -> Outcome:
        """Read one account's feed and run the account rules on what it gave."""
        account = AccountTarget.from_contract(filed)
        started = time.perf_counter()
        async with self.sessionmaker() as s:
            read = await read_account(
                FeedConfig.from_registry(account.feed), fetcher=self.fetcher, session=s,
                account_id=account.id,
                since=run.as_of - timedelta(days=self.settings.account_read_days),
                now=datetime.now(UTC), browser=self.browser, limits=self.limits)
        if run.kind == "recheck" and read.status in ("unreadable", "not_configured"):
            # A re-check that cannot read the account proves nothing fixed: the task fails (and
            # after its last attempt target.failed tells reporting), never passes empty.
            raise AccountUnreadable(f"账号 {account.code} 无法读取：{read.error or read.status}")
        registry = await self._registry_accounts(run, unfiled_mentions.CODE)
        snapshot = AccountSnapshot(target=account, as_of=run.as_of, feed=read,
                                   registry_account_names=registry[1] if registry else None)
        if run.kind != "recheck":
            await record_account(self.sessionmaker, snapshot, run, self.outbox)
        findings = evaluate_account(snapshot, run.profile,
                                    await self._lists(account.region_code),
                                    only=set(run.rules) if run.rules else None)
        log.info("inspected account %s: feed %s, %d posts, %d findings in %.1fs", account.code,
                 read.status, len(read.posts), len(findings), time.perf_counter() - started)
        return Outcome(findings=findings, feed_status=read.status, posts_read=len(read.posts))

    async def _render(self, ctx: BrowserContext, page: Page) -> tuple[Page, str] | None:
        """Render a fetched page (the home page with a screenshot); None when it cannot load."""
        try:
            return await read_page(ctx, page, keep_screenshot=self.evidence.put if page.depth == 0 else None)
        except RenderFailed as exc:
            log.info("render of %s failed: %s", page.url, exc)
            return None


class _Stopwatch:
    """Seconds (and this process's CPU seconds) spent per phase, for each inspection's log line."""

    def __init__(self) -> None:
        self.last = time.perf_counter()
        self.last_cpu = time.process_time()
        self.laps: list[str] = []

    def lap(self, name: str) -> None:
        now, cpu = time.perf_counter(), time.process_time()
        self.laps.append(f"{name} {now - self.last:.1f}s ({cpu - self.last_cpu:.1f} CPU s)")
        self.last, self.last_cpu = now, cpu

    def summary(self) -> str:
        return ", ".join(self.laps)


def _target(t: WebsiteTarget) -> Target:
    """The ground floor's site record, from the task snapshot's contract model."""
    return Target(id=t.id, site_code=t.site_code, name=t.name, organisation_id=t.organisation_id,
                  organisation_name=t.organisation_name, region_code=t.region_code, kind=t.kind,
                  domains=list(t.domains), home_url=t.home_url, status=t.status,
                  provides_services=t.provides_services, icp_number=t.icp_number,
                  psb_number=t.psb_number, portal_domain=t.portal_domain)

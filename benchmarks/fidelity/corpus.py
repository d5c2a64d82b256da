"""The whole corpus: every site, account and off-site page, served on loopback while a block runs.

`corpus_documents(as_of)` is pure (the documents, the registry snapshots, which host is served
over plain HTTP); `build_corpus(as_of, folder)` also issues a throwaway certificate and serves
everything: HTTPS on ::1 (so the sites have an IPv6 address), plain HTTP on 127.0.0.1 for the
legacy site.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from benchmarks.fidelity.accounts import FEED_HOST, BuiltAccount, all_accounts
from benchmarks.fidelity.build import Docs, off_site
from benchmarks.fidelity.sites import PORTAL, BuiltSite, all_sites
from shared.calendar import SHANGHAI
from shared.contracts.events import WebsiteTarget


@dataclass
class Corpus:
    """The served corpus and what the inspection needs to know about it."""

    as_of: datetime
    sites: list[BuiltSite]
    accounts: list[BuiltAccount]
    docs: Docs
    plain_hosts: set[str]  # served over HTTP on 127.0.0.1; every other host over HTTPS on ::1
    snapshots: dict[str, dict[str, Any]]  # target → the registry record a run snapshots
    hosts: dict[str, str]  # target → host its key paths are on
    kinds: dict[str, str]  # target → website / account
    filed_domains: list[str]
    host_map: dict[str, str] = field(default_factory=dict)
    ca_path: Path | None = None


def _website(site: BuiltSite) -> dict[str, Any]:
    s = site.spec
    return WebsiteTarget(
        id=uuid.uuid5(uuid.NAMESPACE_URL, f"fidelity/{s.key}"), site_code=s.code, name=s.name,
        organisation_id=uuid.uuid5(uuid.NAMESPACE_URL, f"fidelity/org/{s.key}"),
        organisation_name=s.sponsor, region_code=s.region, kind=s.kind, domains=[s.host],
        home_url=s.home_url, status="running", provides_services=True,
        icp_number=site.filed_icp or s.icp, psb_number=site.filed_psb or s.psb).model_dump(mode="json")


def corpus_documents(as_of: datetime) -> Corpus:
    """Build every document of the corpus, dated for the monitoring point."""
    today = as_of.astimezone(SHANGHAI).date()
    sites = all_sites(today)
    accounts = all_accounts(as_of)
    docs = off_site(today)
    for part in [*(s.docs for s in sites), *(a.docs for a in accounts)]:
        docs.update(part)
    snapshots: dict[str, dict[str, Any]] = {s.spec.key: _website(s) for s in sites}
    snapshots |= {a.key: a.snapshot for a in accounts}
    hosts = {s.spec.key: s.spec.host for s in sites} | {a.key: FEED_HOST for a in accounts}
    kinds = {s.spec.key: "website" for s in sites} | {a.key: "account" for a in accounts}
    filed = sorted({s.spec.host for s in sites} | {PORTAL})
    plain = {s.spec.host for s in sites if s.spec.scheme == "http"}
    return Corpus(as_of, sites, accounts, docs, plain, snapshots, hosts, kinds, filed)


@contextmanager
def build_corpus(as_of: datetime, folder: Path) -> Iterator[Corpus]:
    """Serve the corpus on loopback until the block ends; the corpus carries the host map and CA."""
    from tests.checker.cleansite import TlsSiteServer, issue_certificate
    from tests.checker.sitefixture import SiteServer

    corpus = corpus_documents(as_of)
    secure = sorted({host for host, _ in corpus.docs} - corpus.plain_hosts)
    tls = issue_certificate(folder, secure)
    with ExitStack() as stack:
        https = stack.enter_context(TlsSiteServer(tls.cert, tls.key, "::1"))
        http = stack.enter_context(SiteServer())
        for (host, path), doc in corpus.docs.items():
            server = http if host in corpus.plain_hosts else https
            server.add(host, path, doc.body, status=doc.status, content_type=doc.content_type,
                       headers=doc.headers)
        corpus.host_map = {h: f"[::1]:{https.port}" for h in secure} | {
            h: f"127.0.0.1:{http.port}" for h in corpus.plain_hosts}
        corpus.ca_path = tls.ca
        yield corpus

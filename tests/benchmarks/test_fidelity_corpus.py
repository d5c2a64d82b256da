"""The fidelity corpus and its answer key agree: every key entry names a served page or feed post,
a link that is on the target's pages and a rule code the checker has; the corpus covers what
issue 12 asks for. (The benchmark itself is `python -m benchmarks.fidelity`, not a test.)"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from html import unescape
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest

from benchmarks.fidelity.corpus import Corpus, corpus_documents
from benchmarks.fidelity.score import load_key, matches
from services.checker.rules import RULES
from services.checker.rules.account import RULES as ACCOUNT_RULES
from shared.contracts.events import parse_target

AS_OF = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)
RULE_CODES = {r.CODE for r in RULES} | {r.CODE for r in ACCOUNT_RULES}
# href="…" in HTML, "href": "…" in the JSON a script-built page loads.
_HREF = re.compile(r"""(?:href|src)(?:\s*=|"\s*:)\s*["']([^"']+)["']""")


@pytest.fixture(scope="module")
def corpus() -> Corpus:
    return corpus_documents(AS_OF)


@pytest.fixture(scope="module")
def key() -> dict[str, Any]:
    return load_key()


def _items(key: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(target, part, item) for target, spec in key["targets"].items()
            for part in ("expected", "lookalikes", "tolerated") for item in spec.get(part, [])]


def _links(corpus: Corpus, host: str) -> set[str]:
    """Every href and src on the host's documents (JSON data of script-built pages included)."""
    found = set()
    for (h, path), doc in corpus.docs.items():
        if h != host:
            continue
        base = f"https://{host}{path}"
        for raw in _HREF.findall(unescape(doc.body.decode("utf-8", "replace")).replace('\\"', '"')):
            found.add(urljoin(base, raw))
    return found


def test_the_key_names_every_target_of_the_corpus_and_nothing_else(corpus: Corpus, key: dict[str, Any]) -> None:
    assert set(key["targets"]) == set(corpus.snapshots)


def test_every_target_is_the_snapshot_a_run_would_keep(corpus: Corpus) -> None:
    # The benchmark inspects these snapshots directly: one its contract refuses is a target the
    # benchmark cannot inspect (its accounts all failed once when the contract gained a field).
    for key, snapshot in corpus.snapshots.items():
        target = parse_target(snapshot)
        assert (target.target_type, str(target.id)) == (corpus.kinds[key], snapshot["id"])


def test_every_key_entry_names_a_known_rule_and_class(key: dict[str, Any]) -> None:
    for target, part, item in _items(key):
        assert item["rule"] in RULE_CODES, (target, part, item)
        assert str(item["class"]) in key["classes"], (target, part, item)
        assert set(item) <= {"class", "rule", "page", "link", "text", "note"}, (target, part, item)


def test_every_page_of_the_key_is_served(corpus: Corpus, key: dict[str, Any]) -> None:
    feeds = "".join(d.body.decode() for (h, _), d in corpus.docs.items() if h == "feeds.jining.gov.cn")
    for target, part, item in _items(key):
        if "page" not in item:
            continue
        host = corpus.hosts[target]
        if corpus.kinds[target] == "account":
            assert f"https://{host}{item['page']}" in feeds, (target, part, item)
        else:
            doc = corpus.docs.get((host, item["page"]))
            assert doc is not None and doc.status == 200, (target, part, item)


def test_every_link_of_the_key_is_on_the_targets_pages(corpus: Corpus, key: dict[str, Any]) -> None:
    for target, part, item in _items(key):
        if "link" not in item:
            continue
        host = corpus.hosts[target]
        wanted = f"https://{host}{item['link']}" if item["link"].startswith("/") else item["link"]
        assert wanted in _links(corpus, host), (target, part, item)


def test_every_host_the_corpus_links_to_is_served(corpus: Corpus) -> None:
    # A link to an unserved host would fail on DNS and add findings nobody planted.
    served = {h for h, _ in corpus.docs}
    for host in {h for h, _ in corpus.docs}:
        for url in _links(corpus, host):
            target = urlsplit(url).hostname
            if urlsplit(url).scheme in ("http", "https"):
                assert target in served, (host, url)


def test_the_corpus_covers_what_issue_12_asks_for(corpus: Corpus, key: dict[str, Any]) -> None:
    sites = [s.spec for s in corpus.sites]
    assert len(sites) >= 10 and len(corpus.accounts) >= 10
    assert sum(s.kind == "department" for s in sites) >= 2
    assert {"control", "script", "traditional"} <= {s.key for s in sites}
    assert key["targets"]["control"].get("control") and not key["targets"]["control"]["expected"]
    for cls in range(1, 10):
        parts = {part for _, part, item in _items(key) if item["class"] == cls}
        assert {"expected", "lookalikes"} <= parts, f"class {cls} needs a planted problem and a look-alike"


def test_matching_follows_rule_page_link_and_text() -> None:
    finding = {"rule": "veto.security", "message": "页面存在暗链", "url": "https://www.yabo-888.com/",
               "parent_url": "https://wlj.jining.gov.cn/", "offending": "https://www.yabo-888.com/",
               "excerpt": None, "detail": {"kind": "dark_link"}}
    host = "wlj.jining.gov.cn"
    assert matches({"rule": "veto.security", "page": "/", "link": "https://www.yabo-888.com/"}, finding, host)
    assert matches({"rule": "veto.security", "text": "暗链|dark"}, finding, host)
    assert not matches({"rule": "deduct.links", "page": "/"}, finding, host)
    assert not matches({"rule": "veto.security", "page": "/tzgg/"}, finding, host)
    assert not matches({"rule": "veto.security", "text": "表述"}, finding, host)


def test_the_corpus_is_dated_from_the_monitoring_point() -> None:
    # The same corpus a month later: the same documents, only the dates move with it.
    now, later = corpus_documents(AS_OF), corpus_documents(datetime(2026, 12, 20, 2, 0, tzinfo=UTC))
    assert set(now.docs) == set(later.docs)
    home = ("www.rencheng.gov.cn", "/")
    assert "2026-11-19" in now.docs[home].body.decode() and "2026-12-19" in later.docs[home].body.decode()

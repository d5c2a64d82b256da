"""Finding an article's repost among a site's pages or an account's posts (pure functions).

A candidate is the repost when the article's body is contained in it (`min_containment` of the
body's shingles occur in the candidate's text): a retitled repost with the same body counts.
A candidate carrying the same or a near title (`min_title_jaccard`) counts at the lower
`min_containment_titled` (an abridged repost). Another article on the same subject, even under
a similar title, shares too little of the body and does not count. Thresholds: profile block
`repost.task` (its `_source`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from services.checker.ground.account import AccountSnapshot, post_text, post_url
from services.checker.ground.site import Page, SiteSnapshot
from services.checker.support.dates import first_full_date, local_today
from services.checker.support.pages import meta, pub_date
from services.checker.support.similarity import containment, jaccard, shingles
from shared.calendar import SHANGHAI

CODE = "repost.task"


class Params(BaseModel):
    """The profile block `repost.task`."""

    model_config = ConfigDict(extra="ignore")

    shingle_size: int = Field(3, ge=2, le=8)
    min_containment: float = Field(0.6, gt=0, le=1)
    min_title_jaccard: float = Field(0.5, gt=0, le=1)
    min_containment_titled: float = Field(0.4, gt=0, le=1)
    follow_days: int = Field(60, ge=0, le=366)  # calendar days after the deadline a task is still looked for
    search_results: int = Field(5, ge=0, le=20)  # pages of each site-search answer fetched (0: no search)

    @classmethod
    def of(cls, profile: dict[str, Any]) -> Params:
        """The block of a run's profile (the defaults when a profile predates it)."""
        return cls.model_validate(profile.get("rules", {}).get(CODE) or {})


@dataclass(frozen=True)
class Article:
    """The article a task asks to repost."""

    title: str
    body: str
    source_url: str


@dataclass(frozen=True)
class Found:
    """The repost found: where, under which title, when it was published, how similar."""

    url: str
    title: str
    published_at: datetime | None
    similarity: float
    # The columns it is shown under: titles of the pages linking to it (its column lists) and
    # the page's own ColumnName tag.
    columns: tuple[str, ...] = ()


def _score(article: Article, params: Params, title: str, text: str) -> float | None:
    body = shingles(article.body, params.shingle_size)
    share = containment(body, shingles(text, params.shingle_size))
    if share >= params.min_containment:
        return share
    titled = jaccard(shingles(article.title, params.shingle_size), shingles(title, params.shingle_size))
    if titled >= params.min_title_jaccard and share >= params.min_containment_titled:
        return share
    return None


def _page_date(page: Page, today: date) -> datetime | None:
    day = pub_date(page, today) or first_full_date(page.text, today)
    return datetime.combine(day, time(12), SHANGHAI).astimezone(UTC) if day else None


def find_on_site(article: Article, site: SiteSnapshot, params: Params) -> Found | None:
    """The page of the site that reposts the article best (none: not reposted)."""
    today = local_today(site)
    best: tuple[float, Page] | None = None
    for page in site.html_pages():
        if page.final_url == article.source_url or page.url == article.source_url:
            continue
        score = _score(article, params, page.title, page.text)
        if score is not None and (best is None or score > best[0]):
            best = (score, page)
    if best is None:
        return None
    score, page = best
    parents = [p.title for p in site.html_pages()
               if p is not page and any(link.url in (page.url, page.final_url) for link in p.links)]
    tagged = meta(page, "ColumnName")
    return Found(url=page.final_url or page.url, title=page.title, published_at=_page_date(page, today),
                 similarity=round(score, 3), columns=(*parents, tagged) if tagged else tuple(parents))


def find_in_posts(article: Article, account: AccountSnapshot, params: Params) -> Found | None:
    """The account's post that reposts the article best (none: not reposted)."""
    best = None
    for post in account.posts:
        score = _score(article, params, post.title, post_text(post))
        if score is not None and (best is None or score > best[0]):
            best = (score, post)
    if best is None:
        return None
    score, post = best
    return Found(url=post_url(account.target, post), title=post.title, published_at=post.published_at,
                 similarity=round(score, 3))

"""What a website inspection works on: the target, its pages and links, and the site snapshot.

Plain data passed from the crawler and the browser to the rules. Rules are pure functions of a
`SiteSnapshot` and the rule profile; they never fetch anything (what they report is
`ground.finding.FindingDraft`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID

# How the browser judged a link invisible (RULES.md, 暗链).
HIDING_TECHNIQUES = (
    "display_none", "visibility_hidden", "opacity_zero", "zero_size", "clip", "offscreen",
    "text_indent", "same_colour", "hidden_iframe", "marquee", "script_injected",
)

# Failure classes of a fetch (issue: crawler failure classes).
FAILURE_CLASSES = (
    "dns", "refused", "timeout", "tls", "http_4xx", "http_5xx", "redirect_loop",
    "too_many_redirects", "too_large", "blocked", "other",
)
# How each failure class reads in a reason shown to people (未能检查的原因).
FAILURE_LABELS = {
    "dns": "域名无法解析", "refused": "连接被拒绝或中断", "timeout": "访问超时",
    "tls": "证书或加密连接错误", "http_4xx": "返回客户端错误", "http_5xx": "服务器错误",
    "redirect_loop": "循环跳转", "too_many_redirects": "跳转次数过多",
    "too_large": "内容超过大小上限", "blocked": "地址被安全策略拦截（内网或保留地址）",
    "other": "访问失败",
}


@dataclass
class Target:
    """The registry's record of the inspected website, as snapshotted when the run began."""

    id: UUID
    site_code: str
    name: str
    organisation_id: UUID
    organisation_name: str
    region_code: str
    kind: str  # portal / department
    domains: list[str]
    home_url: str
    status: str  # lifecycle status in the registry
    provides_services: bool = True
    icp_number: str | None = None
    psb_number: str | None = None
    # For a department site: the main domain of its region's portal, as filed in the registry
    # when the run began (None for a portal, or when the registry names no portal).
    portal_domain: str | None = None


@dataclass
class Link:
    """A link (or embedded resource) found on a page."""

    url: str  # absolute, fragment removed
    parent_url: str  # the page it was found on
    tag: str  # a, img, script, iframe, link, area, embed
    text: str = ""
    position: str | None = None  # CSS selector path a person can find it by
    # Set when the page was rendered in the browser; None when only fetched.
    visible: bool | None = None
    hidden_by: str | None = None  # one of HIDING_TECHNIQUES when not visible
    rect: tuple[float, float, float, float] | None = None  # x, y, width, height
    injected: bool = False  # added by a script after load


@dataclass
class LinkStatus:
    """The outcome of checking one unique URL once per run."""

    url: str
    status: int | None
    failure: str | None = None  # one of FAILURE_CLASSES
    final_url: str | None = None
    elapsed_ms: float | None = None
    confirmed: bool = False  # a transient failure was re-checked and failed again
    content_type: str | None = None

    @property
    def broken(self) -> bool:
        """Definitely broken: 404, 403 or 410 (RULES.md), or a redirect that never ends (issue 12).

        A redirect loop or a chain longer than the fetcher follows never reaches a page, for
        any visitor and on every try: it is a 断链 like a 404, not an unstable link.
        """
        return self.status in (403, 404, 410) or self.failure in ("redirect_loop", "too_many_redirects")

    @property
    def unstable(self) -> bool:
        """Timeouts, refusals and 5xx: reported separately, never counted as broken."""
        return not self.broken and (self.failure is not None or (self.status or 0) >= 500)


@dataclass
class Page:
    """A fetched (and possibly rendered) page or attachment of the site."""

    url: str
    final_url: str
    status: int | None
    depth: int
    parent_url: str | None
    content_type: str = "text/html"
    failure: str | None = None
    html: str = ""
    text: str = ""  # visible text; attachments: extracted text
    title: str = ""
    meta: dict[str, str] = field(default_factory=dict)  # <meta name=…> values, e.g. SiteIDCode
    links: list[Link] = field(default_factory=list)
    scripts: list[str] = field(default_factory=list)  # absolute src of <script> elements
    rendered: bool = False
    screenshot: str | None = None  # evidence id (content hash) of a full-page screenshot
    is_attachment: bool = False
    fetched_at: datetime | None = None


@dataclass
class Availability:
    """Probe results over the rolling window before the monitoring point."""

    probes: int
    failures: int
    window_days: int

    @property
    def failure_ratio(self) -> float:
        """Share of failed probes (0 when there were none)."""
        return self.failures / self.probes if self.probes else 0.0


@dataclass
class SearchResult:
    """Whether the site's search was found and whether it finds an existing title."""

    present: bool
    query: str | None = None
    hits: int | None = None
    url: str | None = None


@dataclass
class Ipv6Result:
    """AAAA records of the home host and whether the home page answered over IPv6."""

    aaaa: list[str]
    reachable: bool | None


@dataclass
class ExternalPage:
    """What an off-site link's target served when fetched once in the run (for 外链变质)."""

    url: str  # the link URL, as in `Link.url`
    final_url: str
    status: int | None
    title: str = ""
    text: str = ""  # visible text, cut to a bounded excerpt
    failure: str | None = None  # one of FAILURE_CLASSES


@dataclass
class EmblemImage:
    """An image on the site that may show the national emblem, with its perceptual hash."""

    url: str
    parent_url: str  # the page it is shown on
    phash: str  # 64-bit pHash, hex (emblem/phash.py)
    text: str = ""  # alt or title
    position: str | None = None
    rect: tuple[float, float, float, float] | None = None
    injected: bool = False


@dataclass
class EmblemReference:
    """A reference image of the emblem loaded through the API (current or superseded)."""

    name: str
    status: str  # current / superseded
    phash: str


@dataclass
class SiteSnapshot:
    """Everything the rules may look at for one website in one run."""

    target: Target
    as_of: datetime  # the monitoring point: "now" of the run
    pages: list[Page]
    link_status: dict[str, LinkStatus] = field(default_factory=dict)
    availability: Availability | None = None
    search: SearchResult | None = None
    ipv6: Ipv6Result | None = None
    registry_sites: set[str] = field(default_factory=set)  # every registered domain
    external_pages: dict[str, ExternalPage] = field(default_factory=dict)  # keyed by link URL
    emblems: list[EmblemImage] = field(default_factory=list)  # candidate 国徽 images, hashed
    emblem_references: list[EmblemReference] = field(default_factory=list)  # loaded via the API
    ocr_pages: list[Page] = field(default_factory=list)  # text read by OCR from pictures (ocr/)
    # Filed accounts as discovery/profiles.key() strings; None when the registry did not answer.
    registry_accounts: set[str] | None = None
    # Filed accounts' names (support/account_names.normalise_name); None when not read.
    registry_account_names: set[str] | None = None

    @property
    def home(self) -> Page | None:
        """The home page, if it was fetched."""
        return self.pages[0] if self.pages else None

    def html_pages(self) -> list[Page]:
        """Pages that are HTML documents (not attachments), fetched successfully."""
        return [p for p in self.pages if not p.is_attachment and p.status == 200]

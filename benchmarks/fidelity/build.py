# ruff: noqa: E501
"""Building blocks of the corpus sites: served documents, the page template, lists, articles, guides.

A site is a `SiteSpec` (who runs it, what is filed, its columns and their entries); `build_site`
turns it into served documents keyed by (host, path). Sites then edit their documents to plant
problems and look-alikes (`Docs.edit`). Every date is a number of days before the monitoring
point, so the corpus is valid whenever it is inspected.
"""

from __future__ import annotations

import json
import re
import struct
import zlib
from dataclasses import dataclass, field
from datetime import date, timedelta
from html import escape

from tests.checker.emblemfixture import emblem

HTML = "text/html; charset=utf-8"
CONAC = "bszs.conac.cn"  # 党政机关网站标识
CONAC_IMAGES = "dcs.conac.cn"
JIUCUO = "zfwzgl.www.gov.cn"  # 我为政府网站找错
ICP_SYSTEM = "beian.miit.gov.cn"
PSB_SYSTEM = "www.beian.gov.cn"


@dataclass(frozen=True)
class Doc:
    """One served answer."""

    body: bytes
    content_type: str = HTML
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)


class Docs(dict[tuple[str, str], Doc]):
    """Served documents by (host, path); path may carry a query."""

    def html(self, host: str, path: str, text: str) -> None:
        """Serve an HTML page."""
        self[(host, path)] = Doc(text.encode())

    def redirect(self, host: str, path: str, location: str, status: int = 302) -> None:
        """Answer a path with a redirect."""
        self[(host, path)] = Doc(b"", status=status, headers={"Location": location})

    def edit(self, host: str, path: str, old: str, new: str) -> None:
        """Replace text in a served page; the text must be there (a plant never misses silently)."""
        body = self[(host, path)].body.decode()
        if old not in body:
            raise ValueError(f"{host}{path} does not contain {old!r}")
        self[(host, path)] = Doc(body.replace(old, new, 1).encode(), self[(host, path)].content_type)

    def text(self, host: str, path: str) -> str:
        """The served text of a document."""
        return self[(host, path)].body.decode()


def png(width: int = 88, height: int = 31) -> bytes:
    """A plain red PNG of the given size (badges, banners)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    rows = b"".join(b"\x00" + b"\xcc\x00\x00" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows))
            + chunk(b"IEND", b""))


@dataclass
class Entry:
    """One list entry of a column and the article page it links to."""

    title: str
    days_ago: int
    text: str = ""  # the article's body (HTML); the title when empty
    post: int | None = None  # the article's number in /<column>/content/post_<n>.html (else numbered)
    link: str | None = None  # list the entry with this href and build no article page
    pinned: bool = False  # shown first whatever its date (置顶)
    path: str = ""  # set by build_site


@dataclass
class ColumnSpec:
    """A column (栏目): its list page and its entries."""

    slug: str  # path folder, e.g. "ywdt"
    name: str
    column_type: str  # ColumnType tag
    entries: list[Entry] = field(default_factory=list)
    on_home: bool = False  # shown as a box on the home page (its newest entries)
    in_nav: bool = True
    body: str | None = None  # a column page without a list: this HTML instead (e.g. 暂无信息)

    @property
    def path(self) -> str:
        """The column's list page."""
        return f"/{self.slug}/"


@dataclass
class Message:
    """A consultation message: asked and answered days before the monitoring point."""

    title: str
    asked: date
    answered: date | None


@dataclass
class SiteSpec:
    """One government website of the corpus, as filed and as built."""

    key: str  # the corpus id, e.g. "control"
    host: str
    name: str
    sponsor: str  # 主办单位
    code: str  # 网站标识码
    region: str
    kind: str  # portal / department
    icp: str
    psb: str
    phone: str
    columns: list[ColumnSpec] = field(default_factory=list)
    links: list[tuple[str, str]] = field(default_factory=list)  # footer 相关链接 (url, text)
    scheme: str = "https"
    labels: dict[str, str] = field(default_factory=dict)  # words of the template, see LABELS
    # Last year's 年度工作报表 on the home page (国办函〔2018〕12号): "on_time" (linked from the
    # home page, published 20 January), "late" (published 15 February), "column" (a 年度报表
    # column page listing this and earlier years), "missing" (only the year before last).
    annual_report: str = "on_time"
    # The national emblem in the page header: None (no emblem image), "current" or "superseded"
    # artwork (tests/checker/emblemfixture.py), compared with the references the runner loads.
    emblem: str | None = None

    @property
    def home_url(self) -> str:
        """Where the registry says the site lives."""
        return f"{self.scheme}://{self.host}/"


LABELS = {
    "sponsor": "主办单位", "phone": "联系电话", "code": "网站标识码", "links": "相关链接",
    "search": "搜索", "home": "首页", "more": "更多", "placeholder": "请输入关键词",
    "published": "发布时间", "source": "来源", "results": "搜索结果", "badge": "党政机关",
    "jiucuo": "我为政府网站找错", "asked": "留言时间", "answered": "答复时间", "state": "状态",
    "title": "标题", "done": "已回复", "open": "未回复", "write": "我要咨询",
    "annual": "年度工作报表", "annual_column": "年度报表",
}


EMBLEM_PATH = "/images/gh.jpg"
EMBLEM_IMG = f'<img src="{EMBLEM_PATH}" alt="国徽" width="48" height="48">'
# The reference images the runner loads (POST /emblems in production): name, status.
EMBLEM_REFERENCES = [("国徽（现行版）", "current"), ("国徽（已废止版）", "superseded")]


def label(site: SiteSpec, name: str) -> str:
    """A word of the site's template (Traditional-script sites override them)."""
    return site.labels.get(name, LABELS[name])


def day(today: date, days_ago: int) -> date:
    """The date `days_ago` days before the monitoring date."""
    return today - timedelta(days=days_ago)


def footer(site: SiteSpec) -> str:
    """The footer with every identity item (RULES.md "Identity, domains and tags")."""
    links = "　".join(f'<a href="{u}">{t}</a>' for u, t in site.links)
    record = re.sub(r"\D", "", site.psb)
    return ('<div class="footer">'
            + (f"<p>{label(site, 'links')}：{links}</p>" if links else "")
            + f"<p>{label(site, 'sponsor')}：{site.sponsor}　{label(site, 'phone')}：{site.phone}　"
            f"{label(site, 'code')}：{site.code}</p>"
            f'<p><a href="https://{ICP_SYSTEM}/">{site.icp}</a>　'
            f'<a href="https://{PSB_SYSTEM}/portal/registerSystemInfo?recordcode={record}">{site.psb}</a></p>'
            f'<p><a href="https://{CONAC}/sitename?method=show&amp;id={site.code}">'
            f'<img src="https://{CONAC_IMAGES}/image/red.png" alt="{label(site, "badge")}" width="88" height="31"></a>'
            f'<a href="https://{JIUCUO}/exposure/jiucuo.html?site_code={site.code}">'
            f'<img src="/images/jiucuo.png" alt="{label(site, "jiucuo")}" width="88" height="31"></a></p>'
            "</div>")


def nav(site: SiteSpec) -> str:
    """The main navigation: the home page and every column shown in it."""
    items = "".join(f'<li><a href="{c.path}">{c.name}</a></li>' for c in site.columns if c.in_nav)
    return f'<div class="nav"><ul><li><a href="/">{label(site, "home")}</a></li>{items}</ul></div>'


def page(site: SiteSpec, title: str, body: str, meta: dict[str, str] | None = None,
         head: str = "") -> str:
    """A page of the site's template: site tags, header with search, navigation, footer."""
    tags = {"SiteName": site.name, "SiteDomain": site.host, "SiteIDCode": site.code, **(meta or {})}
    metas = "".join(f'<meta name="{k}" content="{escape(v)}">' for k, v in tags.items())
    return (f'<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>{title}</title>'
            f"{metas}{head}</head><body>"
            f'<div class="header">{EMBLEM_IMG if site.emblem else ""}<span class="logo">{site.name}</span>'
            f'<form class="search" action="/search/" method="get"><input type="text" name="q" '
            f'placeholder="{label(site, "placeholder")}"><button type="submit">{label(site, "search")}</button>'
            f"</form></div>{nav(site)}<div class=\"main\">{body}</div>{footer(site)}</body></html>")


def rows(entries: list[tuple[str, str, date]]) -> str:
    """List rows: a linked title and its date."""
    return "".join(f'<li><a href="{href}">{title}</a><span class="date">{on.isoformat()}</span></li>'
                   for href, title, on in entries)


def article(site: SiteSpec, column: ColumnSpec, title: str, on: date, body: str) -> str:
    """An article page with its tags and the visible publication date."""
    meta = {"ColumnName": column.name, "ColumnType": column.column_type, "ArticleTitle": title,
            "PubDate": f"{on.isoformat()} 09:00", "ContentSource": site.sponsor}
    return page(site, f"{title}_{site.name}", (
        f'<div class="article"><h1>{title}</h1><p class="info">{label(site, "published")}：'
        f'{on.isoformat()} 09:00　{label(site, "source")}：{site.sponsor}</p>'
        f'<div class="content">{body}</div></div>'), meta)


def guide_table(rows_: list[tuple[str, str]]) -> str:
    """A service guide's element table."""
    return '<table class="guide">' + "".join(f"<tr><th>{k}</th><td>{v}</td></tr>" for k, v in rows_) + "</table>"


def full_guide(item: str, basis: str, conditions: str, materials: str, place: str, phone: str) -> str:
    """A guide stating all eight key elements (RULES.md veto.service)."""
    return guide_table([("事项名称", item), ("设定依据", basis), ("申请条件", conditions), ("办理材料", materials),
                        ("办理地点", place), ("办理时间", "工作日上午9:00-12:00，下午13:30-17:00"),
                        ("联系电话", phone), ("办理流程", "申请、受理、审核、办结")])


def message_table(site: SiteSpec, messages: list[Message]) -> str:
    """A consultation list: title, asked, answered, state."""
    def cell(on: date | None) -> str:
        return on.isoformat() if on else ""
    body = "".join(
        f"<tr><td>{m.title}</td><td>{cell(m.asked)}</td><td>{cell(m.answered)}</td>"
        f"<td>{label(site, 'done') if m.answered else label(site, 'open')}</td></tr>" for m in messages)
    return (f'<table class="msg"><tr><th>{label(site, "title")}</th><th>{label(site, "asked")}</th>'
            f'<th>{label(site, "answered")}</th><th>{label(site, "state")}</th></tr>{body}</table>')


def build_site(site: SiteSpec, today: date, *, home_extra: str = "") -> Docs:
    """Serve a site: home, column lists, articles, search results, images; dates from `today`.

    Articles live at /<column>/content/post_<n>.html (planted ones carry their own number,
    below 1000). The home page shows the three newest entries of every column marked `on_home`.
    """
    docs = Docs()
    n = 1000
    found: list[tuple[str, str, date]] = []
    for column in site.columns:
        for entry in column.entries:
            on = day(today, entry.days_ago)
            if entry.link:
                entry.path = entry.link
            else:
                n += 1
                entry.path = f"/{column.slug}/content/post_{entry.post or n}.html"
                text = entry.text if entry.text.startswith("<") else f"<p>{entry.text or entry.title}</p>"
                docs.html(site.host, entry.path, article(site, column, entry.title, on, text))
            found.append((entry.path, entry.title, on))
    boxes = []
    for column in site.columns:
        listed = listing(column, today)
        meta = {"ColumnName": column.name, "ColumnDescription": f"{site.name}{column.name}",
                "ColumnKeywords": column.name, "ColumnType": column.column_type}
        inner = column.body if column.body is not None else f'<ul class="list">{rows(listed)}</ul>'
        docs.html(site.host, column.path, page(site, f"{column.name}_{site.name}",
                                               f"<h2>{column.name}</h2>{inner}", meta))
        if column.on_home:
            boxes.append(f'<div class="box"><h2>{column.name}</h2><ul>{rows(listed[:3])}</ul>'
                         f'<a href="{column.path}">{label(site, "more")}</a></div>')
    docs.html(site.host, "/", page(site, site.name, (
        f'<div class="banner"><img src="/images/banner.png" alt="{site.name}" width="600" height="120"></div>'
        f"{''.join(boxes)}{annual_report(site, docs, today)}{home_extra}")))
    docs.html(site.host, "/search/", page(site, f"{label(site, 'results')}_{site.name}",
                                          f'<h2>{label(site, "results")}</h2><ul class="list">{rows(found)}</ul>'))
    docs[(site.host, "/images/banner.png")] = Doc(png(600, 120), "image/png")
    docs[(site.host, "/images/jiucuo.png")] = Doc(png(), "image/png")
    if site.emblem:
        docs[(site.host, EMBLEM_PATH)] = Doc(emblem(site.emblem, 96, "JPEG"), "image/jpeg")
    return docs


def annual_report(site: SiteSpec, docs: Docs, today: date) -> str:
    """Serve the site's annual report pages as `site.annual_report` says; return the home page's link."""
    column = ColumnSpec("ndbb", label(site, "annual_column"), "信息公开")
    published = {"late": date(today.year, 2, 15)}.get(site.annual_report, date(today.year, 1, 20))
    years = [today.year - 2] if site.annual_report == "missing" else [today.year - 1, today.year - 2]
    shown = []
    for year in years:
        title = f"{site.name}网站{year}{label(site, 'annual')}"
        on = min(published, today) if year == today.year - 1 else date(year + 1, 1, 20)
        path = f"/ndbb/{year}.html"
        docs.html(site.host, path, article(site, column, title, on, "<p>一、网站基本信息……二、网站信息发布……</p>"))
        shown.append((path, title, on))
    if site.annual_report == "column":
        meta = {"ColumnName": column.name, "ColumnDescription": f"{site.name}{column.name}",
                "ColumnKeywords": column.name, "ColumnType": column.column_type}
        docs.html(site.host, column.path, page(site, f"{column.name}_{site.name}",
                                               f'<h2>{column.name}</h2><ul class="list">{rows(shown)}</ul>', meta))
        return f'<div class="box"><a href="{column.path}">{column.name}</a></div>'
    path, title, _ = shown[0]
    return f'<div class="box"><a href="{path}">{title}</a></div>'


def listing(column: ColumnSpec, today: date) -> list[tuple[str, str, date]]:
    """A column's entries as listed: pinned first, then newest first."""
    ordered = sorted(column.entries, key=lambda e: (not e.pinned, e.days_ago))
    return [(e.path, e.title, day(today, e.days_ago)) for e in ordered]


def off_site(today: date) -> Docs:
    """The pages off the corpus sites that they link to: national platforms, portals, media."""
    docs = Docs()
    simple = {
        "www.gov.cn": "中国政府网", "www.shandong.gov.cn": "山东省人民政府", "www.zj.gov.cn": "浙江省人民政府",
        "www.beijing.gov.cn": "北京市人民政府", "www.xinhuanet.com": "新华网", "www.people.com.cn": "人民网",
        ICP_SYSTEM: "ICP/IP地址/域名信息备案管理系统",
    }
    for host, title in simple.items():
        docs.html(host, "/", f'<!doctype html><html><head><meta charset="utf-8"><title>{title}</title></head>'
                             f"<body><h1>{title}</h1><p>{today.year}年工作动态</p></body></html>")
    docs.html(CONAC, "/sitename", '<html><head><meta charset="utf-8"><title>党政机关网站标识</title></head>'
                                  "<body>党政机关网站</body></html>")
    docs[(CONAC_IMAGES, "/image/red.png")] = Doc(png(), "image/png")
    docs.html(JIUCUO, "/exposure/jiucuo.html", '<html><head><meta charset="utf-8"><title>我为政府网站找错'
                                               "</title></head><body>全国政府网站找错平台</body></html>")
    docs.html(PSB_SYSTEM, "/portal/registerSystemInfo", '<html><head><meta charset="utf-8"><title>'
                                                        "全国互联网安全管理服务平台</title></head><body>备案信息</body></html>")
    return docs


def json_body(data: object) -> Doc:
    """A JSON document (the data a script-built page loads)."""
    return Doc(json.dumps(data, ensure_ascii=False).encode(), "application/json; charset=utf-8")

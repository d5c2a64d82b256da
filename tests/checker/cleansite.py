"""A government website that passes every national rule: as served documents, as a snapshot, over TLS.

`documents()` is the site (and the off-site pages it links to) as (host, path) → document;
`snapshot()` reads those documents the way the crawler would, for the pure tier; `serve()` puts
them on a `SiteServer`, and `TlsSiteServer` answers over HTTPS on the IPv6 loopback with a
certificate `issue_certificate()` makes at test time. Every date is relative to the monitoring
point, so the site is fresh whenever it is inspected.
"""

from __future__ import annotations

import shutil
import socket
import ssl
import struct
import subprocess
import threading
import uuid
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from services.checker.crawl.attachments import extension, is_attachment_url
from services.checker.crawl.crawler import FOLLOWED_TAGS, NOT_PAGES, in_scope
from services.checker.crawl.parse import parse_html
from services.checker.crawl.search import choose_query, count_hits, find_search
from services.checker.ground.site import (
    Availability,
    ExternalPage,
    Ipv6Result,
    LinkStatus,
    Page,
    SearchResult,
    SiteSnapshot,
    Target,
)
from shared.calendar import SHANGHAI
from tests.checker.sitefixture import SiteServer

HOST = "www.lixia.gov.cn"
SITE_CODE = "3701020001"
NAME = "济南市历下区人民政府"
ORGANISATION = "济南市历下区人民政府办公室"
ICP = "鲁ICP备05001234号"
PSB = "鲁公网安备 37010202000123号"
PORTAL = "www.jinan.gov.cn"  # the city portal, linked from the footer and filed in the registry
CONAC = "bszs.conac.cn"  # 党政机关网站标识
CONAC_IMAGES = "dcs.conac.cn"
JIUCUO = "zfwzgl.www.gov.cn"  # 我为政府网站找错
ICP_SYSTEM = "beian.miit.gov.cn"  # MIIT requires the ICP number to link here
PSB_SYSTEM = "www.beian.gov.cn"  # and the public-security filing number here
OFF_SITE = (PORTAL, CONAC, CONAC_IMAGES, JIUCUO, ICP_SYSTEM, PSB_SYSTEM)
AS_OF = datetime(2026, 11, 20, 10, 0, tzinfo=SHANGHAI)
HTML = "text/html; charset=utf-8"


@dataclass(frozen=True)
class Doc:
    """One served document."""

    body: bytes
    content_type: str = HTML


Docs = dict[tuple[str, str], Doc]


@dataclass(frozen=True)
class Article:
    column: str  # path of its column, e.g. /ywdt/
    title: str
    days_ago: int
    text: str
    on_home: bool = False

    def path(self, today: date, n: int) -> str:
        """The article's address, in the usual TRS form /<column>/<yyyymm>/t<yyyymmdd>_<n>.html."""
        on = today - timedelta(days=self.days_ago)
        return f"{self.column}{on:%Y%m}/t{on:%Y%m%d}_{n}.html"


# (path, name, ColumnType, description)
COLUMNS = [
    ("/ywdt/", "要闻动态", "要闻动态", "历下区政务要闻和工作动态"),
    ("/tzgg/", "通知公告", "通知公告", "历下区人民政府及各部门发布的通知公告"),
    ("/zcwj/", "政策文件", "政策文件", "历下区人民政府制发的政策文件"),
    ("/zwfw/", "政务服务", "办事服务", "办事指南和网上办事入口"),
    ("/hdjl/zxzx/", "在线咨询", "互动交流", "网民咨询及答复"),
]

ARTICLES = [
    Article("/ywdt/", "历下区召开区政府常务会议", 2,
            "会议研究部署冬季安全生产和民生保障工作，要求各部门压实责任，确保各项工作落到实处。", True),
    Article("/ywdt/", "历下区开展冬季安全生产大检查", 5,
            "检查组深入商场、工地和学校，对消防通道、用电安全等进行了细致检查。", True),
    Article("/ywdt/", "区领导调研重点项目建设", 9,
            "调研组实地察看了项目施工现场，听取了项目进展情况汇报。", True),
    Article("/ywdt/", "历下区举办政务公开日活动", 12, "活动邀请群众代表走进政务服务中心，体验帮办代办服务。"),
    Article("/ywdt/", "历下区推进老旧小区改造工作", 20, "今年全区共改造老旧小区三十个，惠及居民一万余户。"),
    Article("/tzgg/", "关于做好今冬明春供暖工作的通知", 8, "各街道办事处要加强供暖设施巡查，及时回应群众诉求。", True),
    Article("/tzgg/", "关于开展消防安全专项检查的通知", 40, "请各单位按照检查方案认真开展自查自纠。"),
    Article("/zcwj/", "历下区促进科技创新若干措施", 30, "为加快建设创新型城区，结合本区实际，制定本措施。", True),
    Article("/zcwj/", "历下区优化营商环境实施方案", 75, "为持续优化营商环境，激发市场主体活力，制定本方案。"),
]
ATTACHMENT = "/zcwj/fj/kjcx_xize.txt"  # linked from the first policy document

GUIDES = [
    ("居住证申领办事指南", 60, "居住证申领", "《居住证暂行条例》", "在本区居住半年以上，有合法稳定就业、住所或连续就读",
     "居民身份证、居住证明"),
    ("城乡居民基本养老保险参保登记办事指南", 90, "城乡居民基本养老保险参保登记",
     "《国务院关于建立统一的城乡居民基本养老保险制度的意见》", "年满16周岁，不是国家机关和事业单位工作人员",
     "居民身份证或户口簿"),
]

# (title, asked days ago, answered days ago): every message answered within a week.
MESSAGES = [
    ("居住证办理需要多长时间", 20, 18),
    ("老旧小区改造如何申请", 45, 41),
    ("灵活就业人员如何缴纳社保", 70, 66),
]


def _png(width: int = 88, height: int = 31) -> bytes:
    """A plain red PNG of the given size (the badge and banner pictures)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    rows = b"".join(b"\x00" + b"\xcc\x00\x00" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows))
            + chunk(b"IEND", b""))


def _footer() -> str:
    return f"""<div class="footer">
<p>相关链接：<a href="https://{PORTAL}/">济南市人民政府</a></p>
<p>主办单位：{ORGANISATION}　联系电话：0531-86000000　网站标识码：{SITE_CODE}</p>
<p><a href="https://{ICP_SYSTEM}/">{ICP}</a>　<a href="https://{PSB_SYSTEM}/portal/registerSystemInfo?recordcode=37010202000123">{PSB}</a></p>
<p><a href="https://{CONAC}/sitename?method=show&amp;id=5E4C3B2A1F0D"><img src="https://{CONAC_IMAGES}/image/red.png" alt="党政机关" width="88" height="31"></a>
<a href="https://{JIUCUO}/exposure/jiucuo.html?site_code={SITE_CODE}"><img src="/images/jiucuo.png" alt="我为政府网站找错" width="88" height="31"></a></p>
</div>"""


def _page(title: str, body: str, meta: dict[str, str] | None = None) -> str:
    tags = {"SiteName": NAME, "SiteDomain": HOST, "SiteIDCode": SITE_CODE, **(meta or {})}
    head = "".join(f'<meta name="{k}" content="{v}">' for k, v in tags.items())
    menu = "".join(f'<li><a href="{path}">{name}</a></li>' for path, name, *_ in COLUMNS)
    return f"""<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>{title}</title>{head}</head>
<body>
<div class="header"><span class="logo">{NAME}</span>
<form class="search" action="/search/" method="get"><input type="text" name="q" placeholder="请输入关键词">
<button type="submit">搜索</button></form></div>
<div class="nav"><ul><li><a href="/">首页</a></li>{menu}</ul></div>
<div class="main">{body}</div>
{_footer()}
</body></html>"""


def _rows(entries: list[tuple[str, str, date]]) -> str:
    return "".join(f'<li><a href="{href}">{title}</a><span class="date">{on.isoformat()}</span></li>'
                   for href, title, on in entries)


def _article(title: str, column: str, column_type: str, on: date, body: str) -> str:
    meta = {"ColumnName": column, "ColumnType": column_type, "ArticleTitle": title,
            "PubDate": f"{on.isoformat()} 09:00", "ContentSource": ORGANISATION}
    return _page(f"{title}_{NAME}", f'<div class="article"><h1>{title}</h1>'
                 f'<p class="info">发布时间：{on.isoformat()} 09:00　来源：{ORGANISATION}</p>'
                 f'<div class="content">{body}</div></div>', meta)


def _guide(item: str, basis: str, conditions: str, materials: str) -> str:
    rows = [("事项名称", item), ("设定依据", basis), ("申请条件", conditions), ("办理材料", materials),
            ("办理地点", "历下区政务服务中心一楼综合窗口"), ("办理时间", "工作日上午9:00-12:00，下午13:30-17:00"),
            ("联系电话", "0531-86000001"), ("办理流程", "申请、受理、审核、办结")]
    return '<table class="guide">' + "".join(f"<tr><th>{k}</th><td>{v}</td></tr>" for k, v in rows) + "</table>"


def documents(as_of: datetime = AS_OF) -> Docs:
    """Return the clean site and the off-site pages it links to, dated for the monitoring point."""
    today = as_of.astimezone(SHANGHAI).date()
    column_of = {path: (name, kind) for path, name, kind, _ in COLUMNS}
    docs: Docs = {}

    def add(path: str, html: str, host: str = HOST) -> None:
        docs[(host, path)] = Doc(html.encode())

    listed: dict[str, list[tuple[str, str, date]]] = {path: [] for path, *_ in COLUMNS}
    home_rows: dict[str, list[tuple[str, str, date]]] = {"/ywdt/": [], "/tzgg/": [], "/zcwj/": []}
    for n, a in enumerate(ARTICLES, start=1):
        on = today - timedelta(days=a.days_ago)
        path = a.path(today, n)
        body = f"<p>{a.text}</p>"
        if n == 8:
            body += f'<p>附件：<a href="{ATTACHMENT}">历下区促进科技创新若干措施实施细则</a></p>'
        add(path, _article(a.title, *column_of[a.column], on, body))
        listed[a.column].append((path, a.title, on))
        if a.on_home:
            home_rows[a.column].append((path, a.title, on))
    for n, (title, days, *fields) in enumerate(GUIDES, start=1):
        on = today - timedelta(days=days)
        path = guide_path(n, as_of)
        add(path, _article(title, "政务服务", "办事服务", on, f"<h2>{title}</h2>" + _guide(*fields)))
        listed["/zwfw/"].append((path, title, on))

    sections = "".join(
        f'<div class="box"><h2>{column_of[path][0]}</h2><ul>{_rows(rows)}</ul><a href="{path}">更多</a></div>'
        for path, rows in home_rows.items())
    # 国办函〔2018〕12号: last year's annual report on the home page, published by 31 January.
    report, report_on = f"/ndbb/{today.year - 1}.html", date(today.year, 1, 20)
    report_title = f"{NAME}网站{today.year - 1}年度工作报表"
    add(report, _article(report_title, "年度报表", "信息公开", report_on, "<p>一、网站基本信息……</p>"))
    add("/", _page(NAME, '<div class="banner"><img src="/images/banner.png" alt="魅力历下" width="600" height="120">'
                         f"</div>{sections}"
                         '<div class="box"><a href="/zwfw/">政务服务</a>　<a href="/hdjl/zxzx/">在线咨询</a>'
                         f'　<a href="{report}">{report_title}</a></div>'))
    for path, name, kind, description in COLUMNS[:4]:
        meta = {"ColumnName": name, "ColumnDescription": description, "ColumnKeywords": name, "ColumnType": kind}
        add(path, _page(f"{name}_{NAME}", f'<h2>{name}</h2><ul class="list">{_rows(listed[path])}</ul>', meta))

    path, name, kind, description = COLUMNS[4]
    messages = "".join(
        f"<tr><td>{title}</td><td>{(today - timedelta(days=asked)).isoformat()}</td>"
        f"<td>{(today - timedelta(days=answered)).isoformat()}</td><td>已回复</td></tr>"
        for title, asked, answered in MESSAGES)
    add(path, _page(f"{name}_{NAME}", (
        f'<h2>{name}</h2><p><a href="{path}write.html">我要咨询</a></p><table class="msg">'
        f"<tr><th>标题</th><th>留言时间</th><th>答复时间</th><th>状态</th></tr>{messages}</table>"),
        {"ColumnName": name, "ColumnDescription": description, "ColumnKeywords": "咨询,留言", "ColumnType": kind}))
    add(f"{path}write.html", _page(f"我要咨询_{NAME}", (
        f'<h2>我要咨询</h2><form action="{path}" method="post"><p>标题：<input type="text" name="title"></p>'
        '<p>内容：<textarea name="content"></textarea></p><button type="submit">提交</button></form>')))

    results = [(p, t, on) for rows in listed.values() for p, t, on in rows]
    add("/search/", _page(f"搜索结果_{NAME}", f'<h2>搜索结果</h2><ul class="list">{_rows(results)}</ul>'))
    docs[(HOST, ATTACHMENT)] = Doc("历下区促进科技创新若干措施实施细则\n第一条 为落实本措施，制定本细则。\n".encode(),
                                   "text/plain; charset=utf-8")
    docs[(HOST, "/images/banner.png")] = Doc(_png(600, 120), "image/png")
    docs[(HOST, "/images/jiucuo.png")] = Doc(_png(), "image/png")

    add("/", "<!doctype html><html><head><meta charset=\"utf-8\"><title>济南市人民政府</title></head>"
             "<body><h1>济南市人民政府</h1></body></html>", PORTAL)
    add("/sitename", '<html><head><meta charset="utf-8"><title>党政机关网站标识</title></head>'
                     f"<body>{NAME} 党政机关网站</body></html>", CONAC)
    docs[(CONAC_IMAGES, "/image/red.png")] = Doc(_png(), "image/png")
    add("/exposure/jiucuo.html", '<html><head><meta charset="utf-8"><title>我为政府网站找错</title></head>'
                                 "<body>全国政府网站找错平台</body></html>", JIUCUO)
    add("/", '<html><head><meta charset="utf-8"><title>ICP/IP地址/域名信息备案管理系统</title></head>'
             "<body>备案查询</body></html>", ICP_SYSTEM)
    add("/portal/registerSystemInfo", '<html><head><meta charset="utf-8"><title>全国互联网安全管理服务平台</title>'
                                      "</head><body>备案信息</body></html>", PSB_SYSTEM)
    return docs


def article_path(n: int, as_of: datetime = AS_OF) -> str:
    """Return the address of the n-th article (1-based, in ARTICLES order)."""
    return ARTICLES[n - 1].path(as_of.astimezone(SHANGHAI).date(), n)


def guide_path(n: int, as_of: datetime = AS_OF) -> str:
    """Return the address of the n-th service guide (1-based, in GUIDES order)."""
    on = as_of.astimezone(SHANGHAI).date() - timedelta(days=GUIDES[n - 1][1])
    return f"/zwfw/bszn/t{on:%Y%m%d}_{n}.html"


def set_page(docs: Docs, path: str, html: str) -> Docs:
    """Replace (or add) a page of the site; return the documents."""
    docs[(HOST, path)] = Doc(html.encode())
    return docs


def page_html(docs: Docs, path: str) -> str:
    """Return the HTML of a page of the site."""
    return docs[(HOST, path)].body.decode()


def page(title: str, body: str, meta: dict[str, str] | None = None) -> str:
    """Return a page of the site's template (header, navigation, footer, site tags)."""
    return _page(title, body, meta)


def target(home_url: str = f"https://{HOST}/", **changes: Any) -> Target:
    """Return the registry's record of the site."""
    values: dict[str, Any] = {
        "id": uuid.uuid4(), "site_code": SITE_CODE, "name": NAME, "organisation_id": uuid.uuid4(),
        "organisation_name": ORGANISATION, "region_code": "370102", "kind": "portal", "domains": [HOST],
        "home_url": home_url, "status": "running", "icp_number": ICP, "psb_number": PSB}
    return Target(**{**values, **changes})


def _lookup(docs: Docs, url: str) -> Doc | None:
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    full = f"{parts.path or '/'}?{parts.query}" if parts.query else parts.path or "/"
    return docs.get((host, full)) or docs.get((host, parts.path or "/"))


def _fetched(docs: Docs, url: str, parent: str | None, depth: int) -> Page:
    doc = _lookup(docs, url)
    if doc is None:
        return Page(url=url, final_url=url, status=404, depth=depth, parent_url=parent, failure="http_4xx")
    media = doc.content_type.split(";")[0]
    if media != "text/html":
        return Page(url=url, final_url=url, status=200, depth=depth, parent_url=parent, content_type=media,
                    text=doc.body.decode(), is_attachment=True)
    html = doc.body.decode()
    parsed = parse_html(html, url)
    return Page(url=url, final_url=url, status=200, depth=depth, parent_url=parent, html=html,
                text=parsed.text, title=parsed.title, meta=parsed.meta, links=parsed.links,
                scripts=parsed.scripts)


def snapshot(docs: Docs, as_of: datetime = AS_OF, *, site: Target | None = None) -> SiteSnapshot:
    """Read the documents as the inspection would: crawl, link statuses, search, IPv6, probes.

    The crawl is breadth-first over on-site links from the home page, attachments last, as
    crawl/crawler.py does; a link answers 200 when its document exists and 404 otherwise.
    """
    site = site or target()
    home = site.home_url
    pages: list[Page] = []
    attachments: list[tuple[str, str, int]] = []
    seen = {home}
    level: list[tuple[str, str | None]] = [(home, None)]
    for depth in range(4):
        following: list[tuple[str, str | None]] = []
        for url, parent in level:
            fetched = _fetched(docs, url, parent, depth)
            pages.append(fetched)
            for link in fetched.links:
                if (not link.url or link.tag not in FOLLOWED_TAGS or link.url in seen
                        or not in_scope(link.url, site.domains) or extension(link.url) in NOT_PAGES):
                    continue
                seen.add(link.url)
                if is_attachment_url(link.url):
                    attachments.append((link.url, fetched.url, depth + 1))
                else:
                    following.append((link.url, fetched.url))
        level = following
    pages += [_fetched(docs, url, parent, depth) for url, parent, depth in attachments]

    urls = dict.fromkeys(link.url for p in pages for link in p.links if link.url)
    statuses = {u: LinkStatus(url=u, status=200 if _lookup(docs, u) else 404) for u in urls}
    external: dict[str, ExternalPage] = {}
    for url in urls:
        doc = _lookup(docs, url)
        if doc is not None and not in_scope(url, site.domains) and doc.content_type == HTML:
            parsed = parse_html(doc.body.decode(), url)
            external[url] = ExternalPage(url=url, final_url=url, status=200, title=parsed.title,
                                         text=parsed.text)
    return SiteSnapshot(
        target=site, as_of=as_of, pages=pages, link_status=statuses,
        availability=Availability(probes=7 * 24, failures=0, window_days=7),
        search=_search(docs, pages, site), ipv6=Ipv6Result(aaaa=["240e:ff:e020:9ae::1"], reachable=True),
        registry_sites={HOST, PORTAL}, external_pages=external)


def _search(docs: Docs, pages: list[Page], site: Target) -> SearchResult:
    """Search the site for one of its own titles, as crawl/search.py check_search does."""
    home = pages[0]
    entry = find_search(home.html, home.final_url, site.domains) if home.html else None
    if entry is None:
        return SearchResult(present=False)
    query = choose_query(pages)
    results = _lookup(docs, entry.url)
    hits = count_hits(results.body.decode(), query) if results and query else 0
    return SearchResult(present=True, query=query, hits=hits, url=entry.url)


def serve(server: SiteServer, docs: Docs) -> None:
    """Put every document on the fixture server."""
    for (host, path), doc in docs.items():
        server.add(host, path, doc.body, content_type=doc.content_type)


def ipv6_loopback() -> bool:
    """Tell whether this machine can listen on ::1."""
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as probe:
            probe.bind(("::1", 0))
    except OSError:
        return False
    return True


class _TlsServer(ThreadingHTTPServer):
    def __init__(self, address: tuple[str, int], handler: Any, context: ssl.SSLContext) -> None:
        self.address_family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
        self.context = context
        super().__init__(address, handler)

    def finish_request(self, request: Any, client_address: Any) -> None:
        # The handshake runs in the request's own thread, so a slow client holds up no one else.
        handler: Any = self.RequestHandlerClass
        with self.context.wrap_socket(request, server_side=True) as tls:
            handler(tls, client_address, self)

    def handle_error(self, request: Any, client_address: Any) -> None:
        return  # clients that hang up mid-handshake are no test failure


class TlsSiteServer(SiteServer):
    """SiteServer over HTTPS, on ::1 by default (the home host's AAAA answer in the tests)."""

    def __init__(self, cert: Path, key: Path, address: str = "::1") -> None:
        super().__init__()
        handler = self._httpd.RequestHandlerClass
        self._httpd.server_close()
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert, key)
        self._httpd = _TlsServer((address, 0), handler, context)
        self._httpd.daemon_threads = True
        self.address = address
        self.port = self._httpd.server_address[1]
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    def host_map(self, *hosts: str) -> dict[str, str]:
        """Map the given hosts (default: every host served) to this server."""
        names = hosts or tuple({h for h, _ in self.resources})
        where = f"[{self.address}]" if ":" in self.address else self.address
        return {h: f"{where}:{self.port}" for h in names}


@dataclass(frozen=True)
class Certificate:
    ca: Path  # the test CA, for the client's trust store
    cert: Path
    key: Path


def openssl_available() -> bool:
    """Tell whether the openssl command is installed."""
    return shutil.which("openssl") is not None


def issue_certificate(folder: Path, hosts: Sequence[str]) -> Certificate:
    """Make a throwaway CA and a server certificate for the hosts with the openssl command."""
    ca, ca_key = folder / "ca.pem", folder / "ca.key"
    cert, key = folder / "server.pem", folder / "server.key"
    csr, ext = folder / "server.csr", folder / "ext.cnf"
    curve = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]

    def openssl(*args: str | Path) -> None:
        subprocess.run(["openssl", *map(str, args)], check=True, capture_output=True, timeout=60)

    openssl("req", "-x509", *curve, "-keyout", ca_key, "-out", ca, "-days", "2",
            "-subj", "/CN=govinspect test CA", "-addext", "basicConstraints=critical,CA:TRUE",
            "-addext", "keyUsage=critical,keyCertSign,cRLSign")
    openssl("req", *curve, "-keyout", key, "-out", csr, "-subj", f"/CN={hosts[0]}")
    ext.write_text("basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\n"
                   "extendedKeyUsage=serverAuth\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n"
                   "subjectAltName=" + ",".join(f"DNS:{h}" for h in hosts) + "\n", encoding="utf-8")
    openssl("x509", "-req", "-in", csr, "-CA", ca, "-CAkey", ca_key, "-set_serial", "1", "-days", "2",
            "-extfile", ext, "-out", cert)
    return Certificate(ca=ca, cert=cert, key=key)

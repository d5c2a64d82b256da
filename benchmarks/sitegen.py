"""A generated government site for the checker benchmark, and the loopback server that serves it.

`generate` writes 1,000 HTML pages of www.bench.gov.cn and the files behind 10,000 unique link
URLs (pages, internal 404s, images, and two off-site hosts with redirects, slow answers, 500s
and 404s) to a directory. `python -m benchmarks.sitegen ROOT PORT` serves that directory on
127.0.0.1 from one asyncio process, choosing the virtual host by the Host header (or by the
absolute URL of a proxy request, so tools that cannot map hosts can use it as their HTTP proxy).
"""

from __future__ import annotations

import asyncio
import json
import random
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast
from urllib.parse import urlsplit

SITE = "www.bench.gov.cn"
SERVICE_HOST = "zwfw.bench-prov.gov.cn"  # the province's service platform, linked from every site
MEDIA_HOST = "cdn.bench-media.cn"  # a commercial media CDN
HOSTS = (SITE, SERVICE_HOST, MEDIA_HOST)
HOME_URL = f"http://{SITE}/"
SLOW_DELAY_S = 1.5  # well under every tool's 10 s timeout: slow, not failed

COLUMNS, LISTS_PER_COLUMN, ARTICLES = 10, 10, 889  # 1 + 10 + 100 + 889 = 1,000 pages
INTERNAL_404, IMAGES, SERVICE_LINKS, MEDIA_LINKS = 500, 3000, 2700, 2800  # 9,000 non-page links
REDIRECTS, SLOW, ERRORS, MEDIA_404 = 100, 20, 20, 60
NON_ARTICLES = 1 + COLUMNS + COLUMNS * LISTS_PER_COLUMN
STATS_PATH = "/_bench/stats"  # outside the site: not counted, reset on each read

_WORDS = ("政务公开", "办事服务", "互动交流", "政策解读", "通知公告", "人民政府", "工作动态", "行政许可",
          "公共服务", "信息公开", "便民服务", "依法行政", "营商环境", "民生保障", "乡村振兴", "安全生产")
_PNG = b"\x89PNG\r\n\x1a\n" + bytes(2040)  # 2 KB: small images, so GET and HEAD cost alike
_TYPES = {".html": "text/html; charset=utf-8", ".png": "image/png", ".jpg": "image/jpeg",
          ".txt": "text/plain; charset=utf-8"}


@dataclass
class Site:
    """What was generated: the URLs by kind and the special answers of the server."""

    root: Path
    pages: list[str] = field(default_factory=list)  # absolute URLs, home first
    links: list[str] = field(default_factory=list)  # every unique link URL of the site
    kinds: dict[str, int] = field(default_factory=dict)  # link kind → count
    broken: set[str] = field(default_factory=set)  # planted 404s (internal and off-site)
    errors: set[str] = field(default_factory=set)  # planted 500s


def _scaled(count: int, others: int) -> int:
    """A kind's count among `others` non-page links instead of 9,000."""
    return round(count * others / 9_000)


def _col(c: int) -> str:
    return f"/col/c{c}/index.html"


def _list(c: int, j: int) -> str:
    return f"/col/c{c}/list_{j}.html"


def _html(title: str, body: list[str], rng: random.Random, filler: int) -> bytes:
    columns = (f'<a href="{_col(c)}">{_WORDS[c]}</a>' for c in range(COLUMNS))
    nav = " ".join(['<a href="/">首页</a>', *columns])
    text = "".join(rng.choice(_WORDS) + ("。" if rng.random() < 0.2 else "，") for _ in range(filler))
    return (f'<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>{title}</title>'
            f'<meta name="SiteName" content="基准市人民政府"><meta name="SiteIDCode" content="3701000001">'
            f'</head><body><div class="nav">{nav}</div><div class="main"><h1>{title}</h1><p>{text}</p>'
            f'<ul>{"".join(f"<li>{b}</li>" for b in body)}</ul></div>'
            f'<div class="footer">主办：基准市人民政府办公室</div></body></html>').encode()


def _write(root: Path, host: str, path: str, body: bytes) -> None:
    target = root / host / path.lstrip("/")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(body)


def generate(root: Path, seed: int = 20240501, *, pages: int = 1_000, links: int = 10_000) -> Site:
    """Write the site under root (one folder per host) and return its URLs.

    The default is the comparison site (1,000 pages, 10,000 unique links); `pages` adds or
    removes articles, `links` scales every kind of non-page link (and the planted failures).
    """
    rng = random.Random(seed)
    site = Site(root=root)
    articles = pages - NON_ARTICLES
    internal_404, images, service_links, media_links, redirects, slow, errors, media_404 = (
        _scaled(n, links - pages) for n in (INTERNAL_404, IMAGES, SERVICE_LINKS, MEDIA_LINKS, REDIRECTS, SLOW,
                                    ERRORS, MEDIA_404))
    images += links - pages - (internal_404 + images + service_links + media_links)  # rounding
    special: dict[str, dict[str, object]] = {}
    # Off-site and broken links, dealt round-robin to the articles: articles are the only
    # depth-3 pages, so a crawl limited to depth 3 fetches none of them as a page.
    extra: list[tuple[str, str]] = []  # (tag, absolute URL)
    for n in range(internal_404):
        extra.append(("a", f"http://{SITE}/art/missing_{n}.html"))
        site.broken.add(f"http://{SITE}/art/missing_{n}.html")
    for n in range(images):
        _write(root, SITE, f"/images/{n}.png", _PNG)
        extra.append(("img", f"http://{SITE}/images/{n}.png"))
    for n in range(service_links):
        if n < redirects:
            special[f"{SERVICE_HOST}/go/{n}"] = {"status": 302, "location": f"/item/r{n}.html"}
            _write(root, SERVICE_HOST, f"/item/r{n}.html", _html(f"办事事项{n}", [], rng, 40))
            extra.append(("a", f"http://{SERVICE_HOST}/go/{n}"))
        else:
            _write(root, SERVICE_HOST, f"/item/{n}.html", _html(f"办事事项{n}", [], rng, 40))
            extra.append(("a", f"http://{SERVICE_HOST}/item/{n}.html"))
    for n in range(media_links):
        path = f"/v/{n}.jpg" if n % 2 else f"/doc/{n}.html"
        if n < slow:
            special[f"{MEDIA_HOST}{path}"] = {"delay": SLOW_DELAY_S}
        elif n < slow + errors:
            special[f"{MEDIA_HOST}{path}"] = {"status": 500}
            site.errors.add(f"http://{MEDIA_HOST}{path}")
        elif n < slow + errors + media_404:
            site.broken.add(f"http://{MEDIA_HOST}{path}")
        if n < slow or n >= slow + errors + media_404:  # those in between have no file: 404
            _write(root, MEDIA_HOST, path, _PNG if n % 2 else _html(f"资料{n}", [], rng, 40))
        extra.append(("img" if n % 2 else "a", f"http://{MEDIA_HOST}{path}"))
    rng.shuffle(extra)

    lists = [(c, j) for c in range(COLUMNS) for j in range(LISTS_PER_COLUMN)]
    for k in range(articles):
        mine = extra[k::articles]
        body = [f'<a href="{_col(k % 100 // LISTS_PER_COLUMN)}">所属栏目</a>',
                f'<a href="{_list(*lists[k % 100])}">返回列表</a>']
        for tag, url in mine:
            relative = url.removeprefix(f"http://{SITE}")
            if tag == "img":
                body.append(f'<img src="{relative}" alt="图片">')
            else:
                body.append(f'<a href="{relative}">相关链接</a>')
        _write(root, SITE, f"/art/{k}.html", _html(f"{rng.choice(_WORDS)}文章{k}", body, rng, 500))
    for c, j in lists:
        arts = range(c * LISTS_PER_COLUMN + j, articles, 100)
        _write(root, SITE, _list(c, j), _html(f"{_WORDS[c]}列表{j}", [
            f'<a href="/art/{k}.html">文章{k}</a>' for k in arts], rng, 100))
    for c in range(COLUMNS):
        _write(root, SITE, _col(c), _html(_WORDS[c], [
            f'<a href="{_list(c, j)}">第{j + 1}页</a>' for j in range(LISTS_PER_COLUMN)], rng, 100))
    _write(root, SITE, "/index.html", _html("基准市人民政府门户网站", [], rng, 200))
    (root / "special.json").write_text(json.dumps(special))

    site.pages = ([HOME_URL] + [f"http://{SITE}{_col(c)}" for c in range(COLUMNS)]
                  + [f"http://{SITE}{_list(c, j)}" for c, j in lists]
                  + [f"http://{SITE}/art/{k}.html" for k in range(articles)])
    site.links = site.pages + [url for _, url in extra]
    site.kinds = {"pages": len(site.pages), "internal 404": internal_404, "images": images,
                  f"{SERVICE_HOST} (incl. {redirects} redirects)": service_links,
                  f"{MEDIA_HOST} (incl. {slow} slow, {errors} 500, {media_404} 404)": media_links}
    assert len(set(site.links)) == len(site.links) == links
    # Every host is one the benchmark maps to loopback: no tool ever needs DNS.
    assert {urlsplit(u).hostname for u in site.links} == set(HOSTS)
    return site


class _Stats:
    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.started = time.monotonic()
        self.cpu = time.process_time()
        self.methods: dict[str, int] = {}
        self.urls: set[str] = set()

    def report(self) -> bytes:
        wall = time.monotonic() - self.started
        total = sum(self.methods.values())
        body = {"requests": total, "methods": self.methods, "unique_urls": len(self.urls),
                "wall_s": wall, "cpu_s": time.process_time() - self.cpu}
        self.reset()
        return json.dumps(body).encode()


class _Server(asyncio.Protocol):
    """HTTP/1.1 with keep-alive, one request at a time per connection (no client pipelines here)."""

    def __init__(self, files: dict[str, bytes], special: dict[str, dict[str, object]],
                 stats: _Stats) -> None:
        self.files, self.special, self.stats = files, special, stats
        self.buffer = b""
        self.busy = False
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)  # uvloop's is not a subclass

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        self._next()

    def _next(self) -> None:
        while not self.busy and self.transport is not None and not self.transport.is_closing():
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            head, self.buffer = self.buffer[:end].decode("latin-1"), self.buffer[end + 4:]
            lines = head.split("\r\n")
            method, target, version = [*lines[0].split(" "), "", "", ""][:3]
            headers = {k.strip().lower(): v.strip() for k, _, v in (ln.partition(":") for ln in lines[1:])}
            length = int(headers.get("content-length", "0") or 0)
            self.buffer = self.buffer[length:]  # no client here sends bodies; skip any
            close = headers.get("connection", "").lower() == "close" or version == "HTTP/1.0"
            self._answer(method, target, headers.get("host", ""), close)

    def _answer(self, method: str, target: str, host: str, close: bool) -> None:
        if target.startswith("http://"):  # absolute form: we are somebody's proxy
            parts = urlsplit(target)
            host, path = parts.netloc, parts.path or "/"
        else:
            path = target.split("?", 1)[0]
        host = host.split(":")[0].lower()
        if path == STATS_PATH:
            return self._send(200, "application/json", self.stats.report(), method, close)
        self.stats.methods[method] = self.stats.methods.get(method, 0) + 1
        self.stats.urls.add(host + path)
        key = host + ("/index.html" if path.endswith("/") else path)
        rule = self.special.get(host + path, {})
        if "location" in rule:
            return self._send(int(str(rule["status"])), "text/html", b"", method, close,
                              f"Location: {rule['location']}\r\n")
        if "status" in rule:
            return self._send(int(str(rule["status"])), "text/html", b"<h1>error</h1>", method, close)
        body = self.files.get(key)
        status = 200 if body is not None else 404
        ctype = _TYPES.get(Path(key).suffix, "application/octet-stream") if body else "text/html"
        if "delay" in rule:
            self.busy = True
            asyncio.get_running_loop().call_later(float(str(rule["delay"])), self._late, status, ctype,
                                                  body or b"", method, close)
            return None
        return self._send(status, ctype, body if body is not None else b"<h1>404</h1>", method, close)

    def _late(self, status: int, ctype: str, body: bytes, method: str, close: bool) -> None:
        self.busy = False
        self._send(status, ctype, body, method, close)
        self._next()

    def _send(self, status: int, ctype: str, body: bytes, method: str, close: bool,
              extra: str = "") -> None:
        if self.transport is None or self.transport.is_closing():
            return
        reason = {200: "OK", 302: "Found", 404: "Not Found", 500: "Internal Server Error"}.get(status, "X")
        # "LinkChecker:" is LinkChecker's documented opt-in for request rates above 10/s per host.
        head = (f"HTTP/1.1 {status} {reason}\r\nContent-Type: {ctype}\r\nContent-Length: {len(body)}\r\n"
                f"LinkChecker: allow\r\n{extra}Connection: {'close' if close else 'keep-alive'}\r\n\r\n")
        self.transport.write(head.encode() + (b"" if method == "HEAD" else body))
        if close:
            self.transport.close()


def _load(root: Path) -> tuple[dict[str, bytes], dict[str, dict[str, object]]]:
    files: dict[str, bytes] = {}
    for host in HOSTS:
        base = root / host
        for path in base.rglob("*"):
            if path.is_file():
                files[f"{host}/{path.relative_to(base).as_posix()}"] = path.read_bytes()
    return files, json.loads((root / "special.json").read_text())


async def serve(root: Path, port: int) -> None:
    """Serve the generated site on 127.0.0.1:port until cancelled."""
    files, special = _load(root)
    stats = _Stats()
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: _Server(files, special, stats), "127.0.0.1", port,
                                      backlog=1024, reuse_address=True)
    print("ready", flush=True)
    async with server:
        await server.serve_forever()


def main() -> None:
    """Serve ROOT on 127.0.0.1:PORT (uvloop when installed)."""
    root, port = Path(sys.argv[1]), int(sys.argv[2])
    try:
        import uvloop
    except ImportError:
        asyncio.run(serve(root, port))
    else:
        uvloop.run(serve(root, port))


if __name__ == "__main__":
    main()

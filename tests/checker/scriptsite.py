"""A script-built government website: every page is the same empty shell that one script fills
from JSON — navigation, column lists with dates, articles, images, page tags and the footer.

`documents()` returns (host, path) → (body, content type) for a SiteServer; the planted
problems live only in the JSON, so a crawler that does not render sees none of them:
a typo in an article, a broken image, a hidden link to a gambling site on a column page, and a
stale column (its newest item 40 days old).
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

HOST = "www.jbsz.gov.cn"
HOME = f"http://{HOST}/"
SITE_CODE = "3701030001"
SPAM = "http://www.amjs-casino888.com/"
TYPO = "按步就班"
MISSING_IMAGE = f"http://{HOST}/images/missing.png"
COLUMNS = {"ywdt": "要闻动态", "tzgg": "通知公告", "zcwj": "政策文件"}
STALE_COLUMN = "ywdt"
JSON = "application/json; charset=utf-8"
JS = "application/javascript; charset=utf-8"

SHELL = """<!doctype html><html><head><meta charset="utf-8"><title>加载中</title></head>
<body><div id="app"></div><script src="/js/app.js"></script></body></html>"""

# The site's one script: the data file of a page is /data + its path (index.json for a folder).
APP = """(function () {
  var path = location.pathname.replace(/\\.html$/, '').replace(/\\/$/, '/index');
  function esc(s) { return String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;'); }
  function get(url) { return fetch(url).then(function (r) { return r.json(); }); }
  Promise.all([get('/data/site.json'), get('/data' + path + '.json')]).then(function (all) {
    var site = all[0], page = all[1];
    document.title = page.title + ' - ' + site.name;
    Object.keys(page.meta || {}).forEach(function (name) {
      var m = document.createElement('meta'); m.name = name; m.content = page.meta[name];
      document.head.appendChild(m);
    });
    var html = '<div class="header"><img src="/images/guohui.png" alt="国徽" width="60" height="60">'
      + '<h1>' + esc(site.name) + '</h1></div><ul class="nav">'
      + site.nav.map(function (n) { return '<li><a href="' + n.url + '">' + esc(n.name) + '</a></li>'; }).join('')
      + '</ul><div class="main">';
    (page.lists || []).forEach(function (list) {
      html += '<div class="list"><h2><a href="' + list.url + '">' + esc(list.name) + '</a></h2><ul>'
        + list.items.map(function (i) {
          return '<li><a href="' + i.url + '">' + esc(i.title) + '</a><span class="date">' + i.date + '</span></li>';
        }).join('') + '</ul></div>';
    });
    if (page.article) {
      html += '<h1 class="title">' + esc(page.article.title) + '</h1><p class="info">发布时间：'
        + page.article.date + '</p>' + page.article.paragraphs.map(function (p) {
          return '<p>' + esc(p) + '</p>'; }).join('')
        + (page.article.images || []).map(function (src) { return '<img src="' + src + '" alt="配图">'; }).join('');
    }
    html += (page.extra || '') + '</div><div class="footer">' + site.footer + '</div>';
    document.getElementById('app').innerHTML = html;
  });
})();"""


def _png() -> bytes:
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    raw = b"".join(b"\x00" + b"\xcc\x00\x00" * 8 for _ in range(8))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 8, 8, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def _article(column: str, n: int) -> str:
    return f"/{column}/{n}.html"


def documents(today: date) -> dict[tuple[str, str], tuple[bytes, str]]:
    """Every resource of the site, dated relative to `today` (the monitoring point)."""
    docs: dict[tuple[str, str], tuple[bytes, str]] = {}

    def data(path: str, value: Any) -> None:
        docs[(HOST, f"/data{path}.json")] = (json.dumps(value, ensure_ascii=False).encode(), JSON)

    footer = (f"<p>主办单位：济南市历下区人民政府办公室 联系电话：0531-86000000</p>"
              f"<p>网站标识码：{SITE_CODE} 鲁ICP备05001234号 鲁公网安备 37010202000123号</p>")
    data("/site", {"name": "济南市历下区人民政府", "footer": footer,
                   "nav": [{"name": "首页", "url": "/"}] + [
                       {"name": name, "url": f"/{key}/"} for key, name in COLUMNS.items()]})

    def items(column: str) -> list[dict[str, str]]:
        age = 40 if column == STALE_COLUMN else 1
        return [{"title": f"{COLUMNS[column]}第{n}条", "url": _article(column, n),
                 "date": (today - timedelta(days=age + n)).isoformat()} for n in (1, 2)]

    data("/index", {"title": "首页", "meta": {"SiteName": "济南市历下区人民政府", "SiteDomain": HOST,
                                             "SiteIDCode": SITE_CODE},
                    "lists": [{"name": name, "url": f"/{key}/", "items": items(key)} for key, name in COLUMNS.items()]})
    for key, name in COLUMNS.items():
        extra = ""
        if key == "ywdt":  # the planted dark link, injected only into a column's data
            extra = (f'<div style="position:absolute;left:-9999px;top:0"><a href="{SPAM}">澳门金沙娱乐城</a></div>')
        data(f"/{key}/index", {"title": name, "meta": {"ColumnName": name, "ColumnType": "信息发布"},
                               "lists": [{"name": name, "url": f"/{key}/", "items": items(key)}], "extra": extra})
        for item in items(key):
            n = int(item["url"].rsplit("/", 1)[1].split(".")[0])
            paragraphs = [f"{name}相关工作有序推进，各部门压实责任、狠抓落实。"]
            images = []
            if key == "ywdt" and n == 1:  # the planted typo and broken image
                paragraphs.append(f"会议要求，各单位要{TYPO}推进重点任务。")
                images.append("/images/missing.png")
            data(f"/{key}/{n}", {"title": item["title"],
                                 "meta": {"ArticleTitle": item["title"], "PubDate": item["date"] + " 09:00",
                                          "ColumnName": name},
                                 "article": {"title": item["title"], "date": item["date"],
                                             "paragraphs": paragraphs, "images": images}})
            docs[(HOST, item["url"])] = (SHELL.encode(), "text/html; charset=utf-8")
        docs[(HOST, f"/{key}/")] = (SHELL.encode(), "text/html; charset=utf-8")
    docs[(HOST, "/")] = (SHELL.encode(), "text/html; charset=utf-8")
    docs[(HOST, "/js/app.js")] = (APP.encode(), JS)
    docs[(HOST, "/images/guohui.png")] = (_png(), "image/png")
    return docs


def pages_count() -> int:
    """Home, the columns and two articles each."""
    return 1 + len(COLUMNS) * 3

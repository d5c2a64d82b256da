"""Two fixture websites for the checker's end-to-end tests: one with planted problems, one clean."""

from __future__ import annotations

from tests.checker.sitefixture import SiteServer

BAD = "www.bad.gov.cn"
GOOD = "www.good.gov.cn"
CASINO = "casino.example.com"
CONAC = "bszs.conac.cn"
UNFILED = "zt.bad.gov.cn"  # a sub-site under the bad site's own domain that nobody filed
# A resident ID that passes the GB 11643 check digit (the standard's own example).
LEAKED_ID = "11010519491231002X"
REPORT = "/ndbb/2025.html"  # the clean site's 2025 annual report (the clock is at 2026-11-20)


def _page(title: str, body: str, meta: str = "", code: str = "3701020001",
          host: str = GOOD) -> str:
    return f"""<!doctype html><html><head><meta charset="utf-8"><title>{title}</title>
<meta name="SiteName" content="{title}"><meta name="SiteDomain" content="{host}">
<meta name="SiteIDCode" content="{code}">{meta}</head><body>
<div class="nav"><a href="/">首页</a> <a href="/ywdt/">要闻动态</a> <a href="/tzgg/">通知公告</a>
<a href="/zwfw/">政务服务</a> <a href="/hdjl/zxzx/">在线咨询</a> <a href="/search.html">搜索</a></div>
{body}
<div class="footer">主办单位：济南市历下区人民政府办公室 联系电话：0531-86000000
网站标识码：{code} <a href="http://beian.miit.gov.cn/">鲁ICP备05001234号</a>
鲁公网安备 37010202000123号 <a href="http://{CONAC}/cgi-bin/ch?id=1"><img src="/red.png" alt="党政机关"></a>
<a href="/jiucuo/">我为政府网站找错</a></div></body></html>"""


def _article(title: str, date: str, text: str, host: str) -> str:
    meta = (f'<meta name="ColumnName" content="要闻动态"><meta name="ColumnType" content="要闻">'
            f'<meta name="ArticleTitle" content="{title}"><meta name="PubDate" content="{date} 09:00">'
            f'<meta name="ContentSource" content="历下区政府办">')
    return _page(title, f"<h1>{title}</h1><p>发布时间：{date}</p><p>{text}</p>", meta, host=host)


def serve(server: SiteServer) -> None:
    """Serve both sites and the off-site hosts they link to."""
    # The clean site: fresh news (as of 2026-11-20), identity in the footer, working links.
    news = "".join(f'<li><a href="/ywdt/{i}.html">历下区召开第{i}次工作会议</a><span>2026-11-{19 - i:02d}</span></li>'
                   for i in range(1, 6))
    notices = '<li><a href="/tzgg/1.html">关于开展安全检查的通知</a><span>2026-11-12</span></li>'
    # 国办函〔2018〕12号: last year's annual report linked from the home page, out by 31 January.
    report = f'<p><a href="{REPORT}">济南市历下区人民政府网站2025年度工作报表</a></p>'
    server.add(GOOD, "/", _page("济南市历下区人民政府",
                                f'<ul class="news">{news}</ul><ul class="notice">{notices}</ul>{report}'))
    server.add(GOOD, REPORT, _article("济南市历下区人民政府网站2025年度工作报表", "2026-01-20",
                                      "一、网站基本信息……", GOOD))
    server.add(GOOD, "/ywdt/", _page("要闻动态", f'<ul>{news}</ul>',
                                     '<meta name="ColumnName" content="要闻动态"><meta name="ColumnType" content="要闻">'))
    server.add(GOOD, "/tzgg/", _page("通知公告", f'<ul>{notices}</ul>',
                                     '<meta name="ColumnName" content="通知公告"><meta name="ColumnType" content="通知公告">'))
    for i in range(1, 6):
        server.add(GOOD, f"/ywdt/{i}.html", _article(
            f"历下区召开第{i}次工作会议", f"2026-11-{19 - i:02d}", "会议按部就班推进各项工作。", GOOD))
    server.add(GOOD, "/tzgg/1.html", _article("关于开展安全检查的通知", "2026-11-12",
                                             "请各单位认真落实。", GOOD))
    guide = ("<h1>居住证办理办事指南</h1><p>事项名称：居住证办理</p><p>设定依据：《居住证暂行条例》</p>"
             "<p>申请条件：在本区居住半年以上</p><p>办理材料：身份证、居住证明</p>"
             "<p>办理地点：历下区政务服务中心一楼</p><p>办理时间：工作日9:00-17:00</p>"
             "<p>联系电话：0531-86000001</p><p>办理流程：受理、审核、办结</p>")
    server.add(GOOD, "/zwfw/", _page("政务服务", '<ul><li><a href="/zwfw/1.html">居住证办理办事指南</a>'
                                                 '<span>2026-11-02</span></li></ul>',
                                     '<meta name="ColumnName" content="办事指南">'))
    server.add(GOOD, "/zwfw/1.html", _article("居住证办理办事指南", "2026-11-02", guide, GOOD))
    server.add(GOOD, "/hdjl/zxzx/", _page("在线咨询", (
        '<p><a href="/hdjl/zxzx/write.html">我要咨询</a></p><table>'
        '<tr><th>标题</th><th>留言时间</th><th>答复时间</th><th>状态</th></tr>'
        '<tr><td>居住证办理需要多久</td><td>2026-11-01</td><td>2026-11-03</td><td>已回复</td></tr>'
        '<tr><td>社保转移咨询</td><td>2026-10-20</td><td>2026-10-22</td><td>已回复</td></tr></table>'),
        '<meta name="ColumnName" content="在线咨询">'))
    server.add(GOOD, "/hdjl/zxzx/write.html", _page("我要咨询",
                                                   '<form action="/hdjl/zxzx/"><textarea name="c"></textarea></form>'))
    for host in (GOOD, BAD):
        server.add(host, "/red.png", b"\x89PNG\r\n", content_type="image/png")
        server.add(host, "/search.html", _page("搜索", '<form action="/search.html"><input name="q"></form>',
                                               host=host))
        server.add(host, "/jiucuo/", _page("我为政府网站找错", "<p>请留言</p>", host=host))
    server.add(CONAC, "/cgi-bin/ch?id=1", "<html>党政机关网站标识</html>")
    server.add("beian.miit.gov.cn", "/", "<html>ICP备案</html>")
    server.add(CASINO, "/", "<html><title>澳门博彩 线上娱乐城</title>百家乐 博彩</html>")

    # The site with planted problems: stale home page, a dark link, a broken link, a typo,
    # and a leaked resident ID number.
    old = '<li><a href="/ywdt/1.html">历下区召开工作会议</a><span>2026-10-01</span></li>'
    server.add(BAD, "/", _page("问题网站", f'<ul class="news">{old}</ul>'
                                         f'<div style="display:none"><a href="http://{CASINO}/">澳门博彩</a></div>'
                                         '<a href="/gone.html">旧文件下载</a>'
                                         f'<a href="http://{UNFILED}/">某局网站</a> <a href="http://{GOOD}/">区政府</a>',
                                         host=BAD))
    server.add(UNFILED, "/", "<html><title>某局网站</title></html>")
    server.add(BAD, "/ywdt/", _page("要闻动态", f"<ul>{old}</ul>", host=BAD))
    server.add(BAD, "/tzgg/", _page("通知公告", "<p>暂无信息</p>", host=BAD))
    server.add(BAD, "/ywdt/1.html", _article(
        "历下区召开工作会议", "2026-10-01",
        f"会议要求按步就班推进。联系人身份证号 {LEAKED_ID}，请核对。", BAD))

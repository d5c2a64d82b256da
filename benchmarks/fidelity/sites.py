# ruff: noqa: E501
"""The corpus websites: ten government sites of one city (济宁市, 370800) with planted problems
and planted look-alikes, described in key.json. Each builder returns the site and its documents.

Dates are days before the monitoring point; reply delays are working days of the State Council
calendar (shared.calendar), so the corpus stays valid whenever it is run.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from benchmarks.fidelity.build import (
    EMBLEM_IMG,
    EMBLEM_PATH,
    ColumnSpec,
    Doc,
    Docs,
    Entry,
    Message,
    SiteSpec,
    annual_report,
    article,
    build_site,
    day,
    full_guide,
    guide_table,
    json_body,
    message_table,
    page,
    png,
)
from shared.calendar import WorkingCalendar
from tests.checker.emblemfixture import emblem
from tests.checker.ocrfixture import notice

REGION = "370800"
PORTAL = "www.jining.gov.cn"
UNREGISTERED = "kjj.jining.gov.cn"  # a department site of the city that nobody filed
GAMBLING_PAGE = ("<!doctype html><html><head><meta charset=\"utf-8\"><title>{t}</title></head>"
                 "<body><h1>{t}</h1><p>百家乐 真人娱乐 注册送彩金 棋牌 老虎机 在线投注</p></body></html>")


@dataclass
class BuiltSite:
    """A corpus site: what the registry files, what is served, and its probe history."""

    spec: SiteSpec
    docs: Docs
    probes: tuple[int, int] | None = None  # (probes, failures) over the week before the monitoring point
    filed_icp: str | None = None  # the registry's ICP and public-security numbers, when the page shows
    filed_psb: str | None = None  # them in another script (the Traditional-script site)
    notes: list[str] = field(default_factory=list)


def _site(key: str, host: str, name: str, sponsor: str, code: str, kind: str = "department",
          **extra: object) -> SiteSpec:
    n = code[-3:]
    return SiteSpec(key=key, host=host, name=name, sponsor=sponsor, code=code, region=REGION, kind=kind,
                    icp=f"鲁ICP备05001{n}号", psb=f"鲁公网安备 37080202000{n}号", phone=f"0537-2{code[-4:]}88",
                    links=[("https://www.gov.cn/", "中国政府网"), ("https://www.shandong.gov.cn/", "山东省人民政府"),
                           (f"https://{PORTAL}/", "济宁市人民政府")], **extra)  # type: ignore[arg-type]


CLEAN = [
    "会议研究部署冬季安全生产和民生保障工作，要求各部门压实责任，确保各项工作落到实处。",
    "检查组深入商场、工地和学校，对消防通道、用电安全等进行了细致检查，现场督促整改问题隐患。",
    "调研组实地察看了项目施工现场，听取了项目进展情况汇报，要求加快建设进度，确保按期投用。",
    "活动邀请群众代表走进政务服务中心，体验帮办代办服务，现场收集意见建议二十余条。",
    "今年全市共改造老旧小区三十个，惠及居民一万余户，群众满意度持续提升。",
    "各县（市、区）要加强供暖设施巡查，及时回应群众诉求，确保群众温暖过冬。",
    "请各单位按照方案要求认真开展自查自纠，于规定时间内报送工作总结。",
    "为持续优化营商环境，激发市场主体活力，结合本地实际，制定本方案。",
]


def _entries(titles: list[tuple[str, int]], start: int = 0) -> list[Entry]:
    return [Entry(t, d, CLEAN[(i + start) % len(CLEAN)]) for i, (t, d) in enumerate(titles)]


def _service(site: SiteSpec, slug: str = "zwfw", name: str = "政务服务") -> ColumnSpec:
    """A service column with two complete guides (RULES.md veto.service)."""
    guides = [
        Entry("居住证申领办事指南", 40, full_guide("居住证申领", "《居住证暂行条例》", "在本市居住半年以上，有合法稳定就业、住所或连续就读",
                                                "居民身份证、居住证明", "市政务服务中心一楼综合窗口", site.phone)),
        Entry("城乡居民基本养老保险参保登记办事指南", 75, full_guide(
            "城乡居民基本养老保险参保登记", "《国务院关于建立统一的城乡居民基本养老保险制度的意见》",
            "年满16周岁，不是国家机关和事业单位工作人员", "居民身份证或户口簿", "市政务服务中心二楼社保窗口", site.phone)),
    ]
    return ColumnSpec(slug, name, "办事服务", guides)


def timely_messages(today: date, cal: WorkingCalendar, titles: list[str], start_days: int = 8) -> list[Message]:
    """Messages answered within three working days, spread over the last two months."""
    out = []
    for i, title in enumerate(titles):
        asked = cal.add_working_days(today - timedelta(days=start_days + 13 * i), 0)
        out.append(Message(title, asked, cal.add_working_days(asked, 1 + i % 3)))
    return out


def _consult(site: SiteSpec, docs: Docs, messages: list[Message], slug: str = "hdjl/zxzx",
             name: str = "在线咨询") -> None:
    path = f"/{slug}/"
    docs.html(site.host, path, page(site, f"{name}_{site.name}", (
        f'<h2>{name}</h2><p><a href="{path}write.html">我要咨询</a></p>{message_table(site, messages)}'),
        {"ColumnName": name, "ColumnDescription": "网民咨询及答复", "ColumnKeywords": "咨询,留言", "ColumnType": "互动交流"}))
    docs.html(site.host, f"{path}write.html", page(site, f"我要咨询_{site.name}", (
        f'<h2>我要咨询</h2><form action="{path}" method="post"><p>标题：<input type="text" name="title"></p>'
        '<p>内容：<textarea name="content"></textarea></p><button type="submit">提交</button></form>')))


def _with_consult(site: SiteSpec, slug: str = "hdjl/zxzx", name: str = "在线咨询") -> None:
    site.columns.append(ColumnSpec(slug, name, "互动交流", body=""))


# ---- 1. the control: a fully compliant district portal -----------------------------------------

def control(today: date, cal: WorkingCalendar) -> BuiltSite:
    site = _site("control", "www.rencheng.gov.cn", "济宁市任城区人民政府", "济宁市任城区人民政府办公室",
                 "3708110001", kind="portal", emblem="current")
    site.columns = [
        ColumnSpec("ywdt", "要闻动态", "要闻动态", _entries([
            ("任城区召开区政府常务会议", 1), ("任城区开展冬季安全生产大检查", 3), ("区领导调研重点项目建设", 6),
            ("任城区举办政务公开日活动", 9), ("任城区推进老旧小区改造工作", 20)]), on_home=True),
        ColumnSpec("bmdt", "部门动态", "工作动态", _entries([
            ("区教体局开展校园安全检查", 2), ("区民政局走访慰问困难群众", 5), ("区住建局部署冬季施工安全", 11)], 2)),
        ColumnSpec("tzgg", "通知公告", "通知公告", _entries([
            ("关于做好今冬明春供暖工作的通知", 4), ("关于开展消防安全专项检查的通知", 30), ("关于公布区级政务服务事项目录的通知", 70)], 5),
            on_home=True),
        ColumnSpec("zcwj", "政策文件", "政策文件", _entries([
            ("任城区促进科技创新若干措施", 10), ("任城区优化营商环境实施方案", 60), ("任城区城市更新行动计划", 150)], 7), on_home=True),
        ColumnSpec("zcjd", "政策解读", "政策解读", [Entry("图解：任城区促进科技创新若干措施", 10, (
            "<p>本措施全面贯彻党的二十大和二十届三中全会精神，深入学习贯彻习近平新时代中国特色社会主义思想，"
            "坚持道路自信、理论自信、制度自信、文化自信，铸牢中华民族共同体意识。</p>"
            "<p>咨询电话：0537-2345678，政务服务便民热线12345；联系人：王先生 138****5678。</p>"))]),
    ]
    site.columns.append(_service(site))
    _with_consult(site)
    menu = ('<div class="box"><ul class="dropdown" style="display:none"><li><a href="/ywdt/">要闻动态</a></li>'
            '<li><a href="/tzgg/">通知公告</a></li></ul>'
            '<div class="govlinks" style="display:none"><a href="https://www.gov.cn/">中国政府网</a>'
            '<a href="https://www.shandong.gov.cn/">山东省人民政府</a></div>'
            '<a href="/zwfw/">政务服务</a>　<a href="/hdjl/zxzx/">在线咨询</a></div>')
    docs = build_site(site, today, home_extra=menu)
    _consult(site, docs, timely_messages(today, cal, ["居住证办理需要多长时间", "老旧小区改造如何申请",
                                                      "灵活就业人员如何缴纳社保", "新生儿医保怎么办理"]))
    return BuiltSite(site, docs)


# ---- 2. the city portal: serious expressions, typos, personal information, real text, links ------

REAL_TEXT = (
    "<p>过去一年，全市上下坚持以习近平新时代中国特色社会主义思想为指导，全面贯彻党的二十大和二十届二中、三中全会精神，"
    "深刻领悟“两个确立”的决定性意义，增强政治意识、大局意识、核心意识、看齐意识，坚定道路自信、理论自信、制度自信、文化自信。"
    "中共中央办公厅、国务院办公厅印发的有关文件得到认真落实。</p>"
    "<p>我们坚持绿水青山就是金山银山，深入推进生态环境保护，生态环保部门联合开展专项执法行动。"
    "坚持全面依法治国，加快建设法治政府，市检察院检察长列席市政府常务会议，纪检监察机关加强党风廉政建设。"
    "坚持人民当家作主，发展全过程人民民主，扎实推进预防犯罪和平安建设工作，即使困难再大也要按部就班、再接再厉。</p>"
    "<p>截至目前，全市已签订招商项目八十六个，部署重点任务一百二十项；加快融入国内国际双循环，为实现中华民族伟大复兴贡献力量。"
    "市档案馆整理了中华民国时期的地方志书，并向台湾地区领导人访问团之外的各界台胞开放查阅。</p>"
    "<p>办理进度可拨打0537-2345678或政务服务便民热线12345查询，联系人：李女士 139****1234，"
    "经办人身份证号370802********1234；统一社会信用代码91370800MA3C1234XY，文号济政发〔2026〕12号，"
    "业务流水号20261118093015123456，单位对公账户1612020309200012345。"
    "原告身份证号370802199001011231经核对有误已退回。</p>")


OCR_LEAK, OCR_FINE = "/tzgg/images/gs111.png", "/tzgg/images/sm112.png"


def portal(today: date, cal: WorkingCalendar) -> BuiltSite:
    site = _site("portal", PORTAL, "济宁市人民政府", "济宁市人民政府办公室", "3708000001", kind="portal")
    site.links += [("https://www.zj.gov.cn/", "浙江省人民政府"), ("https://www.beijing.gov.cn/", "北京市人民政府"),
                   ("https://www.rencheng.gov.cn/", "任城区人民政府"), (f"https://{UNREGISTERED}/", "济宁市科学技术局")]
    site.columns = [
        ColumnSpec("ywdt", "济宁要闻", "要闻动态", [
            Entry("市委常委会传达学习中国共产党第二十届全国代表大会精神", 2, (
                "<p>会议传达学习了中国共产党第二十届全国代表大会精神和党的二十届三中全会精神，研究部署贯彻落实工作。</p>"), post=101),
            Entry("我市代表团出席第十四次全国人民代表大会第三次会议", 4, (
                "<p>我市代表团出席第十四次全国人民代表大会第三次会议。十四届全国人大三次会议期间，代表们认真审议政府工作报告。</p>"), post=102),
            Entry("市政府党组召开理论学习中心组学习会", 5, (
                "<p>会议强调，要坚定理论自信、道路自信、制度自信、文化自信，不断提高政治判断力、政治领悟力、政治执行力。</p>"), post=104),
            Entry("全市深入开展主题教育读书班", 7, (
                "<p>读书班深入学习习近平新时代中国特色社会主意思想，交流研讨学习体会。</p>"), post=105),
            Entry("市政府召开专题会议推进理论武装工作", 9, (
                "<p>会议要求，持续深化习近平新时代特色社会主义思想的学习宣传，推动学习往深里走、往实里走。</p>"), post=106),
            Entry("2026年济宁市政府工作报告", 12, REAL_TEXT, post=109),
        ], on_home=True),
        ColumnSpec("tzgg", "通知公告", "通知公告", [
            Entry("关于进一步做好冬季安全生产工作的通知", 3, (
                "<p>各地要按步就班抓好各项措施落实，对排查出的问题迫不急待地追求进度而忽视质量的，要严肃问责。</p>"), post=107),
            Entry("关于公布第一批城乡社区服务示范点的通知", 6, (
                "<p>截止目前，全市已建成城乡社区服务示范点四十个，现予公布。</p>"), post=108),
            Entry("关于2026年度临时救助资金发放情况的公示", 8, (
                "<table><tr><th>姓名</th><th>身份证号</th><th>联系电话</th><th>收款卡号</th></tr>"
                "<tr><td>张某某</td><td>370802198506120437</td><td>13912345678</td><td>6222021600123456788</td></tr></table>"
                "<p>公示期5个工作日，如有异议请拨打0537-2345678。</p>"), post=110),
            # Notices posted as pictures (text read by OCR): a full ID number, and a look-alike.
            Entry("关于医疗救助对象的公示", 15, f'<p><img src="{OCR_LEAK}" alt="公示名单"></p>', post=111),
            Entry("关于救助热线的说明", 16, f'<p><img src="{OCR_FINE}" alt="热线说明"></p>', post=112),
        ], on_home=True),
        ColumnSpec("zcwj", "政策文件", "政策文件", [
            Entry("关于转发《关于加强新时代基层治理的意见》的通知", 10, (
                "<p>近日，国务院办公厅、中共中央办公厅印发了《关于加强新时代基层治理的意见》，现转发给你们，请认真贯彻落实。</p>"), post=103),
            Entry("济宁市促进民营经济高质量发展若干措施", 45, CLEAN[7]),
        ], on_home=True),
    ]
    site.columns.append(_service(site))
    _with_consult(site)
    docs = build_site(site, today)
    docs[(site.host, OCR_LEAK)] = Doc(notice(["医疗救助对象公示", "姓名：王某某", "身份证号：11010519491231002X"]), "image/png")
    docs[(site.host, OCR_FINE)] = Doc(notice(["救助热线：0537-2345678", "联系人：138****5678",
                                              "登记编号：370102198001011238"]), "image/png")
    _consult(site, docs, timely_messages(today, cal, ["公积金提取需要哪些材料", "新能源汽车补贴何时发放", "学区划分在哪里查询"]))
    docs.html(UNREGISTERED, "/", '<!doctype html><html><head><meta charset="utf-8"><title>济宁市科学技术局</title></head>'
                                 "<body><h1>济宁市科学技术局</h1></body></html>")
    return BuiltSite(site, docs)


# ---- 3. a script-built site: pages are shells filled by JavaScript from JSON --------------------

APP_JS = """
(function () {
  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    for (var k in attrs || {}) e.setAttribute(k, attrs[k]);
    if (text) e.textContent = text;
    return e;
  }
  function list(items) {
    var ul = el('ul', {'class': 'list'});
    items.forEach(function (i) {
      var li = el('li'); li.appendChild(el('a', {href: i.href}, i.title));
      li.appendChild(el('span', {'class': 'date'}, i.date)); ul.appendChild(li);
    });
    return ul;
  }
  fetch(window.PAGE_DATA).then(function (r) { return r.json(); }).then(function (d) {
    var nav = document.getElementById('nav'), ul = el('ul');
    d.nav.forEach(function (n) { var li = el('li'); li.appendChild(el('a', {href: n.href}, n.text)); ul.appendChild(li); });
    nav.appendChild(ul);
    var main = document.getElementById('main'); main.textContent = '';
    (d.sections || []).forEach(function (s) {
      var box = el('div', {'class': 'box'}); box.appendChild(el('h2', {}, s.title));
      box.appendChild(list(s.items)); if (s.more) box.appendChild(el('a', {href: s.more}, '更多'));
      main.appendChild(box);
    });
    if (d.html) { var div = el('div', {'class': 'content'}); div.innerHTML = d.html; main.appendChild(div); }
    document.getElementById('footer').innerHTML = d.footer;
  });
})();
"""


def script_site(today: date, cal: WorkingCalendar) -> BuiltSite:
    site = _site("script", "dsj.jining.gov.cn", "济宁市大数据局", "济宁市大数据局", "3708000012")
    host = site.host
    docs = Docs()
    nav = [{"href": "/", "text": "首页"}, {"href": "/gzdt/", "text": "工作动态"}, {"href": "/tzgg/", "text": "通知公告"},
           {"href": "/zcwj/", "text": "政策文件"}, {"href": "/zwfw/", "text": "政务服务"},
           {"href": "/sjdt/", "text": "数据动态"}, {"href": "/hdjl/zxzx/", "text": "在线咨询"},
           {"href": "/sjkf/", "text": "数据开放"}]
    footer = (f'<p>相关链接：<a href="https://www.gov.cn/">中国政府网</a>　<a href="https://{PORTAL}/">济宁市人民政府</a></p>'
              f"<p>主办单位：{site.sponsor}　联系电话：{site.phone}　网站标识码：{site.code}</p>"
              f'<p><a href="https://beian.miit.gov.cn/">{site.icp}</a></p>'
              f'<p><a href="https://bszs.conac.cn/sitename?method=show&amp;id={site.code}"><img src="https://dcs.conac.cn/image/red.png" alt="党政机关" width="88" height="31"></a>'
              f'<a href="https://zfwzgl.www.gov.cn/exposure/jiucuo.html?site_code={site.code}"><img src="/images/jiucuo.png" alt="我为政府网站找错" width="88" height="31"></a></p>'
              f'<p><a href="/ndbb/{today.year - 1}.html">{site.name}网站{today.year - 1}年度工作报表</a></p>'
              f"<p>{EMBLEM_IMG}</p>")  # the superseded emblem, inserted by the script
    annual_report(site, docs, today)  # the pages; the link is in the footer the script writes
    docs[(host, EMBLEM_PATH)] = Doc(emblem("superseded", 64, "PNG"), "image/png")
    columns = {
        "gzdt": ("工作动态", "工作动态", [("市大数据局召开数字政府建设推进会", 1, "会议要求再接再励，加快推进一网通办。", 101),
                                     ("全市政务数据共享平台完成升级", 4, CLEAN[1], 102), ("市大数据局开展数据安全检查", 9, CLEAN[2], 103)]),
        "sjdt": ("数据动态", "工作动态", [("全市政务数据目录编制工作完成", 30, CLEAN[2], 109),
                                     ("市大数据局发布公共数据开放清单", 52, CLEAN[4], 110)]),
        "tzgg": ("通知公告", "通知公告", [("关于开展公共数据质量提升行动的通知", 3, CLEAN[6], 104),
                                     ("关于政务云平台维护的公告", 25, CLEAN[5], 105)]),
        "zcwj": ("政策文件", "政策文件", [("济宁市公共数据管理办法", 20, CLEAN[7], 106), ("济宁市数字政府建设实施方案", 90, CLEAN[7], 107)]),
        "zwfw": ("政务服务", "办事服务", [("政务数据共享申请办事指南", 30, full_guide(
            "政务数据共享申请", "《山东省电子政务和政务数据管理办法》", "本市各级政务部门", "共享申请表", "市大数据局三楼",
            site.phone), 108)]),
    }

    def shell(title: str, data: str, meta: dict[str, str]) -> str:
        tags = {"SiteName": site.name, "SiteDomain": host, "SiteIDCode": site.code, **meta}
        metas = "".join(f'<meta name="{k}" content="{v}">' for k, v in tags.items())
        return (f'<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>{title}</title>{metas}</head>'
                f'<body><div id="app"><div class="header"><span class="logo">{site.name}</span>'
                '<form class="search" action="/search/" method="get"><input type="text" name="q"><button type="submit">搜索</button></form>'
                '</div><div class="nav" id="nav"></div><div class="main" id="main">加载中……</div>'
                f'<div class="footer" id="footer"></div></div><script>window.PAGE_DATA = "{data}";</script>'
                '<script src="/js/app.js"></script></body></html>')

    def items(rows: list[tuple[str, int, str, int]], slug: str) -> list[dict[str, str]]:
        return [{"href": f"/{slug}/content/post_{n}.html", "title": t, "date": day(today, d).isoformat()}
                for t, d, _, n in rows]

    found = []
    for slug, (name, ctype, rows) in columns.items():
        docs.html(host, f"/{slug}/", shell(f"{name}_{site.name}", f"/data/{slug}.json", {
            "ColumnName": name, "ColumnDescription": f"{site.name}{name}", "ColumnKeywords": name, "ColumnType": ctype}))
        docs[(host, f"/data/{slug}.json")] = json_body({"nav": nav, "footer": footer, "sections": [
            {"title": name, "items": items(rows, slug)}]})
        for title, d, text, n in rows:
            on = day(today, d)
            path = f"/{slug}/content/post_{n}.html"
            docs.html(host, path, shell(f"{title}_{site.name}", f"/data/post_{n}.json", {
                "ColumnName": name, "ColumnType": ctype, "ArticleTitle": title, "PubDate": f"{on.isoformat()} 09:00",
                "ContentSource": site.sponsor}))
            body = text if text.startswith("<") else f"<p>{text}</p>"
            docs[(host, f"/data/post_{n}.json")] = json_body({"nav": nav, "footer": footer, "html": (
                f'<div class="article"><h1>{title}</h1><p class="info">发布时间：{on.isoformat()} 09:00　来源：{site.sponsor}</p>'
                f"{body}</div>")})
            found.append((path, title, on))
    docs.html(host, "/", shell(site.name, "/data/home.json", {}))
    docs[(host, "/data/home.json")] = json_body({"nav": nav, "footer": footer, "sections": [
        {"title": columns[s][0], "more": f"/{s}/", "items": items(columns[s][2], s)} for s in ("gzdt", "tzgg", "zcwj")]})
    messages = timely_messages(today, cal, ["数据开放目录在哪里查询", "电子证照如何申领"])
    table = message_table(site, messages)
    docs.html(host, "/hdjl/zxzx/", shell(f"在线咨询_{site.name}", "/data/zxzx.json", {
        "ColumnName": "在线咨询", "ColumnDescription": "网民咨询及答复", "ColumnKeywords": "咨询,留言", "ColumnType": "互动交流"}))
    docs[(host, "/data/zxzx.json")] = json_body({"nav": nav, "footer": footer, "html": (
        f'<h2>在线咨询</h2><p><a href="/hdjl/zxzx/write.html">我要咨询</a></p>{table}')})
    docs.html(host, "/hdjl/zxzx/write.html", shell(f"我要咨询_{site.name}", "/data/write.json", {}))
    docs[(host, "/data/write.json")] = json_body({"nav": nav, "footer": footer, "html": (
        '<h2>我要咨询</h2><form action="/hdjl/zxzx/" method="post"><textarea name="content"></textarea>'
        '<button type="submit">提交</button></form>')})
    docs[(host, "/js/app.js")] = Doc(APP_JS.encode(), "application/javascript; charset=utf-8")
    docs.html(host, "/search/", page(site, f"搜索结果_{site.name}", "<ul class=\"list\">" + "".join(
        f'<li><a href="{p}">{t}</a><span class="date">{on}</span></li>' for p, t, on in found) + "</ul>"))
    docs[(host, "/images/jiucuo.png")] = Doc(png(), "image/png")
    return BuiltSite(site, docs)


# ---- 4. a Traditional-script site ----------------------------------------------------------------

TRADITIONAL_LABELS = {
    "sponsor": "主辦單位", "phone": "聯繫電話", "code": "網站標識碼", "links": "相關鏈接", "search": "搜索",
    "home": "首頁", "more": "更多", "placeholder": "請輸入關鍵詞", "published": "發布時間", "source": "來源",
    "results": "搜索結果", "badge": "黨政機關", "jiucuo": "我為政府網站找錯", "asked": "留言時間",
    "answered": "答覆時間", "state": "狀態", "title": "標題", "done": "已回覆", "open": "未回覆", "write": "我要諮詢",
    "annual": "年度工作報表", "annual_column": "年度報表",
}


def traditional(today: date, cal: WorkingCalendar) -> BuiltSite:
    site = _site("traditional", "tb.jining.gov.cn", "濟寧市人民政府臺灣事務辦公室", "濟寧市人民政府臺灣事務辦公室", "3708000031",
                 labels=TRADITIONAL_LABELS)
    site.icp, site.psb = "魯ICP備05001031號", "魯公網安備 37080202000031號"
    site.links = [("https://www.gov.cn/", "中國政府網"), (f"https://{PORTAL}/", "濟寧市人民政府")]
    site.columns = [
        ColumnSpec("ywdt", "要聞動態", "要聞動態", [
            Entry("市臺辦召開對臺工作會議", 2, "<p>會議要求全體幹部再接再勵，紮實做好新時代對臺工作。</p>", post=101),
            Entry("市臺辦開展臺胞權益保障法律宣傳活動", 5, "<p>各相關部門要按步就班推進臺胞權益保障工作。</p>", post=102),
            Entry("市臺辦組織專題學習會", 8, "<p>會議強調，要深入學習貫徹習近平新時代中國特色社會主意思想。</p>", post=103),
            Entry("市臺辦就島內選舉結果答記者問", 10, "<p>有記者問及所謂“臺灣總統”選舉結果，發言人表示，臺灣是中國的一部分。</p>", post=104),
            Entry("兩岸青年交流活動在濟寧舉辦", 12, "<p>臺灣地區領導人換屆不改變兩岸同屬一個中國的事實，兩岸青年交流持續深化。</p>", post=105),
        ], on_home=True),
        ColumnSpec("tzgg", "通知公告", "通知公告", [Entry("關於開展臺胞臺企服務月活動的通知", 4, "<p>請各單位認真組織實施。</p>")],
                   on_home=True),
        ColumnSpec("zcwj", "政策文件", "政策文件", [Entry("濟寧市促進魯臺經貿合作若干措施", 20, "<p>為深化魯臺經貿合作，制定本措施。</p>")]),
        ColumnSpec("zcjd", "政策解讀", "政策解讀", [Entry("解讀：濟寧市促進魯臺經貿合作若干措施", 200, "<p>本措施共十條。</p>")]),
        ColumnSpec("bsfw", "辦事服務", "辦事服務", [Entry("臺胞證件辦理指南", 30, guide_table([
            ("事項名稱", "臺灣居民來往大陸通行證換發"), ("設定依據", "《中國公民往來臺灣地區管理辦法》"), ("申請條件", "在本市居住的臺灣居民"),
            ("辦理材料", "原證件、照片"), ("辦理地點", "市出入境接待大廳"), ("辦理時間", "工作日上午9:00-12:00"),
            ("聯繫電話", site.phone), ("辦理流程", "申請、受理、審核、發證")]))]),
    ]
    site.columns.append(ColumnSpec("hdjl", "互動交流", "互動交流", body=""))
    docs = build_site(site, today)
    messages = timely_messages(today, cal, ["臺胞在濟寧購房政策諮詢", "臺企招工補貼如何申請"])
    overdue = Message("臺胞子女入學如何辦理", day(today, 120), None)
    docs.html(site.host, "/hdjl/", page(site, f"互動交流_{site.name}", (
        f'<h2>在線諮詢</h2><p><a href="/hdjl/write.html">我要諮詢</a></p>{message_table(site, [*messages, overdue])}'),
        {"ColumnName": "在線諮詢", "ColumnDescription": "網民諮詢及答覆", "ColumnKeywords": "諮詢,留言", "ColumnType": "互動交流"}))
    docs.html(site.host, "/hdjl/write.html", page(site, f"我要諮詢_{site.name}", (
        '<h2>我要諮詢</h2><form action="/hdjl/" method="post"><textarea name="content"></textarea>'
        '<button type="submit">提交</button></form>')))
    return BuiltSite(site, docs, filed_icp="鲁ICP备05001031号", filed_psb="鲁公网安备 37080202000031号")


# ---- 5. a department: stale columns, and what only looks stale -----------------------------------

def education(today: date, cal: WorkingCalendar) -> BuiltSite:
    site = _site("columns", "jyj.jining.gov.cn", "济宁市教育局", "济宁市教育局", "3708000041")
    stale = [("gzdt", "工作动态", 25), ("jyyw", "教育要闻", 30), ("jcdt", "基层动态", 33), ("xxdt", "学校动态", 40),
             ("zsdt", "招生动态", 60)]
    site.columns = [ColumnSpec(slug, name, "工作动态", _entries([(f"{name}：全市教育系统工作推进会召开", d),
                                                             (f"{name}：教育督导检查通报", d + 15)], i))
                    for i, (slug, name, d) in enumerate(stale)]
    site.columns += [
        ColumnSpec("tzgg", "通知公告", "通知公告", _entries([("关于做好2027年中小学寒假工作的通知", 3),
                                                        ("关于公布义务教育招生入学政策的公告", 50)]), on_home=True),
        ColumnSpec("jyzx", "教育资讯", "新闻动态", [
            Entry("【置顶】济宁市教育局关于师德师风建设的承诺书", 200, CLEAN[3], pinned=True),
            Entry("全市中小学开展冬季安全教育活动", 2, CLEAN[1]), Entry("市教育局召开教育强市建设推进会", 16, CLEAN[0])],
            on_home=True),
        # Two old pinned entries on top, and an entry published this morning below them.
        ColumnSpec("bmdt", "部门动态", "工作动态", [
            Entry("【置顶】济宁市教育局政务服务事项清单", 400, CLEAN[2], pinned=True),
            Entry("【置顶】关于开展“双减”工作专项督查的公告", 95, CLEAN[4], pinned=True),
            Entry("市教育局召开全市教育系统安全生产工作会议", 0, CLEAN[1]),
            Entry("市教育局开展校园食品安全检查", 35, CLEAN[0])]),
        ColumnSpec("zcjd", "政策解读", "政策解读", _entries([("解读：济宁市义务教育招生入学政策", 260)])),
        ColumnSpec("jgzn", "机构职能", "机构职能", [], body=None),
        ColumnSpec("zywj", "重要文件", "重要文件", [], body=None),
    ]
    site.columns.append(_service(site))
    _with_consult(site)
    docs = build_site(site, today)
    _consult(site, docs, timely_messages(today, cal, ["转学手续如何办理", "课后服务收费标准"]))
    organ = next(c for c in site.columns if c.slug == "jgzn")
    docs.html(site.host, organ.path, article(site, organ, "济宁市教育局机构职能", day(today, 400), (
        "<p>济宁市教育局是市政府工作部门，为正处级，负责贯彻执行国家和省的教育方针、政策和法律法规，"
        "拟订全市教育改革与发展规划，统筹管理全市各级各类教育工作。</p>")))
    # A navigation entry named like a policy column that opens one article: it is no column.
    important = next(c for c in site.columns if c.slug == "zywj")
    docs.html(site.host, important.path, article(site, important, "济宁市教育事业发展“十四五”规划", day(today, 250), (
        "<p>本规划根据《济宁市国民经济和社会发展第十四个五年规划和二〇三五年远景目标纲要》编制，"
        "是指导全市教育改革发展的纲领性文件。</p>")))
    return BuiltSite(site, docs)


# ---- 6. a department: a stale home page, blank columns, a stale policy column, a faked date ------

def civil_affairs(today: date, cal: WorkingCalendar) -> BuiltSite:
    site = _site("homepage", "mzj.jining.gov.cn", "济宁市民政局", "济宁市民政局", "3708000042")
    blank = [("shzz", "社会组织"), ("hydj", "婚姻登记"), ("ylfw", "养老服务"), ("shjz", "社会救助"), ("csgy", "慈善公益")]
    site.columns = [
        ColumnSpec("gzdt", "工作动态", "工作动态", _entries([("市民政局召开养老服务工作会议", 20), ("市民政局开展社会救助政策宣传", 34)]),
                   on_home=True),
        ColumnSpec("tzgg", "通知公告", "通知公告", [
            Entry("关于开展2026年度社会组织年检工作的通知", -5, "<p>请各社会组织按要求参加年检。</p>", post=101),
            Entry("关于《济宁市养老服务条例》施行的公告", 35, (
                "<p>《济宁市养老服务条例》已经市人大常委会审议通过，实施日期：" + (today + timedelta(days=40)).isoformat()
                + "，现予公告。</p>"), post=102),
            Entry("关于开展困难群众走访慰问的通知", 50, CLEAN[5])], on_home=True),
        ColumnSpec("zcwj", "政策文件", "政策文件", _entries([("济宁市最低生活保障实施办法", 250), ("济宁市特困人员救助供养办法", 300)])),
        *[ColumnSpec(slug, name, "其他", body="<p>暂无信息</p>") for slug, name in blank],
        ColumnSpec("ldxx", "领导信息", "领导信息", body=(
            "<p>局长：王某某，主持市民政局全面工作，负责财务、审计工作。副局长：李某某，负责社会救助、养老服务工作。</p>")),
    ]
    site.columns.append(_service(site))
    _with_consult(site)
    docs = build_site(site, today)
    _consult(site, docs, timely_messages(today, cal, ["高龄津贴如何申领", "婚姻登记需要预约吗"]))
    return BuiltSite(site, docs)


# ---- 7. a department with dark links on many pages -----------------------------------------------

DARK_CSS = """
.vh { visibility: hidden; }
.ti { display: block; width: 200px; text-indent: -9999px; overflow: hidden; white-space: nowrap; }
.clip { height: 0; overflow: hidden; }
.skip { position: absolute; left: -10000px; top: auto; width: 1px; height: 1px; overflow: hidden; }
.skip:focus { position: static; width: auto; height: auto; }
.dropdown { display: none; }
.yqlj .bd .panel { display: none; }
.yqlj .bd .panel.on { display: block; }
"""

# A "友情链接" widget whose tabs switch panels of off-site friend links: the inactive panels are
# display:none until a visitor hovers their label. On the home page a script hides them (the
# browser judges it); on /wza.html the stylesheet does (judged without a browser).
FRIEND_LINKS = ("https://www.qufu-tour.com/", "https://www.sdwht-museum.com/", "https://www.taierzhuang-tour.com/")
FRIEND_TABS_SCRIPT = (
    '<div class="yqlj"><ul class="hd"><li>部门网站</li><li>文旅网站</li></ul><div class="bd">'
    '<div><a href="/wldt/">文旅动态</a><a href="https://www.gov.cn/">中国政府网</a></div>'
    f'<div><a href="{FRIEND_LINKS[0]}">孔子故里旅游网</a><a href="{FRIEND_LINKS[1]}">山东博物馆联盟</a></div>'
    '</div></div>'
    "<script>var tl = document.querySelectorAll('.yqlj .hd li'), tp = document.querySelectorAll('.yqlj .bd > div');"
    "function tab(i) { for (var j = 0; j < tp.length; j++) tp[j].style.display = i === j ? 'block' : 'none'; }"
    "for (var i = 0; i < tl.length; i++) tl[i].setAttribute('onmouseover', 'tab(' + i + ')'); tab(0);</script>")
FRIEND_TABS_CSS = (
    '<div class="yqlj"><ul class="hd"><li class="on" onmouseover="tab(0)">部门网站</li>'
    '<li onmouseover="tab(1)">文旅网站</li></ul><div class="bd">'
    '<div class="panel on"><a href="/wldt/">文旅动态</a></div>'
    f'<div class="panel"><a href="{FRIEND_LINKS[2]}">台儿庄古城旅游网</a></div></div></div>')

DARK = {  # page → (how it is hidden, the hidden element's HTML)
    "/": ("display:none inline", '<div style="display:none"><a href="https://www.yabo-888.com/">体育娱乐</a></div>'),
    "/wldt/": ("visibility:hidden stylesheet", '<p class="vh"><a href="https://www.amjs-6878.com/">澳门金沙</a></p>'),
    "/wldt/content/post_101.html": ("off-screen inline", '<a href="https://www.bet-365-cn.com/" style="position:absolute;left:-9999px;top:-9999px">体育投注</a>'),
    "/wldt/content/post_102.html": ("text-indent stylesheet", '<div class="ti"><a href="https://www.xpj-888.com/">新葡京</a></div>'),
    "/tzgg/": ("zero size inline", '<span style="display:inline-block;width:0;height:0;overflow:hidden"><a href="https://www.qipai-777.com/">棋牌游戏</a></span>'),
    "/wldt/content/post_103.html": ("font-size 0 inline", '<p style="font-size:0"><a href="https://www.sese-av.com/">午夜福利</a></p>'),
    "/wldt/content/post_104.html": ("same colour as background inline", '<p style="background:#ffffff"><a href="https://www.liuhecai-88.com/" style="color:#ffffff;text-decoration:none">六合彩</a></p>'),
    "/zcwj/": ("overflow clipping stylesheet", '<div class="clip"><a href="https://www.duchang-99.com/">在线赌场</a></div>'),
}


def culture(today: date, cal: WorkingCalendar) -> BuiltSite:
    site = _site("dark", "wlj.jining.gov.cn", "济宁市文化和旅游局", "济宁市文化和旅游局", "3708000043", annual_report="column")
    site.columns = [
        ColumnSpec("wldt", "文旅动态", "工作动态", [
            Entry("我市举办冬季文旅消费季活动", 1, CLEAN[3], post=101), Entry("市文旅局开展A级景区安全检查", 4, CLEAN[1], post=102),
            Entry("尼山圣境入选全国文旅融合典型案例", 6, "<p>尼山圣境获评全国文化和旅游融合发展典型案例。</p>", post=103),
            Entry("我市非遗项目亮相全国非遗博览会", 9, "<p>我市十二个非遗项目参加展示展演。</p>", post=104)], on_home=True),
        ColumnSpec("tzgg", "通知公告", "通知公告", _entries([("关于开展文化市场执法检查的通知", 3), ("关于公布市级非遗代表性项目名录的公告", 40)]),
                   on_home=True),
        ColumnSpec("zcwj", "政策文件", "政策文件", _entries([("济宁市促进文旅消费若干措施", 15), ("济宁市A级旅游景区管理办法", 100)])),
    ]
    site.columns.append(_service(site))
    _with_consult(site)
    extra = ('<div class="box"><a class="skip" href="/wza.html">跳转到无障碍浏览</a>'
             '<ul class="dropdown"><li><a href="/wldt/">文旅动态</a></li><li><a href="/zcwj/">政策文件</a></li></ul>'
             '<div style="display:none" class="govsel"><a href="https://www.gov.cn/">中国政府网</a><a href="https://www.shandong.gov.cn/">山东省人民政府</a></div>'
             '<p>权威发布：<a href="https://www.xinhuanet.com/">新华网</a>　'
             '<a href="https://www.people.com.cn/" style="color:#ffffff;background:#c00000;padding:2px">人民网</a></p></div>'
             + FRIEND_TABS_SCRIPT)
    docs = build_site(site, today, home_extra=extra)
    _consult(site, docs, timely_messages(today, cal, ["景区门票优惠政策咨询", "非遗传承人如何申报"]))
    docs.html(site.host, "/wza.html", page(site, f"无障碍浏览_{site.name}",
                                           "<p>本站提供无障碍浏览服务，支持读屏软件。</p>" + FRIEND_TABS_CSS))
    for friend in FRIEND_LINKS:
        host = friend.split("/")[2]
        docs.html(host, "/", f'<!doctype html><html><head><meta charset="utf-8"><title>{host}</title></head>'
                             f"<body><h1>{host}</h1><p>景区介绍、旅游线路和游客服务。</p></body></html>")
    docs[(site.host, "/css/site.css")] = Doc(DARK_CSS.encode(), "text/css; charset=utf-8")
    for path in {*DARK, "/wza.html", "/hdjl/zxzx/", "/zwfw/"} | {c.path for c in site.columns if c.body is None}:
        if (site.host, path) in docs:
            docs.edit(site.host, path, "</head>", '<link rel="stylesheet" href="/css/site.css"></head>')
    for path, (_, hidden) in DARK.items():
        docs.edit(site.host, path, '<div class="footer">', hidden + '<div class="footer">')
        href = hidden.split('href="')[1].split('"')[0]
        host = href.split("/")[2]
        docs.html(host, "/", GAMBLING_PAGE.format(t=host))
    return BuiltSite(site, docs)


# ---- 8. a legacy department site over plain HTTP: redirect loops, chains, broken links ----------

def transport(today: date, cal: WorkingCalendar) -> BuiltSite:
    site = _site("redirects", "jtj.jining.gov.cn", "济宁市交通运输局", "济宁市交通运输局", "3708000044", scheme="http")
    site.columns = [
        ColumnSpec("jtdt", "交通动态", "工作动态", [
            Entry("市交通运输局部署冬季道路运输安全工作", 2, (
                '<p>详见<a href="/xxgk/2019/old_notice.html">原通知</a>。</p>'), post=101),
            Entry("全市农村公路建设现场推进会召开", 5, (
                '<p><img src="/images/map_2026.png" alt="农村公路建设示意图" width="400" height="300"></p>'), post=102),
            Entry("市交通运输局开展道路运输执法检查", 8, (
                '<p>检查依据见<a href="/xxgk/2018/jcfa.html">2018年执法检查方案</a>。</p>'), post=103)], on_home=True),
        ColumnSpec("tzgg", "通知公告", "通知公告", [
            Entry("关于网上办事系统迁移的公告", 3, (
                '<p>原系统地址<a href="/wsbs/start">网上办事（旧）</a>已停用。新版入口见<a href="/zwgk">政务公开</a>、'
                '<a href="/download/guide">办事指南下载</a>、<a href="/r/1">交通出行服务</a>和'
                '<a href="https://www.gov.cn/zhengce">国务院政策文件库</a>。</p>'), post=104),
            Entry("关于公路养护作业的通告", 20, CLEAN[6])], on_home=True),
        ColumnSpec("zcwj", "政策文件", "政策文件", _entries([("济宁市农村公路管理养护办法", 30), ("济宁市道路运输管理规定", 120)])),
        ColumnSpec("zwgk", "政务公开", "政务公开", _entries([("济宁市交通运输局2026年政府信息公开工作要点", 60)])),
    ]
    site.columns.append(_service(site))
    _with_consult(site)
    docs = build_site(site, today, home_extra='<div class="box"><a href="/old/a">旧版网站入口</a></div>')
    _consult(site, docs, timely_messages(today, cal, ["网约车驾驶员证如何办理", "公交线路调整建议"]))
    docs.redirect(site.host, "/old/a", "/old/b")
    docs.redirect(site.host, "/old/b", "/old/a")
    for i in range(16):
        docs.redirect(site.host, "/wsbs/start" if i == 0 else f"/wsbs/step{i}", f"/wsbs/step{i + 1}")
    docs.html(site.host, "/wsbs/step16", page(site, "网上办事", "<p>网上办事</p>"))
    # A removed page the CMS answers with 200 and a "页面不存在" text (a soft 404): RULES.md counts
    # only definite 404/403 answers as broken links.
    docs.html(site.host, "/xxgk/2018/jcfa.html", page(site, f"页面不存在_{site.name}", (
        "<p>对不起，您访问的页面不存在或已被删除。</p><p><a href=\"/\">返回首页</a></p>")))
    docs.redirect(site.host, "/zwgk", "/zwgk/", 301)
    docs.redirect(site.host, "/download/guide", "/download/guide.html")
    docs.html(site.host, "/download/guide.html", page(site, f"办事指南下载_{site.name}", "<p>办事指南下载</p>"))
    docs.redirect(site.host, "/r/1", "/r/2")
    docs.redirect(site.host, "/r/2", "/r/3")
    docs.redirect(site.host, "/r/3", "/zwgk/")
    docs.redirect("www.gov.cn", "/zhengce", "https://www.gov.cn/zhengce/", 301)
    docs.html("www.gov.cn", "/zhengce/", '<!doctype html><html><head><meta charset="utf-8"><title>国务院政策文件库</title>'
                                         "</head><body>政策文件</body></html>")
    return BuiltSite(site, docs)


# ---- 9. a department: late replies, an overdue message, incomplete service guides ---------------

def _late(today: date, cal: WorkingCalendar) -> tuple[list[Message], list[Message]]:
    """Messages answered within three working days (across weekends and holidays), and late ones."""
    friday = next(d for d in (today - timedelta(days=n) for n in range(20, 40)) if d.weekday() == 4 and cal.is_working_day(d))
    on_time = [
        Message("失业保险金申领条件咨询", friday, cal.add_working_days(friday, 3)),
        Message("社保卡补办流程咨询", cal.add_working_days(today - timedelta(days=12), 0),
                cal.add_working_days(cal.add_working_days(today - timedelta(days=12), 0), 2)),
        Message("职称评审材料提交时间咨询", cal.add_working_days(today - timedelta(days=45), 0),
                cal.add_working_days(today - timedelta(days=45), 0)),
    ]
    monday = next(d for d in (today - timedelta(days=n) for n in range(15, 40)) if d.weekday() == 0 and cal.is_working_day(d))
    asked2 = cal.add_working_days(today - timedelta(days=50), 0)
    late = [
        Message("灵活就业人员社保补贴申请咨询", monday, cal.add_working_days(monday, 5)),
        Message("企业稳岗返还资金到账时间咨询", asked2, cal.add_working_days(asked2, 9)),
    ]
    return on_time, late


def human_resources(today: date, cal: WorkingCalendar) -> BuiltSite:
    site = _site("replies", "rsj.jining.gov.cn", "济宁市人力资源和社会保障局", "济宁市人力资源和社会保障局", "3708000045", annual_report="late")
    site.columns = [
        ColumnSpec("gzdt", "工作动态", "工作动态", _entries([("全市人社系统开展根治欠薪冬季专项行动", 1),
                                                        ("市人社局举办高校毕业生专场招聘会", 6), ("市人社局开展社保基金监督检查", 12)]),
                   on_home=True),
        ColumnSpec("tzgg", "通知公告", "通知公告", _entries([("关于2026年度职称评审工作的通知", 5), ("关于发放一次性扩岗补助的公告", 33)], 4),
                   on_home=True),
        ColumnSpec("zcwj", "政策文件", "政策文件", _entries([("济宁市就业补助资金管理办法", 25)], 7)),
    ]
    deficient = ["就业创业证申领", "失业保险金申领", "职业技能提升补贴申领", "社会保障卡补换", "灵活就业人员参保登记"]
    guides = [Entry(f"{name}办事指南", 20 + i, guide_table([("事项名称", name), ("办理地点", "市人社局服务大厅"),
                                                          ("联系电话", site.phone), ("设定依据", "暂无")]), post=201 + i)
              for i, name in enumerate(deficient)]
    guides += [
        Entry("企业职工基本养老保险关系转移接续办事指南", 18, guide_table([
            ("服务名称", "企业职工基本养老保险关系转移接续"), ("法律依据", "《中华人民共和国社会保险法》"), ("受理条件", "参保人员跨统筹地区就业"),
            ("申请材料", "居民身份证、参保缴费凭证"), ("受理地点", "市人社局服务大厅"), ("办公时间", "工作日上午9:00-12:00"),
            ("咨询电话", site.phone), ("办理程序", "申请、受理、审核、办结")]), post=211),
    ]
    site.columns.append(ColumnSpec("zwfw", "政务服务", "办事服务", guides))
    site.columns += [ColumnSpec("hdjl/zxzx", "在线咨询", "互动交流", body=""),
                     ColumnSpec("hdjl/wsxf", "网上信访", "互动交流", body=""),
                     ColumnSpec("hdjl/zxft", "在线访谈", "互动交流", _entries([("就业政策在线访谈", 150)]))]
    docs = build_site(site, today)
    on_time, late = _late(today, cal)
    overdue = Message("工伤认定申请进度咨询", day(today, 130), None)
    _consult(site, docs, [*on_time, *late, overdue])
    docs.html(site.host, "/hdjl/wsxf/", page(site, f"网上信访_{site.name}", (
        '<h2>网上信访</h2><p><a href="https://www.sdxf.gov.cn/">山东省网上信访平台</a></p>'
        + message_table(site, [Message("反映某企业拖欠工资问题", day(today, 150), None)])),
        {"ColumnName": "网上信访", "ColumnDescription": "网上信访", "ColumnKeywords": "信访", "ColumnType": "互动交流"}))
    docs.html("www.sdxf.gov.cn", "/", '<!doctype html><html><head><meta charset="utf-8"><title>山东省网上信访平台</title></head>'
                                      "<body>山东省网上信访平台</body></html>")
    return BuiltSite(site, docs)


# ---- 10. a department: unreachable, identity, error entrance, search, changed links, a script ----

DOUYIN, UNFILED_DOUYIN = "www.douyin.com", "/user/MS4wLjABAAAAjnzrghj2026"
WEIBO, WEIBO_POST = "weibo.com", "/5800000046/P1a2b3c4d"


def natural_resources(today: date, cal: WorkingCalendar) -> BuiltSite:
    site = _site("misc", "zrghj.jining.gov.cn", "济宁市自然资源和规划局", "济宁市自然资源和规划局", "3708000046", annual_report="missing",
                 emblem="superseded")
    site.links += [("https://www.zj.gov.cn/", "浙江省人民政府"), ("https://www.beijing.gov.cn/", "北京市人民政府"),
                   ("https://www.old-partner.com/", "国土资源网")]
    site.columns = [
        ColumnSpec("gzdt", "工作动态", "工作动态", [
            Entry("市自然资源和规划局召开耕地保护工作会议", 2, CLEAN[0]),
            Entry("我市严厉打击非法占用耕地行为", 4, (
                '<p>据<a href="https://www.people.com.cn/n1/2026/dbdj.html">人民网报道</a>，各地持续开展打击赌博和非法占地专项行动。</p>')),
            Entry("市自然资源和规划局开展国土空间规划宣传", 7, CLEAN[3])], on_home=True),
        ColumnSpec("tzgg", "通知公告", "通知公告", _entries([("关于国有建设用地使用权挂牌出让的公告", 3), ("关于不动产登记窗口调整的通知", 28)], 4),
                   on_home=True),
        ColumnSpec("zcwj", "政策文件", "政策文件", _entries([("济宁市国土空间总体规划", 40)], 7)),
    ]
    site.columns.append(_service(site))
    _with_consult(site)
    docs = build_site(site, today, home_extra=(
        '<script src="https://hm.baidu.com/hm.js?8a1b2c3d4e5f"></script>'
        '<script src="https://js.bocai-tj.com/tj.js"></script>'
        # 关注我们: an account's profile nobody filed, and a post (not a profile) on another platform.
        f'<div class="box">关注我们：<a href="https://{DOUYIN}{UNFILED_DOUYIN}">济宁自然资源（抖音）</a>　'
        f'<a href="https://{WEIBO}{WEIBO_POST}">转发：耕地保护宣传月</a></div>'
        # QR codes: a 公众号 named only in its caption, nobody filed it; the provincial app and the
        # national portal's account are not the unit's accounts.
        '<div class="ewm"><img src="/images/wx_ewm.png" alt="二维码" width="88" height="88">'
        '<p>微信公众号：济宁自然资源发布</p></div>'
        '<div class="ewm"><img src="/images/app_ewm.png" alt="二维码" width="88" height="88">'
        '<p>扫码下载“爱山东”客户端</p></div>'
        '<div class="ewm"><img src="/images/zf_ewm.png" alt="二维码" width="88" height="88">'
        '<p>微信公众号：中国政府网</p></div>'))
    for qr in ("wx_ewm", "app_ewm", "zf_ewm"):
        docs[(site.host, f"/images/{qr}.png")] = Doc(png(88, 88), "image/png")
    for host, path, title in ((DOUYIN, UNFILED_DOUYIN, "济宁自然资源的抖音"), (WEIBO, WEIBO_POST, "耕地保护宣传月")):
        docs.html(host, path, f'<!doctype html><html><head><meta charset="utf-8"><title>{title}</title></head>'
                              f"<body><h1>{title}</h1></body></html>")
    _consult(site, docs, timely_messages(today, cal, ["不动产登记需要预约吗", "宅基地审批流程"]))
    docs.edit(site.host, "/", f"网站标识码：{site.code}", "网站标识码：3708000099")
    docs.edit(site.host, "/", f'<a href="https://zfwzgl.www.gov.cn/exposure/jiucuo.html?site_code={site.code}">'
                              '<img src="/images/jiucuo.png" alt="我为政府网站找错" width="88" height="31"></a>', "")
    docs.html(site.host, "/search/", page(site, f"搜索结果_{site.name}", "<h2>搜索结果</h2><p>共找到0条结果</p>"))
    docs.html("www.old-partner.com", "/", GAMBLING_PAGE.format(t="澳门金沙娱乐城"))
    docs.html("www.people.com.cn", "/n1/2026/dbdj.html", (
        '<!doctype html><html><head><meta charset="utf-8"><title>多地开展打击赌博专项行动</title></head>'
        "<body><h1>多地开展打击赌博专项行动</h1><p>公安机关持续开展打击整治行动，维护社会治安稳定。</p></body></html>"))
    docs[("js.bocai-tj.com", "/tj.js")] = Doc(b"var _tj = 1;", "application/javascript")
    docs[("hm.baidu.com", "/hm.js")] = Doc(b"var _hmt = _hmt || [];", "application/javascript")
    return BuiltSite(site, docs, probes=(168, 14))


BUILDERS = [control, portal, script_site, traditional, education, civil_affairs, culture, transport,
            human_resources, natural_resources]


def all_sites(today: date, cal: WorkingCalendar | None = None) -> list[BuiltSite]:
    """Every corpus site, dated for the monitoring date."""
    cal = cal or WorkingCalendar.bundled()
    return [build(today, cal) for build in BUILDERS]

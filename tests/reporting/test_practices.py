"""Typical practices: units submit and revise (every version kept), supervisors edit and
shortlist, the circular's 主要做法 is drafted from them with the units named, in every format."""

from __future__ import annotations

from typing import Any

from shared.principal import Role
from tests.registry.factories import JINAN, org, region_tree, token
from tests.reporting.conftest import Reporting

CITY = token([Role.supervisor], regions=["370100"], subject="jn-gkb")


async def _units(rep: Reporting) -> tuple[dict[str, Any], dict[str, Any], dict[str, str], dict[str, str]]:
    await region_tree(rep.registry, *JINAN)
    a = await org(rep.registry, "370102", name="历下区教育和体育局", kind="county_department")
    b = await org(rep.registry, "370103", name="市中区民政局", kind="county_department")
    return a, b, token([Role.unit], organisations=[a["id"]]), token([Role.unit], organisations=[b["id"]])


async def _submit(rep: Reporting, unit: dict[str, str], org_id: str, title: str, text: str,
                  **extra: Any) -> dict[str, Any]:
    r = await rep.client.post("/practices", headers=unit, json={
        "organisation_id": org_id, "title": title, "text": text, **extra})
    assert r.status_code == 201, r.text
    return dict(r.json())


async def test_versions_are_kept_and_the_unit_cannot_edit_once_shortlisted(reporting: Reporting) -> None:
    rep = reporting
    a, _, unit_a, unit_b = await _units(rep)
    p = await _submit(rep, unit_a, a["id"], "推行“三审三校”", "信息发布前三审三校。")
    assert p["organisation_name"] == "历下区教育和体育局" and p["region_code"] == "370102"
    r = await rep.client.patch(f"/practices/{p['id']}", headers={**unit_a, "If-Match": '"1"'},
                               json={"text": "信息发布前实行三审三校，专人负责。"})
    assert r.status_code == 200, r.text
    r = await rep.client.patch(f"/practices/{p['id']}", headers={**unit_a, "If-Match": '"1"'},
                               json={"text": "过时的修改"})
    assert r.status_code == 412, r.text
    draft = (await rep.client.post("/circulars", headers=CITY, json={
        "region_code": "370100", "quarter": "2026Q4", "issuing_office": "济南市人民政府办公厅"})).json()
    r = await rep.client.post(f"/practices/{p['id']}/shortlist", headers=unit_a,
                              json={"circular_id": draft["id"]})
    assert r.status_code == 403, r.text
    r = await rep.client.post(f"/practices/{p['id']}/shortlist", headers=CITY,
                              json={"circular_id": draft["id"]})
    assert r.status_code == 200 and r.json()["status"] == "shortlisted", r.text
    etag = r.headers.get("etag") or f'"{r.json()["version"]}"'
    r = await rep.client.patch(f"/practices/{p['id']}", headers={**unit_a, "If-Match": etag},
                               json={"text": "入选后单位再改"})
    assert r.status_code == 409, r.text
    r = await rep.client.patch(f"/practices/{p['id']}", headers={**CITY, "If-Match": etag},
                               json={"title": "实行信息发布“三审三校”"})
    assert r.status_code == 200, r.text
    got = (await rep.client.get(f"/practices/{p['id']}", headers=unit_a)).json()
    assert [(v["version"], v["edited_as"], v["text"][:6]) for v in got["versions"]] == [
        (1, "unit", "信息发布前三"), (2, "unit", "信息发布前实"), (3, "supervisor", "信息发布前实")]
    assert got["versions"][-1]["title"] == "实行信息发布“三审三校”"

    # The other unit sees nothing of it and cannot submit for another unit.
    assert (await rep.client.get("/practices", headers=unit_b)).json()["total"] == 0
    assert (await rep.client.get(f"/practices/{p['id']}", headers=unit_b)).status_code == 404
    r = await rep.client.post("/practices", headers=unit_b, json={
        "organisation_id": a["id"], "title": "冒名", "text": "冒名提交"})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "organisation_id", r.text


async def test_the_practices_section_is_drafted_from_the_chosen_ones_in_every_format(
        reporting: Reporting) -> None:
    rep = reporting
    a, b, unit_a, unit_b = await _units(rep)
    first = await _submit(rep, unit_a, a["id"], "健全工作机制", "建立日巡查制度。\n问题24小时内整改。",
                          links=["https://jyj.lixia.gov.cn/art/1.html"])
    second = await _submit(rep, unit_b, b["id"], "强化内容保障", "完善信息发布审核流程。")
    left_out = await _submit(rep, unit_b, b["id"], "未入选的做法", "不应出现在通报中。")
    draft = (await rep.client.post("/circulars", headers=CITY, json={
        "region_code": "370100", "quarter": "2026Q4", "issuing_office": "济南市人民政府办公厅"})).json()
    for p, position in ((second, 2), (first, 1)):
        r = await rep.client.post(f"/practices/{p['id']}/shortlist", headers=CITY,
                                  json={"circular_id": draft["id"], "position": position})
        assert r.status_code == 200, r.text
    r = await rep.client.post(f"/practices/{left_out['id']}/decline", headers=CITY,
                              json={"note": "与往期重复"})
    assert r.json()["status"] == "declined" and r.json()["decision_note"] == "与往期重复"
    r = await rep.client.post(f"/circulars/{draft['id']}/practices/draft", headers=CITY,
                              json={"opening": "各单位形成了一批好的做法。"})
    assert r.status_code == 200, r.text
    assert r.json()["narrative"]["practices"].split("\n") == [
        "各单位形成了一批好的做法。",
        "（一）健全工作机制。历下区教育和体育局：建立日巡查制度。问题24小时内整改。"
        "（相关链接：https://jyj.lixia.gov.cn/art/1.html）",
        "（二）强化内容保障。市中区民政局：完善信息发布审核流程。"]
    for fmt in ("html", "md"):
        doc = await rep.client.get(f"/circulars/{draft['id']}/document", headers=CITY,
                                   params={"format": fmt})
        assert doc.status_code == 200, doc.text
        text = doc.text
        assert "主要做法" in text and "健全工作机制" in text and "市中区民政局：完善信息发布审核流程" in text
        assert "未入选的做法" not in text
        assert text.index("健全工作机制") < text.index("强化内容保障"), fmt

    # Published: the write-ups are frozen, and the units they name see the circular.
    assert (await rep.client.get(f"/circulars/{draft['id']}", headers=unit_b)).status_code == 404
    r = await rep.client.post(f"/circulars/{draft['id']}/publish", headers=CITY,
                              json={"number": "济政公开办〔2026〕20号"})
    assert r.status_code == 200, r.text
    assert [c["id"] for c in (await rep.client.get("/circulars", headers=unit_b)).json()] == [draft["id"]]
    etag = (await rep.client.get(f"/practices/{second['id']}", headers=CITY)).headers["etag"]
    r = await rep.client.patch(f"/practices/{second['id']}", headers={**CITY, "If-Match": etag},
                               json={"text": "发布后再改"})
    assert r.status_code == 409, r.text
    r = await rep.client.delete(f"/practices/{second['id']}/shortlist", headers=CITY)
    assert r.status_code == 409, r.text

"""Emblem references through the checker API: load, list, refuse, remove."""

from __future__ import annotations

import base64

from services.checker.support.phash import phash
from shared.principal import Role
from tests.checker.emblemfixture import emblem
from tests.integration.conftest import Suite
from tests.registry.factories import token


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


async def test_a_national_administrator_loads_current_and_superseded_references(suite: Suite) -> None:
    for name, version in (("国徽（现行版）", "current"), ("国徽（旧版）", "superseded")):
        r = await suite.client.post("/emblems", json={"name": name, "status": version,
                                                      "image": _b64(emblem(version))})
        assert r.status_code == 201, r.text
        assert r.json()["phash"] == phash(emblem(version)) and r.json()["width"] == 256
    listed = (await suite.client.get("/emblems")).json()
    assert [(e["name"], e["status"]) for e in listed] == [("国徽（现行版）", "current"), ("国徽（旧版）", "superseded")]
    r = await suite.client.delete(f"/emblems/{listed[1]['id']}")
    assert r.status_code == 204
    assert [e["status"] for e in (await suite.client.get("/emblems")).json()] == ["current"]
    r = await suite.client.delete(f"/emblems/{listed[1]['id']}")
    assert r.status_code == 404 and r.headers["content-type"].startswith("application/problem+json")


async def test_bad_images_and_other_callers_are_refused(suite: Suite) -> None:
    for image, why in (("不是base64", "base64"), (_b64(b"<svg xmlns='http://www.w3.org/2000/svg'/>"), "无法识别")):
        r = await suite.client.post("/emblems", json={"name": "国徽", "status": "current", "image": image})
        assert r.status_code == 422, r.text
        assert r.headers["content-type"].startswith("application/problem+json")
        assert "image" in r.json()["detail"] and why in r.json()["detail"]
    r = await suite.client.post("/emblems", json={"name": "国徽", "status": "old", "image": _b64(emblem("current"))})
    assert r.status_code == 422 and "status" in r.text
    supervisor = token(regions=["370102"], roles=[Role.supervisor], subject="lixia")
    r = await suite.client.post("/emblems", headers=supervisor, json={
        "name": "国徽", "status": "current", "image": _b64(emblem("current"))})
    assert r.status_code == 403, r.text
    assert (await suite.client.get("/emblems")).json() == []

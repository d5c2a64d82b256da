"""deduct.emblem: header emblems compared by perceptual hash with the loaded references."""

from __future__ import annotations

from services.checker.emblem.collect import CollectSettings, candidates
from services.checker.ground.site import EmblemImage, EmblemReference, Link, Page, SiteSnapshot
from services.checker.inspect.evaluate import evaluate
from services.checker.inspect.pipeline import Inspector
from services.checker.inspect.scoring import score
from services.checker.profile.loader import national_profile
from services.checker.rules.params import WordLists
from services.checker.rules.site import emblem
from services.checker.support.phash import phash
from tests.checker.cleansite import HOST, documents, snapshot
from tests.checker.emblemfixture import emblem as artwork

CODE = "deduct.emblem"
HOME = f"https://{HOST}/"
CURRENT = EmblemReference(name="国徽（现行版）", status="current", phash=phash(artwork("current")))
OLD = EmblemReference(name="国徽（旧版）", status="superseded", phash=phash(artwork("superseded")))


def site_with(*images: bytes, refs: tuple[EmblemReference, ...] = (CURRENT, OLD)) -> SiteSnapshot:
    site = snapshot(documents())
    site.emblems = [EmblemImage(url=f"{HOME}images/guohui{i}.jpg", parent_url=HOME, phash=phash(data),
                                text="国徽", position="div.header > img", rect=(10, 10, 64, 64))
                    for i, data in enumerate(images)]
    site.emblem_references = list(refs)
    return site


def found(site: SiteSnapshot) -> list:  # type: ignore[type-arg]
    return evaluate(site, national_profile(), WordLists(), only={CODE})


def test_a_rescaled_copy_of_the_superseded_emblem_is_deducted_with_its_place() -> None:
    [f] = found(site_with(artwork("superseded", 72, "JPEG")))
    assert (f.severity, f.points, f.parent_url, f.position) == ("deduct", 1.0, HOME, "div.header > img")
    assert "国徽（旧版）" in f.message and f.element_rect == (10, 10, 64, 64)
    assert f.detail["distance"] <= 10 < f.detail["distance_current"]
    assert score([f], national_profile()["scoring"], provides_services=True).score == 99.0


def test_the_current_emblem_and_an_unrelated_header_picture_pass() -> None:
    assert found(site_with(artwork("current", 64, "JPEG"))) == []
    banner = documents()[(HOST, "/images/banner.png")].body  # a plain red picture in the header
    assert found(site_with(banner)) == []


def test_nothing_is_judged_without_a_reference_and_the_note_says_so() -> None:
    site = site_with(artwork("superseded"), refs=())
    assert found(site) == []
    assert emblem.reference_note(site) is not None
    notes = Inspector._notes(site, national_profile(), None)
    assert [n["kind"] for n in notes if n["kind"] == "emblem_unjudged"] == ["emblem_unjudged"]
    assert "未加载国徽参考图" in notes[0]["message"]
    assert emblem.reference_note(site_with(artwork("current"))) is None


def test_only_current_references_judge_nothing() -> None:
    assert found(site_with(artwork("superseded"), refs=(CURRENT,))) == []


def test_candidates_are_named_or_in_the_header_including_injected_ones() -> None:
    def img(url: str, text: str = "", position: str = "div.main > img", rect=None, injected=False) -> Link:  # type: ignore[no-untyped-def]
        return Link(url=f"{HOME}{url}", parent_url=HOME, tag="img", text=text, position=position,
                    rect=rect, injected=injected)
    home = Page(url=HOME, final_url=HOME, status=200, depth=0, parent_url=None, links=[
        img("a/photo1.jpg"), img("a/gh.png", text="中华人民共和国国徽"), img("a/guohui.png"),
        img("a/logo.png", position="div.header > a > img"), img("a/x.png", rect=(0, 20, 80, 80), injected=True),
        img("a/news.jpg", rect=(0, 600, 300, 200)), Link(url=f"{HOME}guohui.html", parent_url=HOME, tag="a")])
    chosen = candidates(home, CollectSettings(("国徽", "guohui"), max_images=10, max_bytes=1, header_band_px=220))
    assert [c.url.rsplit("/", 1)[-1] for c in chosen] == ["gh.png", "guohui.png", "logo.png", "x.png"]
    assert len(candidates(home, CollectSettings(("国徽",), 1, 1, 220))) == 1

"""Rule deduct.emblem (国徽图案): a site still shows a superseded national emblem.

Rule: each candidate emblem image of the home page (named or described as 国徽, or in the
header, including images inserted by scripts; emblem/collect.py) is compared by perceptual hash
(64-bit pHash, Hamming distance) with the reference images loaded through the API. An image
within `max_distance` of a superseded reference, and nearer to it than to any current one, is
deducted `points`. An image matching a current reference passes; one matching nothing is not
an emblem. With no reference loaded nothing is judged: the run's notes say so
(`reference_note`).
Indicator: 国徽图案. Source: 2025 quarterly circulars (新版国徽替换: sites replace the emblem
image with the current artwork); RULES.md "Duties the newest circulars check". The distance
threshold and the points are not public: profile values (自定; 10 of 64 bits is imagehash's
usual "same picture" bound for rescaled or recompressed copies).

Passing: a header <img src="/images/guohui.png" alt="国徽"> whose hash is 3 bits from the
current reference and 30 from the superseded one.
Failing: the same image 2 bits from the superseded reference.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from services.checker.ground.finding import FindingDraft
from services.checker.ground.site import SiteSnapshot
from services.checker.support.phash import distance

CODE = "deduct.emblem"
INDICATOR = "国徽图案"


class Params(BaseModel):
    model_config = ConfigDict(extra="ignore")

    name_hints: list[str] = Field(min_length=1)
    max_images: int = Field(ge=1)
    max_distance: int = Field(ge=0, le=32)
    points: float = Field(ge=0)


def reference_note(site: SiteSnapshot) -> dict[str, Any] | None:
    """Say that emblems were not judged for want of a reference image, or None when one is loaded."""
    if site.emblem_references:
        return None
    return {"kind": "emblem_unjudged", "rule": CODE,
            "message": "未加载国徽参考图（POST /emblems），本次未检查网站使用的国徽图案是否为现行版"}


def check(site: SiteSnapshot, params: Params) -> list[FindingDraft]:
    """Report each emblem image that matches a superseded reference better than a current one."""
    refs = site.emblem_references
    current = [r for r in refs if r.status == "current"]
    old = [r for r in refs if r.status == "superseded"]
    if not old:
        return []
    findings = []
    for image in site.emblems:
        near_old = min(old, key=lambda r: distance(image.phash, r.phash))
        gap_old = distance(image.phash, near_old.phash)
        gap_current = min((distance(image.phash, r.phash) for r in current), default=64)
        if gap_old > params.max_distance or gap_old >= gap_current:
            continue
        findings.append(FindingDraft(
            rule=CODE, indicator=INDICATOR, severity="deduct",
            message=f"页面使用的国徽图案与已废止的“{near_old.name}”一致（感知哈希相差 {gap_old} 位），"
                    "未替换为现行版国徽",
            locator=f"emblem:{image.url}", url=image.url, parent_url=image.parent_url,
            position=image.position, element_rect=image.rect, offending=image.text or image.url,
            suggestion="按现行版国徽图案替换网站页面中的国徽图片", points=params.points,
            detail={"kind": "emblem_superseded", "reference": near_old.name, "distance": gap_old,
                    "distance_current": gap_current if current else None, "phash": image.phash,
                    "injected": image.injected}))
    return findings

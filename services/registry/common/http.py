"""ETag / If-Match handling, so a concurrent edit never silently overwrites another."""

from __future__ import annotations

from fastapi import Response

from shared.errors import PreconditionFailed, PreconditionRequired


def etag(version: int) -> str:
    """The entity tag of a row version."""
    return f'"{version}"'


def set_etag(response: Response, version: int) -> None:
    """Expose a row's version as its ETag."""
    response.headers["ETag"] = etag(version)


def check_if_match(if_match: str | None, version: int, *, required: bool = True) -> None:
    """Refuse a write made against a version other than the current one."""
    if if_match is None:
        if required:
            raise PreconditionRequired(
                f"修改须携带请求头 If-Match（当前版本 ETag 为 {etag(version)}），"
                "以免覆盖他人的修改。", current_etag=etag(version))
        return
    tags = [t.strip().removeprefix("W/") for t in if_match.split(",")]
    if "*" in tags or etag(version) in tags:
        return
    raise PreconditionFailed(
        f"If-Match 为 {if_match}，而当前版本为 {etag(version)}："
        "数据已被他人修改，请重新读取后再提交。",
        current_etag=etag(version))

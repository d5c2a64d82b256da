"""The evidence store: content-addressed, idempotent, atomic, and closed to path tricks."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from services.checker.evidence import EvidenceStore

PNG = b"\x89PNG\r\n\x1a\n" + b"screenshot of a dark link" * 10


def test_round_trip_by_content_hash(tmp_path: Path) -> None:
    store = EvidenceStore(tmp_path)
    evidence_id = store.put(PNG)
    assert evidence_id == hashlib.sha256(PNG).hexdigest()
    assert store.open(evidence_id) == PNG
    assert store.path(evidence_id) == tmp_path / evidence_id[:2] / evidence_id[2:4] / f"{evidence_id}.png"
    assert store.exists(evidence_id)


def test_storing_the_same_picture_twice_keeps_one_file(tmp_path: Path) -> None:
    store = EvidenceStore(tmp_path)
    first, second = store.put(PNG), store.put(PNG)
    assert first == second
    assert [p.name for p in tmp_path.rglob("*") if p.is_file()] == [f"{first}.png"]  # no temp files left


def test_other_kinds_keep_their_extension(tmp_path: Path) -> None:
    store = EvidenceStore(tmp_path)
    evidence_id = store.put(b"<html>page copy</html>", ext="html")
    assert store.path(evidence_id).suffix == ".html"
    with pytest.raises(ValueError):
        store.put(b"x", ext="../png")


def test_unknown_id_is_not_found(tmp_path: Path) -> None:
    store = EvidenceStore(tmp_path)
    missing = "0" * 64
    assert not store.exists(missing)
    with pytest.raises(FileNotFoundError):
        store.open(missing)


@pytest.mark.parametrize("bad", [
    "../../etc/passwd", "a" * 63, "a" * 65, "A" * 64, "g" * 64, "/" + "a" * 63, "ab/cd/" + "a" * 58, "",
])
def test_ids_that_are_not_a_sha256_are_refused(tmp_path: Path, bad: str) -> None:
    store = EvidenceStore(tmp_path)
    with pytest.raises(ValueError):
        store.open(bad)
    with pytest.raises(ValueError):
        store.path(bad)


def test_default_root_is_under_the_var_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GOVINSPECT_VAR_DIR", str(tmp_path))
    store = EvidenceStore()
    evidence_id = store.put(PNG)
    stored = tmp_path / "evidence" / evidence_id[:2] / evidence_id[2:4] / f"{evidence_id}.png"
    assert stored.read_bytes() == PNG

"""Evidence files (screenshots, page copies) stored by content hash, so one picture is kept once."""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from pathlib import Path

from shared.config import var_dir

_ID = re.compile(r"[0-9a-f]{64}")
_EXT = re.compile(r"[a-z0-9]{1,8}")


class EvidenceStore:
    """Content-addressed files under root: ab/cd/<sha256>.<ext>, written atomically."""

    def __init__(self, root: Path | str | None = None) -> None:
        self.root = Path(root) if root is not None else var_dir() / "evidence"

    def put(self, data: bytes, ext: str = "png") -> str:
        """Store data (once) and return its id, the SHA-256 hex digest."""
        if not _EXT.fullmatch(ext):
            raise ValueError(f"invalid evidence extension: {ext!r}")
        evidence_id = hashlib.sha256(data).hexdigest()
        target = self._dir(evidence_id) / f"{evidence_id}.{ext}"
        if target.exists():
            return evidence_id
        target.parent.mkdir(parents=True, exist_ok=True)
        # Readers never see half a file: write aside, then rename into place.
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-", suffix=f".{ext}")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.chmod(tmp, 0o644)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return evidence_id

    def path(self, evidence_id: str) -> Path:
        """Return the file of an id; FileNotFoundError when nothing is stored under it."""
        for candidate in sorted(self._dir(evidence_id).glob(f"{evidence_id}.*")):
            return candidate
        raise FileNotFoundError(f"no evidence {evidence_id}")

    def open(self, evidence_id: str) -> bytes:
        """Return the stored bytes of an id."""
        return self.path(evidence_id).read_bytes()

    def exists(self, evidence_id: str) -> bool:
        """Whether anything is stored under the id."""
        try:
            self.path(evidence_id)
        except FileNotFoundError:
            return False
        return True

    def _dir(self, evidence_id: str) -> Path:
        # Only a 64-hex id names a file: no "..", separators or other names get through.
        if not isinstance(evidence_id, str) or not _ID.fullmatch(evidence_id):
            raise ValueError(f"invalid evidence id: {evidence_id!r}")
        return self.root / evidence_id[:2] / evidence_id[2:4]

"""A TypeScript client generated from the merged document (openapi-typescript) type-checks.

The npm tools are pinned in tests/gateway/ts/package-lock.json and installed with `npm ci` once
per lock file into a cache directory. Node and npm are required: without them the test fails.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
from pathlib import Path

from tests.gateway.conftest import Gateway

TS = Path(__file__).parent / "ts"


def _tools() -> Path:
    """The directory holding node_modules with the pinned tools (installed on first use)."""
    npm = shutil.which("npm")
    assert npm is not None, "npm is required (Node 20+): install nodejs and npm"
    lock = (TS / "package-lock.json").read_bytes()
    cache = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "govinspect"
    target = cache / f"ts-tools-{hashlib.sha256(lock).hexdigest()[:16]}"
    if not (target / "node_modules" / ".bin" / "tsc").exists():
        target.mkdir(parents=True, exist_ok=True)
        for name in ("package.json", "package-lock.json"):
            shutil.copy(TS / name, target / name)
        run = subprocess.run([npm, "ci", "--ignore-scripts", "--no-audit", "--no-fund"],
                             cwd=target, capture_output=True, text=True, timeout=180)
        assert run.returncode == 0, run.stdout + run.stderr
    return target


def _run(args: list[str], cwd: Path) -> str:
    done = subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, f"{' '.join(args)}:\n{done.stdout}\n{done.stderr}"
    return done.stdout


async def test_generated_typescript_client_type_checks(full_gateway: Gateway,
                                                      tmp_path: Path) -> None:
    doc = (await full_gateway.client.get("/openapi.json")).json()
    (tmp_path / "openapi.json").write_text(json.dumps(doc, ensure_ascii=False))
    bin_dir = _tools() / "node_modules" / ".bin"
    # A request field with a default may be left out: without the flag openapi-typescript
    # would make every defaulted field required.
    _run([str(bin_dir / "openapi-typescript"), "openapi.json", "-o", "schema.d.ts",
          "--default-non-nullable=false"], tmp_path)
    schema = (tmp_path / "schema.d.ts").read_text()
    assert '"/api/v1/websites"' in schema and "registerWebsite" in schema
    for name in ("client.ts", "tsconfig.json"):
        shutil.copy(TS / name, tmp_path / name)
    _run([str(bin_dir / "tsc"), "-p", "tsconfig.json", "--noEmit", "--strict"], tmp_path)

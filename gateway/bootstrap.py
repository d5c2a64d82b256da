"""Create the first administrator API key once: `python -m gateway.bootstrap`.

The key goes to `<var>/admin.key` (mode 600) and is printed once. Run again, it makes no new
key while an administrator key is active and says where the key is; `--reissue` revokes the
bootstrap key and makes a new one (for a lost file).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlmodel import col, select

from gateway.auth import service
from gateway.auth.models import ApiKey
from gateway.auth.schemas import CredentialCreate
from gateway.config import GatewaySettings
from shared.clock import Clock, SystemClock
from shared.config import var_dir
from shared.db import is_sqlite, make_engine, make_sessionmaker
from shared.principal import Principal, Role

BOOTSTRAP_NAME = "初始管理员（bootstrap）"
SYSTEM = Principal(subject="bootstrap", name="网关初始化", roles=[Role.administrator],
                   all_regions=True)


@dataclass(frozen=True)
class Outcome:
    """What a bootstrap run did: the key file, and the new key if one was made."""

    created: bool
    path: Path
    key: str | None = None


def _write_private(path: Path, text: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        os.fchmod(fh.fileno(), 0o600)  # a file left by an older run may be more open
        fh.write(text + "\n")


async def bootstrap(settings: GatewaySettings | None = None, var: Path | None = None,
                    clock: Clock | None = None, *, reissue: bool = False) -> Outcome:
    """Make the first administrator key unless an active one exists; save it under `var`."""
    settings = settings or GatewaySettings()
    path = (var or var_dir()) / "admin.key"
    now = (clock or SystemClock()).now()
    url = settings.resolved_database_url()
    engine = make_engine(url, None if is_sqlite(url) else settings.db_schema)
    try:
        async with make_sessionmaker(engine)() as session:
            keys = (await session.scalars(select(ApiKey).where(
                col(ApiKey.revoked_at).is_(None)))).all()
            admins = [k for k in keys if Role.administrator.value in k.roles
                      and service.status_of(k, now) == "active"]
            if admins and not reissue:
                return Outcome(False, path)
            for old in admins:
                if old.name == BOOTSTRAP_NAME:
                    await service.revoke(session, old, now)
            body = CredentialCreate(name=BOOTSTRAP_NAME, roles=[Role.administrator],
                                    all_regions=True)
            _, key = await service.create(session, ApiKey, SYSTEM, body, [], now, SYSTEM.subject)
            # The file is complete before the key exists, and holds it only once it does.
            path.parent.mkdir(parents=True, exist_ok=True)
            pending = path.with_name(path.name + ".new")
            _write_private(pending, key)
            try:
                await session.commit()
            except BaseException:
                with contextlib.suppress(OSError):
                    pending.unlink()
                raise
            os.replace(pending, path)
            return Outcome(True, path, key)
    finally:
        await engine.dispose()


def main(argv: Sequence[str] | None = None) -> int:
    """Run the bootstrap from the command line."""
    parser = argparse.ArgumentParser(prog="python -m gateway.bootstrap",
                                     description="创建首个管理员 API 密钥（已有则不再创建）。")
    parser.add_argument("--reissue", action="store_true",
                        help="吊销初始管理员密钥并重新签发（密钥文件遗失时用）")
    parser.add_argument("--json", action="store_true", help="以 JSON 输出结果（供 deploy.local 使用）")
    args = parser.parse_args(argv)
    outcome = asyncio.run(bootstrap(reissue=args.reissue))
    if args.json:
        print(json.dumps({"created": outcome.created, "path": str(outcome.path),
                          "key": outcome.key}, ensure_ascii=False))
    elif outcome.created:
        print(f"已创建管理员 API 密钥（仅显示这一次；已写入 {outcome.path}，权限 600）：")
        print(f"  {outcome.key}")
    elif outcome.path.exists():
        print(f"管理员 API 密钥已存在，见 {outcome.path}")
    else:
        print(f"管理员 API 密钥已存在，但 {outcome.path} 不在本机；"
              "如已遗失，运行 python -m gateway.bootstrap --reissue 重新签发。")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Seed the province-level divisions of GB/T 2260 and the national root.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PROVINCES = {
    "110000": "北京市", "120000": "天津市", "130000": "河北省", "140000": "山西省",
    "150000": "内蒙古自治区", "210000": "辽宁省", "220000": "吉林省", "230000": "黑龙江省",
    "310000": "上海市", "320000": "江苏省", "330000": "浙江省", "340000": "安徽省",
    "350000": "福建省", "360000": "江西省", "370000": "山东省", "410000": "河南省",
    "420000": "湖北省", "430000": "湖南省", "440000": "广东省", "450000": "广西壮族自治区",
    "460000": "海南省", "500000": "重庆市", "510000": "四川省", "520000": "贵州省",
    "530000": "云南省", "540000": "西藏自治区", "610000": "陕西省", "620000": "甘肃省",
    "630000": "青海省", "640000": "宁夏回族自治区", "650000": "新疆维吾尔自治区",
}

region = sa.table("region", sa.column("code", sa.String), sa.column("name", sa.String),
                  sa.column("parent_code", sa.String), sa.column("level", sa.String))


def upgrade() -> None:
    # 100000 is the GB/T 2260 code of the nation; State Council departments sit there.
    rows = [{"code": "100000", "name": "中央", "parent_code": None, "level": "national"}]
    rows += [{"code": c, "name": n, "parent_code": None, "level": "province"}
             for c, n in PROVINCES.items()]
    op.bulk_insert(region, rows)


def downgrade() -> None:
    op.execute(region.delete().where(region.c.code.in_(["100000", *PROVINCES])))

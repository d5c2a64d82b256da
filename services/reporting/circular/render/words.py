"""Words of a circular that depend on its region and on what was checked: 全市, 各区县, 网站/账号,
and whom it is addressed to (主送机关)."""

from __future__ import annotations

from services.reporting.circular.content import CircularData


class Words:
    """Words that depend on the region and on what was checked: 全市, 各区县, 网站/账号."""

    def __init__(self, data: CircularData) -> None:
        name = data.region_name
        self.scope = "全区" if name.endswith("自治区") else (
            f"全{name[-1]}" if name and name[-1] in "省市区县旗" else "全")
        level = region_level(data.region_code)
        self.subregions = {"province": "各市", "municipality": "各区", "city": "各区县"}.get(
            level, "各乡镇（街道）")
        self.rows = {r.target_code: r for r in data.rows}
        self.region_names = {r.region_code: r.region_name for r in data.region_rates}
        self.region_names.update({r.region_code: r.region_name for r in data.rows})
        self.has_accounts = data.accounts_total is not None and data.accounts_total.checked.value > 0
        self.checked_noun = "政府网站和政务新媒体" if self.has_accounts else "政府网站"

    def noun(self, codes: list[str]) -> str:
        return self.noun_of({self.rows[c].target_type for c in codes if c in self.rows})

    def noun_of(self, types: set[str]) -> str:
        if types == {"account"}:
            return "政务新媒体账号"
        return "网站和账号" if "account" in types else "网站"

    def region_of(self, code: str) -> str:
        return self.region_names.get(code, "")


def region_level(code: str) -> str:
    """municipality (直辖市), province, city or county, from a region code."""
    if code[:2] in {"11", "12", "31", "50"} and code[2:] in {"0000", "0100"}:
        return "municipality"
    if code[2:] == "0000":
        return "province"
    return "city" if code[4:] == "00" else "county"


def recipients(code: str, name: str) -> str:
    level = region_level(code)
    if level == "municipality":
        return "各区人民政府，市政府各部门："
    if level == "province":
        if name.endswith("自治区"):
            return "各市、县（区）人民政府，自治区政府各部门、各直属机构："
        return "各市人民政府，省政府各部门、各直属机构："
    if level == "city":
        return "各区县人民政府，市政府各部门："
    return f"各乡镇人民政府、街道办事处，{name[-1:] or '县'}政府各部门："

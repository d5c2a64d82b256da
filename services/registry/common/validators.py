"""Field formats of the registry: 网站标识码, domains, URLs, ICP and 公安 filing numbers."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from shared.errors import named_pattern

SITE_CODE = named_pattern(r"^(\d{10}|bm\d{8})$", "网站标识码应为十位数字，或 bm 加八位数字")
ICP_NUMBER = named_pattern(r"^[\u4e00-\u9fa5]ICP备\d{6,10}号(-\d{1,3})?$",
                           "ICP备案号应形如 鲁ICP备05001234号")
PSB_NUMBER = named_pattern(r"^[\u4e00-\u9fa5]公网安备\s?\d{14}号$",
                           "公安机关备案号应形如 鲁公网安备 37010202000123号")

# The same rules as a pattern the API document carries (labels of letters, digits, Chinese and
# inner hyphens; at least two labels); normalise_domain lower-cases and checks the length too.
_LABEL_PATTERN = r"[A-Za-z0-9\u4e00-\u9fff]([A-Za-z0-9\u4e00-\u9fff-]{0,61}[A-Za-z0-9\u4e00-\u9fff])?"
DOMAIN = named_pattern(rf"^{_LABEL_PATTERN}(\.{_LABEL_PATTERN})+\.?$",
                       "不是有效的域名（如 www.lixia.gov.cn）")
HOME_URL = named_pattern(r"^[Hh][Tt][Tt][Pp][Ss]?://[^\s/?#]+([/?#]\S*)?$",
                         "应为 http 或 https 网址")

_LABEL = re.compile(r"^(?!-)[a-z0-9\u4e00-\u9fff-]{1,63}(?<!-)$")


def normalise_domain(value: str) -> str:
    """Lower-case a domain and check its labels; raise ValueError in Chinese otherwise."""
    domain = value.strip().lower().rstrip(".")
    labels = domain.split(".")
    if len(domain) > 253 or len(labels) < 2 or not all(_LABEL.match(x) for x in labels):
        raise ValueError(f"{value!r} 不是有效的域名")
    return domain


def normalise_domains(values: list[str]) -> list[str]:
    """Normalise a domain list, the first being the main domain; refuse duplicates."""
    out: list[str] = []
    for v in values:
        d = normalise_domain(v)
        if d in out:
            raise ValueError(f"域名 {d} 重复")
        out.append(d)
    if not out:
        raise ValueError("至少需要一个域名")
    return out


def check_home_url(url: str, domains: list[str]) -> str:
    """Check a home URL is http(s) on one of the filed domains or their subdomains."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"{url!r} 不是有效的 http/https 网址")
    host = parts.hostname.lower()
    if not any(host == d or host.endswith("." + d) for d in domains):
        raise ValueError(f"首页网址的主机 {host} 不属于所报域名 {domains}")
    return url.strip()


def is_gov_domain(domain: str) -> bool:
    """Tell whether a domain is under .gov.cn or .政务 (国办函〔2018〕55号)."""
    return domain.endswith(".gov.cn") or domain.endswith(".政务")

"""Hosts and domains: normalised host names, filed domains, host patterns, government suffixes.

Shared by the rules that tell on-site from off-site links (deduct.domain, dark links, external
links, …) and by the crawler, which fetches off-site link targets once per run.
"""

from __future__ import annotations

from urllib.parse import urlsplit


def normalise_host(host: str) -> str:
    """Return a host in lower case, without port or trailing dot, IDNA labels decoded."""
    host = host.strip().lower().rstrip(".")
    if "://" in host:
        host = urlsplit(host).hostname or ""
    host = host.split("/")[0].split(":")[0]
    try:
        # .政务 domains arrive punycoded (xn--zfr164b) from URLs but are filed in Chinese.
        return host.encode("ascii").decode("idna") if "xn--" in host else host
    except UnicodeError:
        return host


def host_of(url: str) -> str:
    """Return the normalised host of a URL ("" when it has none)."""
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        return ""
    return normalise_host(host) if host else ""


def matches_host(host: str, patterns: list[str]) -> bool:
    """Tell whether a host equals a pattern, or lies under a "*.suffix" pattern."""
    for pattern in patterns:
        pattern = pattern.lower()
        if pattern.startswith("*."):
            suffix = normalise_host(pattern[2:])
            if host == suffix or host.endswith("." + suffix):
                return True
        elif host == normalise_host(pattern):
            return True
    return False


def on_site(host: str, domains: list[str]) -> bool:
    """Tell whether a host is a filed domain, a subdomain of one, or the bare form of a www domain."""
    for domain in (normalise_host(d) for d in domains):
        if not domain:
            continue
        if host == domain or host.endswith("." + domain):
            return True
        if domain.startswith("www.") and host == domain[4:]:
            return True
    return False


def is_gov_host(host: str, suffixes: list[str]) -> bool:
    """Tell whether a host ends in one of the government suffixes (.gov.cn, .政务)."""
    return any(host.endswith(normalise_host(s)) for s in suffixes)

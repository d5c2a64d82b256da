"""The checker's network layer: host map, SSRF guard, the shared fetcher and the IPv6 check."""

from services.checker.net.fetcher import Fetcher, FetchResult, FetchSettings
from services.checker.net.guard import AddressPolicy
from services.checker.net.hostmap import HostMap
from services.checker.net.ipv6 import check_ipv6

__all__ = ["AddressPolicy", "FetchResult", "FetchSettings", "Fetcher", "HostMap", "check_ipv6"]

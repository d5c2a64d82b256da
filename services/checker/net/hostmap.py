"""Host map: connect to a chosen address for a host name, like curl --resolve."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Destination:
    """Where to connect instead of resolving the host: an address and an optional port."""

    address: str  # IP literal (v6 without brackets) or a host name to resolve
    port: int | None = None  # None keeps the port of the URL


def _ascii(name: str) -> str:
    """Return the lower-case ASCII (punycode) form, as the connection layer sees the host."""
    name = name.strip().lower().rstrip(".")
    if name.isascii():
        return name
    return ".".join(part if part.isascii() else part.encode("idna").decode() for part in name.split("."))


def _parse_destination(value: str) -> Destination:
    value = value.strip()
    if value.startswith("["):
        address, _, rest = value[1:].partition("]")
        port = rest[1:] if rest.startswith(":") else ""
    elif value.count(":") == 1:
        address, _, port = value.partition(":")
    else:
        # A bare IPv6 literal or a name without a port.
        address, port = value, ""
    if not address:
        raise ValueError(f"主机映射地址为空：{value!r}")
    if port and not port.isdigit():
        raise ValueError(f"主机映射端口无效：{value!r}")
    return Destination(address.lower(), int(port) if port else None)


class HostMap:
    """Map host names (exact, or "*.example.gov.cn" for any subdomain) to destinations.

    An exact entry wins over a wildcard; among wildcards the longest suffix wins.
    "*.example.gov.cn" matches "www.example.gov.cn" but not "example.gov.cn" itself.
    """

    def __init__(self, entries: dict[str, str] | None = None) -> None:
        self._exact: dict[str, Destination] = {}
        self._wildcard: dict[str, Destination] = {}
        for host, value in (entries or {}).items():
            self.add(host, value)

    @classmethod
    def parse(cls, spec: str | dict[str, str] | HostMap | None) -> HostMap:
        """Build a map from a dict, an existing map or "host=addr:port,host2=addr:port"."""
        if isinstance(spec, HostMap):
            return spec
        if isinstance(spec, dict):
            return cls(spec)
        result = cls()
        for item in (spec or "").split(","):
            if not item.strip():
                continue
            host, sep, value = item.partition("=")
            if not sep:
                raise ValueError(f"主机映射格式应为 host=addr:port：{item!r}")
            result.add(host, value)
        return result

    def add(self, host: str, value: str) -> None:
        """Add one entry; the host may start with "*." for its subdomains."""
        name = host.strip().lower().rstrip(".")
        name = "*." + _ascii(name[2:]) if name.startswith("*.") else _ascii(name)
        destination = _parse_destination(value)
        if name.startswith("*."):
            self._wildcard[name[2:]] = destination
        else:
            self._exact[name] = destination

    def lookup(self, host: str) -> Destination | None:
        """Return the destination for a host, or None when it should be resolved normally."""
        name = _ascii(host)
        if name in self._exact:
            return self._exact[name]
        best: tuple[int, Destination] | None = None
        for suffix, destination in self._wildcard.items():
            if name.endswith("." + suffix) and (best is None or len(suffix) > best[0]):
                best = (len(suffix), destination)
        return best[1] if best else None

    def merged(self, other: HostMap | dict[str, str]) -> HostMap:
        """Return a new map with the other map's entries taking precedence."""
        result = HostMap()
        for source in (self, HostMap.parse(other)):
            result._exact.update(source._exact)
            result._wildcard.update(source._wildcard)
        return result

    def __bool__(self) -> bool:
        return bool(self._exact or self._wildcard)

"""The network layer against real loopback servers: host map, SSRF guard, fetch failures, IPv6."""

from __future__ import annotations

import shutil
import socket
import ssl
import subprocess
import threading
import time
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from services.checker.net import AddressPolicy, Fetcher, FetchSettings, HostMap, check_ipv6
from services.checker.net.politeness import Politeness, parse_crawl_delay, polite_to
from tests.checker.sitefixture import SiteServer

HOST = "www.example.gov.cn"


def settings(**overrides: Any) -> FetchSettings:
    base: dict[str, Any] = {"allow_private": True, "retries": 0, "per_host_interval_ms": 0,
                            "read_timeout_s": 1.0, "connect_timeout_s": 1.0, "total_timeout_s": 5.0}
    return FetchSettings(**{**base, **overrides})


CLIENTS = pytest.mark.parametrize("bulk", [False, True], ids=["httpx", "aiohttp"])


def client(fetcher: Fetcher, bulk: bool) -> Fetcher:
    """The fetcher itself, or its bulk client (the link checker's): both must behave alike."""
    return fetcher.bulk() if bulk else fetcher


@pytest.fixture
def server() -> Iterator[SiteServer]:
    with SiteServer() as s:
        yield s


# ---------------------------------------------------------------- host map

def test_host_map_parses_exact_and_wildcard_entries() -> None:
    hosts = HostMap.parse("www.example.gov.cn=127.0.0.1:8080, *.example.gov.cn=[::1]:81,中国.政务=10.1.2.3")
    assert hosts.lookup("WWW.Example.gov.cn.").port == 8080  # type: ignore[union-attr]
    assert hosts.lookup("slj.example.gov.cn").address == "::1"  # type: ignore[union-attr]
    assert hosts.lookup("example.gov.cn") is None  # a wildcard covers subdomains only
    assert hosts.lookup("xn--fiqs8s.xn--zfr164b").address == "10.1.2.3"  # type: ignore[union-attr]
    assert HostMap({"a.gov.cn": "127.0.0.1"}).lookup("a.gov.cn").port is None  # type: ignore[union-attr]
    with pytest.raises(ValueError):
        HostMap.parse("www.example.gov.cn")


@CLIENTS
async def test_fetch_through_host_map_keeps_the_host_name(server: SiteServer, bulk: bool) -> None:
    server.add(HOST, "/", "<html><title>首页</title></html>")
    server.add("slj.example.gov.cn", "/", "<html>水利局</html>")
    hosts = {HOST: f"127.0.0.1:{server.port}", "*.example.gov.cn": f"127.0.0.1:{server.port}"}
    async with Fetcher(settings(), hosts) as own:
        fetcher = client(own, bulk)
        home = await fetcher.fetch(f"http://{HOST}/")
        department = await fetcher.fetch("http://slj.example.gov.cn/")
    assert (home.status, home.failure, home.content_type) == (200, None, "text/html")
    assert "首页" in home.body.decode()
    assert "水利局" in department.body.decode()
    assert server.requests == [("GET", HOST, "/"), ("GET", "slj.example.gov.cn", "/")]


# ---------------------------------------------------------------- SSRF guard

@pytest.mark.parametrize("address", ["127.0.0.1", "10.0.0.1", "169.254.169.254", "::1", "fd00::1",
                                     "0.0.0.0", "224.0.0.1", "::ffff:10.0.0.1", "100.64.0.1"])
def test_policy_refuses_internal_addresses(address: str) -> None:
    assert AddressPolicy().refusal(address)


def test_policy_allows_public_and_explicitly_allowed_addresses() -> None:
    assert AddressPolicy().allows("202.108.22.5")
    assert AddressPolicy().allows("2400:da00::6666")
    assert AddressPolicy(allowed_networks=["10.8.0.0/16"]).allows("10.8.1.1")
    # Loopback for tests, but never the cloud metadata service.
    assert AddressPolicy(allow_private=True).allows("127.0.0.1")
    assert not AddressPolicy(allow_private=True).allows("169.254.169.254")


@CLIENTS
async def test_guard_blocks_private_destinations_without_connecting(server: SiteServer, bulk: bool) -> None:
    server.add(HOST, "/", "secret")
    targets = [f"http://127.0.0.1:{server.port}/", "http://10.0.0.1/", "http://169.254.169.254/latest/",
               f"http://[::1]:{server.port}/", f"http://{HOST}/"]
    # Checked first so that a broken policy cannot send a packet to a private network.
    assert all(not AddressPolicy().allows(a) for a in ("127.0.0.1", "10.0.0.1", "169.254.169.254", "::1"))
    async with Fetcher(settings(allow_private=False), {HOST: f"127.0.0.1:{server.port}"}) as own:
        fetcher = client(own, bulk)
        results = [await fetcher.fetch(url) for url in targets]
    assert [r.failure for r in results] == ["blocked"] * len(targets)
    assert all(r.status is None and r.body == b"" for r in results)
    assert "禁止访问" in (results[2].detail or "")
    assert server.requests == []


@CLIENTS
async def test_guard_checks_every_redirect_hop(server: SiteServer, bulk: bool) -> None:
    server.add(HOST, "/to-intranet", "", status=302, headers={"Location": "http://10.0.0.1/admin"})
    server.add(HOST, "/to-metadata", "", status=301,
               headers={"Location": "http://169.254.169.254/latest/meta-data/"})
    server.add(HOST, "/to-v6", "", status=307, headers={"Location": f"http://[::1]:{server.port}/"})
    server.add(HOST, "/to-alias", "", status=302, headers={"Location": "http://oa.example.gov.cn/"})
    server.add("oa.example.gov.cn", "/", "内部办公")
    hosts = {HOST: f"127.0.0.1:{server.port}", "oa.example.gov.cn": f"127.0.0.2:{server.port}"}
    # Only the inspected site's own address is allowed.
    async with Fetcher(settings(allow_private=False, allowed_networks=["127.0.0.1/32"]), hosts) as own:
        fetcher = client(own, bulk)
        results = {p: await fetcher.fetch(f"http://{HOST}{p}")
                   for p in ("/to-intranet", "/to-metadata", "/to-v6", "/to-alias")}
    assert {p: r.failure for p, r in results.items()} == dict.fromkeys(results, "blocked")
    assert results["/to-intranet"].redirects == ["http://10.0.0.1/admin"]
    assert results["/to-intranet"].final_url == "http://10.0.0.1/admin"
    assert sorted(server.requests) == sorted(("GET", HOST, p) for p in results)


@CLIENTS
async def test_redirect_loop_and_too_many_redirects(server: SiteServer, bulk: bool) -> None:
    server.add(HOST, "/a", "", status=302, headers={"Location": "/b"})
    server.add(HOST, "/b", "", status=302, headers={"Location": "/a"})
    for n in range(5):
        server.add(HOST, f"/hop{n}", "", status=301, headers={"Location": f"/hop{n + 1}"})
    server.add(HOST, "/hop5", "到了")
    async with Fetcher(settings(max_redirects=3), server.host_map()) as own:
        fetcher = client(own, bulk)
        loop = await fetcher.fetch(f"http://{HOST}/a")
        chain = await fetcher.fetch(f"http://{HOST}/hop0")
    async with Fetcher(settings(max_redirects=5), server.host_map()) as own:
        fetcher = client(own, bulk)
        followed = await fetcher.fetch(f"http://{HOST}/hop0")
    assert loop.failure == "redirect_loop"
    assert chain.failure == "too_many_redirects" and len(chain.redirects) == 3
    assert followed.failure is None and followed.body.decode() == "到了"
    assert followed.final_url == f"http://{HOST}/hop5" and len(followed.redirects) == 5


@CLIENTS
async def test_failure_classes(server: SiteServer, bulk: bool) -> None:
    server.add(HOST, "/gone", "", status=404)
    server.add(HOST, "/broken", "error", status=500)
    server.add(HOST, "/slow", "late", delay=2.0)
    server.add(HOST, "/big", "x" * 5000)
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        free_port = closed.getsockname()[1]
    hosts = {HOST: f"127.0.0.1:{server.port}", "down.example.gov.cn": f"127.0.0.1:{free_port}"}
    async with Fetcher(settings(retries=2, backoff_s=0.01), hosts) as own:
        fetcher = client(own, bulk)
        gone = await fetcher.fetch(f"http://{HOST}/gone")
        broken = await fetcher.fetch(f"http://{HOST}/broken")
        slow = await fetcher.fetch(f"http://{HOST}/slow", retries=0)
        big = await fetcher.fetch(f"http://{HOST}/big", max_bytes=1000)
        head = await fetcher.fetch(f"http://{HOST}/big", max_bytes=100, partial=True)
        down = await fetcher.fetch("http://down.example.gov.cn/", retries=0)
    assert (gone.status, gone.failure) == (404, "http_4xx")
    assert (broken.status, broken.failure) == (500, "http_5xx")
    assert server.requests.count(("GET", HOST, "/broken")) == 3  # two retries of a 5xx
    assert server.requests.count(("GET", HOST, "/gone")) == 1  # a 404 is final
    assert slow.failure == "timeout"
    assert (big.status, big.failure, big.body) == (200, "too_large", b"")
    assert (head.failure, head.body) == (None, b"x" * 100)
    assert down.failure == "refused"


async def test_per_host_spacing_and_concurrency(server: SiteServer) -> None:
    import asyncio

    for n in range(3):
        server.add(HOST, f"/p{n}", "ok")
        server.add("other.example.gov.cn", f"/p{n}", "ok", delay=0.3)
    hosts = server.host_map()
    async with Fetcher(settings(per_host_interval_ms=250), hosts) as fetcher:
        started = time.monotonic()
        await asyncio.gather(*(fetcher.fetch(f"http://{HOST}/p{n}") for n in range(3)))
        spaced = time.monotonic() - started
    async with Fetcher(settings(per_host_concurrency=1), hosts) as fetcher:
        started = time.monotonic()
        await asyncio.gather(*(fetcher.fetch(f"http://other.example.gov.cn/p{n}") for n in range(3)))
        serial = time.monotonic() - started
    # Lower bounds only: three requests to one host cannot start closer than the spacing allows.
    assert spaced >= 0.5
    assert serial >= 0.9


async def test_a_sites_own_spacing_applies_to_its_domains_only(server: SiteServer) -> None:
    import asyncio

    for n in range(3):
        server.add(HOST, f"/p{n}", "ok")
    async with Fetcher(settings(per_host_interval_ms=0), server.host_map()) as fetcher:
        # A slow county server filed with 300 ms: its subdomains too, the bulk client too.
        fetcher.slots.set(["example.gov.cn"], 4, 300)
        started = time.monotonic()
        await asyncio.gather(fetcher.fetch(f"http://{HOST}/p0"), fetcher.bulk().fetch(f"http://{HOST}/p1"),
                             fetcher.bulk().fetch(f"http://{HOST}/p2"))
        assert fetcher.slots.rule("other.gov.cn") == (4, 0)
        fetcher.slots.clear(["example.gov.cn"])
        assert fetcher.slots.rule(HOST) == (4, 0)
    # The third request cannot start before two spacings have passed (a lower bound only).
    assert max(server.request_times) - started >= 0.59


async def test_robots_crawl_delay_spaces_the_sites_requests(server: SiteServer) -> None:
    import asyncio

    server.add(HOST, "/robots.txt", "User-agent: *\nCrawl-delay: 0.4\nDisallow:\n",
               headers={"Content-Type": "text/plain"})
    for n in range(3):
        server.add(HOST, f"/p{n}", "ok")
    polite = Politeness(per_host_interval_ms=0, per_host_concurrency=4, max_pages=10, max_depth=2,
                        target_budget_s=60)
    async with Fetcher(settings(), server.host_map()) as fetcher:
        async with polite_to(fetcher, ["example.gov.cn"], f"http://{HOST}/", polite) as in_force:
            await asyncio.gather(*(fetcher.fetch(f"http://{HOST}/p{n}") for n in range(3)))
        ignored = polite.model_copy(update={"honour_crawl_delay": False})
        async with polite_to(fetcher, ["example.gov.cn"], f"http://{HOST}/", ignored) as not_read:
            await asyncio.gather(*(fetcher.fetch(f"http://{HOST}/p{n}") for n in range(3)))
    assert (in_force.crawl_delay_ms, in_force.spacing_ms) == (400, 400)
    assert not_read.crawl_delay_ms is None
    times = server.request_times
    assert server.requests[0][2] == "/robots.txt" and server.requests.count(("GET", HOST, "/robots.txt")) == 1
    # Three page requests after robots.txt: the last cannot start before two Crawl-delays passed.
    assert max(times[1:4]) - times[0] >= 0.79


def test_a_profile_with_bad_politeness_is_refused_naming_the_field() -> None:
    from services.checker.profile.loader import deep_merge, national_profile
    from services.checker.rules.params import validate_profile
    from shared.errors import ValidationFailed

    validate_profile(deep_merge(national_profile(), {"politeness": {"per_host_interval_ms": 1000}}))
    with pytest.raises(ValidationFailed) as refused:
        validate_profile(deep_merge(national_profile(), {"politeness": {"per_host_concurrency": 0}}))
    assert [e["field"] for e in refused.value.extra["errors"]] == ["politeness.per_host_concurrency"]
    assert "politeness.per_host_concurrency" in refused.value.detail


def test_crawl_delay_of_our_group_else_of_everyone() -> None:
    text = "User-agent: Baiduspider\nCrawl-delay: 9\n\nUser-agent: *\nDisallow: /tmp\nCrawl-delay: 2.5\n"
    assert parse_crawl_delay(text, "govinspect") == 2.5
    assert parse_crawl_delay(text + "User-agent: govinspect\nCrawl-delay: 1\n", "govinspect") == 1.0
    assert parse_crawl_delay("User-agent: *\nDisallow:\n", "govinspect") is None


def test_politeness_layers_settings_then_profile_then_the_sites_filing() -> None:
    from services.checker.config import CheckerSettings
    from shared.contracts.events import WebsiteTarget

    checker = CheckerSettings(per_host_interval_ms=200, per_host_concurrency=4, max_pages=200,
                              job_timeout_s=1800)
    profile = {"politeness": {"per_host_interval_ms": 500, "max_pages": 300, "honour_crawl_delay": False}}
    site = WebsiteTarget(
        id=uuid.uuid4(), site_code="3701000001", name="济南市人民政府门户网站",
        kind="portal", organisation_id=uuid.uuid4(), organisation_name="济南市人民政府办公厅",
        region_code="370100", home_url="https://www.jinan.gov.cn/", domains=["www.jinan.gov.cn"],
        status="running", politeness={"per_host_interval_ms": 1000, "target_budget_s": 7200})
    assert checker.politeness().per_host_interval_ms == 200
    layered = checker.politeness(profile, site)
    assert (layered.per_host_interval_ms, layered.max_pages, layered.per_host_concurrency) == (1000, 300, 4)
    assert layered.honour_crawl_delay is False
    assert layered.target_budget_s == 1740  # never as long as the job itself
    with pytest.raises(ValidationError) as bad:
        checker.politeness({"politeness": {"per_host_concurrency": 0}})
    assert bad.value.errors()[0]["loc"] == ("per_host_concurrency",)


# ---------------------------------------------------------------- TLS keeps the name (SNI)

@pytest.fixture
def tls_server(tmp_path: Path) -> Iterator[tuple[int, Path, list[str | None]]]:
    if shutil.which("openssl") is None:
        pytest.skip("openssl is needed to make a test certificate")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-subj", f"/CN={HOST}", "-addext", f"subjectAltName=DNS:{HOST}",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)
    names: list[str | None] = []
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    context.sni_callback = lambda sock, name, ctx: names.append(name)

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = f"host={self.headers.get('Host')}".encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            return

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd.server_address[1], cert, names
    httpd.shutdown()
    httpd.server_close()


@CLIENTS
async def test_tls_uses_the_site_name_for_sni_and_certificate(tls_server: tuple[int, Path, list], bulk: bool) -> None:
    port, cert, names = tls_server
    hosts = {HOST: f"127.0.0.1:{port}", "wrong.example.gov.cn": f"127.0.0.1:{port}"}
    async with Fetcher(settings(ca_bundle=str(cert)), hosts) as own:
        fetcher = client(own, bulk)
        right = await fetcher.fetch(f"https://{HOST}/")
        wrong = await fetcher.fetch("https://wrong.example.gov.cn/")
    assert (right.status, right.failure) == (200, None)
    assert right.body.decode() == f"host={HOST}"
    assert names[0] == HOST
    assert wrong.failure == "tls"  # the certificate does not name this host


# ---------------------------------------------------------------- IPv6

def _ipv6_loopback_works() -> bool:
    try:
        with socket.socket(socket.AF_INET6) as s:
            s.bind(("::1", 0))
        return True
    except OSError:
        return False


@pytest.fixture
def v6_server() -> Iterator[tuple[int, list[str]]]:
    if not _ipv6_loopback_works():
        pytest.skip("IPv6 loopback is not available on this machine")
    seen: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            seen.append(self.headers.get("Host") or "")
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"v6")

        def log_message(self, *args: Any) -> None:
            return

    class V6Server(ThreadingHTTPServer):
        address_family = socket.AF_INET6

    httpd = V6Server(("::1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd.server_address[1], seen
    httpd.shutdown()
    httpd.server_close()


async def test_ipv6_without_aaaa_record() -> None:
    async with Fetcher(settings()) as fetcher:
        result = await check_ipv6(HOST, lambda host: [], fetcher)
    assert result.aaaa == [] and result.reachable is None


async def test_ipv6_home_page_reachable_over_ipv6(v6_server: tuple[int, list[str]]) -> None:
    port, seen = v6_server
    async with Fetcher(settings()) as fetcher:
        result = await check_ipv6(HOST, lambda host: ["::1"], fetcher, url=f"http://{HOST}:{port}/")
    assert result.aaaa == ["::1"] and result.reachable is True
    assert seen == [f"{HOST}:{port}"]


async def test_ipv6_keeps_the_port_a_host_map_gives_the_name(v6_server: tuple[int, list[str]]) -> None:
    port, seen = v6_server
    async with Fetcher(settings(), host_map={HOST: f"127.0.0.1:{port}"}) as fetcher:
        result = await check_ipv6(HOST, lambda host: ["::1"], fetcher, url=f"http://{HOST}/")
    assert result.reachable is True and seen == [HOST]


async def test_ipv6_record_but_nothing_listening(v6_server: tuple[int, list[str]]) -> None:
    port, seen = v6_server
    with socket.socket(socket.AF_INET6) as closed:
        closed.bind(("::1", 0))
        free_port = closed.getsockname()[1]

    async def resolver(host: str) -> list[str]:
        return ["::1"]

    async with Fetcher(settings()) as fetcher:
        silent = await check_ipv6(HOST, resolver, fetcher, url=f"http://{HOST}:{free_port}/")
    async with Fetcher(settings(allow_private=False)) as fetcher:
        guarded = await check_ipv6(HOST, resolver, fetcher, url=f"http://{HOST}:{port}/")
    assert silent.reachable is False
    assert guarded.reachable is False and seen == []  # the guard applies over IPv6 too

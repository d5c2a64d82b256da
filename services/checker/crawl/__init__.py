"""Crawling a website over HTTP: parsing pages, following links, attachments, links and search."""

from services.checker.crawl.crawler import CrawlResult, CrawlSettings, crawl, looks_like_shell
from services.checker.crawl.linkcheck import (
    LinkCheckSettings,
    MemoryLinkCache,
    RedisLinkCache,
    check_links,
)
from services.checker.crawl.parse import ParsedPage, decode_html, parse_html
from services.checker.crawl.search import check_search

__all__ = [
    "CrawlResult", "CrawlSettings", "LinkCheckSettings", "MemoryLinkCache", "ParsedPage",
    "RedisLinkCache", "check_links", "check_search", "crawl", "decode_html", "looks_like_shell",
    "parse_html",
]

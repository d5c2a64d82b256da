"""A site written in Traditional script has its search found by the same labels (檢索, 搜尋)."""

from __future__ import annotations

from services.checker.crawl.search import find_search

HOST = "www.example.gov.cn"
BASE = f"http://{HOST}"


def doc(body: str) -> str:
    return f"<html><head><title>首頁</title></head><body>{body}</body></html>"


def test_search_links_labelled_in_traditional_script_are_found() -> None:
    for label in ("站內搜尋", "全文檢索", "搜尋"):
        entry = find_search(doc(f'<a href="/news/">新聞</a><a href="/so/">{label}</a>'),
                            f"{BASE}/", [HOST])
        assert entry is not None and (entry.kind, entry.url) == ("link", f"{BASE}/so/"), label


def test_a_link_not_about_search_is_not_taken_for_one() -> None:
    assert find_search(doc('<a href="/xw/">新聞動態</a><a href="/gk/">政務公開</a>'),
                       f"{BASE}/", [HOST]) is None


def test_the_search_box_is_picked_by_its_traditional_placeholder() -> None:
    form = ('<form action="/s.jsp"><input type="text" name="nick" placeholder="暱稱">'
            '<input type="text" name="w" placeholder="請輸入檢索詞"></form>')
    entry = find_search(doc(form), f"{BASE}/", [HOST])
    assert entry is not None and entry.name == "w"

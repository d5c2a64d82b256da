"""The texts the content rules read, and one compiled pass over a text for a whole word list."""

from __future__ import annotations

import html
import re
from bisect import bisect_right
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from math import log
from typing import Any, Generic, Literal, TypeVar

from services.checker.ground.finding import FindingDraft
from services.checker.ground.site import Page, SiteSnapshot
from services.checker.rules.content.wordlists import PhraseEntry
from services.checker.support.excerpt import mark
from services.checker.support.script import is_traditional, to_simplified

E = TypeVar("E", bound=PhraseEntry)
Script = Literal["simplified", "traditional"]
# Share of Han characters that change under t2s from which a text is Traditional. Measured on the
# realtext benchmark: Traditional pages of Hong Kong and Macau 0.31–0.35, Simplified pages 0–0.005;
# a Simplified page with a stray 覆 or 帳 reaches a few per cent, which must not switch its norms.
TRADITIONAL_SHARE = 0.1

_HIDDEN = re.compile(r"<(script|style|noscript|template)\b.*?</\1\s*>|<!--.*?-->", re.S | re.I)
_BLOCK = re.compile(r"</?(?:p|div|br|li|tr|td|th|h[1-6]|table|ul|ol|dl|dt|dd|section|article|header|footer"
                    r"|nav|aside|main|form|option|title)\b[^>]*>", re.I)
_TAG = re.compile(r"<[^>]*>")
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Hit(Generic[E]):
    """One occurrence of a listed wrong form in a text."""

    start: int
    end: int
    entry: E
    occurrence: int  # 0 for the first occurrence of this wrong form in the text, 1 for the next…


class PhraseMatcher(Generic[E]):
    """Finds the wrong forms of a list in a text, as whole words, by the norms of the text's script.

    An Aho-Corasick automaton finds the candidates; leftmost first and, at one position, longest
    first, a candidate counts only where it is a whole word or a sequence of whole words of the
    segmented clause (jieba, with the list's forms as user words) — or, with inside_word, lies
    inside one word — lies in no exception of its entry and in no listed proper name. A
    Traditional-script text is matched on its Simplified form (offsets kept) with the entries
    whose norm holds in Traditional script; a Simplified text with the others.
    """

    def __init__(self, entries: Sequence[E], *, proper_names: Sequence[str] = (), inside_word: bool = False,
                 segment_below: int | None = None, word_margin: float = 0.0) -> None:
        self._tables: _Tables = _tables(tuple(entries), tuple(proper_names))
        self._inside_word = inside_word
        # Forms this long or longer are specific enough to match anywhere (a formulation such as
        # 人民政府办公厅、中共 starts inside the name 山东省人民政府); None: segment every form.
        self._segment_below = segment_below
        self._word_margin = word_margin

    def find(self, text: str, *, norm: Script | None = None) -> Iterator[Hit[E]]:
        """Yield the listed wrong forms in the text, left to right, never overlapping.

        The norm is the text's script unless given: a Hong Kong or Macau site keeps its region's
        usage (部份, 充份, 帳戶) in the Simplified version of its pages too.
        """
        traditional = is_traditional(text, threshold=TRADITIONAL_SHARE)
        seen = to_simplified(text) if traditional else text
        script: Script = norm or ("traditional" if traditional else "simplified")
        automaton, by_wrong = self._tables.automata[script], self._tables.entries[script]
        if not by_wrong:
            return
        candidates = automaton.find(seen)
        if not candidates:
            return
        in_name = _Spans(self._tables.names.spans(seen))
        segmenter(self._tables.user_words)
        counts: dict[str, int] = {}
        pos = 0
        for start, negative_end, word in candidates:
            end = -negative_end
            if start < pos:
                continue
            entry = by_wrong[word]
            if (_excepted(seen, start, word, entry)
                    or in_name.cover(start, end)
                    or ((self._segment_below is None or end - start < self._segment_below)
                        and not whole_words(seen, start, end, inside_word=self._inside_word,
                                            right=entry.right, margin=self._word_margin))):
                continue  # a shorter or later form may still match
            n = counts.get(entry.wrong, 0)
            counts[entry.wrong] = n + 1
            yield Hit(start, end, entry, n)
            pos = end


class _Spans:
    """Spans of a text, asked whether one of them covers a span (in logarithmic time)."""

    def __init__(self, spans: Iterable[tuple[int, int]]) -> None:
        ordered = sorted(spans)
        self._starts = [s for s, _ in ordered]
        self._reach: list[int] = []  # the furthest end among the spans starting up to here
        for _, e in ordered:
            self._reach.append(max(e, self._reach[-1]) if self._reach else e)

    def cover(self, start: int, end: int) -> bool:
        """Tell whether a span starts at or before `start` and ends at or after `end`."""
        i = bisect_right(self._starts, start)
        return i > 0 and self._reach[i - 1] >= end


@dataclass(frozen=True)
class _Tables:
    entries: dict[str, dict[str, Any]]  # script → wrong form as matched → entry
    automata: dict[str, _Automaton]  # script → Aho-Corasick automaton of those wrong forms
    names: _Automaton  # automaton of the proper names
    user_words: tuple[str, ...]  # forms the segmenter must know


class _Automaton:
    """Every occurrence, overlapping ones included, of a set of words in a text.

    ahocorasick-rs (Rust): pyahocorasick looks up a state's next character by a linear scan of
    its children, and the root of a Chinese word list has ~1,500 of them, so it cost ~1 ms per
    2,500 characters without a single match; this one takes ~0.03 ms.
    """

    def __init__(self, words: Iterable[str]) -> None:
        import ahocorasick_rs

        self._words = sorted(set(words))
        self._ac = ahocorasick_rs.AhoCorasick(self._words, matchkind=ahocorasick_rs.MatchKind.Standard) \
            if self._words else None

    def spans(self, text: str) -> list[tuple[int, int]]:
        """(start, end) character offsets of every occurrence, in no particular order."""
        if self._ac is None:
            return []
        return [(start, end) for _, start, end in self._ac.find_matches_as_indexes(text, overlapping=True)]

    def find(self, text: str) -> list[tuple[int, int, str]]:
        """(start, -end, word) of every occurrence: leftmost first and, at one start, longest first."""
        if self._ac is None:
            return []
        words = self._words
        return sorted([(start, -end, words[i])
                       for i, start, end in self._ac.find_matches_as_indexes(text, overlapping=True)])


def _automaton(words: Iterable[str]) -> _Automaton:
    return _Automaton(words)


@lru_cache(maxsize=16)
def _tables(entries: tuple[PhraseEntry, ...], proper_names: tuple[str, ...]) -> _Tables:
    # Later entries replace earlier ones with the same wrong form, so a deployment's own entries
    # (appended after the shipped ones) can change a shipped correction or level.
    by_wrong = {e.wrong: e for e in entries}
    by_script: dict[str, dict[str, Any]] = {
        script: {to_simplified(w) if script == "traditional" else w: e
                 for w, e in by_wrong.items() if e.script in ("all", script)}
        for script in ("simplified", "traditional")}
    names = {to_simplified(n) for n in proper_names if n}
    user_words = ({w for words in by_script.values() for w in words} | names
                  | {to_simplified(x) for e in by_wrong.values() for x in (e.right, *e.exceptions)})
    return _Tables(by_script, {script: _automaton(words) for script, words in by_script.items()},
                   _automaton(names), tuple(sorted(user_words)))


def _excepted(text: str, start: int, wrong: str, entry: PhraseEntry) -> bool:
    for exception in (to_simplified(x) for x in entry.exceptions):
        offset = exception.find(wrong)
        while offset >= 0:
            if start >= offset and text.startswith(exception, start - offset):
                return True
            offset = exception.find(wrong, offset + 1)
    return False


_CLAUSE_END = re.compile(r"[\s，。；：！？、,.;:!?“”‘’「」『』《》〈〉（）()\[\]【】]")
_WINDOW = 24  # characters of the clause segmented on each side of a candidate


def whole_words(text: str, start: int, end: int, *, inside_word: bool = False,
                right: str | None = None, margin: float = 0.0) -> bool:
    """Tell whether text[start:end] is a whole word or word sequence of its segmented clause.

    With inside_word, a span lying wholly inside one longer word also counts (中华民国 in
    中华民国政府); so does one inside a word that is the same misspelling of a dictionary word
    (渡假 in 渡假村, since 度假村 is a word). Where a word reaches across an end of the span, the
    span still counts if cutting it out whole costs at most `margin` (natural log of probability)
    against jieba's best cut: 指出帐目的 is cut 指出/帐/目的, yet 指出/帐目/的 is nearly as likely.
    """
    left = max(0, start - _WINDOW)
    for stop in _CLAUSE_END.finditer(text, left, start):
        left = stop.end()
    clause_end = min(len(text), end + _WINDOW)
    after = _CLAUSE_END.search(text, end, clause_end)
    if after is not None:
        clause_end = after.start()
    offset = left
    tokenizer = segmenter()
    clause = text[left:clause_end]
    for token in tokenizer.cut(clause, HMM=False):
        token_start, offset = offset, offset + len(token)
        if token_start <= start and end <= offset and len(token) > end - start:
            if inside_word:
                return True
            if right is not None:
                corrected = token[:start - token_start] + right + token[end - token_start:]
                if tokenizer.FREQ.get(corrected) and corrected not in _added:
                    return True
        if token_start < start < offset or token_start < end < offset:
            return margin > 0 and _forcing_cost(tokenizer, clause, start - left, end - left) <= margin
    return True


def _forcing_cost(tokenizer: Any, clause: str, start: int, end: int) -> float:
    """How much less likely the best cut of the clause is with clause[start:end] cut out whole."""

    def best(part: str) -> float:
        if not part:
            return 0.0
        route: dict[int, tuple[float, int]] = {}
        tokenizer.calc(part, tokenizer.get_DAG(part), route)
        return float(route[0][0])

    word = log(tokenizer.FREQ.get(clause[start:end]) or 1) - log(tokenizer.total)
    return best(clause) - (best(clause[:start]) + word + best(clause[end:]))


_tokenizer: list[Any] = []  # the process's jieba tokenizer, created on first use
_user_words: set[str] = set()
_lists_added: dict[int, tuple[str, ...]] = {}
_added: set[str] = set()  # user words absent from jieba's own dictionary (the lists' wrong forms among them)


def segmenter(user_words: Iterable[str] = ()) -> Any:
    """Return the process's jieba tokenizer with these user words added (loaded on first use)."""
    if not _tokenizer:
        import jieba  # about a second to load: only when a text first has a candidate

        jieba.setLogLevel(60)
        tokenizer = jieba.Tokenizer()
        tokenizer.initialize()
        _tokenizer.append(tokenizer)
    tokenizer = _tokenizer[0]
    if isinstance(user_words, tuple):
        if id(user_words) in _lists_added:
            return tokenizer
        _lists_added[id(user_words)] = user_words  # kept, so the id is never reused
    for word in user_words:
        if word in _user_words:
            continue
        _user_words.add(word)
        if not tokenizer.FREQ.get(word):
            # Just frequent enough to be cut out whole where nothing around it claims its characters.
            tokenizer.add_word(word, tokenizer.suggest_freq(word, tune=False))
            _added.add(word)
    return tokenizer


def page_text(page: Page) -> str:
    """Return the text a visitor reads (from the HTML when the crawler extracted none)."""
    if page.text or page.is_attachment or not page.html:
        return page.text
    return html.unescape(_TAG.sub("", _BLOCK.sub("\n", _HIDDEN.sub("\n", page.html))))


def readable_pages(site: SiteSnapshot) -> Iterator[tuple[Page, str]]:
    """Yield every fetched page and attachment once (by final URL) with its text."""
    seen: set[str] = set()
    for page in site.pages:
        if page.status != 200 or page.final_url in seen:
            continue
        seen.add(page.final_url)
        text = page_text(page)
        if text:
            yield page, text


# GB/T 2260 codes of the regions whose written norm is Traditional usage in either script.
TRADITIONAL_NORM_REGIONS = ("81", "82")  # 香港特别行政区 810000, 澳门特别行政区 820000


def scan(site: SiteSnapshot, matcher: PhraseMatcher[E]) -> Iterator[tuple[Page, str, Hit[E]]]:
    """Yield every listed wrong form on the site's pages and attachments."""
    norm: Script | None = "traditional" if site.target.region_code[:2] in TRADITIONAL_NORM_REGIONS else None
    for page, text in readable_pages(site):
        for hit in matcher.find(text, norm=norm):
            yield page, text, hit


def excerpt(text: str, start: int, end: int, width: int) -> str:
    """Return the context of [start, end) with the offending part marked, on one line."""
    return _SPACE.sub(" ", mark(text, start, end, width))


def place(page: Page) -> str:
    """Name where the text was found: 附件 or 页面."""
    return "附件" if page.is_attachment else "页面"


def collapse_repeats(findings: list[FindingDraft], max_listed: int) -> list[FindingDraft]:
    """Keep one finding per offending text and context, listing the other pages it appears on.

    A shared page template repeats the same error on every page; RULES.md: the same problem is
    never deducted twice.
    """
    kept: dict[tuple[str, str, str], FindingDraft] = {}
    pages: dict[tuple[str, str, str], list[str]] = {}
    for finding in findings:
        key = (finding.rule, finding.offending or "", finding.excerpt or "")
        kept.setdefault(key, finding)
        urls = pages.setdefault(key, [])
        if finding.url not in urls:
            urls.append(finding.url or "")
    for key, finding in kept.items():
        if len(pages[key]) > 1:
            finding.detail["pages_count"] = len(pages[key])
            finding.detail["also_on"] = pages[key][1:1 + max_listed]
    return list(kept.values())

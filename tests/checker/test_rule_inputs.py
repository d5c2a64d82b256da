"""Every input a rule reads is set by the pipeline (issue 14: rules read inputs nobody set).

How: a required field of a ground-floor dataclass cannot be left out (the constructor fails), but
a field with a default can, and then a rule reading it silently sees the default forever
(外链变质 never fired because `external_pages` was read and never set). Reads are found by name
in the source (AST) of the rules and of the helpers they read through (rules/, support/), so a
read in any branch counts, not only in branches a fixture happens to reach; a name shared with
another class (e.g. `status`) can only make the test stricter. Three kinds of input:

- the snapshots, built in one place: every `SiteSnapshot(...)` and `AccountSnapshot(...)` call in
  `inspect/pipeline.py` passes by name each defaulted field a rule reads;
- the registry's records: each defaulted field of `Target` and `AccountTarget` a rule reads is
  read back from the task snapshot's contract model (`pipeline._target`,
  `AccountTarget.from_contract`, from `shared.contracts.events.WebsiteTarget` / `AccountTarget`,
  with no fallback between field names) and written into it by the run
  (`run.service.target_snapshot`, `run.service.account_snapshot`);
- what the crawler, the browser, the probes and the feed readers produce (pages, links, link
  status, search, IPv6, off-site pages, availability, feed reads, posts, comments): each
  defaulted field a rule reads is set somewhere in the checker's own code outside the rules,
  the helpers and the ground floor's definitions — passed by name to the class, or assigned.

Every dataclass a snapshot can reach is in one of the three kinds: a new one fails the test
until it is placed, so no input escapes the checks.
"""

from __future__ import annotations

import ast
import dataclasses
import inspect
import types
import typing
from collections.abc import Iterator
from pathlib import Path

import services.checker as checker_package
import services.checker.ground as ground_package
import services.checker.rules as rules_package
import services.checker.support as support_package
from services.checker.ground import account, feed, site
from services.checker.inspect import pipeline
from services.checker.run import service as run_service

CHECKER_DIR = Path(checker_package.__file__).parent
# The rules and the helpers they read the snapshots through.
RULE_DIRS = (Path(rules_package.__file__).parent, Path(support_package.__file__).parent)
SNAPSHOTS = (site.SiteSnapshot, account.AccountSnapshot)
RECORDS = (site.Target, account.AccountTarget, account.Sibling)
PRODUCED = (site.Page, site.Link, site.LinkStatus, site.Availability, site.SearchResult,
            site.Ipv6Result, site.ExternalPage, site.EmblemImage, site.EmblemReference, feed.FeedRead,
            feed.Post, feed.Comment)


def defaulted_fields(cls: type) -> set[str]:
    """Fields of a dataclass its constructor lets a caller leave out."""
    return {f.name for f in dataclasses.fields(cls) if f.init and (
        f.default is not dataclasses.MISSING or f.default_factory is not dataclasses.MISSING)}


def _trees(paths: Iterator[Path]) -> Iterator[ast.AST]:
    for path in paths:
        yield ast.parse(path.read_text(encoding="utf-8"))


def attributes_read_by_rules() -> set[str]:
    """Every attribute name read (loaded) anywhere in the rule and helper modules."""
    return {node.attr for tree in _trees(p for d in RULE_DIRS for p in d.rglob("*.py"))
            for node in ast.walk(tree) if isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Load)}


def producer_paths() -> Iterator[Path]:
    """The checker's modules that may produce rule inputs: all but the rules, the helpers, the
    ground floor's definitions (an as_site view built there counts) and the migrations."""
    skipped = (*RULE_DIRS, CHECKER_DIR / "migrations")
    for path in CHECKER_DIR.rglob("*.py"):
        if path.parent == Path(ground_package.__file__).parent and path.name != "account.py":
            continue
        if not any(path.is_relative_to(d) for d in skipped):
            yield path


def _callee(node: ast.Call) -> str | None:
    return node.func.id if isinstance(node.func, ast.Name) else (
        node.func.attr if isinstance(node.func, ast.Attribute) else None)


def keywords_of_calls(source: object, callee: str) -> list[set[str]]:
    """Keyword names passed to each `callee(...)` call in a module's or function's source."""
    tree = ast.parse(inspect.cleandoc("\n" + inspect.getsource(source)))  # type: ignore[arg-type]
    return [{k.arg for k in node.keywords if k.arg} for node in ast.walk(tree)
            if isinstance(node, ast.Call) and _callee(node) == callee]


def fields_written(function: object, model: str) -> set[str]:
    """Fields passed by name to the contract model (`WebsiteTarget`, `AccountTarget`) a run builds."""
    return set().union(*keywords_of_calls(function, model))


def _tree_of(function: object) -> ast.AST:
    return ast.parse(inspect.cleandoc("\n" + inspect.getsource(function)))  # type: ignore[arg-type]


def fields_read_from(function: object, name: str) -> set[str]:
    """Attributes read from the variable `name` (a contract model) in a function's source."""
    return {n.attr for n in ast.walk(_tree_of(function)) if isinstance(n, ast.Attribute)
            and isinstance(n.value, ast.Name) and n.value.id == name}


def falls_back(function: object) -> bool:
    """Whether a function reads its record with a fallback (`a or b`, `x.get(k, default)`,
    `data["k"]`): the contract model is read field by field, as typed."""
    return any(isinstance(n, ast.BoolOp | ast.Subscript) or (
        isinstance(n, ast.Call) and _callee(n) in ("get", "getattr")) for n in ast.walk(_tree_of(function)))


def set_by_producers(cls: type) -> set[str]:
    """Field names passed by name to `cls(...)`, or assigned as an attribute, by a producer."""
    found: set[str] = set()
    for tree in _trees(producer_paths()):
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and _callee(node) == cls.__name__:
                found |= {k.arg for k in node.keywords if k.arg}
            elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
                found.add(node.attr)
    return found


def dataclasses_reachable(root: type) -> set[type]:
    """Every dataclass a value of `root` can hold, through fields, lists, dicts and unions."""
    seen: set[type] = set()

    def visit(hint: object) -> None:
        if dataclasses.is_dataclass(hint) and isinstance(hint, type):
            if hint not in seen:
                seen.add(hint)
                for hinted in typing.get_type_hints(hint).values():
                    visit(hinted)
        elif isinstance(hint, types.UnionType) or typing.get_origin(hint) is not None:
            for arg in typing.get_args(hint):
                visit(arg)

    visit(root)
    return seen


def test_the_scan_sees_the_inputs_the_rules_are_known_to_read() -> None:
    read = attributes_read_by_rules()
    # If the scan found nothing, the checks below could never fail.
    assert {"external_pages", "portal_domain", "registry_sites", "link_status", "hidden_by",
            "interaction_enabled", "compliance_flags", "siblings"} <= read


def test_every_dataclass_a_snapshot_holds_is_checked() -> None:
    reachable = set().union(*(dataclasses_reachable(s) for s in SNAPSHOTS))
    placed = {*SNAPSHOTS, *RECORDS, *PRODUCED}
    assert reachable - placed == set(), "a snapshot holds a dataclass no check below covers"
    assert placed - reachable == set(), "a checked class is no longer part of any snapshot"


def test_every_snapshot_field_a_rule_reads_is_set_by_the_pipeline() -> None:
    read = attributes_read_by_rules()
    for snapshot in SNAPSHOTS:
        wanted = defaulted_fields(snapshot) & read
        calls = keywords_of_calls(pipeline, snapshot.__name__)
        assert calls, f"the pipeline no longer builds a {snapshot.__name__} by keywords"
        for built in calls:
            assert wanted - built == set(), f"rules read {snapshot.__name__} fields the pipeline never sets"


def test_every_target_field_a_rule_reads_reaches_it_from_the_registry() -> None:
    wanted = defaulted_fields(site.Target) & attributes_read_by_rules()
    [built] = keywords_of_calls(pipeline._target, "Target")
    assert wanted - built == set(), \
        "rules read Target fields the pipeline never reads back from the task snapshot"
    written = fields_written(run_service.target_snapshot, "WebsiteTarget")  # shared.contracts.events
    assert wanted - written == set(), "rules read Target fields the run never writes into the task snapshot"
    read_back = fields_read_from(pipeline._target, "t")
    assert {"site_code", "portal_domain", "provides_services"} <= read_back  # the scan sees them
    assert read_back - written == set(), \
        "the site is read back from task snapshot fields the run never writes"
    assert not falls_back(pipeline._target), "the site is read with a fallback, not through its contract"


def test_every_account_field_a_rule_reads_reaches_it_from_the_registry() -> None:
    read = attributes_read_by_rules()
    # from_contract builds the target as `cls(...)`, each sibling as `Sibling(...)`.
    from_contract = account.AccountTarget.from_contract
    for record, callee in ((account.AccountTarget, "cls"), (account.Sibling, "Sibling")):
        wanted = defaulted_fields(record) & read
        [built] = keywords_of_calls(from_contract, callee)
        assert wanted - built == set(), \
            f"rules read {record.__name__} fields never read back from the task snapshot"
    # What the account's task snapshot is read back from is what the run writes into it.
    for name, model in (("t", "AccountTarget"), ("s", "AccountSibling")):
        read_back = fields_read_from(from_contract, name)
        assert read_back, f"the scan sees no {model} field read back"
        assert read_back - fields_written(run_service.account_snapshot, model) == set(), \
            f"the account is read back from {model} fields the run never writes"
    assert "platform_label" in fields_read_from(from_contract, "t")
    assert not falls_back(from_contract), "the account is read with a fallback, not through its contract"


def test_every_produced_field_a_rule_reads_is_set_by_a_producer() -> None:
    read = attributes_read_by_rules()
    for cls in PRODUCED:
        missing = defaulted_fields(cls) & read - set_by_producers(cls)
        assert missing == set(), f"rules read {cls.__name__} fields nothing in the checker sets: {missing}"


def _untyped(hint: object) -> bool:
    return hint is typing.Any or any(_untyped(arg) for arg in typing.get_args(hint))


def test_snapshots_carry_no_untyped_bag_of_inputs() -> None:
    for snapshot in (*SNAPSHOTS, *RECORDS, *PRODUCED):
        hints = typing.get_type_hints(snapshot)
        untyped = {f.name for f in dataclasses.fields(snapshot) if f.name == "extra" or _untyped(hints[f.name])}
        # The registry's feed configuration is read whole by the feed reader, never by a rule.
        if snapshot is account.AccountTarget:
            untyped -= {"feed"}
        assert untyped == set(), f"{snapshot.__name__} carries untyped inputs: {untyped}"

"""Every input a site rule reads is set by the pipeline (issue 14: rules read inputs nobody set).

How: a required field of `SiteSnapshot` or `Target` cannot be left out (the constructor fails),
but a field with a default can, and then the rule reading it silently sees the default forever
(外链变质 never fired because `external_pages` was read and never set). So for each defaulted
field whose name the rule code reads as an attribute, the pipeline must pass it by name where it
builds the snapshot (every `SiteSnapshot(...)` call in `inspect/pipeline.py`), and for the target, where the task snapshot is read
back (`pipeline._target`) and where the run writes it (`run.service.target_snapshot`, which
builds the contract's `WebsiteTarget`). Reads are
found by name in the source (AST), so a read in any branch counts, not only in branches a
fixture happens to reach; a name shared with another class (e.g. `status`) can only make the test
stricter.
"""

from __future__ import annotations

import ast
import dataclasses
import inspect
from pathlib import Path

import services.checker.rules as rules_package
from services.checker.inspect import pipeline
from services.checker.inspect.model import SiteSnapshot, Target
from services.checker.run import service as run_service

RULES_DIR = Path(rules_package.__file__).parent


def defaulted_fields(cls: type) -> set[str]:
    """Fields of a dataclass that may be left out of its constructor."""
    return {f.name for f in dataclasses.fields(cls)
            if f.default is not dataclasses.MISSING or f.default_factory is not dataclasses.MISSING}


def attributes_read_by_rules() -> set[str]:
    """Every attribute name read (loaded) anywhere in the rule modules."""
    names: set[str] = set()
    for path in RULES_DIR.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Load):
                names.add(node.attr)
    return names


def keywords_of_calls(source: object, callee: str) -> list[set[str]]:
    """Keyword names passed to each `callee(...)` call in a module's or function's source."""
    tree = ast.parse(inspect.cleandoc("\n" + inspect.getsource(source)))  # type: ignore[arg-type]
    return [{k.arg for k in node.keywords if k.arg} for node in ast.walk(tree)
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == callee]


def test_the_scan_sees_the_inputs_the_rules_are_known_to_read() -> None:
    read = attributes_read_by_rules()
    # If the scan found nothing, the checks below could never fail.
    assert {"external_pages", "portal_domain", "registry_sites", "link_status"} <= read


def test_every_snapshot_field_a_rule_reads_is_set_by_the_pipeline() -> None:
    wanted = defaulted_fields(SiteSnapshot) & attributes_read_by_rules()
    calls = keywords_of_calls(pipeline, "SiteSnapshot")
    assert calls, "the pipeline no longer builds a SiteSnapshot by keywords"
    for built in calls:
        assert wanted - built == set(), "rules read SiteSnapshot fields the pipeline never sets"


def test_every_target_field_a_rule_reads_reaches_it_from_the_registry() -> None:
    wanted = defaulted_fields(Target) & attributes_read_by_rules()
    [built] = keywords_of_calls(pipeline._target, "Target")
    assert wanted - built == set(), \
        "rules read Target fields the pipeline never reads back from the task snapshot"
    # The task snapshot is the contract type shared.contracts.events.WebsiteTarget.
    [written] = keywords_of_calls(run_service.target_snapshot, "WebsiteTarget")
    assert wanted - written == set(), \
        "rules read Target fields the run never writes into the task snapshot"


def test_snapshots_carry_no_untyped_bag_of_inputs() -> None:
    assert "extra" not in {f.name for f in dataclasses.fields(SiteSnapshot)}

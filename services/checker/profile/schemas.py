"""The document's schema of a local profile's `overrides`: what `merged` and `validate_profile`
accept, built from the models they check with.

The body keeps the overrides a plain object (the service checks them and its 422 names the rule
and the parameter); this schema makes the OpenAPI document say the same: the rule codes of the
national profile, each an object of that rule's parameters (its `Params`, the fields the
national block sets, every one optional: a block is merged over the national one), `enabled`,
and notes starting with `_`; nothing else. `scoring` likewise, its indicators by name.
"""

from __future__ import annotations

import copy
from functools import cache
from typing import Any

from pydantic import BaseModel

from services.checker.profile.loader import national_profile
from services.checker.profile.service import Indicator, Scoring
from services.checker.repost import match as repost
from services.checker.rules import RULES
from services.checker.rules.account import RULES as ACCOUNT_RULES
from services.checker.rules.account import AccountRuleModule
from services.checker.rules.base import RuleModule

NOTE = r"^_"  # keys starting with "_" are notes (_source)


def _inline(node: Any, defs: dict[str, Any]) -> Any:
    """`node` with every `#/$defs/…` reference replaced by its definition (the document's own
    components do not hold a model's private definitions)."""
    if isinstance(node, list):
        return [_inline(v, defs) for v in node]
    if not isinstance(node, dict):
        return node
    out = {k: _inline(v, defs) for k, v in node.items() if k != "$ref"}
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/$defs/"):
        return {**_inline(defs[ref.removeprefix("#/$defs/")], defs), **out}
    if ref is not None:
        out["$ref"] = ref
    return out


def _partial(node: Any) -> Any:
    """A schema whose objects' fields may all be left out (an override merges over the national
    value, dict into dict); lists replace whole, so what they hold keeps its required fields."""
    if not isinstance(node, dict):
        return node
    out = {k: v for k, v in node.items() if k not in ("required", "default", "title")}
    if isinstance(node.get("properties"), dict):
        out["properties"] = {k: _partial(v) for k, v in node["properties"].items()}
    for key in ("anyOf", "allOf", "oneOf"):
        if isinstance(node.get(key), list):
            out[key] = [_partial(v) for v in node[key]]
    return out


def _untitled(node: Any) -> Any:
    """A schema without pydantic's titles (the field names again) and docstrings (English)."""
    if isinstance(node, list):
        return [_untitled(v) for v in node]
    if not isinstance(node, dict):
        return node
    out = {k: _untitled(v) for k, v in node.items() if k not in ("title", "properties")
           and not (k == "description" and "properties" in node)}
    if isinstance(node.get("properties"), dict):
        out["properties"] = {k: _untitled(v) for k, v in node["properties"].items()}
    return out


def _schema(model: type[BaseModel]) -> dict[str, Any]:
    """A model's schema, its definitions inlined, without titles."""
    schema = model.model_json_schema()
    defs = schema.pop("$defs", {})
    return dict(_untitled(_inline(schema, defs)))


def _fields(model: type[BaseModel]) -> dict[str, dict[str, Any]]:
    return dict(_schema(model).get("properties", {}))


def _block(models: list[type[BaseModel]], keys: set[str]) -> dict[str, Any]:
    """A rule block: the parameters the national block sets, as the models read them (a key
    several rules share must suit each)."""
    props: dict[str, Any] = {}
    for model in models:
        for name, prop in _fields(model).items():
            if name not in keys:
                continue  # injected by the runner (the word lists), not a profile's
            prop = _partial(prop)
            if name in props and props[name] != prop:
                props[name] = {"allOf": [props[name], prop]}
            else:
                props[name] = prop
    props.update({k: {} for k in sorted(keys - set(props))})
    props["enabled"] = {"type": "boolean", "description": "false：停用该规则"}
    return {"type": "object", "properties": props, "patternProperties": {NOTE: {}},
            "additionalProperties": False}


def _scoring(indicators: dict[str, Any]) -> dict[str, Any]:
    out = _partial(_schema(Scoring))
    out["description"] = "计分：满分、及格线、分组分值、各指标的分组与扣分上限、新媒体计分"
    one = _schema(Indicator)
    out["properties"]["indicators"] = {
        "type": "object", "description": "各指标的分组与扣分上限；新增指标须给出 group",
        "properties": {name: _partial(one) for name in indicators},
        "additionalProperties": one}
    return out


@cache
def _overrides() -> dict[str, Any]:
    national = national_profile()
    models: dict[str, list[type[BaseModel]]] = {repost.CODE: [repost.Params]}
    every: list[RuleModule | AccountRuleModule] = [*RULES, *ACCOUNT_RULES]
    for rule in every:
        models.setdefault(rule.CODE, []).append(rule.Params)
    rules = {code: _block(models.get(code, []), {k for k in block if not k.startswith("_")})
             for code, block in sorted(national["rules"].items())}
    return {
        "type": "object", "additionalProperties": False,
        "description": "覆盖国家规则配置的部分：rules（按规则代码，各规则的参数）与 scoring；"
                       "未给出的沿用国家配置",
        "properties": {
            "rules": {"type": "object", "properties": rules, "additionalProperties": False},
            "scoring": _scoring(national["scoring"]["indicators"]),
            "name": {"type": "string"}, "source": {"type": "string"}}}


def overrides_schema(schema: dict[str, Any]) -> None:
    """`json_schema_extra` of a profile's `overrides`: the schema above, in place."""
    schema.clear()
    schema.update(copy.deepcopy(_overrides()))

"""The rule profile: the national 2019 profile as data, with local overrides merged on top."""

from __future__ import annotations

import copy
import json
from functools import cache
from pathlib import Path
from typing import Any

NATIONAL = "national_2019"
PROFILE_DIR = Path(__file__).resolve().parent.parent / "profiles"


def deep_merge(base: dict[str, Any], overrides: dict[str, Any]) -> dict[str, Any]:
    """Return base with overrides merged in; nested dicts merge, everything else replaces."""
    out = copy.deepcopy(base)
    for key, value in overrides.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = deep_merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


@cache
def _national() -> dict[str, Any]:
    folder = PROFILE_DIR / NATIONAL
    profile: dict[str, Any] = json.loads((folder / "scoring.json").read_text("utf-8"))
    for path in sorted(folder.glob("*.json")):
        if path.name == "scoring.json":
            continue
        fragment = json.loads(path.read_text("utf-8"))
        for code, params in fragment.get("rules", {}).items():
            # Several modules may share a code (veto.security): their blocks merge key by key.
            block = profile["rules"].setdefault(code, {})
            clash = sorted((set(block) & set(params)) - {"_source"})
            if clash:
                raise ValueError(f"rule params {code}.{clash[0]} defined twice ({path.name})")
            sources = [s for s in (block.get("_source"), params.get("_source")) if s]
            block.update(params)
            if sources:
                block["_source"] = "；".join(sources)
        profile["scoring"]["indicators"].update(fragment.get("indicators", {}))
        # A fragment may add a scoring section of its own (accounts.json: "accounts").
        profile["scoring"] = deep_merge(profile["scoring"], fragment.get("scoring", {}))
    return profile


def national_profile() -> dict[str, Any]:
    """Return a copy of the national profile (every shipped fragment merged)."""
    return copy.deepcopy(_national())

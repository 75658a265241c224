"""Unknown keys and wrong values, checked against Ludwig's own JSON schema; and Ludwig's resolved config of a spec.

Why: Ludwig 0.17.10 accepts unknown keys at every level and reports the errors it does catch after a traceback
and a schema dump. Walking the spec against Ludwig's own schema keeps the check in step with Ludwig, and lets each
message name the key, the closest allowed key and the reason in one line.
"""

from __future__ import annotations

import copy
import difflib
import functools
import hashlib
import json
from pathlib import Path
from typing import Any

from plugins.spec.document import PROJECT_KEY

SCHEMA_CACHE = Path(".cache")


@functools.lru_cache(maxsize=1)
def ludwig_schema() -> dict:
    """Ludwig's JSON schema for LLM configs, cached per Ludwig version: importing Ludwig to build it
    costs ~20 s, which would make `make check` slow."""
    from importlib.metadata import version

    cache = SCHEMA_CACHE / f"ludwig-{version('ludwig')}-llm-schema.json"
    if cache.is_file():
        return json.loads(cache.read_text())
    from ludwig.config_validation.validation import get_schema

    schema = get_schema("llm")
    cache.parent.mkdir(exist_ok=True)
    tmp = cache.with_suffix(".tmp")
    tmp.write_text(json.dumps(schema))
    tmp.replace(cache)
    return schema


def resolved(raw: dict) -> dict | None:
    """Ludwig's own resolved config for a spec (every default filled in, as training will use it), or None
    when Ludwig cannot resolve it here (an invalid spec, a hub model offline). Cached per Ludwig version
    and spec content: resolving imports Ludwig (~20 s)."""
    from importlib.metadata import version

    ludwig_part = {k: v for k, v in raw.items() if k != PROJECT_KEY}
    digest = hashlib.sha256(json.dumps(ludwig_part, sort_keys=True, default=str).encode()).hexdigest()[:16]
    cache = SCHEMA_CACHE / f"ludwig-{version('ludwig')}-resolved" / f"{digest}.json"
    if cache.is_file():
        return json.loads(cache.read_text())
    try:
        from ludwig.schema.model_types.base import ModelConfig

        config = json.loads(json.dumps(ModelConfig.from_dict(copy.deepcopy(ludwig_part)).to_dict(), default=list))
    except Exception:  # noqa: BLE001 - any failure means: no resolved values to show
        return None
    cache.parent.mkdir(parents=True, exist_ok=True)
    cache.write_text(json.dumps(config))
    return config


def _is_valid(value: Any, schema: dict) -> bool:
    import jsonschema

    return jsonschema.Draft7Validator(schema).is_valid(value)


def _allowed(node: dict, value: dict) -> dict[str, dict]:
    """Properties a mapping may have under `node`, following if/then, oneOf and anyOf branches."""
    props = dict(node.get("properties", {}))
    conditional = [sub for sub in node.get("allOf", []) if "if" in sub]
    matched = [sub for sub in conditional if _is_valid(value, sub["if"])]
    if conditional and not matched:
        return {}  # an invalid `type:` — the schema check reports it; listing every key would bury it
    for sub in matched + [sub for sub in node.get("allOf", []) if "if" not in sub]:
        props.update(_allowed(sub.get("then", sub), value))
    for key in ("oneOf", "anyOf"):
        branches = [b for b in node.get(key, []) if b.get("type") == "object" or "properties" in b]
        chosen = [b for b in branches if _is_valid(value, b)] or branches[:1]
        for b in chosen[:1]:
            props.update(_allowed(b, value))
    return props


def unknown_keys(value: Any, node: dict, where: str) -> list[str]:
    problems = []
    if isinstance(value, dict):
        props = _allowed(node, value)
        if not props:  # a free-form mapping (e.g. model_parameters): nothing to compare with
            return problems
        for key, sub in value.items():
            here = f"{where}.{key}" if where else str(key)
            if key not in props:
                problems.append(unknown_key_message(here, str(key), sorted(props), where))
            else:
                problems += unknown_keys(sub, props[key], here)
    elif isinstance(value, list) and isinstance(node.get("items"), dict):
        for i, item in enumerate(value):
            problems += unknown_keys(item, node["items"], f"{where}[{i}]")
    return problems


def unknown_key_message(path: str, key: str, allowed: list[str], parent: str) -> str:
    close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
    hint = f" — did you mean '{close[0]}'?" if close else ""
    listing = ", ".join(allowed) if len(allowed) <= 25 else f"{len(allowed)} keys, see Ludwig's documentation"
    return f"unknown key '{path}'{hint} (allowed under '{parent or 'top level'}': {listing})"


def schema_problem(config: dict) -> str | None:
    """Ludwig's own JSON-schema check, its message reduced to the key and the reason."""
    import jsonschema

    # Ludwig's validator treats tuples as arrays; YAML gives lists, so plain Draft 7 is equivalent.
    validator = jsonschema.Draft7Validator(ludwig_schema())
    error = jsonschema.exceptions.best_match(validator.iter_errors(config))
    if error is None:
        return None
    key = ".".join(str(p) for p in error.absolute_path) or "top level"
    message = error.message if len(error.message) < 300 else error.message[:300] + " ..."
    return f"'{key}': {message}"

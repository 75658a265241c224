"""`make check` for a spec's `hyperopt:` block, Ludwig's own (parameters, search algorithm, executor, metric, goal).

Ludwig's schema checks the block's shape and the search algorithm but not what it varies: a misspelt
parameter key or an upside-down range only fails inside a Ray worker, minutes later. `problems` checks
each parameter names a key the spec really has (in Ludwig's resolved config), uses a Ray Tune search space
Ludwig knows, and keeps every value a trial could take within the project's ranges for that key (the
same `plugins.spec.ranges.RULES` that bound `make check` and Spec Studio). It lives with the other checks, not with
the sweep, because `make check` must refuse a bad sweep before anyone starts one.
"""

from __future__ import annotations

import difflib
from typing import Any

from plugins.spec.ranges import RULES

RANGE_SPACES = {"uniform", "quniform", "loguniform", "qloguniform", "randint", "qrandint", "lograndint",
                "qlograndint"}
LIST_SPACES = {"choice": "categories", "grid_search": "values"}
SPACES = sorted(RANGE_SPACES | set(LIST_SPACES) | {"randn", "qrandn"})


def _lookup(config: dict, path: list[str]) -> tuple[bool, list[str]]:
    """Whether `path` exists in the resolved config; else the keys allowed where it went wrong."""
    node: Any = config
    for part in path:
        if isinstance(node, list):  # input_features / output_features, addressed by feature name
            node = next((f for f in node if isinstance(f, dict) and f.get("name") == part), None)
            if node is None:
                return False, []
            continue
        if not isinstance(node, dict) or part not in node:
            return False, sorted(node) if isinstance(node, dict) else []
        node = node[part]
    return True, []


def _values(space: str, p: dict) -> list:
    """The extreme values (or every value) a trial can take: what the project's ranges must allow."""
    if space in RANGE_SPACES:
        return [p["lower"], p["upper"]]
    return list(p.get(LIST_SPACES.get(space, ""), []))


def parameter_problems(name: str, p: Any, config: dict | None) -> list[str]:
    where = f"hyperopt.parameters.{name}"
    path = name.split(".")
    if config is not None:
        found, allowed = _lookup(config, path)
        if not found:
            close = difflib.get_close_matches(path[-1], allowed, n=1, cutoff=0.6)
            hint = f" — did you mean '{'.'.join([*path[:-1], close[0]])}'?" if close else ""
            return [f"'{where}' names no setting of this spec{hint}; a parameter is a dotted spec key such as "
                    "trainer.learning_rate, adapter.r or trainer.epochs"]
    if not isinstance(p, dict) or p.get("space") not in SPACES:
        got = p.get("space") if isinstance(p, dict) else p
        return [f"'{where}.space' is {got!r}; allowed: {', '.join(SPACES)}"]
    space = p["space"]
    if space in RANGE_SPACES:
        lower, upper = p.get("lower"), p.get("upper")
        if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (lower, upper)):
            return [f"'{where}' needs numeric 'lower' and 'upper' for space {space}"]
        if lower >= upper:
            return [f"'{where}': lower {lower} must be below upper {upper}"]
        if space.startswith(("log", "qlog")) and lower <= 0:
            return [f"'{where}': a {space} range needs lower > 0, got {lower}"]
    elif space in LIST_SPACES:
        key = LIST_SPACES[space]
        if not isinstance(p.get(key), list) or not p[key]:
            return [f"'{where}' needs a non-empty list '{key}' for space {space}"]
    rule = RULES.get(tuple(path)) if len(path) == 2 else None
    if rule is not None:
        bad = [v for v in _values(space, p) if not rule.ok(v)]
        if bad:
            return [f"'{where}' lets trials take {', '.join(map(repr, bad))}; allowed for {name}: {rule.allowed}"]
    return []


def problems(raw: dict, config: dict | None) -> list[str]:
    """Problems with the spec's `hyperopt:` block (none when it has no such block). `config` is Ludwig's
    resolved config of the spec (None when it could not be resolved: keys are then not checked)."""
    block = raw.get("hyperopt")
    if block is None:
        return []
    if not isinstance(block, dict):
        return ["'hyperopt' must be a mapping (parameters, search_alg, executor, goal, metric)"]
    params = block.get("parameters")
    if not isinstance(params, dict) or not params:
        return ["'hyperopt.parameters' must name at least one spec key to vary, e.g. "
                "trainer.learning_rate: {space: loguniform, lower: 0.00005, upper: 0.001}"]
    found = []
    for name, p in params.items():
        found += parameter_problems(str(name), p, config)
    samples = (block.get("executor") or {}).get("num_samples", 1)
    if isinstance(samples, bool) or not isinstance(samples, int) or samples < 1:
        found.append(f"'hyperopt.executor.num_samples' is {samples!r}; allowed: an integer >= 1 (the number of trials)")
    return found

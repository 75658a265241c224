"""Value ranges Ludwig does not enforce (`learning_rate: -1` fails only later, in torch), and the advice for values
that are legal but rarely what a non-coder wants.

Why a module of its own: the same RULES refuse a value in `make check`, bound Spec Studio's fields and bound every
value a sweep's trials may take (plugins/spec/hyperopt.py), so they must live in one place that needs nothing else.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple


class Rule(NamedTuple):
    """A numeric range: its check, its wording, and its bounds (Spec Studio bounds its fields with them)."""

    ok: Callable[[Any], bool]
    allowed: str
    lo: float | None
    hi: float | None
    integer: bool


def _number(lo: float | None = None, hi: float | None = None, lo_open=False, hi_open=False, auto=False,
            integer=False) -> Rule:
    def ok(v):
        if auto and v == "auto":
            return True
        if isinstance(v, bool) or not isinstance(v, (int, float)) or (integer and not isinstance(v, int)):
            return False
        if lo is not None and (v <= lo if lo_open else v < lo):
            return False
        return not (hi is not None and (v >= hi if hi_open else v > hi))

    kind = "an integer" if integer else "a number"
    parts = []
    if lo is not None:
        parts.append(f"{'>' if lo_open else '>='} {lo}")
    if hi is not None:
        parts.append(f"{'<' if hi_open else '<='} {hi}")
    text = f"{kind} {' and '.join(parts)}".strip() + (' or "auto"' if auto else "")
    return Rule(ok, text, lo, hi, integer)


RULES: dict[tuple[str, str], Rule] = {
    ("trainer", "learning_rate"): _number(0, lo_open=True, auto=True),
    ("trainer", "epochs"): _number(1, integer=True),
    ("trainer", "train_steps"): _number(1, integer=True),
    ("trainer", "batch_size"): _number(1, integer=True, auto=True),
    ("trainer", "eval_batch_size"): _number(1, integer=True, auto=True),
    ("trainer", "gradient_accumulation_steps"): _number(1, integer=True, auto=True),
    ("trainer", "weight_decay"): _number(0),
    ("trainer", "steps_per_checkpoint"): _number(0, integer=True),
    ("adapter", "r"): _number(1, integer=True),
    ("adapter", "alpha"): _number(0, lo_open=True),
    ("adapter", "dropout"): _number(0, 1, hi_open=True),
    ("generation", "max_new_tokens"): _number(1, integer=True),
    ("generation", "temperature"): _number(0),
    ("generation", "top_p"): _number(0, 1, lo_open=True),
    ("generation", "repetition_penalty"): _number(0, lo_open=True),
    ("preprocessing", "global_max_sequence_length"): _number(1, integer=True),
}

# Values that are legal but rarely what a non-coder wants: warned about above the limit, never refused.
ADVICE: dict[tuple[str, str], tuple[float, str]] = {
    ("trainer", "learning_rate"): (1e-2, "above 1e-2, LoRA fine-tuning usually diverges"),
    ("trainer", "epochs"): (20, "more than 20 epochs over-fits a small dataset"),
    ("adapter", "r"): (256, "a rank above 256 trains almost as many weights as full fine-tuning"),
    ("adapter", "dropout"): (0.5, "dropout above 0.5 throws away most of the adapter's signal"),
    ("generation", "max_new_tokens"): (1024, "answers above 1024 tokens are slow on a CPU"),
    ("generation", "temperature"): (2, "a temperature above 2 gives near-random text"),
}


def problems(raw: dict) -> tuple[list[str], list[str]]:
    errors, warnings = [], []
    for (section, key), rule in RULES.items():
        block = raw.get(section)
        if not isinstance(block, dict) or key not in block:
            continue
        value = block[key]
        if not rule.ok(value):
            errors.append(f"'{section}.{key}' is {value!r}; allowed: {rule.allowed}")
        elif (section, key) in ADVICE and value != "auto" and value > ADVICE[(section, key)][0]:
            warnings.append(f"'{section}.{key}: {value}' — {ADVICE[(section, key)][1]}")
    return errors, warnings

"""The project block's `data:` (medical_llm.data): its keys, the split fractions and the near-duplicate thresholds.

Why a module of its own: `make check` and data preparation must refuse the same `split` and `near_duplicates`
values with the same words, so both call these rules; kept apart from data preparation, the rules need neither
pandas' data nor the preparation code to run.
"""

from __future__ import annotations

import difflib
from typing import Any

from plugins.dataset_format import SPLIT_NAMES
from plugins.near_duplicates import NEAR_DUPLICATES
from plugins.spec.schema import unknown_key_message

SPLIT_ALLOWED = "a mapping train/validation/test -> fractions > 0 summing to 1"
NEAR_DUPLICATES_ALLOWED = ("false (no near-duplicate check) or a mapping question/answer -> an integer 0-100 "
                           "(a rapidfuzz score; higher drops fewer rows) or false (that rule off)")
DATA_KEYS = {
    "path": "a CSV, JSON, JSONL or Parquet file relative to the project root, or a glob pattern ('dir/*.csv')",
    "hf_dataset": "a Hugging Face dataset id (needs network)",
    "hf_split": "the Hugging Face split to read (default: train)",
    "columns": "a mapping: Ludwig feature name -> source column",
    "keep_columns": "a list of extra source columns to keep (e.g. a topic column for reports)",
    "max_words": "a mapping: column -> most words allowed (an integer >= 1); longer rows are dropped",
    "max_samples": "an integer >= 1 or null (all rows)",
    "split": SPLIT_ALLOWED,
    "seed": "an integer",
    "near_duplicates": "false, or a mapping question/answer -> an integer 0-100 (a rapidfuzz score) or false: "
                       "validation/test rows that nearly repeat an earlier split are dropped (default 90 each)",
}


def split_problems(split: Any, where: str) -> list[str]:
    """What is wrong with a data block's `split` (empty when it is valid): one rule for `make check` and data
    preparation alike."""
    allowed = SPLIT_ALLOWED
    if not isinstance(split, dict):
        return [f"'{where}' is missing or not a mapping; allowed: {allowed}, "
                "e.g. {train: 0.51, validation: 0.30, test: 0.19}"]
    problems = []
    for key in (k for k in split if k not in SPLIT_NAMES):
        close = difflib.get_close_matches(str(key), SPLIT_NAMES, n=1, cutoff=0.6)
        hint = f" — did you mean '{close[0]}'?" if close else ""
        problems.append(f"unknown key '{where}.{key}'{hint} (allowed under '{where}': {', '.join(SPLIT_NAMES)})")
    problems += [f"'{where}.{k}' is missing; allowed: {allowed}" for k in SPLIT_NAMES if k not in split]
    values = [split.get(k) for k in SPLIT_NAMES if k in split]
    if not all(isinstance(v, (int, float)) and not isinstance(v, bool) and v > 0 for v in values):
        problems.append(f"'{where}' has {split}; allowed: {allowed}")
    elif not problems and abs(sum(values) - 1) > 1e-6:
        problems.append(f"'{where}' fractions sum to {sum(values):g}; allowed: {allowed}")
    return problems


def near_duplicate_problems(value: Any, where: str) -> list[str]:
    """What is wrong with a data block's `near_duplicates` (empty when valid): one rule for `make check` and data
    preparation alike."""
    if value is False:
        return []
    if not isinstance(value, dict):
        return [f"'{where}' is {value!r}; allowed: {NEAR_DUPLICATES_ALLOWED}, e.g. {{question: 90, answer: 90}}"]
    problems = []
    for key in (k for k in value if k not in NEAR_DUPLICATES):
        close = difflib.get_close_matches(str(key), list(NEAR_DUPLICATES), n=1, cutoff=0.6)
        hint = f" — did you mean '{close[0]}'?" if close else ""
        problems.append(f"unknown key '{where}.{key}'{hint} (allowed under '{where}': {', '.join(NEAR_DUPLICATES)})")
    for key, threshold in value.items():
        if key in NEAR_DUPLICATES and threshold is not False and (
                isinstance(threshold, bool) or not isinstance(threshold, int) or not 0 <= threshold <= 100):
            problems.append(f"'{where}.{key}' is {threshold!r}; allowed: an integer 0-100 (the lowest rapidfuzz score "
                            f"that counts as a near-duplicate) or false (no {key} check)")
    return problems


def problems(data: dict, where: str) -> list[str]:
    """What is wrong with the data block `data` (a mapping) found at `where`; empty when it is valid."""
    problems = [unknown_key_message(f"{where}.{k}", k, sorted(DATA_KEYS), where) for k in data if k not in DATA_KEYS]
    if ("path" in data) == ("hf_dataset" in data):
        problems.append(f"'{where}' needs exactly one of 'path' ({DATA_KEYS['path']}) or 'hf_dataset'")
    for key in ("path", "hf_dataset", "hf_split"):
        if key in data and not (isinstance(data[key], str) and data[key].strip()):
            problems.append(f"'{where}.{key}' must be a non-empty string")
    columns = data.get("columns", {})
    if not isinstance(columns, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in columns.items()):
        problems.append(f"'{where}.columns' must be {DATA_KEYS['columns']}, e.g. {{question: input, answer: output}}")
    keep = data.get("keep_columns", [])
    if not isinstance(keep, list) or not all(isinstance(c, str) for c in keep):
        problems.append(f"'{where}.keep_columns' must be {DATA_KEYS['keep_columns']}")
    max_words = data.get("max_words", {})
    if not isinstance(max_words, dict) or not all(isinstance(k, str) and isinstance(v, int) and not isinstance(v, bool)
                                                  and v >= 1 for k, v in max_words.items()):
        problems.append(f"'{where}.max_words' is {max_words!r}; allowed: {DATA_KEYS['max_words']}, e.g. {{answer: 50}}")
    cap = data.get("max_samples")
    if cap is not None and (isinstance(cap, bool) or not isinstance(cap, int) or cap < 1):
        problems.append(f"'{where}.max_samples' is {cap!r}; allowed: {DATA_KEYS['max_samples']}")
    seed = data.get("seed", 42)
    if isinstance(seed, bool) or not isinstance(seed, int):
        problems.append(f"'{where}.seed' is {seed!r}; allowed: {DATA_KEYS['seed']}")
    problems += split_problems(data.get("split"), f"{where}.split")
    if "near_duplicates" in data:
        problems += near_duplicate_problems(data["near_duplicates"], f"{where}.near_duplicates")
    return problems

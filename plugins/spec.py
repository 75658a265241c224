"""Spec loading and strict validation: one clear message per problem, before any model loads.

Ludwig 0.17.10 accepts unknown keys at every level, takes `learning_rate: -1` or `epochs: -1`, and
reports the errors it does catch after a traceback and a schema dump. This module walks the spec
against Ludwig's own JSON schema (so it stays in step with Ludwig), adds the few range rules a
non-coder needs, validates the project-only block, and names file, key and what is allowed.
"""

from __future__ import annotations

import copy
import difflib
import functools
import hashlib
import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

import yaml

from plugins.data import SPLIT_ALLOWED, split_problems

# Project-only settings live under this one top-level key. Ludwig 0.17 ignores unknown top-level
# keys, so each spec stays a config the stock `ludwig` CLI accepts; the project strips the block
# before handing the config to Ludwig and validates it here.
PROJECT_KEY = "medical_llm"


class SpecError(Exception):
    """One or more problems in a spec; each line names the file and key."""

    def __init__(self, path: Path | str, problems: list[str]):
        self.path, self.problems = str(path), problems
        super().__init__("\n".join(f"{self.path}: {p}" for p in problems))


@dataclass
class Spec:
    """A loaded spec: the whole YAML, the Ludwig part and the project part."""

    path: Path
    raw: dict
    warnings: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.path.stem

    @property
    def ludwig(self) -> dict:
        """The config handed to Ludwig: the spec without the project-only block."""
        return {k: copy.deepcopy(v) for k, v in self.raw.items() if k != PROJECT_KEY}

    @property
    def project(self) -> dict:
        return self.raw.get(PROJECT_KEY) or {}

    @property
    def data(self) -> dict:
        return self.project.get("data") or {}

    @property
    def feature_names(self) -> list[str]:
        return [f["name"] for f in self.raw["input_features"] + self.raw["output_features"]]


def read_yaml(path: Path) -> dict:
    """Parse a spec file, turning YAML errors into a message with the line number."""
    path = Path(path)
    if not path.is_file():
        raise SpecError(path, ["spec file not found (specs live in specs/*.yaml)"])
    try:
        raw = yaml.safe_load(path.read_text())
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        raise SpecError(path, [f"not valid YAML: {where}{getattr(e, 'problem', e)}"]) from None
    if not isinstance(raw, dict):
        raise SpecError(path, ["a spec must be a YAML mapping of keys (model_type, base_model, ...)"])
    return raw


# ---------------------------------------------------------------------------------------------
# Unknown keys, checked against Ludwig's JSON schema


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


def _unknown_keys(value: Any, node: dict, where: str) -> list[str]:
    problems = []
    if isinstance(value, dict):
        props = _allowed(node, value)
        if not props:  # a free-form mapping (e.g. model_parameters): nothing to compare with
            return problems
        for key, sub in value.items():
            here = f"{where}.{key}" if where else str(key)
            if key not in props:
                problems.append(_unknown_key_message(here, str(key), sorted(props), where))
            else:
                problems += _unknown_keys(sub, props[key], here)
    elif isinstance(value, list) and isinstance(node.get("items"), dict):
        for i, item in enumerate(value):
            problems += _unknown_keys(item, node["items"], f"{where}[{i}]")
    return problems


def _unknown_key_message(path: str, key: str, allowed: list[str], parent: str) -> str:
    close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
    hint = f" — did you mean '{close[0]}'?" if close else ""
    listing = ", ".join(allowed) if len(allowed) <= 25 else f"{len(allowed)} keys, see Ludwig's documentation"
    return f"unknown key '{path}'{hint} (allowed under '{parent or 'top level'}': {listing})"


# ---------------------------------------------------------------------------------------------
# Ranges Ludwig does not enforce (learning_rate: -1 fails only later, in torch)


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


def _range_problems(raw: dict) -> tuple[list[str], list[str]]:
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


def _schema_problem(config: dict) -> str | None:
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


# ---------------------------------------------------------------------------------------------
# The project-only block

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
PROJECT_KEYS = {"data": "the dataset block",
                "length_batching": "true or false: training batches of rows of similar length "
                                   "(plugins/ludwig/length_batching.py)",
                "benchmarks": "knowledge benchmarks make compare scores: {mmlu_medical|medmcqa|pubmedqa: {limit: N}}",
                "tracking": "true (default) or false: log the run to MLflow in mlruns/ (plugins/tracking.py)",
                "precision": "auto (default: bf16 where the CPU has bf16 matrix units, else fp32), fp32 or bf16 "
                             "(plugins/precision.py)",
                "retrieval": "trusted passages for each question and the checked, cited answers: {corpus, k, "
                             "chunk_words, oracle_share, min_support, ...} (plugins/retrieval/check.py)"}


def _project_problems(raw: dict) -> list[str]:
    project = raw.get(PROJECT_KEY)
    where = PROJECT_KEY
    if project is None:
        return [f"missing '{PROJECT_KEY}:' block (it names the dataset: {PROJECT_KEY}.data.path)"]
    if not isinstance(project, dict):
        return [f"'{where}' must be a mapping with: {', '.join(PROJECT_KEYS)}"]
    problems = [_unknown_key_message(f"{where}.{k}", k, sorted(PROJECT_KEYS), where) for k in project
                if k not in PROJECT_KEYS]
    if not isinstance(project.get("tracking", True), bool):
        problems.append(f"'{where}.tracking' is {project['tracking']!r}; allowed: true or false")
    if "precision" in project:
        from plugins import precision

        problems += precision.problems(project["precision"], f"{where}.precision")
    if not isinstance(project.get("length_batching", False), bool):
        problems.append(f"'{where}.length_batching' is {project['length_batching']!r}; allowed: true or false")
    if "retrieval" in project:
        from plugins.retrieval import check as retrieval_check
        from plugins.runs import DEFAULT_MAX_SEQUENCE_LENGTH

        length = (raw.get("preprocessing") or {}).get("global_max_sequence_length") or DEFAULT_MAX_SEQUENCE_LENGTH
        problems += retrieval_check.problems(project["retrieval"], where=f"{where}.retrieval",
                                             max_length=length if isinstance(length, int) else None,
                                             data_path=(project.get("data") or {}).get("path"))
    data = project.get("data")
    if not isinstance(data, dict):
        return problems + [f"'{where}.data' must be a mapping with: {', '.join(DATA_KEYS)}"]
    where += ".data"
    problems += [_unknown_key_message(f"{where}.{k}", k, sorted(DATA_KEYS), where) for k in data if k not in DATA_KEYS]
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
        from plugins.data import near_duplicate_problems

        problems += near_duplicate_problems(data["near_duplicates"], f"{where}.near_duplicates")
    return problems


# ---------------------------------------------------------------------------------------------
# The base model


def is_local_model(base_model: str) -> bool:
    """Local when it exists, starts with '.', '/' or '~', or lies under models/; else a hub id."""
    return (os.path.exists(os.path.expanduser(base_model)) or base_model.startswith((".", "/", "~"))
            or base_model.startswith("models/"))


def hub_offline() -> bool:
    return os.environ.get("HF_HUB_OFFLINE", "0") not in ("0", "", "false", "False")


def _model_problems(raw: dict) -> list[str]:
    base = raw.get("base_model")
    if not isinstance(base, str) or not is_local_model(base):
        return []
    path = Path(os.path.expanduser(base))
    if not (path / "config.json").is_file():
        made_here = base.startswith("models/")
        fix = " — run 'make model' (or 'make tiny-model') to build it" if made_here else ""
        return [f"'base_model': model directory not found: {base} (expected a Hugging Face model directory "
                f"with config.json){fix}"]
    return []


def _template_problems(raw: dict, warnings: list[str]) -> list[str]:
    """Compare the prompt with the local base model's chat template (hub models: only when online)."""
    from plugins import prompt

    base, template = raw.get("base_model"), (raw.get("prompt") or {}).get("template")
    if not isinstance(template, str):
        return ["missing 'prompt.template': write the base model's chat template with a {question} placeholder"]
    from plugins.retrieval.sources import COLUMN as SOURCES

    extra = (SOURCES,) if isinstance(raw.get(PROJECT_KEY), dict) and "retrieval" in raw[PROJECT_KEY] else ()
    if problems := prompt.placeholder_problems(template, raw["input_features"][0]["name"], extra):
        return problems
    if not is_local_model(base) and hub_offline():
        warnings.append(f"'base_model: {base}' is a hub id and the hub is offline: prompt template not compared "
                        "with its chat template")
        return []
    from transformers import AutoTokenizer

    try:
        tokenizer = AutoTokenizer.from_pretrained(os.path.expanduser(base))
    except Exception as e:  # noqa: BLE001 - any load failure is reported as a spec problem
        return [f"'base_model': could not load its tokenizer: {str(e).splitlines()[0]}"]
    if prompt.pad_token_in_template(template, tokenizer):
        warnings.append(f"the pad token {tokenizer.pad_token!r} occurs in 'prompt.template': stock `ludwig` 0.17.10 "
                        "cuts the prompt there; this project's entry points patch it (plugins/ludwig/fixes.py)")
    return prompt.check_template(template, tokenizer, raw["input_features"][0]["name"], extra)


# ---------------------------------------------------------------------------------------------


def load(path: Path | str) -> Spec:
    """Load and validate a spec; raise SpecError listing every problem, keep warnings on the Spec."""
    path = Path(path)
    raw = read_yaml(path)
    problems = []
    missing = [k for k in ("model_type", "base_model", "input_features", "output_features") if k not in raw]
    problems += [f"missing required key '{k}'" for k in missing]
    if raw.get("model_type", "llm") != "llm":
        problems.append(f"'model_type' is {raw.get('model_type')!r}; this project fine-tunes LLMs: allowed: llm")
    ludwig_part = {k: v for k, v in raw.items() if k != PROJECT_KEY}
    problems += _unknown_keys(ludwig_part, ludwig_schema(), "")
    if not missing:
        schema_problem = _schema_problem(ludwig_part)
        if schema_problem:
            problems.append(schema_problem)
    range_errors, warnings = _range_problems(raw)
    problems += range_errors
    problems += _project_problems(raw)
    if isinstance(raw.get(PROJECT_KEY), dict) and "benchmarks" in raw[PROJECT_KEY]:
        from plugins.eval import knowledge

        benchmark_errors, benchmark_warnings = knowledge.problems(raw[PROJECT_KEY]["benchmarks"])
        problems += benchmark_errors
        warnings += benchmark_warnings
    if "hyperopt" in raw and not problems:
        from plugins.sweep import check as sweep_check

        # the keys a sweep varies are the model's: resolved without the block (Ludwig would also demand the
        # search algorithm's package, which only the sweep itself needs)
        problems += sweep_check.problems(raw, resolved({k: v for k, v in raw.items() if k != "hyperopt"}))
    problems += _model_problems(raw)
    if not problems and (raw.get(PROJECT_KEY) or {}).get("precision") == "bf16":
        from plugins import precision

        if warning := precision.decide("bf16").warning:
            warnings.append(f"'{PROJECT_KEY}.precision: bf16' on this machine: {warning}")
    if not problems:  # the tokenizer is only worth loading for an otherwise valid spec
        problems += _template_problems(raw, warnings)
    if problems:
        raise SpecError(path, list(dict.fromkeys(problems)))
    return Spec(path=path, raw=raw, warnings=warnings)

"""Spec Studio: edit a spec's common settings, validate as you go, save as a new file, train or sweep it.

Non-coders change the keys of the README's "What a non-coder changes" table through bounded fields;
the bounds are plugins.spec's own RULES and ADVICE and validation is plugins.spec.load. A sweep is the
same spec with a `hyperopt:` block built from ranges picked for some of those fields (`sweep_spec`).
Training and sweeping the result is plugins/app/jobs.py's job.
"""

from __future__ import annotations

import copy
import functools
import re
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import yaml

from plugins import prompt
from plugins import spec as spec_mod

SPECS = Path("specs")
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


@dataclass(frozen=True)
class Field:
    """One editable setting: where it lives in the spec, its label and plain-language hint."""

    section: str
    key: str
    label: str
    hint: str
    step: float

    @property
    def rule(self) -> spec_mod.Rule:
        return spec_mod.RULES[(self.section, self.key)]

    @property
    def minimum(self) -> float | None:
        return self.rule.lo

    @property
    def maximum(self) -> float | None:
        """The advised limit where plugins.spec warns, else the hard limit (None: unbounded)."""
        advice = spec_mod.ADVICE.get((self.section, self.key))
        return advice[0] if advice else self.rule.hi

    @property
    def info(self) -> str:
        advice = spec_mod.ADVICE.get((self.section, self.key))
        return f"{self.hint} Allowed: {self.rule.allowed}" + (f"; {advice[1]}." if advice else ".")


FIELDS = [
    Field("trainer", "learning_rate", "Learning rate", "How big each update step is. Too high and training "
          "diverges, too low and it learns nothing; 1e-4 to 3e-4 suits LoRA.", 1e-5),
    Field("trainer", "epochs", "Epochs", "How many times training reads the whole training set.", 1),
    Field("trainer", "batch_size", "Batch size", "Rows per step; more needs more memory.", 1),
    Field("trainer", "gradient_accumulation_steps", "Gradient accumulation", "Steps added up before each "
          "update: the effective batch is batch size × this.", 1),
    Field("adapter", "r", "LoRA rank (r)", "The adapter's capacity: higher learns more and trains more "
          "weights.", 1),
    Field("adapter", "alpha", "LoRA alpha", "How strongly the adapter speaks; usually twice the rank.", 1),
    Field("adapter", "dropout", "LoRA dropout", "Randomly silences part of the adapter while training, "
          "against over-fitting.", 0.01),
    Field("preprocessing", "global_max_sequence_length", "Max sequence length (tokens)", "Longest prompt plus "
          "answer in tokens; longer rows are cut. Longer costs time and memory.", 1),
    Field("generation", "max_new_tokens", "Answer length (max new tokens)", "The longest answer generated.", 1),
    Field("generation", "temperature", "Temperature", "Randomness of answers when sampling; with sampling off "
          "answers are greedy (same every time).", 0.05),
    Field("generation", "top_p", "Top-p", "When sampling, pick only among the most likely words that make up "
          "this share of probability.", 0.05),
    Field("generation", "repetition_penalty", "Repetition penalty", "Above 1 discourages repeating the same "
          "words.", 0.05),
]


# the settings a sweep can vary: the ones that change training, hence the validation loss it ranks trials by
SWEEP_KEYS = {("trainer", "learning_rate"), ("trainer", "epochs"), ("adapter", "r"), ("adapter", "alpha"),
              ("adapter", "dropout")}
SWEEPABLE = [f for f in FIELDS if (f.section, f.key) in SWEEP_KEYS]
LOG_SCALE = {("trainer", "learning_rate")}  # searched on a log scale: 1e-5 and 1e-4 are as far apart as 1e-4, 1e-3


def search_space(field: Field, low: float, high: float) -> dict:
    """A Ray Tune space (Ludwig's hyperopt syntax) covering [low, high] for one field."""
    if field.rule.integer:
        return {"space": "qrandint", "lower": int(low), "upper": int(high), "q": 1}
    kind = "loguniform" if (field.section, field.key) in LOG_SCALE else "uniform"
    return {"space": kind, "lower": float(low), "upper": float(high)}


def sweep_spec(raw: dict, ranges: dict[str, tuple[float, float]], trials: int) -> dict:
    """The spec with a `hyperopt:` block varying `ranges` (`section.key` -> (low, high)) over `trials` trials,
    one at a time with every core of this machine, minimising the validation loss."""
    import os

    by_name = {f"{f.section}.{f.key}": f for f in SWEEPABLE}
    unknown = sorted(set(ranges) - set(by_name))
    if unknown:
        raise ValueError(f"cannot vary {', '.join(unknown)}; a sweep varies: {', '.join(by_name)}")
    out = copy.deepcopy(raw)
    out["hyperopt"] = {
        "goal": "minimize", "metric": "loss", "output_feature": "combined", "split": "validation",
        "parameters": {name: search_space(by_name[name], lo, hi) for name, (lo, hi) in ranges.items()},
        "search_alg": {"type": "hyperopt"},
        "executor": {"type": "ray", "num_samples": int(trials), "cpu_resources_per_trial": os.cpu_count() or 1,
                     "max_concurrent_trials": 1},
    }
    return out


def list_specs(specs_dir: Path = SPECS) -> list[str]:
    return sorted(str(p) for p in Path(specs_dir).glob("*.yaml"))


def read(path: Path | str) -> dict:
    return spec_mod.read_yaml(Path(path))


def values(raw: dict) -> dict[str, object]:
    """The editable values of a spec, keyed `section.key`: what the spec writes, else Ludwig's default for it
    (specs write only what differs from the defaults), None where neither is a number ("auto")."""
    defaults = spec_mod.resolved(raw) or {}
    found = {}
    for f in FIELDS:
        written = (raw.get(f.section) or {}).get(f.key)
        found[f"{f.section}.{f.key}"] = written if written is not None else (defaults.get(f.section) or {}).get(f.key)
    return {k: None if v == "auto" else v for k, v in found.items()}


def _tokenizer(raw: dict):
    """The base model's tokenizer, for reading and re-rendering the system prompt (local models only)."""
    base = raw.get("base_model")
    if not isinstance(base, str) or not spec_mod.is_local_model(base) or not Path(base, "config.json").is_file():
        return None
    return _load_tokenizer(str(Path(base).resolve()))


@functools.lru_cache(maxsize=4)
def _load_tokenizer(path: str):
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(path)


def question_field(raw: dict) -> str:
    return raw["input_features"][0]["name"]


def system_prompt(raw: dict) -> str | None:
    """The system prompt inside `prompt.template`, or None when it cannot be read (hub model, odd template)."""
    tokenizer = _tokenizer(raw)
    template = (raw.get("prompt") or {}).get("template")
    if tokenizer is None or not isinstance(template, str):
        return None
    system = prompt.system_prompt_of(template, tokenizer, question_field(raw))
    return None if system is None else system.replace("{{", "{").replace("}}", "}")


def edit(raw: dict, new_values: dict[str, object], system: str | None = None) -> dict:
    """A copy of the spec with the edited values and, when given, the system prompt re-rendered through
    the base model's chat template. An empty value (None, "") or an unchanged default leaves its key as it
    was: unset keys keep Ludwig's default and "auto" stays "auto"."""
    out = copy.deepcopy(raw)
    shown = values(raw)
    for f in FIELDS:
        name = f"{f.section}.{f.key}"
        if name not in new_values:
            continue
        value = new_values[name]
        if value is None or value == "" or (f.key not in (raw.get(f.section) or {}) and value == shown[name]):
            continue  # unchanged defaults stay unwritten
        block = out.setdefault(f.section, {})
        if f.rule.integer and isinstance(value, float) and value.is_integer():
            value = int(value)
        block[f.key] = value
    if system is not None:
        tokenizer = _tokenizer(out)
        if tokenizer is not None:
            out["prompt"]["template"] = prompt.template_for(tokenizer, system.strip(), question_field(out))
    return out


def edit_from_page(raw: dict, system_text: str | None, numbers) -> dict:
    """`edit` with the page's values: the fields in FIELDS order, the system prompt only when it changed."""
    original = system_prompt(raw)
    new_system = system_text if original is not None and system_text != original else None
    return edit(raw, dict(zip([f"{f.section}.{f.key}" for f in FIELDS], numbers)), new_system)


def validate(raw: dict) -> tuple[list[str], list[str]]:
    """(problems, warnings) of a spec as plugins.spec reports them, without saving it anywhere."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "edited.yaml"
        path.write_text(dump(raw))
        try:
            return [], spec_mod.load(path).warnings
        except spec_mod.SpecError as e:
            return e.problems, []


def dump(raw: dict, header: str = "") -> str:
    return header + yaml.safe_dump(raw, sort_keys=False, allow_unicode=True, width=110)


def changes(before: dict, after: dict) -> list[str]:
    """One line per changed setting, `key: old -> new`."""
    lines = [f"{k}: {v} -> {values(after)[k]}" for k, v in values(before).items() if values(after)[k] != v]
    if (before.get("prompt") or {}).get("template") != (after.get("prompt") or {}).get("template"):
        lines.append("prompt.template: new system prompt")
    if before.get("hyperopt") != after.get("hyperopt") and after.get("hyperopt"):
        space = after["hyperopt"]["parameters"]
        varied = ", ".join(f"{k} {p.get('lower')}..{p.get('upper')}" for k, p in space.items())
        lines.append(f"hyperopt: {after['hyperopt']['executor']['num_samples']} trials varying {varied}")
    return lines


def save_new(raw: dict, name: str, source: str, specs_dir: Path = SPECS) -> Path:
    """Write the spec as specs/<name>.yaml, never over an existing file (ValueError says what to do)."""
    name = name.strip().removesuffix(".yaml")
    if not NAME.match(name):
        raise ValueError("Give the new spec a name of letters, digits, '-', '_' or '.' (e.g. my-lr-1e-4).")
    path = Path(specs_dir) / f"{name}.yaml"
    header = (f"# Made with Spec Studio from {source} on {time.strftime('%Y-%m-%d')}.\n"
              + "".join(f"# changed: {line}\n" for line in changes(read(source), raw)))
    try:
        with open(path, "x") as fh:  # exclusive create: an existing spec is never overwritten
            fh.write(dump(raw, header))
    except FileExistsError:
        raise ValueError(f"{path} already exists; Spec Studio never overwrites a spec: choose another name.") from None
    return path

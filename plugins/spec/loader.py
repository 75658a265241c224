"""Loading a spec: read its file, then run every block's check in a fixed order, and return a Spec or raise one
SpecError that lists every problem found.

Why a module of its own: the order is the contract (cheap checks first; the sweep's keys only on an otherwise
valid spec; the tokenizer loaded last, and only when nothing else is wrong), and `make check`, Spec Studio,
`make train` and `make sweep` all load specs through this one function.
"""

from __future__ import annotations

from pathlib import Path

from plugins.spec import base_model, hyperopt, project, ranges, schema
from plugins.spec import prompt as template
from plugins.spec.document import PROJECT_KEY, Spec, SpecError, read_yaml


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
    problems += schema.unknown_keys(ludwig_part, schema.ludwig_schema(), "")
    if not missing:
        schema_problem = schema.schema_problem(ludwig_part)
        if schema_problem:
            problems.append(schema_problem)
    range_errors, warnings = ranges.problems(raw)
    problems += range_errors
    problems += project.problems(raw)
    if isinstance(raw.get(PROJECT_KEY), dict) and "benchmarks" in raw[PROJECT_KEY]:
        from plugins.eval import knowledge_sets

        benchmark_errors, benchmark_warnings = knowledge_sets.problems(raw[PROJECT_KEY]["benchmarks"])
        problems += benchmark_errors
        warnings += benchmark_warnings
    if "hyperopt" in raw and not problems:
        # the keys a sweep varies are the model's: resolved without the block (Ludwig would also demand the
        # search algorithm's package, which only the sweep itself needs)
        problems += hyperopt.problems(raw, schema.resolved({k: v for k, v in raw.items() if k != "hyperopt"}))
    problems += base_model.problems(raw)
    if not problems and (raw.get(PROJECT_KEY) or {}).get("precision") == "bf16":
        from plugins import precision

        if warning := precision.decide("bf16").warning:
            warnings.append(f"'{PROJECT_KEY}.precision: bf16' on this machine: {warning}")
    if not problems:  # the tokenizer is only worth loading for an otherwise valid spec
        problems += template.problems(raw, warnings)
    if problems:
        raise SpecError(path, list(dict.fromkeys(problems)))
    return Spec(path=path, raw=raw, warnings=warnings)

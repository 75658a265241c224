"""The project-only block (`medical_llm:`): its own keys (tracking, precision, length batching, benchmarks), and the
data and retrieval blocks it holds, each checked by its own module.

Why a module of its own: Ludwig never sees this block (plugins/spec/document.py strips it), so no Ludwig schema
checks it; this is the one place that knows which keys it may hold and where each is checked.
"""

from __future__ import annotations

from plugins import runs
from plugins.spec import data as data_block
from plugins.spec import retrieval
from plugins.spec.document import PROJECT_KEY
from plugins.spec.schema import unknown_key_message

PROJECT_KEYS = {"data": "the dataset block",
                "length_batching": "true or false: training batches of rows of similar length "
                                   "(plugins/ludwig/length_batching.py)",
                "benchmarks": "knowledge benchmarks make compare scores: {mmlu_medical|medmcqa|pubmedqa: {limit: N}}",
                "tracking": "true (default) or false: log the run to MLflow in mlruns/ (plugins/tracking.py)",
                "precision": "auto (default: bf16 where the CPU has bf16 matrix units, else fp32), fp32 or bf16 "
                             "(plugins/precision.py)",
                "retrieval": "trusted passages for each question and the checked, cited answers: {corpus, k, "
                             "chunk_words, oracle_share, min_support, ...} (plugins/spec/retrieval.py)"}


def problems(raw: dict) -> list[str]:
    project = raw.get(PROJECT_KEY)
    where = PROJECT_KEY
    if project is None:
        return [f"missing '{PROJECT_KEY}:' block (it names the dataset: {PROJECT_KEY}.data.path)"]
    if not isinstance(project, dict):
        return [f"'{where}' must be a mapping with: {', '.join(PROJECT_KEYS)}"]
    problems = [unknown_key_message(f"{where}.{k}", k, sorted(PROJECT_KEYS), where) for k in project
                if k not in PROJECT_KEYS]
    if not isinstance(project.get("tracking", True), bool):
        problems.append(f"'{where}.tracking' is {project['tracking']!r}; allowed: true or false")
    if "precision" in project:
        from plugins import precision

        problems += precision.problems(project["precision"], f"{where}.precision")
    if not isinstance(project.get("length_batching", False), bool):
        problems.append(f"'{where}.length_batching' is {project['length_batching']!r}; allowed: true or false")
    if "retrieval" in project:
        length = (raw.get("preprocessing") or {}).get("global_max_sequence_length") or runs.DEFAULT_MAX_SEQUENCE_LENGTH
        problems += retrieval.problems(project["retrieval"], where=f"{where}.retrieval",
                                       max_length=length if isinstance(length, int) else None,
                                       data_path=(project.get("data") or {}).get("path"))
    data = project.get("data")
    if not isinstance(data, dict):
        return problems + [f"'{where}.data' must be a mapping with: {', '.join(data_block.DATA_KEYS)}"]
    return problems + data_block.problems(data, f"{where}.data")

"""`make bench` retrieval part: how well and how fast the grounded spec's retrieval finds the right NIH page.

Hit@1 and hit@5 on every shipped question set and half (plugins/retrieval/evaluate.py: one-line lay questions,
their later dev set, long messages as people send them; retrieval was tuned against `build` and `dev`, `report`
is the figure to quote), milliseconds per question, and, on a grounded run, the extra time to first token its
passages cost: the same questions prompted with and without `{sources}`, side by side in one process.
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path

from plugins import spec as spec_mod
from plugins.retrieval import evaluate
from plugins.retrieval.index import Retriever

GROUNDED_SPEC = Path("specs/grounded-smollm2-cpu.yaml")
TARGETS = {"hit_at_5": 0.90, "ms_per_question": 20.0,  # issue 17: one-line lay questions, report half
           "long_hit_at_5": 0.85}  # issue 25: long messages, report half
TTFT_QUESTIONS = 8


def block_of(run: Path | None) -> tuple[dict, str]:
    """The retrieval block measured: the run's own when it is grounded, else the grounded spec's."""
    if run is not None:
        from plugins import runs

        block = (runs.Run(run).spec.get("medical_llm") or {}).get("retrieval")
        if block:
            return block, f"{run}/spec.yaml"
    return spec_mod.read_yaml(GROUNDED_SPEC)["medical_llm"]["retrieval"], str(GROUNDED_SPEC)


def time_to_first_token(run: Path, questions: list[str]) -> dict:
    """Median seconds to the first token on the run's model (transformers), prompts with and without passages."""
    from plugins import prompt
    from plugins.app.assistant import Assistant
    from plugins.app.engines import Settings

    assistant = Assistant(run)
    settings = Settings(temperature=0.0, top_p=1.0, max_new_tokens=1, repetition_penalty=1.0)
    seconds = {"with_sources": [], "without_sources": []}
    for question in questions:
        grounded = assistant.prepare(question).prompt
        bare = prompt.render(assistant.template, assistant.question_field, question, sources="")
        for name, text in (("with_sources", grounded), ("without_sources", bare)):
            started = time.perf_counter()
            next(iter(assistant.engine.stream(text, settings)), None)
            seconds[name].append(time.perf_counter() - started)
    medians = {k: statistics.median(v) for k, v in seconds.items()}
    return {**medians, "extra_seconds": medians["with_sources"] - medians["without_sources"],
            "questions": len(questions)}


def measure(run: Path | None = None) -> dict:
    block, source = block_of(run)
    retriever = Retriever(block)
    frame = evaluate.read()
    rates = evaluate.all_hit_rates(retriever)
    halves = {half: rates[(str(evaluate.QUESTIONS), half)] for half in ("report", "build")}
    result = {"block": source, "passages": len(retriever.corpus), "halves": halves,
              "sets": [{"path": path, "half": half, **r} for (path, half), r in rates.items()]}
    if run is not None and block_of(run)[1] != str(GROUNDED_SPEC):
        result["ttft"] = time_to_first_token(run, frame["question"].head(TTFT_QUESTIONS).tolist())
    return result


def targets(r: dict, add) -> None:
    report = r["halves"]["report"]
    add("retrieval hit@5 on lay questions (report half)", report["hit@5"], TARGETS["hit_at_5"], "{:.0%}")
    long = next((s for s in r.get("sets", []) if s["path"] == str(evaluate.LONG) and s["half"] == "report"), None)
    if long is not None:
        add("retrieval hit@5 on long messages (report half)", long["hit@5"], TARGETS["long_hit_at_5"], "{:.0%}")
    add("retrieval time per question", report["ms_per_question"], TARGETS["ms_per_question"], "{:.1f} ms",
        higher=False)


def markdown(r: dict) -> list[str]:
    lines = ["## Retrieval\n", f"The `retrieval:` block of `{r['block']}` over {r['passages']:,} passages, on every "
             "shipped question set (tuned against `build` and `dev`; `report` is the figure to quote).\n",
             "| questions | half | n | hit@1 | hit@5 | ms per question |", "|---|---|---|---|---|---|"]
    lines += [f"| `{s['path']}` | {s['half']} | {s['n']} | {s['hit@1']:.0%} | {s['hit@5']:.0%} | "
              f"{s['ms_per_question']:.1f} |" for s in r.get("sets", [])]
    if "ttft" in r:
        t = r["ttft"]
        lines += ["", f"Time to first token on the run's model (median of {t['questions']} questions): "
                      f"{t['with_sources']:.2f} s with the passages, {t['without_sources']:.2f} s without: "
                      f"**+{t['extra_seconds']:.2f} s** for the passages."]
    misses = r["halves"]["report"]["misses"]
    if misses:
        lines += ["", "Missed (report half):"] + [f"- {m['question']} — wanted {', '.join(m['labels'])}; got "
                                                  f"{', '.join(m['retrieved']) or 'nothing'}" for m in misses]
    return lines

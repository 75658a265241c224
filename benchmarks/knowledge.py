"""`make bench` knowledge part: how fast the knowledge benchmarks score, base vs fine-tuned (adapter merged).

Scores a fixed, seeded sample of each declared benchmark family through the same path as `make compare`
(plugins/eval/knowledge.py: lm-eval log-likelihood scoring, batched) in a throw-away directory, and reports
questions per second per system and the time per 100 questions. Skipped, with the reason, when the
multiple-choice data (../shared/data/mcq) is not on this machine.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from plugins import runs
from plugins.eval import knowledge, knowledge_results, knowledge_sets

BLOCK = {"mmlu_medical": {"limit": 40}, "medmcqa": {"limit": 40}, "pubmedqa": {"limit": 20}}
QUICK_BLOCK = {name: {"limit": 4} for name in BLOCK}


def measure(run_dir: Path, quick: bool = False) -> dict:
    block = QUICK_BLOCK if quick else BLOCK
    if missing := knowledge_sets.missing_message(block):
        return {"skipped": missing}
    with tempfile.TemporaryDirectory() as tmp:
        result = knowledge.evaluate(runs.Run(run_dir), block, Path(tmp))
    out = {"block": block, "batch_size": result["batch_size"], "systems": {}}
    for system in knowledge_results.SYSTEMS:
        timing = result["timing"][system]
        seconds = sum(t["seconds"] for t in timing.values())
        questions = sum(t["questions"] for t in timing.values())
        out["systems"][system] = {"questions": questions, "seconds": seconds,
                                  "questions_per_second": questions / seconds,
                                  "seconds_per_100": 100 * seconds / questions,
                                  "per_benchmark": {n: t["questions"] / t["seconds"] for n, t in timing.items()}}
    out["merge_seconds"] = result["timing"].get("merge_seconds")
    out["accuracy"] = {n: {s: st[s]["accuracy"] for s in knowledge_results.SYSTEMS}
                       for n, st in result["statistics"].items()}
    return out


def markdown(r: dict) -> list[str]:
    if "skipped" in r:
        return ["## Knowledge benchmarks\n", f"Skipped: {r['skipped']}"]
    lines = ["## Knowledge benchmarks\n",
             f"{', '.join(f'{n} {b['limit']}' for n, b in r['block'].items())} questions (seeded), batch "
             f"{r['batch_size']}; the fine-tuned system is the base with the adapter merged "
             f"({r['merge_seconds']:.1f} s to merge).\n",
             "| system | questions/s | seconds per 100 questions | "
             + " | ".join(f"{n} questions/s" for n in r["accuracy"]) + " |",
             "|---|---|---|" + "---|" * len(r["accuracy"])]
    for system, s in r["systems"].items():
        lines.append(f"| {system} | {s['questions_per_second']:.2f} | {s['seconds_per_100']:.0f} | "
                     + " | ".join(f"{s['per_benchmark'][n]:.2f}" for n in r["accuracy"]) + " |")
    return lines

"""Benchmark: Ludwig's generation, batched (plugins/ludwig/fixes.py) vs one row at a time (stock).

Both contenders answer the same test questions of a run with the same model and settings, in one
process, alternating and repeated; the report gives the median speed-up and its spread, because the
machine is shared and noisy. Writes reports/bench/<timestamp>/evaluation.{json,md}.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from benchmarks import write_report
from plugins import runs
from plugins.eval import answering

TARGET = 3.0  # issue 3: batched generation at the spec's batch size at least 3x faster than one row at a time


def measure(run_dir: Path, questions: int, batch_size: int | None, repeats: int) -> dict:
    from ludwig.models.llm import LLM

    from plugins.ludwig import fixes, patch

    run = runs.Run(run_dir)
    model = answering.load_model(run)
    name, output = run.input_name, run.output_name
    batch_size = batch_size or run.eval_batch_size  # as make compare generates
    rows = run.rows("test").head(questions)
    contenders = {"one_at_a_time": patch.original(LLM, "generate"), "batched": fixes.batched_generate}
    seconds = {k: [] for k in contenders}
    answers = {}
    for _ in range(repeats):
        for label, generate in contenders.items():  # alternate, so drift hits both alike
            LLM.generate = generate
            start = time.perf_counter()
            predictions, _ = model.predict(rows[[name, "split"]], batch_size=batch_size, skip_save_predictions=True)
            seconds[label].append(time.perf_counter() - start)
            answers[label] = predictions[f"{output}_response"].tolist()
    LLM.generate = fixes.batched_generate
    ratios = [o / b for o, b in zip(seconds["one_at_a_time"], seconds["batched"])]
    return {"run": str(run_dir), "questions": len(rows), "batch_size": batch_size, "repeats": repeats,
            "generation": run.generation, "seconds": seconds,
            "speedup_median": statistics.median(ratios), "speedup_min": min(ratios), "speedup_max": max(ratios),
            "same_answers": answers["one_at_a_time"] == answers["batched"]}


def markdown(result: dict) -> str:
    s = result["seconds"]
    return (f"# Generation: batched vs one row at a time\n\n{result['questions']} test questions of `{result['run']}`, "
            f"batch size {result['batch_size']}, {result['repeats']} alternating repeats.\n\n"
            "| contender | median seconds | questions / s |\n|---|---|---|\n"
            + "".join(f"| {k} | {statistics.median(v):.1f} | {result['questions'] / statistics.median(v):.2f} |\n"
                      for k, v in s.items())
            + f"\nSpeed-up: **{result['speedup_median']:.2f}×** (median; {result['speedup_min']:.2f}–"
              f"{result['speedup_max']:.2f}× over repeats): target ≥ {TARGET:g}× "
              f"{'met' if result['speedup_median'] >= TARGET else 'missed'}. "
              f"Identical answers: {result['same_answers']}.\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("run", nargs="?", help="run directory (default: the newest run)")
    parser.add_argument("--questions", type=int, default=32)
    parser.add_argument("--batch-size", type=int, help="default: the run's trainer.eval_batch_size, as make compare")
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--out", type=Path, default=Path("reports"), help="writes <out>/bench/<timestamp>/")
    args = parser.parse_args(argv)
    result = measure(runs.resolve(args.run), args.questions, args.batch_size, args.repeats)
    write_report("evaluation", result, markdown(result), args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Quality benchmark: does fine-tuning beat the base model on each spec's held-out test split?

Reads the newest evaluated run of each spec (`make compare` writes RUN/eval/metrics.json) and checks
the target of issue 3: ROUGE-L at least 20 % above the base model's (the reference reported +33 %),
with the paired bootstrap interval of the difference excluding zero. `make quality` trains,
compares and reports each spec first. Writes reports/bench/<timestamp>/quality.{json,md}.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from benchmarks import write_report
from plugins import runs

MIN_GAIN = 0.20


def judge(run_dir: Path) -> dict:
    """The run's ROUGE-L, base vs fine-tuned, and whether it meets the target."""
    result = json.loads((run_dir / "eval" / "metrics.json").read_text())
    summary = json.loads((run_dir / "summary.json").read_text())
    base, tuned = (result["metrics"][s]["rougeL"]["value"] for s in ("base", "fine_tuned"))
    diff = result["fine_tuned_minus_base"]["rougeL"]
    gain = tuned / base - 1 if base else float("inf")
    return {"run": str(run_dir), "test_questions": result["rows"], "generation": result["generation"],
            "rougeL_base": base, "rougeL_fine_tuned": tuned, "relative_gain": gain,
            "paired_diff": diff, "train_minutes": summary["train_wall_seconds"] / 60,
            "met": gain >= MIN_GAIN - 1e-9 and diff["low"] > 0}  # 0.12 / 0.10 - 1 is 0.19999999999999996


def newest_evaluated(spec: Path) -> Path:
    run_dir = runs.resolve(None, runs.RUNS / spec.stem)
    if not (run_dir / "eval" / "metrics.json").is_file():
        raise runs.RunError(f"{run_dir} has no evaluation yet: make compare RUN={run_dir}")
    return run_dir


def markdown(rows: dict[str, dict]) -> str:
    lines = [f"# Quality: fine-tuned vs base ROUGE-L (target ≥ +{MIN_GAIN:.0%}, paired 95 % CI above zero)\n",
             "| spec | run | test questions | base | fine-tuned | change | paired diff [95 % CI] | training | target |",
             "|---|---|---|---|---|---|---|---|---|"]
    for spec, r in rows.items():
        d = r["paired_diff"]
        lines.append(f"| {spec} | `{r['run']}` | {r['test_questions']} | {r['rougeL_base']:.3f} | "
                     f"{r['rougeL_fine_tuned']:.3f} | {r['relative_gain']:+.0%} | {d['diff']:+.3f} "
                     f"[{d['low']:+.3f}, {d['high']:+.3f}] | {r['train_minutes']:.1f} min | "
                     f"{'met' if r['met'] else '**missed**'} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("specs", nargs="+", type=Path, help="spec files; each one's newest evaluated run is judged")
    parser.add_argument("--out", type=Path, default=Path("reports"), help="writes <out>/bench/<timestamp>/")
    args = parser.parse_args(argv)
    rows = {}
    for spec in args.specs:
        try:
            rows[spec.stem] = judge(newest_evaluated(spec))
        except runs.RunError as e:
            print(f"error: {spec}: {e}", file=sys.stderr)
            return 2
    write_report("quality", rows, markdown(rows), args.out)
    return 0 if all(r["met"] for r in rows.values()) else 1


if __name__ == "__main__":
    raise SystemExit(main())

"""Quality benchmark: does fine-tuning beat the base model on each spec's held-out test split?

Reads the newest evaluated run of each spec (`make compare` writes RUN/eval/metrics.json) and checks
the target of issue 3: ROUGE-L at least 20 % above the base model's (the reference reported +33 %),
with the paired bootstrap interval of the difference excluding zero. A grounded run (issue 25) must also, on
its three question sets (RUN/eval/grounded.json): groundedness >= 0.9 on the test split with completeness not
below the ungrounded run's (paired interval), cite a labelled topic's page for >= 90 % of the lay questions at
groundedness >= 0.9, stay grounded (>= 0.9) or decline on the held-out collection, and loop on no set.
`make quality` trains, compares and reports each spec first (the default before the grounded spec, which it is
compared with). Writes reports/bench/<timestamp>/quality.{json,md}.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from benchmarks import write_report
from plugins import runs

MIN_GAIN = 0.20
GROUNDED = {"groundedness": 0.9, "cites_labelled": 0.9, "held_out_groundedness": 0.9, "loop_rate": 0.0}  # issue 25


def judge_grounded(result: dict) -> dict:
    """A grounded run's targets on its three sets (RUN/eval/grounded.json): each {value, goal, met}, and `met`."""
    sets = result["sets"]
    if "test" not in sets or "ungrounded" not in sets["test"]["measures"]:
        return {"met": False, "why": result.get("against_missing")
                or "no ungrounded run answered the same questions (retrieval.against)"}
    checks = {}

    def at_least(name, value, goal):
        checks[name] = {"value": value, "goal": goal, "met": value is not None and value >= goal - 1e-9}

    test, held = sets["test"], sets.get("held_out")
    at_least("test groundedness", test["measures"]["grounded"]["groundedness"]["value"], GROUNDED["groundedness"])
    diff = test["grounded_minus_ungrounded"]["completeness"]
    checks["test completeness vs ungrounded"] = {"value": diff["diff"], "interval": [diff["low"], diff["high"]],
                                                 "goal": "paired interval not wholly below 0",
                                                 "met": diff["high"] is not None and diff["high"] >= 0}
    if lay := sets.get("lay"):
        at_least("lay: cites a labelled page", lay["measures"]["grounded"]["cites_labelled"]["value"],
                 GROUNDED["cites_labelled"])
        at_least("lay groundedness", lay["measures"]["grounded"]["groundedness"]["value"], GROUNDED["groundedness"])
    if held:  # nothing in the index answers it: every shown answer grounded, or declined
        value = held["measures"]["grounded"]["groundedness"]["value"]
        at_least("held-out groundedness (answers not declined)", 1.0 if value is None else value,
                 GROUNDED["held_out_groundedness"])
    for s in sets.values():
        loops = s["measures"]["grounded"]["loop_rate"]["value"]
        checks[f"{s['name']}: loop rate"] = {"value": loops, "goal": GROUNDED["loop_rate"], "met": loops == 0}
    return {**checks, "questions": {n: s["questions"] for n, s in sets.items()},
            "met": all(c["met"] for c in checks.values())}


def judge(run_dir: Path) -> dict:
    """The run's ROUGE-L, base vs fine-tuned, and whether it meets the target."""
    result = json.loads((run_dir / "eval" / "metrics.json").read_text())
    summary = json.loads((run_dir / "summary.json").read_text())
    base, tuned = (result["metrics"][s]["rougeL"]["value"] for s in ("base", "fine_tuned"))
    diff = result["fine_tuned_minus_base"]["rougeL"]
    gain = tuned / base - 1 if base else float("inf")
    verdict = {"run": str(run_dir), "test_questions": result["rows"], "generation": result["generation"],
               "rougeL_base": base, "rougeL_fine_tuned": tuned, "relative_gain": gain,
               "paired_diff": diff, "train_minutes": summary["train_wall_seconds"] / 60,
               "met": gain >= MIN_GAIN - 1e-9 and diff["low"] > 0}  # 0.12 / 0.10 - 1 is 0.19999999999999996
    if (grounded := run_dir / "eval" / "grounded.json").is_file():
        verdict["grounded"] = judge_grounded(json.loads(grounded.read_text()))
        verdict["met"] = verdict["met"] and verdict["grounded"]["met"]
    return verdict


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
    grounded = {spec: r["grounded"] for spec, r in rows.items() if "grounded" in r}
    for spec, g in grounded.items():
        lines += ["", f"Grounded spec `{spec}` (issue 25 targets, RUN/eval/grounded.json):\n",
                  "| target | value | goal | met |", "|---|---|---|---|"]
        if "why" in g:
            lines.append(f"| all | – | – | **missed**: {g['why']} |")
            continue
        for name, c in g.items():
            if not isinstance(c, dict) or "goal" not in c:
                continue
            value = "–" if c["value"] is None else f"{c['value']:+.3f}" if "interval" in c else f"{c['value']:.2f}"
            if "interval" in c and c["interval"][0] is not None:
                value += f" [{c['interval'][0]:+.3f}, {c['interval'][1]:+.3f}]"
            lines.append(f"| {name} | {value} | {c['goal']} | {'met' if c['met'] else '**missed**'} |")
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

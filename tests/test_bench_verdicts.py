"""The benchmarks' verdicts on known inputs: `make bench`'s targets table and `make quality`'s judge."""

from __future__ import annotations

import json

import pytest

from benchmarks import quality, suite


def contender(ratio: float, mfu: float) -> dict:
    return {"ratio_median": ratio, "mfu": mfu}


def result(sparse: float, grouped: float, app: float, bound: float, batched: float, rss: float) -> dict:
    return {"training": {"contenders": {"plain": {"mfu": 0.40}, "ludwig_sparse_logits": contender(sparse, 0.45),
                                        "ludwig_sparse_logits_length_batching": contender(grouped, 0.61)}},
            "generation": {"throughput_ratio_median": app, "bound_fraction": bound},
            "evaluation": {"speedup_median": batched}, "memory": {"train": {"peak_rss_gb": rss}}}


def verdicts(r: dict) -> dict[str, bool]:
    return {t["target"]: t["met"] for t in suite.targets(r)}


def test_targets_met_and_missed_on_the_right_side_of_each_goal():
    met = verdicts(result(sparse=1.0, grouped=1.3, app=0.95, bound=0.70, batched=3.0, rss=4.0))
    assert len(met) == 7 and all(met.values())  # each goal exactly reached counts as met
    missed = verdicts(result(sparse=0.99, grouped=1.29, app=0.94, bound=0.69, batched=2.99, rss=4.01))
    assert not any(v for k, v in missed.items() if "MFU" not in k)
    mfu = [t for t in suite.targets(result(1, 1, 1, 1, 1, 1)) if "MFU" in t["target"]]
    assert mfu[0]["value"] == pytest.approx(0.61) and "ludwig_sparse_logits_length_batching" in mfu[0]["target"]
    assert mfu[0]["met"] is True


def test_targets_skip_parts_that_did_not_run():
    assert suite.targets({"evaluation": {"speedup_median": 3.5}}) == [
        {"target": "batched ÷ one-at-a-time evaluation", "value": 3.5, "goal": 3.0, "format": "{:.2f}×",
         "note": "", "higher": True, "met": True}]


def fake_run(tmp_path, base: float, tuned: float, low: float) -> str:
    run = tmp_path / f"run-{base}-{tuned}-{low}"
    (run / "eval").mkdir(parents=True)
    metrics = {"rows": 10, "generation": {}, "metrics": {"base": {"rougeL": {"value": base}},
                                                        "fine_tuned": {"rougeL": {"value": tuned}}},
               "fine_tuned_minus_base": {"rougeL": {"diff": tuned - base, "low": low, "high": tuned - base + 0.01}}}
    (run / "eval" / "metrics.json").write_text(json.dumps(metrics))
    (run / "summary.json").write_text(json.dumps({"train_wall_seconds": 60}))
    return run


@pytest.mark.parametrize("base, tuned, low, met", [
    (0.10, 0.12, 0.001, True),    # +20 %, interval above zero
    (0.10, 0.1199, 0.001, False),  # just under +20 %
    (0.10, 0.15, 0.0, False),     # big gain, but the interval touches zero
    (0.10, 0.15, -0.01, False),
])
def test_quality_judge(tmp_path, base, tuned, low, met):
    verdict = quality.judge(fake_run(tmp_path, base, tuned, low))
    assert verdict["met"] is met
    assert verdict["relative_gain"] == pytest.approx(tuned / base - 1)


def test_safety_targets_judge_the_held_out_half_and_the_blind_report_half():
    def safety(recall: float, self_harm: float, false_alarms: float, blind: float, blind_alarms: float) -> dict:
        held = {"emergency_recall": recall, "recall": {"self_harm": self_harm}, "false_alarm_rate": false_alarms}
        report = {"emergency_recall": blind, "recall": {"self_harm": blind}, "false_alarm_rate": blind_alarms}
        return {"safety": {"halves": {"heldout": held, "dev": {}}, "blind": {"halves": {"report": report}}}}

    assert all(verdicts(safety(0.97, 1.0, 0.20, 0.98, 0.03)).values())
    missed = verdicts(safety(0.969, 0.99, 0.21, 0.979, 0.031))
    assert len(missed) == 6 and not any(missed.values())
    rows = suite.targets(safety(1.0, 1.0, 0.05, 1.0, 0.0))
    assert [r["higher"] for r in rows] == [True, True, False] * 2  # false alarms: lower is better, shown as "≤"


def test_retrieval_targets_judge_the_report_half():
    def measured(hit5: float, ms: float) -> dict:
        return {"retrieval": {"halves": {"report": {"hit@5": hit5, "ms_per_question": ms},
                                         "build": {"hit@5": 1.0, "ms_per_question": 1.0}}}}

    assert all(verdicts(measured(0.90, 20.0)).values())
    assert not any(verdicts(measured(0.89, 20.1)).values())


def measured_sets(test_grounded: float, completeness_high: float, cites: float, held_grounded: float | None,
                  loops: float) -> dict:
    """RUN/eval/grounded.json with the values the targets judge; everything else comfortably met."""
    def measures(groundedness, cited=None, loop=0.0):
        return {"groundedness": {"value": groundedness}, "cites_labelled": {"value": cited},
                "loop_rate": {"value": loop}, "decline_rate": {"value": 0.1}}

    diff = {"completeness": {"diff": completeness_high - 0.02, "low": completeness_high - 0.04,
                             "high": completeness_high}}
    return {"sets": {
        "test": {"name": "test split", "questions": 70, "grounded_minus_ungrounded": diff,
                 "measures": {"grounded": measures(test_grounded, loop=loops), "ungrounded": measures(0.3)}},
        "lay": {"name": "lay questions", "questions": 105,
                "measures": {"grounded": measures(0.95, cites), "ungrounded": measures(0.3)}},
        "held_out": {"name": "held-out collection", "questions": 60,
                     "measures": {"grounded": measures(held_grounded), "ungrounded": measures(0.2)}}}}


@pytest.mark.parametrize("test_grounded, completeness_high, cites, held_grounded, loops, met", [
    (0.90, 0.0, 0.90, 0.90, 0.0, True),      # each goal exactly reached
    (0.95, 0.1, 0.95, None, 0.0, True),      # every held-out question declined: nothing shown, nothing ungrounded
    (0.89, 0.1, 0.95, 0.95, 0.0, False),     # test answers not grounded enough
    (0.95, -0.001, 0.95, 0.95, 0.0, False),  # completeness below the ungrounded run's, the whole paired interval
    (0.95, 0.1, 0.89, 0.95, 0.0, False),     # a labelled page cited for too few lay questions
    (0.95, 0.1, 0.95, 0.85, 0.0, False),     # held-out answers shown that their passages do not hold
    (0.95, 0.1, 0.95, 0.95, 0.01, False),    # a shown answer loops
])
def test_quality_judges_a_grounded_run_on_its_three_sets(tmp_path, test_grounded, completeness_high, cites,
                                                        held_grounded, loops, met):
    run = fake_run(tmp_path, 0.10, 0.15, 0.01)  # the ROUGE-L gain over base is met
    sets = measured_sets(test_grounded, completeness_high, cites, held_grounded, loops)
    (run / "eval" / "grounded.json").write_text(json.dumps(sets))
    verdict = quality.judge(run)
    assert verdict["grounded"]["met"] is met and verdict["met"] is met
    assert "lay: cites a labelled page" in quality.markdown({"grounded": verdict})
    for system in ("test", "lay", "held_out"):  # without the ungrounded run nothing is judged met
        sets["sets"][system]["measures"].pop("ungrounded")
    (run / "eval" / "grounded.json").write_text(json.dumps({**sets, "against_missing": "make train SPEC=x"}))
    assert quality.judge(run)["met"] is False and "make train SPEC=x" in quality.markdown({"g": quality.judge(run)})

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


def test_safety_targets_judge_the_held_out_half():
    def safety(recall: float, self_harm: float, false_alarms: float) -> dict:
        held = {"emergency_recall": recall, "recall": {"self_harm": self_harm}, "false_alarm_rate": false_alarms}
        return {"safety": {"halves": {"heldout": held, "dev": {}}}}

    assert all(verdicts(safety(0.97, 1.0, 0.20)).values())
    missed = verdicts(safety(0.969, 0.99, 0.21))
    assert len(missed) == 3 and not any(missed.values())
    rows = suite.targets(safety(1.0, 1.0, 0.05))
    assert [r["higher"] for r in rows] == [True, True, False]  # false alarms: lower is better, shown as "≤"


def test_retrieval_targets_judge_the_report_half():
    def measured(hit5: float, ms: float) -> dict:
        return {"retrieval": {"halves": {"report": {"hit@5": hit5, "ms_per_question": ms},
                                         "build": {"hit@5": 1.0, "ms_per_question": 1.0}}}}

    assert all(verdicts(measured(0.90, 20.0)).values())
    assert not any(verdicts(measured(0.89, 20.1)).values())


def held_out(groundedness: float, gain: float, rouge_high: float) -> dict:
    return {"questions": 60, "groundedness": {"grounded": {"value": groundedness}},
            "grounded_minus_ungrounded": {"groundedness": {"diff": gain},
                                          "rougeL": {"diff": rouge_high - 0.02, "low": rouge_high - 0.04,
                                                     "high": rouge_high}}}


@pytest.mark.parametrize("groundedness, gain, rouge_high, met", [
    (0.80, 0.30, 0.0, True),     # each goal exactly reached
    (0.79, 0.30, 0.0, False),    # not grounded enough
    (0.85, 0.29, 0.0, False),    # too close to the ungrounded run
    (0.85, 0.40, -0.001, False),  # ROUGE-L below the ungrounded run's, the whole paired interval
])
def test_quality_judges_a_grounded_run_on_its_held_out_collection(tmp_path, groundedness, gain, rouge_high, met):
    run = fake_run(tmp_path, 0.10, 0.15, 0.01)  # the ROUGE-L gain over base is met
    (run / "eval" / "held_out.json").write_text(json.dumps(held_out(groundedness, gain, rouge_high)))
    verdict = quality.judge(run)
    assert verdict["grounded"]["met"] is met and verdict["met"] is met
    assert "held-out collection" in quality.markdown({"grounded": verdict})
    without_against = {k: v for k, v in held_out(0.9, 0.5, 0.1).items() if k != "grounded_minus_ungrounded"}
    (run / "eval" / "held_out.json").write_text(json.dumps(without_against))
    assert quality.judge(run)["met"] is False

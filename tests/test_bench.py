"""`make bench` (benchmarks/suite.py) end to end in --quick mode on the tiny model: every part runs and
writes a sane report. No timing is asserted: the numbers of a tiny random model mean nothing."""

from __future__ import annotations

import json

import pytest

from tests.conftest import make_project, run_module


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    project = make_project(tmp_path_factory.mktemp("bench") / "project")
    trained = run_module(project, "plugins.train", "specs/smoke-tiny.yaml")
    assert trained.returncode == 0, trained.stderr[-3000:]
    out = tmp_path_factory.mktemp("out")
    result = run_module(project, "benchmarks.suite", "runs/latest", "--quick", "--out", str(out))
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
    [folder] = list((out / "bench").iterdir())
    return folder, json.loads((folder / "bench.json").read_text()), result.stdout


def test_report_files(report):
    folder, data, stdout = report
    assert {"bench.json", "bench.md", "training.png", "scaling.png"} <= {p.name for p in folder.iterdir()}
    text = (folder / "bench.md").read_text()
    for heading in ("## Targets", "## Training throughput", "## Generation (the app)", "## Evaluation",
                    "## Knowledge benchmarks", "## Memory", "## Safety triage", "## Scaling", "## Serving",
                    "## Retrieval", "## Precision: bf16 vs fp32"):
        assert heading in text
    assert "## Targets" in stdout and "bench.{json,md}" in stdout


def test_hardware_and_training_fields(report):
    _, data, _ = report
    hw = data["hardware"]
    assert hw["matmul"]["gflops_peak"] > 0 and hw["copy"]["gb_per_s_peak"] > 0
    training = data["training"]
    assert set(training["contenders"]) == {"plain", "ludwig", "ludwig_sparse_logits",
                                            "ludwig_sparse_logits_length_batching"}
    for _name, c in training["contenders"].items():
        [run] = c["runs"]
        assert run["tokens"] > 0 and run["seconds"] > 0 and run["padded_tokens"] >= run["tokens"]
        assert 0 <= c["padding_fraction"] < 1 and c["mfu"] > 0
        assert run["threads"] == training["contenders"]["plain"]["runs"][0]["threads"]
    flops = training["flops"]
    assert flops["flops_per_token"] == 4 * flops["base_params"] + 6 * flops["lora_params"]
    assert training["contenders"]["ludwig"]["ratio_median"] > 0


def test_generation_evaluation_memory_scaling_fields(report):
    _, data, _ = report
    g = data["generation"]
    assert g["same_answers"] is True and g["weight_bytes"] > 0 and 0 < g["bound_fraction"]
    assert g["matvec_seconds"] > 0 and g["matvec_gb_per_s"] > 0
    e = data["evaluation"]
    assert e["same_answers"] is True and e["speedup_median"] > 0
    memory = data["memory"]
    assert all(memory[k]["peak_rss_gb"] > 0.2 for k in ("train", "evaluation", "app"))
    s = data["scaling"]
    assert len(s["points"]) == len(data["settings"]["scaling_rows"]) * len(data["settings"]["scaling_lengths"])
    assert set(s["fits"]) == {str(n) for n in data["settings"]["scaling_lengths"]}
    names = {t["target"] for t in data["targets"]}
    bf16_here = data["precision"]["auto"]["dtype"] == "bf16"  # the precision targets are judged on bf16 CPUs only
    assert len(names) == 25 + 3 * bf16_here and all(isinstance(t["met"], bool) for t in data["targets"])
    assert {"retrieval hit@5 on lay questions (report half)", "retrieval time per question",
            "retrieval hit@5 on long messages (report half)"} <= names
    knowledge = data["knowledge"]  # scored where ../shared/data/mcq exists, else skipped with the reason
    if "skipped" in knowledge:
        assert "benchmark data missing" in knowledge["skipped"]
    else:
        assert all(s["questions"] == 12 and s["questions_per_second"] > 0 for s in knowledge["systems"].values())
    safety = data["safety"]["halves"]["heldout"]  # the triage on the labelled corpus's held-out half
    assert safety["counts"]["none"]["n"] > 50 and 0 <= safety["false_alarm_rate"] <= 1
    blind = data["safety"]["blind"]  # and on the blind-written set: the report half's counts, never its messages
    assert set(blind["halves"]) == {"report", "dev"} and "misses" not in blind["halves"]["report"]
    assert len(blind["families"]) == 18 and all(f["n"] >= 8 for f in blind["families"].values())
    final = data["safety"]["final"]  # the final blind set: scored, never read
    assert "misses" not in final and "false_alarms" not in final and len(final["families"]) == 18
    assert {"triage false alarms (final blind set)", "triage recall of self-harm (blind set, report half)"} <= names


def test_serving_fields(report):
    """llama.cpp on f16, 8-bit and two 4-bit files beside PyTorch on the same questions, then the API loaded."""
    _, data, _ = report
    serving = data["serving"]
    contenders = serving["engines"]["contenders"]
    assert set(contenders) == {"pytorch_fp32", "llama.cpp_f16", "llama.cpp_q8_0", "llama.cpp_q4_0", "llama.cpp_q4_k_m"}
    for c in contenders.values():
        assert c["decode_tokens_per_second"] > 0 and c["ttft_seconds"] > 0 and 0 <= c["rouge_l"] <= 1
    assert contenders["pytorch_fp32"]["speedup"] == 1 and contenders["pytorch_fp32"]["rouge_l_delta"] == 0
    load = serving["load"]
    assert load["ok"] + load["failed"] == load["requests"] == 4 and load["failed"] == 0
    assert load["p50_seconds"] <= load["p95_seconds"] <= load["max_seconds"]


def test_retrieval_fields(report):
    """The smoke run is not grounded: the grounded spec's retrieval is measured, per half, without a TTFT."""
    _, data, _ = report
    r = data["retrieval"]
    assert r["block"] == "specs/grounded-smollm2-cpu.yaml" and r["passages"] > 10_000 and "ttft" not in r
    for half in ("report", "build"):
        h = r["halves"][half]
        assert h["n"] >= 75 and 0 <= h["hit@1"] <= h["hit@5"] <= 1 and h["ms_per_question"] > 0
    measured = {(s["path"], s["half"]) for s in r["sets"]}  # every shipped set, the long messages too
    assert {("data/retrieval/long_messages.csv", "dev"), ("data/retrieval/long_messages.csv", "report"),
            ("data/retrieval/lay_questions_dev.csv", "dev")} <= measured


def test_unknown_part_is_refused(tmp_path):
    result = run_module(make_project(tmp_path / "p"), "benchmarks.suite", "--only", "speed")
    assert result.returncode == 2 and "unknown part(s) speed" in result.stderr


def test_precision_fields(report):
    """bf16 vs fp32 side by side: training (plain fp32 loop, the project's path in each precision), the app's
    generation and batched evaluation, with the CPU flags, what `auto` picks here and both matmul peaks."""
    from plugins import precision

    _, data, _ = report
    p = data["precision"]
    assert p["auto"]["dtype"] == precision.decide("auto").dtype and set(p["auto"]["flags"]) <= set(p["cpu_flags"])
    assert p["matmul"]["fp32"]["gflops_peak"] > 0 and p["matmul"]["bf16"]["dtype"] == "torch.bfloat16"
    contenders = p["training"]["contenders"]
    assert set(contenders) == {"plain_fp32", "project_fp32", "project_bf16"}
    assert contenders["project_bf16"]["peak_gflops"] == p["matmul"]["bf16"]["gflops_peak"]
    assert contenders["project_fp32"]["peak_gflops"] == p["matmul"]["fp32"]["gflops_peak"]
    assert all(c["tokens_per_second"] > 0 and c["mfu"] > 0 for c in contenders.values())
    assert p["training"]["bf16_vs_project_fp32"]["median"] > 0
    g, e = p["generation"], p["evaluation"]
    assert g["answers"] == g["questions"] * g["repeats"] and all(v > 0 for v in g["ttft_seconds"].values())
    assert len(e["seconds"]["fp32"]) == len(e["seconds"]["bf16"]) == e["repeats"] and e["ratio"]["median"] > 0

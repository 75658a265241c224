"""bf16 vs fp32 (plugins/precision.py), side by side in one process: training, the app's generation,
batched evaluation, each contender alternating with the other and repeated.

Training: the plain fp32 PEFT loop (benchmarks/training.py), make train's path (sparse logits, length
batching as the spec says) in fp32, and the same in bf16; MFU against the matmul peak of the precision
each runs in. Generation: the app's streaming on the run's merged model in fp32 and in bf16 (two copies,
alternating between answers): time to first token and tokens/s. Evaluation: `make compare`'s batched Ludwig
predict on the same questions. With the CPU flags, what `auto` decides here, and both matmul peaks.

`python -m benchmarks.precision BF16_RUN FP32_RUN` judges quality instead: two runs of one spec, one per
precision, each after `make compare`: validation loss within 1 % and the test-split ROUGE-L difference's
paired 95 % interval (the same questions resampled for both) holding zero.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

import pandas as pd
import torch

from benchmarks import hardware, training
from plugins import precision, runs

TARGETS = {"train_vs_plain": 1.6, "train_vs_own_fp32": 1.5, "generation": 1.3}  # issue 18, bf16-capable CPUs
LOSS_TOLERANCE = 0.01  # bf16's best validation loss within 1 % of fp32's
DTYPES = ("fp32", "bf16")


def peaks(quick: bool) -> dict:
    size, repeats = (1024, 3) if quick else (2048, 10)
    return {name: hardware.matmul_peak(size, repeats, dtype) for name, dtype in
            (("fp32", torch.float32), ("bf16", torch.bfloat16))}


def train(run_dir: Path, steps: int, repeats: int, peak: dict) -> dict:
    cfg = training.settings(run_dir)
    data = training.train_rows(run_dir)
    grouped = bool(cfg["spec"].project.get("length_batching"))
    contenders = {"plain_fp32": None, "project_fp32": "fp32", "project_bf16": "bf16"}
    names = list(contenders)
    measured: dict[str, list[dict]] = {n: [] for n in names}
    for repeat in range(repeats):
        for name in names[repeat % len(names):] + names[:repeat % len(names)]:
            dtype = contenders[name]
            measured[name].append(training.plain_loop(data, cfg, steps, 42 + repeat) if dtype is None else
                                  training.ludwig_train(data, cfg, steps, 42 + repeat, length_batching_on=grouped,
                                                        sparse_logits_on=True, dtype=dtype))
        print(f"  precision training repeat {repeat + 1}/{repeats}: " + ", ".join(
            f"{k} {v[-1]['tokens'] / v[-1]['seconds']:.1f} tok/s" for k, v in measured.items() if v), flush=True)
    out = {"steps": steps, "repeats": repeats, "batch_size": cfg["batch_size"], "accumulation": cfg["accumulation"],
           "length_batching": grouped, "contenders": {}}
    for name, results in measured.items():
        tps = [r["tokens"] / r["seconds"] for r in results]
        gflops = peak["bf16" if name.endswith("bf16") else "fp32"]["gflops_peak"]
        out["contenders"][name] = {"tokens_per_second": statistics.median(tps), "tokens_per_second_all": tps,
                                   "mfu": statistics.median(tps) * results[0]["flops_per_token"] / (gflops * 1e9),
                                   "peak_gflops": gflops}
    ours = out["contenders"]["project_bf16"]["tokens_per_second_all"]
    for base in ("plain_fp32", "project_fp32"):
        ratios = [m / b for m, b in zip(ours, out["contenders"][base]["tokens_per_second_all"])]  # paired by repeat
        out[f"bf16_vs_{base}"] = {"median": statistics.median(ratios), "min": min(ratios), "max": max(ratios)}
    return out


def generate(run_dir: Path, questions: int, repeats: int) -> dict:
    """The app's streaming on the run's merged model, fp32 and as `precision: bf16` loads it (wholly bf16)."""
    from benchmarks.generation import _app
    from plugins.app.assistant import Assistant, Settings

    assistants = {d: Assistant(run_dir, dtype=d) for d in DTYPES}
    assistant = assistants["fp32"]
    settings = Settings(0.0, 1.0, assistant.defaults.max_new_tokens, assistant.defaults.repetition_penalty)
    asked = assistant.run.rows("test")[assistant.question_field].head(questions).tolist()
    rows = {d: [] for d in DTYPES}
    for dtype in DTYPES:  # warm-up, untimed
        _app(assistants[dtype], asked[0], settings)
    for repeat in range(repeats):
        for question in asked:
            for dtype in DTYPES if repeat % 2 == 0 else DTYPES[::-1]:
                ttft, seconds, text = _app(assistants[dtype], question, settings)
                tokens = len(assistant.tokenizer(text, add_special_tokens=False).input_ids)
                rows[dtype].append({"ttft": ttft, "seconds": seconds, "tokens": tokens, "text": text})
    tps = {d: [r["tokens"] / r["seconds"] for r in rows[d]] for d in DTYPES}
    ratios = [b / f for b, f in zip(tps["bf16"], tps["fp32"])]
    return {"questions": len(asked), "repeats": repeats, "max_new_tokens": settings.max_new_tokens,
            "ttft_seconds": {d: statistics.median(r["ttft"] for r in rows[d]) for d in DTYPES},
            "tokens_per_second": {d: statistics.median(v) for d, v in tps.items()},
            "ratio": {"median": statistics.median(ratios), "min": min(ratios), "max": max(ratios)},
            "same_answers": sum(a["text"] == b["text"] for a, b in zip(rows["fp32"], rows["bf16"])),
            "answers": len(rows["fp32"])}


def evaluate(run_dir: Path, questions: int, repeats: int) -> dict:
    from plugins.eval import answering
    from plugins.ludwig import cpu_autocast

    run = runs.Run(run_dir)
    model = answering.load_model(run)
    rows = run.rows("test").head(questions)
    seconds: dict[str, list[float]] = {d: [] for d in DTYPES}
    for repeat in range(repeats):
        for dtype in DTYPES if repeat % 2 == 0 else DTYPES[::-1]:
            cpu_autocast.apply(precision.decide(dtype))
            start = time.perf_counter()
            answering.generate(model, rows, run.input_name, run.output_name, True, run.eval_batch_size)
            seconds[dtype].append(time.perf_counter() - start)
    ratios = [f / b for f, b in zip(seconds["fp32"], seconds["bf16"])]
    return {"questions": len(rows), "batch_size": run.eval_batch_size, "repeats": repeats, "seconds": seconds,
            "ratio": {"median": statistics.median(ratios), "min": min(ratios), "max": max(ratios)}}


def measure(run_dir: Path, p: dict, quick: bool) -> dict:
    decision = precision.decide("auto")
    print(f"  {decision.describe()}", flush=True)
    peak = peaks(quick)
    result = {"auto": decision.as_dict(), "cpu_flags": sorted(precision.cpu_flags()), "matmul": peak,
              "bf16_matmul_ratio": peak["bf16"]["gflops_peak"] / peak["fp32"]["gflops_peak"]}
    result["training"] = train(run_dir, p["steps"], p["repeats"], peak)
    result["generation"] = generate(run_dir, p["app_questions"], p["app_repeats"])
    result["evaluation"] = evaluate(run_dir, p["eval_questions"], p["eval_repeats"])
    return result


def targets(r: dict, add) -> None:
    """Judged where `auto` picks bf16; elsewhere `auto` runs fp32, today's path, and there is nothing to judge."""
    if r["auto"]["dtype"] != "bf16":
        return
    t = r["training"]
    add("bf16: make train's path ÷ plain fp32 loop", t["bf16_vs_plain_fp32"]["median"], TARGETS["train_vs_plain"],
        "{:.2f}×")
    add("bf16: make train's path ÷ its own fp32", t["bf16_vs_project_fp32"]["median"], TARGETS["train_vs_own_fp32"],
        "{:.2f}×")
    add("bf16: app generation tokens/s ÷ fp32", r["generation"]["ratio"]["median"], TARGETS["generation"], "{:.2f}×")


def _spread(d: dict) -> str:
    return f"{d['median']:.2f}× ({d['min']:.2f}–{d['max']:.2f}×)"


def markdown(r: dict) -> list[str]:
    a, m, t, g, e = r["auto"], r["matmul"], r["training"], r["generation"], r["evaluation"]
    lines = ["## Precision: bf16 vs fp32\n",
             f"`auto` here: **{a['dtype']}** ({a['reason']}); torch CPU capability {a['torch_cpu_capability']}. "
             f"Matmul peak ({m['fp32']['size']}²): fp32 {m['fp32']['gflops_peak']:.0f} GFLOP/s, bf16 "
             f"{m['bf16']['gflops_peak']:.0f} GFLOP/s ({r['bf16_matmul_ratio']:.1f}×).\n",
             f"Training: batch {t['batch_size']} × {t['accumulation']} accumulation, {t['steps']} timed optimizer "
             f"steps, {t['repeats']} repeats, order rotated; MFU against the peak of the precision each runs in.\n",
             "| contender | median tokens/s | all repeats | MFU |", "|---|---|---|---|"]
    lines += [f"| {name} | {c['tokens_per_second']:.1f} | {', '.join(f'{x:.1f}' for x in c['tokens_per_second_all'])} "
              f"| {c['mfu']:.0%} of {c['peak_gflops']:.0f} GFLOP/s |" for name, c in t["contenders"].items()]
    lines += [f"\nbf16 ÷ plain fp32 loop: {_spread(t['bf16_vs_plain_fp32'])}; bf16 ÷ the project's fp32: "
              f"{_spread(t['bf16_vs_project_fp32'])}.\n",
              f"Generation (the app's streaming, {g['questions']} questions × {g['repeats']} repeats, greedy, ≤ "
              f"{g['max_new_tokens']} tokens):\n", "| precision | median TTFT | median tokens/s |", "|---|---|---|"]
    lines += [f"| {d} | {g['ttft_seconds'][d]:.3f} s | {g['tokens_per_second'][d]:.1f} |" for d in DTYPES]
    lines += [f"\nbf16 ÷ fp32 tokens/s: {_spread(g['ratio'])}; identical answers: {g['same_answers']} of "
              f"{g['answers']} (bf16 rounds differently; quality is measured in docs/precision.md).\n",
              f"Batched evaluation (`make compare`'s Ludwig predict, {e['questions']} questions, batch "
              f"{e['batch_size']}): fp32 {statistics.median(e['seconds']['fp32']):.1f} s, bf16 "
              f"{statistics.median(e['seconds']['bf16']):.1f} s: {_spread(e['ratio'])} faster."]
    return lines


def quality(bf16_dir: Path, fp32_dir: Path, n_boot: int = 2000) -> dict:
    """bf16 vs fp32 runs of one spec, each after `make compare`: the same test questions, paired."""
    from plugins.eval import metrics

    found = {}
    for dtype, run_dir in (("bf16", bf16_dir), ("fp32", fp32_dir)):
        summary = json.loads((run_dir / "summary.json").read_text())
        chosen = (summary.get("precision") or {}).get("dtype", "fp32")  # runs before precision existed: fp32
        if chosen != dtype:
            raise SystemExit(f"error: {run_dir} trained in {chosen}, not {dtype}")
        answers = run_dir / "eval" / "answers.csv"
        if not answers.is_file():
            raise SystemExit(f"error: {answers} missing: run `make compare RUN={run_dir}` first")
        found[dtype] = (summary, pd.read_csv(answers, keep_default_na=False))
    a16, a32 = found["bf16"][1], found["fp32"][1]
    if a16["question"].tolist() != a32["question"].tolist():
        raise SystemExit("error: the two runs answered different test questions (not one spec's split)")
    loss = {d: found[d][0]["validation_loss"]["fine_tuned"] for d in found}
    references = a32["answer"].astype(str).tolist()
    paired = metrics.paired_bootstrap(a32["fine_tuned"].astype(str).tolist(), a16["fine_tuned"].astype(str).tolist(),
                                      references, n_boot=n_boot)
    rouge = paired["rougeL"]
    return {"runs": {"bf16": str(bf16_dir), "fp32": str(fp32_dir)}, "validation_loss": loss,
            "knowledge": knowledge_difference(bf16_dir, fp32_dir, n_boot),
            "loss_relative_difference": loss["bf16"] / loss["fp32"] - 1,
            "loss_met": abs(loss["bf16"] / loss["fp32"] - 1) <= LOSS_TOLERANCE,
            "train_wall_seconds": {d: found[d][0]["train_wall_seconds"] for d in found},
            "rougeL": {d: metrics.summarize(found[d][1]["fine_tuned"].astype(str).tolist(), references,
                                            n_boot=n_boot)["rougeL"]["value"] for d in found},
            "rougeL_difference": rouge, "rougeL_met": rouge["low"] <= 0 <= rouge["high"],
            "questions": len(references), "identical_answers": int((a16["fine_tuned"] == a32["fine_tuned"]).sum())}


def knowledge_difference(bf16_dir: Path, fp32_dir: Path, n_boot: int) -> dict:
    """Fine-tuned multiple-choice accuracy, bf16 minus fp32, per benchmark, on the same questions (the knowledge
    benchmarks' own paired bootstrap, 95 %); empty where `make compare` scored no benchmarks."""
    from plugins.eval import knowledge_results

    files = [d / "eval" / "knowledge.json" for d in (bf16_dir, fp32_dir)]
    if not all(f.is_file() for f in files):
        return {}
    b16, b32 = ({(q["benchmark"], q["id"]): q["fine_tuned"]["correct"] for q in json.loads(f.read_text())["questions"]}
                for f in files)
    out = {}
    for name in sorted({k[0] for k in b32}):
        keys = [k for k in b32 if k[0] == name and k in b16]
        ours, theirs = [float(b16[k]) for k in keys], [float(b32[k]) for k in keys]
        d = knowledge_results.paired_bootstrap(theirs, ours, n_boot=n_boot)
        out[name] = {"questions": len(keys), "bf16": statistics.mean(ours), "fp32": statistics.mean(theirs),
                     "diff": d["value"], "low": d["low"], "high": d["high"]}
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="bf16 vs fp32 quality: two runs of one spec, after make compare")
    parser.add_argument("bf16_run", type=Path)
    parser.add_argument("fp32_run", type=Path)
    args = parser.parse_args(argv)
    q = quality(args.bf16_run, args.fp32_run)
    d = q["rougeL_difference"]
    print(json.dumps(q, indent=2))
    print(f"\nvalidation loss: bf16 {q['validation_loss']['bf16']:.4f}, fp32 {q['validation_loss']['fp32']:.4f} "
          f"({100 * q['loss_relative_difference']:+.2f} %; within 1 %: {q['loss_met']})\n"
          f"test ROUGE-L: bf16 {q['rougeL']['bf16']:.4f}, fp32 {q['rougeL']['fp32']:.4f}; bf16 - fp32 "
          f"{d['diff']:+.4f} [{d['low']:+.4f}, {d['high']:+.4f}] (holds 0: {q['rougeL_met']}); identical answers "
          f"{q['identical_answers']} of {q['questions']}")
    for name, k in q["knowledge"].items():
        print(f"{name} ({k['questions']} questions) fine-tuned accuracy: bf16 {k['bf16']:.3f}, fp32 {k['fp32']:.3f}; "
              f"bf16 - fp32 {100 * k['diff']:+.1f} pp [{100 * k['low']:+.1f}, {100 * k['high']:+.1f}]")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

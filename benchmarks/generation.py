"""Benchmark: the app's streaming generation vs plain `model.generate` on the same merged model.

Both answer the same test questions of a run, greedy, with the run's max_new_tokens, in one process,
alternating and repeated. Time to first token (TTFT) of the app is the wait until its first streamed
text; of plain generate, a 1-token generate (prefill + first token). Throughput is generated tokens
per second of the whole answer. Plain generate runs in a fresh thread like the app's generation (and
like any Gradio handler): on a loaded 2-core machine a generate on the main thread was measured about 5×
slower than the same call in a fresh thread (OpenMP thread pools), which would flatter the app.
Writes reports/bench/<timestamp>/generation.{json,md}.
"""

from __future__ import annotations

import argparse
import statistics
import threading
import time
from pathlib import Path

import torch

from benchmarks import write_report
from plugins import runs
from plugins.app.assistant import Assistant, Settings


def _plain(assistant: Assistant, prompt: str, settings: Settings) -> tuple[float, float, int, str]:
    """(ttft, seconds, tokens, text) of plain generate on the merged model."""
    tok, model = assistant.tokenizer, assistant.model
    kwargs = dict(pad_token_id=tok.pad_token_id, **settings.generate_kwargs())
    start = time.perf_counter()
    inputs = tok(prompt, return_tensors="pt")
    with torch.inference_mode():
        model.generate(**inputs, **{**kwargs, "max_new_tokens": 1})
    ttft = time.perf_counter() - start
    start = time.perf_counter()
    inputs = tok(prompt, return_tensors="pt")
    with torch.inference_mode():
        out = model.generate(**inputs, **kwargs)
    seconds = time.perf_counter() - start
    new = out[0, inputs.input_ids.shape[1]:]
    return ttft, seconds, len(new), tok.decode(new, skip_special_tokens=True)


def _in_thread(fn, *args):
    """fn(*args) in a fresh thread, as the app runs generation; returns its result."""
    result = []
    thread = threading.Thread(target=lambda: result.append(fn(*args)))
    thread.start()
    thread.join()
    return result[0]


def _app(assistant: Assistant, question: str, settings: Settings) -> tuple[float, float, str]:
    """(ttft, seconds, text) through the app's path: prepare the question, stream the answer."""
    start = time.perf_counter()
    ttft, text = None, ""
    for text in assistant.stream(assistant.prepare(question), settings):  # noqa: B007 (the last is the answer)
        if ttft is None:
            ttft = time.perf_counter() - start
    return ttft, time.perf_counter() - start, text


def matvec_seconds(model: torch.nn.Module, repeats: int = 5) -> float:
    """Seconds for every linear layer of `model` (the tied output layer included) to multiply one
    row, best of `repeats`: the matrix-vector products one decoding step cannot avoid, through
    torch's own kernel, with no attention, cache or Python around them."""
    layers = [m for m in model.modules() if isinstance(m, torch.nn.Linear)]
    rows = {m.in_features: torch.randn(1, m.in_features, dtype=m.weight.dtype) for m in layers}  # fp32 or bf16
    best = float("inf")
    with torch.inference_mode():
        for _ in range(repeats + 1):  # the first pass warms the caches and the thread pool
            start = time.perf_counter()
            for m in layers:
                torch.nn.functional.linear(rows[m.in_features], m.weight)
            best = min(best, time.perf_counter() - start)
    return best


def measure(run_dir: Path, questions: int, repeats: int) -> dict:
    assistant = Assistant(run_dir)
    settings = Settings(0.0, 1.0, assistant.defaults.max_new_tokens, assistant.defaults.repetition_penalty)
    asked = assistant.run.rows("test")[assistant.question_field].head(questions).tolist()
    _app(assistant, asked[0], settings)  # warm-up, untimed
    rows = []
    for repeat in range(repeats):
        for question in asked:
            prompt = assistant.prepare(question).prompt
            order = ("app", "plain") if repeat % 2 == 0 else ("plain", "app")  # alternate who goes first
            result = {}
            for who in order:
                if who == "app":
                    result["app_ttft"], result["app_seconds"], result["app_text"] = _app(assistant, question, settings)
                else:
                    (result["plain_ttft"], result["plain_seconds"], result["tokens"],
                     result["plain_text"]) = _in_thread(_plain, assistant, prompt, settings)
            rows.append(result)
    tps = {who: [r["tokens"] / r[f"{who}_seconds"] for r in rows] for who in ("app", "plain")}
    ratios = [a / p for a, p in zip(tps["app"], tps["plain"])]
    return {
        "run": str(run_dir), "questions": len(asked), "repeats": repeats, "max_new_tokens": settings.max_new_tokens,
        "precision": assistant.precision.dtype,
        "threads": torch.get_num_threads(),
        # every weight is read once per generated token (the tied embedding once, as the output layer)
        "weight_bytes": sum(p.numel() * p.element_size() for p in assistant.model.parameters()),
        "matvec_seconds": _in_thread(matvec_seconds, assistant.model),
        "ttft_seconds": {who: statistics.median(r[f"{who}_ttft"] for r in rows) for who in ("app", "plain")},
        "ttft_max_seconds": {who: max(r[f"{who}_ttft"] for r in rows) for who in ("app", "plain")},
        "tokens_per_second": {who: statistics.median(v) for who, v in tps.items()},
        "throughput_ratio_median": statistics.median(ratios), "throughput_ratio_min": min(ratios),
        "throughput_ratio_max": max(ratios), "mean_tokens": statistics.mean(r["tokens"] for r in rows),
        "same_answers": all(r["app_text"] == r["plain_text"] for r in rows),
    }


def markdown(r: dict) -> str:
    return (f"# App generation: streaming vs plain generate\n\n{r['questions']} test questions of `{r['run']}`, "
            f"greedy, up to {r['max_new_tokens']} new tokens (mean {r['mean_tokens']:.0f}), {r['repeats']} "
            f"alternating repeats, {r['threads']} torch threads.\n\n"
            "| path | median time to first token | worst | median tokens/s |\n|---|---|---|---|\n"
            + "".join(f"| {who} | {r['ttft_seconds'][who]:.3f} s | {r['ttft_max_seconds'][who]:.3f} s | "
                      f"{r['tokens_per_second'][who]:.1f} |\n" for who in ("app", "plain"))
            + f"\nApp throughput / plain: **{r['throughput_ratio_median']:.3f}×** (median; "
              f"{r['throughput_ratio_min']:.3f}–{r['throughput_ratio_max']:.3f}× per answer). "
              f"Identical answers: {r['same_answers']}.\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("run", nargs="?", help="run directory (default: the newest run)")
    parser.add_argument("--questions", type=int, default=6)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--out", type=Path, default=Path("reports"), help="writes <out>/bench/<timestamp>/")
    args = parser.parse_args(argv)
    result = measure(runs.resolve(args.run), args.questions, args.repeats)
    write_report("generation", result, markdown(result), args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""`make bench` serving part: llama.cpp on quantized GGUF files vs the app's PyTorch path, and the API under load.

Every engine answers every test question of the run (greedy, the spec's settings), taking turns question by
question so a busy moment hurts all of them alike: decoding tokens/s (after the first token), time to first
token (TTFT) and the test-split ROUGE-L of each, beside PyTorch fp32's. The GGUF files come from the run's
newest export (or one made in a temporary directory), plus 4-bit files quantized from its f16 GGUF by
llama.cpp's quantizer. Then the API (`plugins.app.api`, llama.cpp on the export's quant) is started on
127.0.0.1 and loaded by concurrent clients; latency percentiles and failures are reported. A grounded run's
prompts carry their retrieved passages (the export keeps its retrieval): its time to first token also counts
retrieval, and the load test runs against the PyTorch path too, so the two latencies compare.
"""

from __future__ import annotations

import json
import math
import os
import statistics
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

from plugins import local_server, runs
from plugins.app.assistant import Assistant
from plugins.app.engines import LlamaCppEngine, Settings
from plugins.eval import metrics
from plugins.export import gguf
from plugins.export.__main__ import export as make_export
from plugins.export.bundle import EXPORTS, Export

TARGETS = {"speedup": 5.0, "speedup_4bit": 8.0, "ttft_seconds": 0.1, "rouge_l_delta": 0.01, "failed": 0,
           "grounded_ttft_seconds": 0.2, "grounded_p95_ratio": 1 / 3}
FOUR_BIT = ("q4_0", "q4_k_m")
FULL = {"questions": None, "clients": 8, "requests": 64}  # None: the whole test split
QUICK = {"questions": 2, "clients": 2, "requests": 4}


def _export(run: runs.Run, tmp: Path) -> Export:
    try:
        return Export.newest_for(run, EXPORTS)
    except runs.RunError:
        print("  no export of this run yet: exporting into a temporary directory ...", flush=True)
        return Export(make_export(run, "q8_0", out_root=tmp, check_questions=0))


def _answer(engine, prompt: str, settings: Settings) -> dict:
    start = time.perf_counter()
    first, tokens, text = None, 0, ""
    for piece in engine.stream(prompt, settings):
        tokens += 1
        text += piece
        if first is None:
            first = time.perf_counter() - start
    total = time.perf_counter() - start
    decode = (tokens - 1) / (total - first) if tokens > 1 and total > first else None
    return {"ttft": first, "seconds": total, "tokens": tokens, "decode_tps": decode, "text": text.strip()}


def engines_side_by_side(run: runs.Run, export: Export, tmp: Path, questions: int | None) -> dict:
    assistant = Assistant(run.dir, engine="transformers", dtype="fp32")  # the reference: PyTorch in fp32
    settings = Settings(0.0, 1.0, assistant.defaults.max_new_tokens, assistant.defaults.repetition_penalty)
    n_ctx = run.max_sequence_length + settings.max_new_tokens
    files = {"f16": export.gguf("f16"), export.quant: export.gguf()}
    for quant in FOUR_BIT:
        if quant not in files:
            files[quant] = gguf.quantize(export.gguf("f16"), tmp / f"model-{quant}.gguf", quant)
    contenders = {"pytorch_fp32": assistant.engine}
    contenders.update({f"llama.cpp_{q}": LlamaCppEngine(path, n_ctx=n_ctx) for q, path in files.items()})
    rows = run.rows("test")
    if questions:
        rows = rows.head(questions)
    prompts, retrieval = [], []  # retrieval: a grounded run's passages found for the question (prepare's time)
    for question in rows[run.input_name]:
        started = time.perf_counter()
        prompts.append(assistant.prepare(question).prompt)
        retrieval.append(time.perf_counter() - started)
    answers = {name: [] for name in contenders}
    for i, prompt in enumerate(prompts):
        order = list(contenders)[i % len(contenders):] + list(contenders)[:i % len(contenders)]
        for name in order:
            answers[name].append(_answer(contenders[name], prompt, settings))
        if (i + 1) % 10 == 0 or i + 1 == len(prompts):
            print(f"  {i + 1}/{len(prompts)} questions answered by {len(contenders)} engines", flush=True)
    references = rows[run.output_name].tolist()
    result = {"questions": len(prompts), "max_new_tokens": settings.max_new_tokens,
              "repetition_penalty": settings.repetition_penalty, "contenders": {},
              "grounded": assistant.retriever is not None, "retrieval_seconds": statistics.median(retrieval)}
    for name, got in answers.items():
        decode = [a["decode_tps"] for a in got if a["decode_tps"]]
        scores = metrics.per_sample([a["text"] for a in got], references)
        result["contenders"][name] = {
            "decode_tokens_per_second": statistics.median(decode),
            "ttft_seconds": statistics.median(a["ttft"] for a in got if a["ttft"] is not None),
            "ttft_p95_seconds": percentile([a["ttft"] for a in got if a["ttft"] is not None], 0.95),
            "ttft_with_retrieval_seconds": statistics.median(a["ttft"] + r for a, r in zip(got, retrieval)
                                                             if a["ttft"] is not None),
            "tokens_per_second_overall": sum(a["tokens"] for a in got) / sum(a["seconds"] for a in got),
            "mean_tokens": statistics.mean(a["tokens"] for a in got),
            "rouge_l": float(scores["rougeL"].mean()),
            "file_mb": files[name.split("_", 1)[1]].stat().st_size / 1e6 if name != "pytorch_fp32" else None,
            "same_text_as_fp32": sum(a["text"] == b["text"] for a, b in zip(got, answers["pytorch_fp32"])),
        }
    base = result["contenders"]["pytorch_fp32"]
    for c in result["contenders"].values():
        c["speedup"] = c["decode_tokens_per_second"] / base["decode_tokens_per_second"]
        c["rouge_l_delta"] = c["rouge_l"] - base["rouge_l"]
    return result


def percentile(values: list[float], q: float) -> float | None:
    """The nearest-rank percentile (the smallest value with at least q of the values at or below it)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)] if ordered else None


def _ask(url: str, model: str, question: str, timeout: float) -> str | None:
    """One chat completion; None when it answered, else what went wrong."""
    body = json.dumps({"model": model, "messages": [{"role": "user", "content": question}]}).encode()
    request = urllib.request.Request(url + "/v1/chat/completions", data=body,
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as r:
            return None if json.loads(r.read())["choices"][0]["message"]["content"] else "an empty answer"
    except (OSError, ValueError, KeyError) as e:
        return repr(e)


def load_test(export: Export, questions: list[str], clients: int, requests: int, timeout: float = 120,
              run: runs.Run | None = None) -> dict:
    """`requests` chat completions from `clients` concurrent clients against the API on 127.0.0.1: llama.cpp on the
    export, or with `run` the run through PyTorch (transformers). One untimed request first: a fresh server trains the
    triage's second opinion in the background, and the first question waits for it whatever the engine."""
    source = ["--run", str(run.dir), "--engine", "transformers"] if run else ["--export", str(export.dir)]
    command = [sys.executable, "-m", "plugins.app.api", *source]
    with local_server.serve(command, path="/health", name="the API", env={**_env(), "LOG_LEVEL": "warning"}) as url:
        latencies, failures, lock = [], [], threading.Lock()
        todo = iter(range(requests))
        _ask(url, export.name, questions[0], timeout)  # warm-up, untimed

        def client():
            while True:
                with lock:
                    i = next(todo, None)
                if i is None:
                    return
                start = time.perf_counter()
                error = _ask(url, export.name, questions[i % len(questions)], timeout)
                with lock:
                    if error:
                        failures.append(error)
                    else:
                        latencies.append(time.perf_counter() - start)

        started = time.perf_counter()
        threads = [threading.Thread(target=client) for _ in range(clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.perf_counter() - started
    engine = "PyTorch (transformers)" if run else f"llama.cpp {export.quant}"
    return {"clients": clients, "requests": requests, "engine": engine, "ok": len(latencies),
            "failed": len(failures), "failures": failures[:5], "p50_seconds": percentile(latencies, 0.5),
            "p95_seconds": percentile(latencies, 0.95), "max_seconds": max(latencies, default=None),
            "wall_seconds": wall, "requests_per_second": len(latencies) / wall}


def _env() -> dict:
    """The API's environment: this code on its path, whichever project directory it serves from."""
    return {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}


def measure(run_dir: Path, quick: bool = False) -> dict:
    p = QUICK if quick else FULL
    run = runs.Run(run_dir)
    with tempfile.TemporaryDirectory() as tmp:
        export = _export(run, Path(tmp))
        result = {"export": str(export.dir), "quant": export.quant,
                  "engines": engines_side_by_side(run, export, Path(tmp), p["questions"])}
        print(f"  load test: {p['clients']} clients, {p['requests']} requests against the API ...", flush=True)
        questions = run.rows("test")[run.input_name].tolist()
        result["load"] = load_test(export, questions, p["clients"], p["requests"])
        if result["engines"]["grounded"]:
            print("  the same load against the PyTorch path (grounded run) ...", flush=True)
            result["load_pytorch"] = load_test(export, questions, p["clients"], p["requests"], run=run)
    return result


def targets(r: dict, add) -> None:
    """The serving rows of the bench's target table (`add(name, value, goal, format, higher)`)."""
    c = r["engines"]["contenders"]
    quant = f"llama.cpp_{r['quant']}"
    add(f"{quant} decoding tokens/s ÷ PyTorch fp32 (the app)", c[quant]["speedup"], TARGETS["speedup"], "{:.1f}×")
    faithful = [q for q in FOUR_BIT if abs(c[f"llama.cpp_{q}"]["rouge_l_delta"]) <= TARGETS["rouge_l_delta"]]
    best4 = max(faithful or FOUR_BIT, key=lambda q: c[f"llama.cpp_{q}"]["speedup"])
    add(f"llama.cpp_{best4} (fastest 4-bit{' within 0.01 ROUGE-L' if faithful else ''}) decoding ÷ PyTorch (aim)",
        c[f"llama.cpp_{best4}"]["speedup"], TARGETS["speedup_4bit"], "{:.1f}×")
    add(f"{quant} time to first token (median, flashcard question)", c[quant]["ttft_seconds"],
        TARGETS["ttft_seconds"], "{:.3f} s", higher=False)
    for name in (quant, f"llama.cpp_{best4}"):
        add(f"{name} test-split ROUGE-L, distance from fp32 ({c[name]['rouge_l_delta']:+.4f})",
            abs(c[name]["rouge_l_delta"]), TARGETS["rouge_l_delta"], "{:.4f}", higher=False)
    add(f"API load test: failed requests of {r['load']['requests']}", r["load"]["failed"], TARGETS["failed"], "{:d}",
        higher=False)
    if r["engines"].get("grounded"):
        add(f"grounded: {quant} time to first token incl. retrieval (median)", c[quant]["ttft_with_retrieval_seconds"],
            TARGETS["grounded_ttft_seconds"], "{:.3f} s", higher=False)
        torch_p95 = r["load_pytorch"]["p95_seconds"]
        add(f"grounded: {quant} p95 latency under load ÷ PyTorch's ({torch_p95:.2f} s)",
            r["load"]["p95_seconds"] / torch_p95, TARGETS["grounded_p95_ratio"], "{:.2f}", higher=False)


def markdown(r: dict) -> list[str]:
    e, load = r["engines"], r["load"]
    lines = ["## Serving (llama.cpp vs PyTorch, and the API under load)\n",
             f"Export `{r['export']}`. All {e['questions']} test questions, greedy, ≤ {e['max_new_tokens']} new "
             f"tokens, repetition penalty {e['repetition_penalty']:g}; engines take turns question by question. "
             "Decoding tokens/s counts the tokens after the first; TTFT is the wait for the first token.\n",
             "| engine | file | decoding tokens/s | ÷ PyTorch | TTFT median (p95) | overall tokens/s | mean tokens | "
             "ROUGE-L | − fp32 | answers equal to fp32 |", "|---|---|---|---|---|---|---|---|---|---|"]
    for name, c in e["contenders"].items():
        size = f"{c['file_mb']:.0f} MB" if c["file_mb"] else "(in memory)"
        lines.append(f"| {name} | {size} | {c['decode_tokens_per_second']:.1f} | {c['speedup']:.1f}× | "
                     f"{c['ttft_seconds']:.3f} s ({c['ttft_p95_seconds']:.3f} s) | "
                     f"{c['tokens_per_second_overall']:.1f} | {c['mean_tokens']:.0f} | {c['rouge_l']:.4f} | "
                     f"{c['rouge_l_delta']:+.4f} | {c['same_text_as_fp32']}/{e['questions']} |")
    lines += ["", f"Load test ({load['engine']} through `plugins.app.api` on 127.0.0.1): {load['clients']} concurrent "
              f"clients, {load['requests']} requests: {load['ok']} answered, {load['failed']} failed; latency p50 "
              f"{load['p50_seconds']:.2f} s, p95 {load['p95_seconds']:.2f} s, max {load['max_seconds']:.2f} s; "
              f"{load['requests_per_second']:.2f} requests/s (one answer at a time, the rest queued)."]
    if e.get("grounded"):
        torch = r["load_pytorch"]
        lines += ["", f"Grounded run: each prompt carries its retrieved passages; retrieval takes "
                  f"{e['retrieval_seconds'] * 1000:.1f} ms a question (median), so time to first token with it: "
                  + ", ".join(f"{n} {c['ttft_with_retrieval_seconds']:.3f} s" for n, c in e["contenders"].items())
                  + f". The same load through PyTorch: {torch['ok']} answered, {torch['failed']} failed; p50 "
                  f"{torch['p50_seconds']:.2f} s, p95 {torch['p95_seconds']:.2f} s."]
    if load["failures"]:
        lines.append("Failures: " + "; ".join(load["failures"]))
    return lines

"""`make bench`: the whole speed benchmark in one run -> reports/bench/<timestamp>/bench.{json,md} + plots.

Parts (each selectable with --only): hardware (matmul peak, copy bandwidth: always measured, MFU and
the bandwidth bound need them), training (Ludwig vs a plain transformers+PEFT loop, MFU), generation
(the app's streaming vs plain generate, TTFT, tokens/s, share of the bandwidth bound), evaluation
(batched vs one-at-a-time Ludwig generation), memory (peak RSS of make train's path, and of the
evaluation and app processes), scaling (seconds per epoch vs rows at two sequence lengths), knowledge,
safety, serving (llama.cpp on GGUF files vs PyTorch: speed, TTFT, ROUGE-L; the API under load), retrieval
(hit@1/@5 on the lay questions, time per question, the passages' extra time to first token), precision
(bf16 vs fp32: training, the app's generation, batched evaluation, matmul peaks, what `auto` picks here).
Every comparison alternates its contenders in one run and reports the median and the spread.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import torch
import yaml

from benchmarks import hardware, knowledge, precision, retrieval, safety, serving
from plugins import runs

PARTS = ("training", "generation", "evaluation", "knowledge", "memory", "scaling", "safety", "serving", "retrieval",
         "precision")
TARGETS = {  # issue 5
    "training_ratio": 1.0, "training_ratio_length_batching": 1.3, "mfu": 0.60, "app_ratio": 0.95,
    "bandwidth_fraction": 0.70, "batched_eval": 3.0, "train_rss_gb": 4.0,
}
FULL = {"steps": 2, "repeats": 3, "app_questions": 2, "app_repeats": 2, "eval_questions": 16, "eval_repeats": 2,
        "eval_batch_size": None, "memory_steps": 2,
        "scaling_rows": [100, 200, 400], "scaling_lengths": [128, 256], "scaling_fraction": 0.0625}
QUICK = {"steps": 1, "repeats": 1, "app_questions": 1, "app_repeats": 1, "eval_questions": 4, "eval_repeats": 1,
         "eval_batch_size": None, "memory_steps": 1,
         "scaling_rows": [8, 16], "scaling_lengths": [32, 64], "scaling_fraction": 1.0}


def machine() -> dict:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor()) if Path("/proc/cpuinfo").exists() else ""
    return {"cpu": cpu, "cores": os.cpu_count(), "torch_threads": torch.get_num_threads(),
            "memory_gb": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
            "torch": torch.__version__, "python": platform.python_version(),
            "load_average_at_start": os.getloadavg()}


def _peak_rss(pid: int) -> int | None:
    """The process's own peak resident set (VmHWM, bytes). Not the rusage of the child: a forked child
    starts with the parent's high-water mark (here ~3 GB after training), which hides smaller children."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError):
        return None
    return None


def child(args: list[str], cwd: Path | None = None) -> tuple[int, float, str]:
    """Run `python <args>` to the end; returns (exit code, peak RSS in GB, output tail). The peak is
    VmHWM read every 0.1 s while the child lives (it only grows, so the last reading is the peak)."""
    peak = 0
    with tempfile.TemporaryFile("w+") as log:
        proc = subprocess.Popen([sys.executable, *args], cwd=cwd, stdout=log, stderr=subprocess.STDOUT)
        while proc.poll() is None:
            peak = max(peak, _peak_rss(proc.pid) or 0)
            time.sleep(0.1)
        log.seek(0)
        tail = log.read()[-3000:]
    return proc.returncode, peak / 1e9, tail


def _child_json(module: str, run: Path, extra: list[str], name: str) -> dict:
    with tempfile.TemporaryDirectory() as out:
        code, rss, tail = child(["-m", module, str(run), *extra, "--out", out])
        if code != 0:
            raise RuntimeError(f"{module} failed ({code}):\n{tail}")
        [path] = Path(out).glob(f"bench/*/{name}.json")
        return {**json.loads(path.read_text()), "peak_rss_gb": rss}


def train_memory(run: Path, steps: int) -> dict:
    """Peak RSS of make train's own path (plugins.train: validation, data preparation, Ludwig training
    with its evaluation of the validation and test sets, the base model's validation loss) on the
    run's spec, capped at `steps` optimizer steps, in a throw-away project directory."""
    spec = yaml.safe_load((run / "spec.yaml").read_text())
    trainer = spec.setdefault("trainer", {})
    micro = steps * trainer.get("gradient_accumulation_steps", 1)
    trainer.update(train_steps=micro, steps_per_checkpoint=micro)
    with tempfile.TemporaryDirectory() as tmp:
        project = Path(tmp)
        for name in ("models", "data", ".cache"):
            if Path(name).exists():
                (project / name).symlink_to(Path(name).resolve())
        (project / "specs").mkdir()
        spec_path = project / "specs" / f"{run.parent.name}.yaml"
        spec_path.write_text(yaml.safe_dump(spec, sort_keys=False))
        started = time.perf_counter()
        code, rss, tail = child(["-m", "plugins.train", str(spec_path.relative_to(project))], cwd=project)
        if code != 0:
            raise RuntimeError(f"plugins.train failed ({code}):\n{tail}")
    return {"peak_rss_gb": rss, "optimizer_steps": steps, "seconds": time.perf_counter() - started}


def run_parts(run: Path, parts: list[str], p: dict, quick: bool) -> dict:
    from benchmarks import training

    result = {"run": str(run), "quick": quick, "settings": p, "machine": machine()}
    print("hardware: fp32 matmul peak and copy bandwidth ...", flush=True)
    result["hardware"] = _timed(result, "hardware", lambda: hardware.measure(quick))
    peak = result["hardware"]["matmul"]["gflops_peak"]
    if "training" in parts:
        print(f"training: plain loop vs stock Ludwig vs the project's path (sparse logits, length batching), "
              f"{p['steps']} optimizer steps x "
              f"{p['repeats']} repeats ...", flush=True)
        result["training"] = _timed(result, "training", lambda: training.compare(run, p["steps"], p["repeats"], peak))
    if "generation" in parts:
        print("generation: the app's streaming vs plain generate ...", flush=True)
        app = _timed(result, "generation", lambda: _child_json(
            "benchmarks.generation", run, ["--questions", str(p["app_questions"]), "--repeats",
                                           str(p["app_repeats"])], "generation"))
        bandwidth = result["hardware"]["copy"]["gb_per_s_peak"] * 1e9
        app["bound_tokens_per_second"] = bandwidth / app["weight_bytes"]
        app["bound_fraction"] = app["tokens_per_second"]["app"] / app["bound_tokens_per_second"]
        app["matvec_tokens_per_second"] = 1 / app["matvec_seconds"]
        app["matvec_gb_per_s"] = app["weight_bytes"] / app["matvec_seconds"] / 1e9
        result["generation"] = app
    if "evaluation" in parts:
        print("evaluation: batched vs one-at-a-time generation ...", flush=True)
        result["evaluation"] = _timed(result, "evaluation", lambda: _child_json("benchmarks.evaluation", run, [
            "--questions", str(p["eval_questions"]), "--repeats", str(p["eval_repeats"]),
            *(["--batch-size", str(p["eval_batch_size"])] if p["eval_batch_size"] else [])], "evaluation"))
    if "memory" in parts:
        print(f"memory: make train's path for {p['memory_steps']} optimizer steps in a child process ...", flush=True)
        result["memory"] = {"train": _timed(result, "memory", lambda: train_memory(run, p["memory_steps"]))}
        for part in ("evaluation", "generation"):
            if part in result:
                result["memory"]["evaluation" if part == "evaluation" else "app"] = {
                    "peak_rss_gb": result[part]["peak_rss_gb"]}
    if "knowledge" in parts:
        print("knowledge: multiple-choice scoring speed, base vs fine-tuned (merged) ...", flush=True)
        result["knowledge"] = _timed(result, "knowledge", lambda: knowledge.measure(run, quick))
    if "safety" in parts:
        print("safety: the triage on its corpus and on the blind-written set, per half ...", flush=True)
        result["safety"] = _timed(result, "safety", safety.measure)
    if "retrieval" in parts:
        print("retrieval: hit@1/@5 on the lay questions, time per question, the passages' extra time to first "
              "token ...", flush=True)
        result["retrieval"] = _timed(result, "retrieval", lambda: retrieval.measure(run))
    if "serving" in parts:
        print("serving: llama.cpp (f16, 8-bit, 4-bit GGUF) vs PyTorch on the test split, then the API under load ...",
              flush=True)
        result["serving"] = _timed(result, "serving", lambda: serving.measure(run, quick))
    if "precision" in parts:
        print("precision: bf16 vs fp32 for training, the app's generation and batched evaluation ...", flush=True)
        result["precision"] = _timed(result, "precision", lambda: precision.measure(run, p, quick))
    if "scaling" in parts:
        print("scaling: seconds per epoch vs rows at two sequence lengths ...", flush=True)
        result["scaling"] = _timed(result, "scaling", lambda: training.scaling(
            run, p["scaling_rows"], p["scaling_lengths"], p["scaling_fraction"], peak))
    result["targets"] = targets(result)
    return result


def _timed(result: dict, name: str, fn):
    start = time.perf_counter()
    value = fn()
    result.setdefault("part_seconds", {})[name] = round(time.perf_counter() - start, 1)
    return value


def targets(r: dict) -> list[dict]:
    rows = []

    def add(name, value, target, fmt, higher=True, note=""):
        if value is not None:
            rows.append({"target": name, "value": value, "goal": target, "format": fmt, "note": note,
                         "higher": higher, "met": value >= target if higher else value <= target})

    t = r.get("training", {}).get("contenders", {})
    if t:
        add("project's Ludwig path (sparse logits) tokens/s ÷ plain loop", t["ludwig_sparse_logits"]["ratio_median"],
            TARGETS["training_ratio"], "{:.2f}×")
        add("the same + length batching (make train's path) ÷ plain loop",
            t["ludwig_sparse_logits_length_batching"]["ratio_median"], TARGETS["training_ratio_length_batching"],
            "{:.2f}×")
        best = max(t, key=lambda k: t[k]["mfu"])
        add(f"training MFU (best: {best})", t[best]["mfu"], TARGETS["mfu"], "{:.0%}")
    g = r.get("generation")
    if g:
        add("app generation tokens/s ÷ plain generate", g["throughput_ratio_median"], TARGETS["app_ratio"], "{:.2f}×")
        add("app generation ÷ bandwidth bound", g["bound_fraction"], TARGETS["bandwidth_fraction"], "{:.0%}")
    e = r.get("evaluation")
    if e:
        add("batched ÷ one-at-a-time evaluation", e["speedup_median"], TARGETS["batched_eval"], "{:.2f}×")
    m = r.get("memory", {}).get("train")
    if m:
        add("peak RSS of make train's path", m["peak_rss_gb"], TARGETS["train_rss_gb"], "{:.2f} GB", higher=False)
    if "safety" in r:
        safety.targets(r["safety"], add)
    if "serving" in r:
        serving.targets(r["serving"], add)
    if "retrieval" in r:
        retrieval.targets(r["retrieval"], add)
    if "precision" in r:
        precision.targets(r["precision"], add)
    return rows


def spread(d: dict, key: str) -> str:
    """`median× (min–max)` of a ratio measured over repeats."""
    return f"{d[key + '_median']:.2f}× ({d[key + '_min']:.2f}–{d[key + '_max']:.2f}×)"


def _training_md(t: dict) -> list[str]:
    f = t["flops"]
    lines = ["## Training throughput\n",
             f"{t['rows']} training rows, batch {t['batch_size']} × {t['accumulation']} accumulation, ≤ "
             f"{t['max_length']} tokens, LoRA r{t['lora']['r']} on {', '.join(t['lora']['target_modules'])}; "
             f"{t['steps']} timed optimizer steps after 1 warm-up step, {t['repeats']} repeats, order rotated. "
             f"FLOPs per token: {f['formula']} = {f['flops_per_token'] / 1e6:.0f} M (N = "
             f"{f['base_params'] / 1e6:.1f} M, N_lora = {f['lora_params'] / 1e6:.2f} M).\n",
             "| contender | median non-padding tokens/s | all repeats | ÷ plain (median, range) | padding | MFU |",
             "|---|---|---|---|---|---|"]
    for name, c in t["contenders"].items():
        ratio = spread(c, "ratio") if "ratio_median" in c else "1"
        repeats = ", ".join(f"{x:.1f}" for x in c["tokens_per_second_all"])
        lines.append(f"| {name} | {c['tokens_per_second']:.1f} | {repeats} | {ratio} | "
                     f"{c['padding_fraction']:.0%} | {c['mfu']:.0%} |")
    return lines


def _generation_md(g: dict) -> list[str]:
    bound = g["bound_tokens_per_second"]
    lines = ["## Generation (the app)\n",
             f"{g['questions']} test questions × {g['repeats']} repeats, greedy, ≤ {g['max_new_tokens']} new tokens "
             f"(mean {g['mean_tokens']:.0f}). Bandwidth bound: {g['weight_bytes'] / 1e6:.0f} MB of weights read per "
             f"token at the measured copy bandwidth = {bound:.1f} tokens/s.\n",
             "| path | median TTFT | median tokens/s | share of the bound |", "|---|---|---|---|"]
    speed = g["tokens_per_second"]
    lines += [f"| {who} | {g['ttft_seconds'][who]:.3f} s | {speed[who]:.1f} | {speed[who] / bound:.0%} |"
              for who in ("app", "plain")]
    return lines + [
        f"\nApp ÷ plain: {spread(g, 'throughput_ratio')}; identical answers: {g['same_answers']}.",
        f"\nThe kernel's own ceiling: every linear layer multiplying one row through torch's matrix-vector product, "
        f"nothing else, streams the weights at {g['matvec_gb_per_s']:.1f} GB/s = {g['matvec_tokens_per_second']:.1f} "
        f"tokens/s; the app reaches {speed['app'] / g['matvec_tokens_per_second']:.0%} of that."]


def _evaluation_md(e: dict) -> list[str]:
    return ["## Evaluation\n", f"{e['questions']} test questions, batch {e['batch_size']}, {e['repeats']} alternating "
            f"repeats: batched {spread(e, 'speedup')} faster than one at a time; identical answers: "
            f"{e['same_answers']}."]


def _memory_md(mem: dict) -> list[str]:
    lines = ["## Memory (peak RSS, child processes)\n", "| process | peak RSS |", "|---|---|",
             f"| make train's path (plugins.train, {mem['train']['optimizer_steps']} optimizer steps, then "
             f"Ludwig's evaluation and the base validation loss) | {mem['train']['peak_rss_gb']:.2f} GB |"]
    for name, what in (("evaluation", "evaluation benchmark (Ludwig predict, batched and one at a time)"),
                       ("app", "app benchmark (merged model, streaming and plain generate)")):
        if name in mem:
            lines.append(f"| {what} | {mem[name]['peak_rss_gb']:.2f} GB |")
    return lines


def _scaling_md(s: dict) -> list[str]:
    lines = [f"## Scaling (the project's path, length batching {'on' if s['length_batching'] else 'off'})\n",
             f"Seconds per epoch; each point trains {s['fraction']:.3g} of the epoch for real (after a warm-up "
             "step) and is divided by that fraction.\n",
             "| rows | max tokens | tokens/row | seconds/epoch | tokens/s |", "|---|---|---|---|---|"]
    lines += [f"| {pt['rows']} | {pt['max_length']} | {pt['tokens_per_row']:.0f} | {pt['seconds_per_epoch']:.0f} | "
              f"{pt['tokens_per_second']:.1f} |" for pt in s["points"]]
    lines.append("")
    lines += [f"- ≤ {length} tokens: seconds ∝ rows^{fit['exponent']:.2f}; linear fit {fit['seconds_per_row']:.2f} "
              f"s/row + {fit['intercept_seconds']:.0f} s." for length, fit in s["fits"].items()]
    return lines


SECTIONS = {"training": _training_md, "generation": _generation_md, "evaluation": _evaluation_md,
            "knowledge": knowledge.markdown, "memory": _memory_md, "safety": lambda s: [safety.markdown(s)],
            "scaling": _scaling_md, "serving": serving.markdown, "retrieval": retrieval.markdown,
            "precision": precision.markdown}


def markdown(r: dict) -> str:
    m, hw = r["machine"], r["hardware"]
    end = m.get("load_average_at_end")
    lines = [f"# Benchmark{' (quick)' if r['quick'] else ''}\n",
             f"Run `{r['run']}`. Machine: {m['cpu']}, {m['cores']} cores, {m['memory_gb']} GiB, torch "
             f"{m['torch']} on {m['torch_threads']} threads; load average at start "
             f"{', '.join(f'{x:.2f}' for x in m['load_average_at_start'])}"
             + (f", at the end {', '.join(f'{x:.2f}' for x in end)}" if end else "") + ".\n",
             f"Measured ceilings: fp32 matmul {hw['matmul']['gflops_peak']:.0f} GFLOP/s "
             f"({hw['matmul']['size']}² matrices, best of {hw['matmul']['repeats']}); copy bandwidth "
             f"{hw['copy']['gb_per_s_peak']:.1f} GB/s (read + write of a {hw['copy']['megabytes']} MB tensor).\n",
             "Seconds per part: " + ", ".join(f"{k} {v:.0f}" for k, v in r.get("part_seconds", {}).items()) + ".\n",
             "## Targets\n", "| target | measured | goal | |", "|---|---|---|---|"]
    for t in r["targets"]:
        goal = ("≥ " if t["higher"] else "≤ ") + t["format"].format(t["goal"])
        verdict = "met" if t["met"] else "**missed**"
        lines.append(f"| {t['target']} | {t['format'].format(t['value'])} | {goal} | {verdict} |")
    for part, render in SECTIONS.items():
        if part in r:
            lines += ["", *render(r[part])]
    return "\n".join(lines) + "\n"


def plots(r: dict, out: Path) -> list[str]:
    import matplotlib.pyplot as plt

    from plugins.eval import plots as _  # noqa: F401  (selects matplotlib's file-only backend)

    made = []
    if "training" in r:
        c = r["training"]["contenders"]
        fig, ax = plt.subplots(figsize=(7, 4))
        for i, (_name, v) in enumerate(c.items()):
            ax.bar(i, v["tokens_per_second"], color=f"C{i}", alpha=0.7)
            ax.scatter([i] * len(v["tokens_per_second_all"]), v["tokens_per_second_all"], color="black", zorder=3, s=12)
        ax.set_xticks(range(len(c)), [n.replace("_", "\n") for n in c])
        ax.set_ylabel("non-padding tokens / s")
        ax.set_title("Training throughput (bars: median, dots: repeats)")
        ax.grid(axis="y", alpha=0.3)
        fig.tight_layout()
        fig.savefig(out / "training.png", dpi=120)
        plt.close(fig)
        made.append("training.png")
    if "scaling" in r:
        fig, ax = plt.subplots(figsize=(7, 4))
        for length in r["scaling"]["fits"]:
            pts = [p for p in r["scaling"]["points"] if str(p["max_length"]) == length]
            ax.plot([p["rows"] for p in pts], [p["seconds_per_epoch"] for p in pts], marker="o",
                    label=f"≤ {length} tokens (∝ rows^{r['scaling']['fits'][length]['exponent']:.2f})")
        ax.set_xlabel("training rows")
        ax.set_ylabel("seconds per epoch")
        ax.set_title("Training time per epoch")
        ax.legend()
        ax.grid(alpha=0.3)
        fig.tight_layout()
        fig.savefig(out / "scaling.png", dpi=120)
        plt.close(fig)
        made.append("scaling.png")
    return made


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("run", nargs="?", help="run directory (default: the newest run)")
    parser.add_argument("--only", help=f"comma-separated parts of: {', '.join(PARTS)} (default: all)")
    parser.add_argument("--quick", action="store_true", help="tiny settings, for the smoke test")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                        help=f"override a setting (a JSON value), e.g. --set repeats=5; keys: {', '.join(FULL)}")
    parser.add_argument("--out", type=Path, default=Path("reports"), help="writes <out>/bench/<timestamp>/")
    args = parser.parse_args(argv)
    settings = dict(QUICK if args.quick else FULL)
    for item in args.set:
        key, _, value = item.partition("=")
        if key not in settings:
            parser.error(f"unknown setting {key!r}; choose from {', '.join(settings)}")
        settings[key] = json.loads(value)
    parts = args.only.split(",") if args.only else list(PARTS)
    if unknown := [p for p in parts if p not in PARTS]:
        parser.error(f"unknown part(s) {', '.join(unknown)}; choose from {', '.join(PARTS)}")
    try:
        run = runs.resolve(args.run)
    except runs.RunError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    started = time.perf_counter()
    result = run_parts(run, parts, settings, args.quick)
    result["wall_seconds"] = time.perf_counter() - started
    result["machine"]["load_average_at_end"] = os.getloadavg()
    out = runs.new_run_dir("bench", args.out)
    result["plots"] = plots(result, out)
    (out / "bench.json").write_text(json.dumps(result, indent=2, default=str) + "\n")
    text = markdown(result) + "".join(f"\n![{p}]({p})\n" for p in result["plots"])
    (out / "bench.md").write_text(text)
    print("\n" + markdown(result))
    print(f"wall time {result['wall_seconds'] / 60:.1f} min; wrote {out}/bench.{{json,md}}"
          + "".join(f", {p}" for p in result["plots"]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Benchmark: training on 1 vs 2 processes (make train NPROC=2), and the communication cost per step.

Both contenders train the same small slice of a spec's data for one epoch in a throw-away project,
alternating and repeated; the figure is the ratio of Ludwig's training wall times for the same rows.
With 2 cores, one process uses both (2 threads) and two processes get one each (torchrun's
OMP_NUM_THREADS=1), so the ratio shows what data parallelism costs or gains on the same hardware,
not a speed-up from more hardware. The communication cost is a gloo all-reduce of a tensor the size
of the trainable (LoRA) parameters between two local processes, which is what DDP sends per step.
Writes reports/bench/<timestamp>/scale_out.{json,md}.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

from benchmarks import write_report
from plugins import spec as spec_mod
from plugins.local_server import free_port

ROOT = Path(__file__).resolve().parents[1]


def _project(tmp: Path, spec: Path, rows: int) -> Path:
    """A throw-away project sharing the repo's models and data, with the spec cut to `rows` rows, 1 epoch."""
    for name in ("models", ".cache"):
        (tmp / name).symlink_to(ROOT / name)
    (tmp / "data").mkdir()  # real, so the prepared data lands in the throw-away project
    for f in (ROOT / "data").glob("*.*"):
        (tmp / "data" / f.name).symlink_to(f)
    raw = yaml.safe_load(spec.read_text())
    raw["trainer"]["epochs"] = 1
    raw["medical_llm"]["data"]["max_samples"] = rows
    (tmp / "specs").mkdir()
    out = tmp / "specs" / f"bench-{spec.stem}.yaml"
    out.write_text(yaml.safe_dump(raw, sort_keys=False))
    return out


def _train(project: Path, spec: Path, nproc: int) -> dict:
    command = [sys.executable, "-m", "plugins.train", str(spec)]
    if nproc > 1:
        command = [str(Path(sys.executable).with_name("torchrun")), "--standalone", "--nproc_per_node", str(nproc),
                   "-m", "plugins.train", str(spec)]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run(command, cwd=project, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{result.stderr[-2000:]}")
    return json.loads((project / "runs" / "latest" / "summary.json").read_text())


def _all_reduce_worker(rank: int, size: int, numel: int, port: int, repeats: int, out: str) -> None:
    import torch
    import torch.distributed as dist

    dist.init_process_group("gloo", init_method=f"tcp://127.0.0.1:{port}", rank=rank, world_size=size)
    tensor = torch.ones(numel)
    dist.all_reduce(tensor)  # warm-up
    seconds = []
    for _ in range(repeats):
        dist.barrier()
        start = time.perf_counter()
        dist.all_reduce(tensor)
        seconds.append(time.perf_counter() - start)
    if rank == 0:
        Path(out).write_text(json.dumps(seconds))
    dist.destroy_process_group()


def all_reduce_seconds(numel: int, repeats: int = 20) -> list[float]:
    """Times of a gloo all-reduce of `numel` floats between two processes on 127.0.0.1."""
    import torch.multiprocessing as mp

    with tempfile.NamedTemporaryFile(suffix=".json") as f:
        mp.spawn(_all_reduce_worker, args=(2, numel, free_port(), repeats, f.name), nprocs=2)
        return json.loads(Path(f.name).read_text())


def measure(spec: Path, rows: int, repeats: int) -> dict:
    seconds: dict[int, list[float]] = {1: [], 2: []}
    summaries = {}
    with tempfile.TemporaryDirectory() as tmp:
        bench_spec = _project(Path(tmp), spec, rows)
        for _ in range(repeats):
            for nproc in (1, 2):  # alternate, so drift hits both alike
                summaries[nproc] = _train(Path(tmp), bench_spec, nproc)
                seconds[nproc].append(summaries[nproc]["train_wall_seconds"])
    resolved = spec_mod.resolved(yaml.safe_load(spec.read_text()))  # Ludwig's defaults filled in
    trainable = _lora_parameters(resolved, resolved["adapter"]["r"])
    reduce = all_reduce_seconds(trainable)
    return {"spec": str(spec), "rows": rows, "train_rows": summaries[1]["data"]["train"], "repeats": repeats,
            "tokens": summaries[1]["tokens_seen"], "seconds": {str(k): v for k, v in seconds.items()},
            "effective_batch": {str(k): summaries[k]["effective_batch_size"] for k in summaries},
            "speedup_median": statistics.median(seconds[1]) / statistics.median(seconds[2]),
            "trainable_parameters": trainable, "all_reduce_seconds": reduce,
            "steps": summaries[2]["data"]["train"] // summaries[2]["effective_batch_size"]}


def _lora_parameters(raw: dict, r: int) -> int:
    """LoRA parameter count of the spec's base model: r x (in + out) per adapted projection per layer."""
    config = json.loads((ROOT / raw["base_model"] / "config.json").read_text())
    hidden, layers = config["hidden_size"], config["num_hidden_layers"]
    kv = hidden * config.get("num_key_value_heads", config["num_attention_heads"]) // config["num_attention_heads"]
    shapes = {"q_proj": (hidden, hidden), "k_proj": (hidden, kv), "v_proj": (hidden, kv), "o_proj": (hidden, hidden)}
    targets = raw["adapter"]["target_modules"] or ["q_proj", "v_proj"]  # peft's Llama default
    return layers * sum(r * (i + o) for m, (i, o) in shapes.items() if m in targets)


def markdown(result: dict) -> str:
    s = result["seconds"]
    reduce_ms = statistics.median(result["all_reduce_seconds"]) * 1000
    return (f"# Training: 1 vs 2 processes\n\n`{result['spec']}` cut to {result['rows']} rows "
            f"({result['train_rows']} training rows, {result['tokens']} tokens), 1 epoch, {result['repeats']} "
            f"alternating repeats, same effective batch ({result['effective_batch']}).\n\n"
            "| processes | median seconds (Ludwig train) | tokens / s |\n|---|---|---|\n"
            + "".join(f"| {k} | {statistics.median(v):.1f} | {result['tokens'] / statistics.median(v):.1f} |\n"
                      for k, v in s.items())
            + f"\n2 processes vs 1: **{result['speedup_median']:.2f}×**. On this 2-core machine both use the "
              "same two cores (one process with 2 threads, or two with 1 each), so this is the cost or gain of "
              "data parallelism itself, not of more hardware.\n\n"
              f"Communication: a gloo all-reduce of the {result['trainable_parameters']:,} trainable parameters "
              f"between two local processes takes {reduce_ms:.1f} ms (median of {len(result['all_reduce_seconds'])}); "
              f"DDP does one per step, about {result['steps']} steps here.\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--spec", type=Path, default=Path("specs/medical-smollm2-cpu.yaml"))
    parser.add_argument("--rows", type=int, default=100, help="rows of the spec's data to train on (1 epoch)")
    parser.add_argument("--repeats", type=int, default=3,
                        help="alternating repeats; the median drops one cold or disturbed run")
    parser.add_argument("--out", type=Path, default=Path("reports"), help="writes <out>/bench/<timestamp>/")
    args = parser.parse_args(argv)
    result = measure(args.spec.resolve(), args.rows, args.repeats)
    write_report("scale_out", result, markdown(result), args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

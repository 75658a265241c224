"""Training throughput: the project's Ludwig path vs a plain transformers+PEFT loop, and its scaling.

Here every contender trains in fp32, so the comparison isolates the project's own speed-ups; the
`precision` part (benchmarks/precision.py) measures bf16 against these.

Contenders train the same base model with the same LoRA settings on the same rows, batch size,
gradient accumulation, sequence length and torch threads, for a fixed number of optimizer steps
after one untimed warm-up step; they alternate and repeat in one process. Throughput counts
non-padding tokens (prompt + answer + end token, as both feed the model). The plain loop is what a
reference script writes: tokenize prompt and answer, pad each batch to its longest row, loss on the
answer tokens only, AdamW, cosine schedule with warm-up, clipping.
"""

from __future__ import annotations

import copy
import math
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import torch

from plugins import precision, runs
from plugins import spec as spec_mod

# name -> (sparse logits, length batching) for the Ludwig contenders; the last is what make train runs
CONTENDERS = {"plain": None, "ludwig": (False, False), "ludwig_sparse_logits": (True, False),
              "ludwig_sparse_logits_length_batching": (True, True)}


def settings(run_dir: Path) -> dict:
    """What the run trained with: Ludwig's resolved config (defaults filled in), as the run recorded it."""
    run = runs.Run(run_dir)
    config = run.config
    trainer, adapter = config["trainer"], config["adapter"]
    return {"spec": spec_mod.load(run_dir / "spec.yaml"), "base_model": run.base_model, "template": run.template,
            "input": run.input_name, "output": run.output_name,
            "batch_size": trainer["batch_size"], "accumulation": trainer["gradient_accumulation_steps"],
            "learning_rate": trainer["learning_rate"], "weight_decay": trainer["optimizer"]["weight_decay"],
            "max_length": run.max_sequence_length,
            "lora": {"r": adapter["r"], "lora_alpha": adapter["alpha"], "lora_dropout": adapter["dropout"],
                     "target_modules": adapter["target_modules"] or ["q_proj", "v_proj"]}}  # peft's Llama default


def train_rows(run_dir: Path) -> pd.DataFrame:
    data = pd.read_csv(run_dir / "data" / "dataset.csv")
    return data[data["split"] == 0].reset_index(drop=True)


def resize(rows: pd.DataFrame, n: int, seed: int = 0) -> pd.DataFrame:
    """n rows: the first n, or all of them repeated (then sampled) to reach n."""
    if n <= len(rows):
        return rows.head(n).reset_index(drop=True)
    extra = rows.sample(n - len(rows), replace=n - len(rows) > len(rows), random_state=seed)
    return pd.concat([rows, extra], ignore_index=True)


# ------------------------------------------------------------------ FLOPs


def flops_per_token(model) -> dict:
    """Training FLOPs per token of LoRA on a frozen base: forward 2·N (every weight multiplies once;
    the tied embedding counts once, as the output projection) + backward activation gradients 2·N
    (no weight gradients for frozen weights) = 4·N, plus 6·N_lora for the adapters (forward, activation
    and weight gradients). Attention score FLOPs (∝ sequence length) are left out: ~1-2 % here."""
    base = sum(p.numel() for n, p in model.named_parameters() if "lora_" not in n)
    lora = sum(p.numel() for n, p in model.named_parameters() if "lora_" in n)
    return {"base_params": base, "lora_params": lora, "flops_per_token": 4 * base + 6 * lora,
            "formula": "4·N (frozen base: forward 2N + activation gradients 2N) + 6·N_lora"}


# ------------------------------------------------------------------ plain transformers + PEFT


def _tokenized(rows: pd.DataFrame, cfg: dict, tokenizer) -> list[tuple[list[int], int]]:
    """(token ids, prompt length) per row: prompt + answer + end token, cut at max_length."""
    out = []
    for question, answer in zip(rows[cfg["input"]], rows[cfg["output"]]):
        prompt = tokenizer(cfg["template"].format(**{cfg["input"]: question}), add_special_tokens=False).input_ids
        target = tokenizer(str(answer), add_special_tokens=False).input_ids + [tokenizer.eos_token_id]
        out.append(((prompt + target)[:cfg["max_length"]], len(prompt)))
    return out


def plain_loop(rows: pd.DataFrame, cfg: dict, steps: int, seed: int, epochs: float | None = None) -> dict:
    """A plain PEFT training loop. Times `steps` optimizer steps after one warm-up step, or with
    `epochs=1`, one whole epoch (after a warm-up step on the first batches)."""
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM, AutoTokenizer, get_cosine_schedule_with_warmup

    torch.manual_seed(seed)
    tokenizer = AutoTokenizer.from_pretrained(cfg["base_model"])
    model = AutoModelForCausalLM.from_pretrained(cfg["base_model"], dtype=torch.float32)
    model = get_peft_model(model, LoraConfig(task_type="CAUSAL_LM", **cfg["lora"]))
    model.train()
    flops = flops_per_token(model)
    params = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(params, lr=cfg["learning_rate"], weight_decay=cfg["weight_decay"])
    bs, accum = cfg["batch_size"], cfg["accumulation"]
    data = _tokenized(rows, cfg, tokenizer)
    order = np.random.RandomState(seed).permutation(len(data)).tolist()
    micro = [order[i:i + bs] for i in range(0, len(order) - bs + 1, bs)]
    if epochs is None:
        micro = (micro * math.ceil((steps + 1) * accum / len(micro)))[:(steps + 1) * accum]
        warm = accum
    else:
        micro = micro[:accum] + micro  # warm-up step on the first batches, then the timed epoch
        warm = accum
    total_updates = math.ceil(len(micro) / accum)
    scheduler = get_cosine_schedule_with_warmup(optimizer, max(1, total_updates // 10), total_updates)
    pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else tokenizer.eos_token_id
    tokens = padded = 0
    start = None
    for i, batch in enumerate(micro):
        if i == warm:
            start = time.perf_counter()
        width = max(len(data[j][0]) for j in batch)
        ids = torch.full((len(batch), width), pad, dtype=torch.long)
        mask = torch.zeros((len(batch), width), dtype=torch.long)
        labels = torch.full((len(batch), width), -100, dtype=torch.long)
        for r, j in enumerate(batch):
            seq, prompt_len = data[j]
            ids[r, :len(seq)] = torch.tensor(seq)
            mask[r, :len(seq)] = 1
            labels[r, prompt_len:len(seq)] = torch.tensor(seq[prompt_len:])
        loss = model(input_ids=ids, attention_mask=mask, labels=labels).loss / accum
        loss.backward()
        if (i + 1) % accum == 0 or i == len(micro) - 1:
            torch.nn.utils.clip_grad_norm_(params, 1.0)
            optimizer.step()
            scheduler.step()
            optimizer.zero_grad()
        if i >= warm:
            tokens += int(mask.sum())
            padded += mask.numel()
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "tokens": tokens, "padded_tokens": padded, "micro_batches": len(micro) - warm,
            "threads": torch.get_num_threads(), "attention": model.config._attn_implementation,
            "dtype": str(next(model.parameters()).dtype), **flops}


# ------------------------------------------------------------------ the project's Ludwig path


def ludwig_train(rows: pd.DataFrame, cfg: dict, steps: int | None, seed: int, length_batching_on: bool,
                 sparse_logits_on: bool, max_length: int | None = None, epochs: int | None = None,
                 dtype: str = "fp32") -> dict:
    """The project's training path (plugins.train: the fixes applied, LudwigModel.train on the spec's
    Ludwig config; sparse logits and length batching on or off) on `rows`, for `steps` optimizer steps
    after one warm-up step (or one epoch after the warm-up step, with `epochs=1`). Timed between
    Ludwig's own batch callbacks, so it includes Ludwig's batcher and every per-step cost, but not
    model loading, preprocessing or evaluation. A tiny validation and test split (3 rows each) keeps
    Ludwig's evaluations short. `dtype` (fp32 or bf16) is the precision (plugins/precision.py) it trains in."""
    import ludwig.models.llm as llm_module
    from ludwig.api import LudwigModel
    from ludwig.callbacks import Callback

    from plugins.ludwig import cpu_autocast, fixes, length_batching, sparse_logits

    fixes.apply()
    length_batching.apply(enabled=length_batching_on)
    sparse_logits.apply(enabled=sparse_logits_on)
    cpu_autocast.apply(precision.decide(dtype))
    accum = cfg["accumulation"]
    config = copy.deepcopy(cfg["spec"].ludwig)
    trainer = config.setdefault("trainer", {})
    per_epoch = len(rows) // cfg["batch_size"]
    micro = (steps + 1) * accum if epochs is None else per_epoch + accum
    trainer.update(train_steps=micro, epochs=max(1, math.ceil(micro / per_epoch)), steps_per_checkpoint=micro,
                   eval_batch_size=cfg["batch_size"])
    if max_length:
        config.setdefault("preprocessing", {})["global_max_sequence_length"] = max_length
    dataset = pd.concat([rows.assign(split=0), rows.head(3).assign(split=1), rows.head(3).assign(split=2)],
                        ignore_index=True)

    counts, stamps = [], {"start": [], "end": []}
    merged = llm_module.generate_merged_ids

    def counting(*args, **kwargs):
        ids, mask = merged(*args, **kwargs)
        if torch.is_grad_enabled():  # training forwards only
            counts.append((int(mask.sum()), mask.numel()))
        return ids, mask

    class Clock(Callback):
        def on_batch_start(self, trainer, progress_tracker, save_path):
            stamps["start"].append(time.perf_counter())

        def on_batch_end(self, trainer, progress_tracker, save_path, sync_step=True):
            stamps["end"].append(time.perf_counter())

    llm_module.generate_merged_ids = counting
    try:
        with tempfile.TemporaryDirectory() as out:
            model = LudwigModel(config=config, logging_level=40, callbacks=[Clock()])
            model.train(dataset=dataset, output_directory=out, skip_save_processed_input=True,
                        skip_save_training_description=True, skip_save_training_statistics=True,
                        skip_save_model=True, skip_save_progress=True, skip_save_log=True, random_seed=seed)
            peft_model = model.model.model
            flops = flops_per_token(peft_model)
            attention = getattr(peft_model.config, "_attn_implementation", None)
            weights = str(next(peft_model.parameters()).dtype)
    finally:
        llm_module.generate_merged_ids = merged
    warm = accum
    timed = counts[warm:len(stamps["end"])]
    # each batch from Ludwig's on_batch_start (before its batcher fetches the rows) to on_batch_end
    # (after the optimizer step): what lies between them is Ludwig's end-of-epoch evaluation
    seconds = sum(e - s for s, e in zip(stamps["start"][warm:], stamps["end"][warm:]))
    return {"seconds": seconds, "tokens": sum(c for c, _ in timed),
            "padded_tokens": sum(p for _, p in timed), "micro_batches": len(stamps["end"]) - warm,
            "threads": torch.get_num_threads(), "attention": attention, "dtype": weights,
            "precision": dtype, **flops}


# ------------------------------------------------------------------ the comparison and the scaling


def compare(run_dir: Path, steps: int, repeats: int, peak_gflops: float, rows: int | None = None) -> dict:
    """Every contender `repeats` times, alternating: the order rotates each repeat."""
    cfg = settings(run_dir)
    data = train_rows(run_dir)
    if rows:
        data = data.head(rows)
    results = {name: [] for name in CONTENDERS}
    names = list(CONTENDERS)
    for repeat in range(repeats):
        seed = 42 + repeat
        for name in names[repeat % len(names):] + names[:repeat % len(names)]:
            results[name].append(_run(name, data, cfg, steps, seed))
        print(f"  training repeat {repeat + 1}/{repeats}: " + ", ".join(
            f"{k} {v[-1]['tokens'] / v[-1]['seconds']:.1f} tok/s" for k, v in results.items() if v), flush=True)
    return summarize(results, cfg, steps, repeats, peak_gflops, len(data))


def _run(name: str, data: pd.DataFrame, cfg: dict, steps: int, seed: int) -> dict:
    if CONTENDERS[name] is None:
        return plain_loop(data, cfg, steps, seed)
    sparse, grouped = CONTENDERS[name]
    return ludwig_train(data, cfg, steps, seed, length_batching_on=grouped, sparse_logits_on=sparse)


def summarize(results: dict, cfg: dict, steps: int, repeats: int, peak_gflops: float, rows: int) -> dict:
    out = {"steps": steps, "repeats": repeats, "rows": rows, "batch_size": cfg["batch_size"],
           "accumulation": cfg["accumulation"], "max_length": cfg["max_length"], "lora": cfg["lora"],
           "base_model": cfg["base_model"], "peak_gflops": peak_gflops, "contenders": {}}
    for name, measured in results.items():
        if not measured:
            continue
        tps = [r["tokens"] / r["seconds"] for r in measured]
        fpt = measured[0]["flops_per_token"]
        out["contenders"][name] = {
            "tokens_per_second": statistics.median(tps), "tokens_per_second_all": tps,
            "padding_fraction": 1 - sum(r["tokens"] for r in measured) / sum(r["padded_tokens"] for r in measured),
            "mfu": statistics.median(tps) * fpt / (peak_gflops * 1e9), "runs": measured}
        flops_keys = ("base_params", "lora_params", "flops_per_token", "formula")
        out.setdefault("flops", {k: measured[0][k] for k in flops_keys})
    base = out["contenders"]["plain"]["tokens_per_second_all"]
    for name in CONTENDERS:
        if name != "plain" and name in out["contenders"]:
            mine = out["contenders"][name]["tokens_per_second_all"]
            ratios = [m / p for m, p in zip(mine, base)]  # paired by repeat
            out["contenders"][name].update(ratio_median=statistics.median(ratios), ratio_min=min(ratios),
                                           ratio_max=max(ratios))
    return out


def scaling(run_dir: Path, row_counts: list[int], lengths: list[int], fraction: float, peak_gflops: float) -> dict:
    """Seconds per epoch of the project's path (sparse logits; length batching as the run's spec says) at
    several row counts and two sequence lengths. Each point trains `fraction` of the epoch's steps for
    real and divides by `fraction` (1.0: whole epochs); the fit is log(seconds) vs log(rows)."""
    cfg = settings(run_dir)
    data = train_rows(run_dir)
    grouped = bool(cfg["spec"].project.get("length_batching"))
    dtype = precision.of_project(cfg["spec"].project).dtype  # as make train would train here
    points = []
    for max_length in lengths:
        for n in row_counts:
            part = max(cfg["batch_size"] * cfg["accumulation"], int(round(n * fraction)))
            rows = resize(data, part)
            r = ludwig_train(rows, cfg, None, 42, length_batching_on=grouped, sparse_logits_on=True,
                             max_length=max_length, epochs=1, dtype=dtype)
            points.append({"rows": n, "max_length": max_length, "rows_trained": part,
                           "seconds_per_epoch": r["seconds"] * n / part, "tokens_per_row": r["tokens"] / part,
                           "tokens_per_second": r["tokens"] / r["seconds"]})
            print(f"  scaling {n} rows at {max_length} tokens: {points[-1]['seconds_per_epoch']:.0f} s/epoch",
                  flush=True)
    fits = {}
    for max_length in lengths:
        pts = [p for p in points if p["max_length"] == max_length]
        x = np.log([p["rows"] for p in pts])
        y = np.log([p["seconds_per_epoch"] for p in pts])
        exponent, _ = np.polyfit(x, y, 1)
        slope, intercept = np.polyfit([p["rows"] for p in pts], [p["seconds_per_epoch"] for p in pts], 1)
        fits[str(max_length)] = {"exponent": float(exponent), "seconds_per_row": float(slope),
                                 "intercept_seconds": float(intercept)}
    return {"fraction": fraction, "length_batching": grouped, "precision": dtype, "points": points, "fits": fits}

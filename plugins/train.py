"""`make train`: validate the spec, prepare its data, train with Ludwig into a new run directory.

Everything that can fail on bad input fails before a model loads and before anything is written
under runs/. The run keeps the spec as run, the prepared data, Ludwig's outputs and a summary with
base vs fine-tuned validation loss, so two runs can be compared without re-running anything.

Launched by torchrun (`make train NPROC=2`, plugins/ludwig/distributed.py) every process is one rank of a
data-parallel run of the same spec: rank 0 writes the run directory exactly as a single process does,
the other ranks only train.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import shutil
import sys
import tempfile
import time
from pathlib import Path

from plugins import data as data_mod
from plugins import precision, runs, tracking
from plugins import spec as spec_mod
from plugins.ludwig import distributed


def _copy_inputs(spec: spec_mod.Spec, prepared: data_mod.PreparedData, run_dir: Path) -> Path:
    """The run keeps the spec it ran and the exact prepared data (with its split column)."""
    shutil.copyfile(spec.path, run_dir / "spec.yaml")
    data_dir = run_dir / "data"
    shutil.copytree(prepared.path.parent, data_dir)
    return data_dir / prepared.path.name


def apply_plugins(project: dict) -> precision.Decision:
    """The project's Ludwig patches for training, in this process (a sweep trial runs this in its Ray worker).
    Returns the precision chosen for this machine (plugins/precision.py)."""
    from plugins.ludwig import cpu_autocast, fixes, length_batching, progress, sparse_logits

    fixes.apply()
    progress.apply()
    sparse_logits.apply()
    if project.get("length_batching"):
        length_batching.apply()
    decision = precision.of_project(project)
    cpu_autocast.apply(decision)
    return decision


def _watch_validation_questions(dataset: Path, config: dict) -> None:
    """The first validation questions, shown beside the model's answers at each evaluation (ludwig/progress.py)."""
    import pandas as pd

    from plugins.ludwig import progress

    frame = pd.read_csv(dataset)  # the prepared data: its `split` column is 0 train, 1 validation, 2 test
    question = config["input_features"][0]["name"]
    progress.watch(frame.loc[frame["split"] == 1, question].astype(str).tolist())


def base_validation_loss(llm, validation_set, batch_size: int) -> float:
    """Teacher-forced validation loss of the base model (adapter disabled), through the same Ludwig
    evaluation path that produced the fine-tuned model's validation loss, so the two compare.
    `llm` is Ludwig's LLM module (`LudwigModel.model`)."""
    from ludwig.models.predictor import LlmFineTunePredictor

    with llm.model.disable_adapter():
        metrics, *_ = LlmFineTunePredictor(llm, batch_size=batch_size).batch_evaluation(
            validation_set, collect_predictions=False, dataset_name="validation")
    return float(metrics["combined"]["loss"])


def best_validation_loss(ludwig_dir: Path) -> float:
    """The saved model is Ludwig's best checkpoint by validation loss: its loss, from Ludwig's statistics."""
    stats = json.loads((ludwig_dir / "training_statistics.json").read_text())
    return min(stats["validation"]["combined"]["loss"])


def _prune_checkpoints(ludwig_dir: Path) -> int:
    """Training checkpoints hold the full (tied) embedding matrix, not just the adapter (~260 MB for
    SmolLM2); they only serve resuming, so a finished run drops them. Returns bytes freed."""
    freed = 0
    for ckpt in ludwig_dir.glob("model/training_checkpoints"):
        freed += sum(f.stat().st_size for f in ckpt.rglob("*") if f.is_file())
        shutil.rmtree(ckpt)
    return freed


def _tokens_seen(ludwig_dir: Path) -> int | None:
    progress = ludwig_dir / "model" / "training_progress.json"
    if progress.is_file():
        return json.loads(progress.read_text()).get("total_tokens_used")
    return None


def _disk_mb(path: Path) -> float:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 1e6


def write_summary(run_dir: Path, base_model: str, base_loss: float, train_seconds: float, **extra) -> dict:
    """summary.json of a finished run (make train, or a sweep trial): what every later step reads."""
    ludwig_dir = runs.ludwig_dir(run_dir)
    freed = _prune_checkpoints(ludwig_dir)
    dataset = run_dir / "data" / "dataset.csv"
    summary = {
        "spec": runs.identify(run_dir)[0],  # a resumed run's spec file is spec.yaml: the name is the path's
        "run_dir": str(run_dir),
        "base_model": base_model,
        "validation_loss": {"base": base_loss, "fine_tuned": best_validation_loss(ludwig_dir)},
        "train_wall_seconds": round(train_seconds, 1),
        "tokens_seen": _tokens_seen(ludwig_dir),
        "data": json.loads((run_dir / "data" / "stats.json").read_text())["split_sizes"],
        "data_sha256": hashlib.sha256(dataset.read_bytes()).hexdigest(),
        "checkpoint_mb_pruned": round(freed / 1e6, 1),
        "run_disk_mb": round(_disk_mb(run_dir), 1),
        **extra,
    }
    (run_dir / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")
    return summary


def train(spec_path: Path | None, resume: Path | None = None) -> Path | None:
    """Run one training job; returns the run directory (None on ranks other than 0)."""
    this = distributed.world()
    scratch = None
    if resume:
        run_dir = runs.resolve(resume)
        spec = spec_mod.load(run_dir / "spec.yaml")
        dataset = run_dir / "data" / "dataset.csv"
        print(f"resuming {run_dir} from its last checkpoint", flush=True)
    elif this.coordinator:
        spec = spec_mod.load(spec_path)
        prepared = data_mod.prepare_spec(spec)
        for w in spec.warnings:
            print(f"warning: {spec_path}: {w}", file=sys.stderr)
        print(f"data: {prepared.split_sizes} rows (train/validation/test), dropped {prepared.dropped}", flush=True)
        run_dir = runs.new_run_dir(spec.name)
        dataset = _copy_inputs(spec, prepared, run_dir)
        print(f"run directory: {run_dir}", flush=True)
    else:  # only rank 0 writes under runs/ and data/prepared/; this rank's copy of the data is temporary
        spec = spec_mod.load(spec_path)
        scratch = Path(tempfile.mkdtemp(prefix=f"medical-llm-rank{this.rank}-"))
        dataset = data_mod.prepare_spec(spec, scratch).path
        run_dir = scratch
    if this.active:
        distributed.same_data_on_every_rank(dataset)
    config = spec.ludwig
    scale = distributed.scale_out(config, this)
    effective = (f"{scale['batch_size_per_rank']} per rank x {this.size} rank(s) x "
                 f"{scale['gradient_accumulation_steps']} accumulation = {scale['effective_batch_size']}")
    print(f"effective batch: {effective}", flush=True)

    decision = apply_plugins(spec.project)
    _watch_validation_questions(dataset, config)
    print(decision.describe(), flush=True)
    if decision.warning:
        print(f"warning: {decision.warning}", file=sys.stderr, flush=True)
    from ludwig.api import LudwigModel

    seed = spec.data.get("seed", 42)
    ludwig_dir = runs.ludwig_dir(run_dir)
    started = time.time()
    model = LudwigModel(config=config, logging_level=logging.INFO)
    result = model.train(
        dataset=str(dataset),
        output_directory=str(run_dir),
        experiment_name=runs.LUDWIG_DIR,
        model_name="",
        model_resume_path=str(ludwig_dir) if resume else None,
        skip_save_processed_input=True,
        random_seed=seed,
    )
    train_seconds = time.time() - started
    print("evaluating the base model's validation loss (adapter disabled) ...", flush=True)
    batch_size = spec.raw.get("trainer", {}).get("eval_batch_size", 2)
    # every rank evaluates (metrics may synchronise across ranks); rank 0 alone keeps the result
    base_loss = base_validation_loss(model.model, result.preprocessed_data.validation_set, batch_size)
    if not this.coordinator:
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)
        print(f"rank {this.rank} done: training wall time {train_seconds / 60:.1f} min", flush=True)
        return None
    summary = write_summary(run_dir, spec.raw["base_model"], base_loss, train_seconds,
                            resumed=bool(resume), effective_batch_size=scale["effective_batch_size"], scale_out=scale,
                            precision=decision.as_dict())
    losses = summary["validation_loss"]
    runs.mark_latest(run_dir)
    tracked = tracking.log_training(runs.Run(run_dir))
    print(
        f"\nrun: {run_dir}\n"
        f"validation loss: base {losses['base']:.4f} -> fine-tuned {losses['fine_tuned']:.4f}\n"
        f"training wall time: {train_seconds / 60:.1f} min, tokens seen: {summary['tokens_seen']}, "
        f"run size: {summary['run_disk_mb']:.0f} MB, effective batch: {effective}, {decision.describe()}\n"
        + (f"MLflow: run {tracked} in {tracking.tracking_uri()} (make mlflow)" if tracked else "MLflow: off"),
        flush=True,
    )
    return run_dir


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("spec", type=Path, nargs="?", help="spec file, e.g. specs/medical-smollm2-cpu.yaml")
    parser.add_argument("--resume", type=Path, help="a run directory to continue from its last checkpoint")
    args = parser.parse_args(argv)
    if not args.spec and not args.resume:
        parser.error("give a spec file or --resume RUN")
    try:
        distributed.setup()  # one rank of a torchrun launch; nothing for a single process
        train(args.spec, args.resume)
    except (spec_mod.SpecError, data_mod.DataError, runs.RunError, distributed.ScaleOutError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    distributed.finish()
    return 0


if __name__ == "__main__":
    sys.exit(main())

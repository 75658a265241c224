"""Experiment tracking: `make train`, `make compare` and `make report` log each run to MLflow.

The store is a real database in the project: `mlruns/mlflow.db` (SQLite) with artifacts under
`mlruns/artifacts/`; `make mlflow` opens MLflow's UI on it. One MLflow run per project run, in an experiment
named after the spec, tagged with the spec, run directory and data hash; its id is kept in
`RUN/mlflow.json`, so `make compare` and `make report` add their scores and files to the same MLflow run.
Everything logged is read from the run's own files, which stay the record (`reports/leaderboard.md` too).
On by default; `medical_llm.tracking: false` in a spec turns it off, `MLFLOW_TRACKING_URI` points elsewhere.

The client API is used with explicit run ids rather than Ludwig's `MlflowCallback`: the callback logs from a
background thread through MLflow's active run, which is per thread in MLflow 3, and a torchrun launch would
log once per rank.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path

from plugins import runs

STORE = Path("mlruns")
LINK = "mlflow.json"  # in the run directory: which MLflow run holds it


def tracking_uri(root: Path = Path(".")) -> str:
    if os.environ.get("MLFLOW_TRACKING_URI"):
        return os.environ["MLFLOW_TRACKING_URI"]
    return f"sqlite:///{(Path(root) / STORE / 'mlflow.db').resolve()}"


def enabled(spec: dict) -> bool:
    return bool((spec.get("medical_llm") or {}).get("tracking", True))


def client(root: Path = Path(".")):
    from mlflow import MlflowClient

    logging.getLogger("alembic").setLevel(logging.WARNING)  # the store's schema migrations are not news
    (Path(root) / STORE).mkdir(exist_ok=True)
    return MlflowClient(tracking_uri=tracking_uri(root))


def _experiment(c, name: str, root: Path) -> str:
    found = c.get_experiment_by_name(name)
    if found is not None:
        return found.experiment_id
    artifacts = (Path(root) / STORE / "artifacts" / name).resolve()
    return c.create_experiment(name, artifact_location=artifacts.as_uri())


def flatten(value, prefix: str = "") -> dict[str, str]:
    """Nested settings as MLflow params: `trainer.learning_rate` -> `0.0002`."""
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            out.update(flatten(v, f"{prefix}{k}."))
        return out
    return {prefix[:-1]: json.dumps(value) if isinstance(value, (list, bool)) or value is None else str(value)}


def run_id(run: runs.Run) -> str | None:
    """The MLflow run that holds this project run, when it was tracked."""
    path = run.dir / LINK
    return json.loads(path.read_text())["run_id"] if path.is_file() else None


def log_training(run: runs.Run, root: Path = Path("."), tags: dict | None = None) -> str | None:
    """A new MLflow run for a finished training run: params (the spec), losses per epoch and before/after,
    wall time, tokens, and the spec, summary and data statistics as artifacts. A sweep trial adds `tags`
    (sweep, trial)."""
    if not enabled(run.spec):
        return None
    c = client(root)
    summary = json.loads((run.dir / "summary.json").read_text())
    tags = {"spec": run.name, "run_dir": str(run.dir), "data_sha256": summary["data_sha256"],
            "base_model": summary["base_model"], "mlflow.source.name": "make train",
            "precision": (summary.get("precision") or {}).get("dtype", "fp32"), **(tags or {})}
    mlrun = c.create_run(_experiment(c, run.name, root), run_name=run.label, tags=tags)
    rid = mlrun.info.run_id
    params = {k: v[:6000] for k, v in flatten({k: v for k, v in run.spec.items() if k != "prompt"}).items()}
    params["prompt.template"] = run.template[:6000]
    items = list(params.items())
    for i in range(0, len(items), 100):
        c.log_batch(rid, params=[_param(k, v) for k, v in items[i:i + 100]])
    metrics = {"validation_loss_base": summary["validation_loss"]["base"],
               "validation_loss_fine_tuned": summary["validation_loss"]["fine_tuned"],
               "train_wall_seconds": summary["train_wall_seconds"], "tokens_seen": summary["tokens_seen"]}
    for name, value in metrics.items():
        if value is not None:
            c.log_metric(rid, name, float(value))
    stats = json.loads((runs.ludwig_dir(run.dir) / "training_statistics.json").read_text())
    every = stats.get("evaluation_frequency") or {}
    steps = int(every.get("frequency") or 1) if every.get("period") == "step" else 1  # else one point per epoch
    for split in ("training", "validation", "test"):
        for i, loss in enumerate((stats.get(split) or {}).get("combined", {}).get("loss", []), start=1):
            c.log_metric(rid, f"{split}_loss", float(loss), step=i * steps)
    for path in (run.dir / "spec.yaml", run.dir / "summary.json", run.dir / "data" / "stats.json"):
        if path.is_file():
            c.log_artifact(rid, str(path))
    c.set_terminated(rid)
    (run.dir / LINK).write_text(json.dumps({"run_id": rid, "experiment": run.name,
                                            "tracking_uri": tracking_uri(root)}, indent=2) + "\n")
    return rid


def _param(key: str, value: str):
    from mlflow.entities import Param

    return Param(key, value)


def _tracked(run: runs.Run, root: Path):
    """The client and MLflow run id of a tracked run; logs the training first when that was never done."""
    if not enabled(run.spec):
        return None, None
    rid = run_id(run) or log_training(run, root)
    return client(root), rid


def log_comparison(run: runs.Run, root: Path = Path(".")) -> str | None:
    """`make compare`'s scores (ROUGE/BLEU and the answer measures of both models, the paired difference, a grounded
    run's question sets, knowledge accuracy) and files."""
    c, rid = _tracked(run, root)
    if rid is None:
        return None
    result = json.loads((run.dir / "eval" / "metrics.json").read_text())
    split = result["split"]
    for system, scores in result["metrics"].items():
        for metric, value in scores.items():
            c.log_metric(rid, f"{split}_{metric}_{system}", float(value["value"]))
    c.log_metric(rid, f"{split}_rougeL_difference", float(result["fine_tuned_minus_base"]["rougeL"]["diff"]))
    for system, measures in (result.get("answer_measures") or {}).items():  # groundedness, completeness, ...
        for measure, value in measures.items():
            if value["value"] is not None:
                c.log_metric(rid, f"{split}_{measure}_{system}", float(value["value"]))
    grounded = run.dir / "eval" / "grounded.json"
    if grounded.is_file():  # a grounded run's question sets, beside the ungrounded run
        for name, found in json.loads(grounded.read_text())["sets"].items():
            for measure, value in found["measures"]["grounded"].items():
                if value["value"] is not None:
                    c.log_metric(rid, f"{name}_{measure}", float(value["value"]))
    knowledge = run.dir / "eval" / "knowledge.json"
    if knowledge.is_file():
        for bench, stats in json.loads(knowledge.read_text())["statistics"].items():
            for system in ("base", "fine_tuned"):
                c.log_metric(rid, f"knowledge_{bench}_accuracy_{system}", float(stats[system]["accuracy"]))
    for name in ("comparison.md", "metrics.json", "metrics.png", "answers.csv", "knowledge.json", "knowledge.png",
                 "grounded.json", "grounded.md", "grounded_answers.csv"):
        if (run.dir / "eval" / name).is_file():
            c.log_artifact(rid, str(run.dir / "eval" / name), "eval")
    return rid


def log_report(run: runs.Run, report: Path, root: Path = Path(".")) -> str | None:
    """`make report`'s report (Markdown, self-contained HTML, plots) as artifacts of the run's MLflow run."""
    c, rid = _tracked(run, root)
    if rid is None:
        return None
    c.log_artifacts(rid, str(report), "report")
    return rid


def main(argv: list[str] | None = None) -> int:
    """`make mlflow`: MLflow's own UI on the project's store, on this machine only unless told otherwise."""
    import argparse
    import sys

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5000)
    args = parser.parse_args(argv)
    if not (STORE / "mlflow.db").is_file() and not os.environ.get("MLFLOW_TRACKING_URI"):
        print(f"note: no runs tracked yet ({STORE / 'mlflow.db'} is created by the first make train)", flush=True)
    client()  # creates the store, so the UI opens on an empty one rather than failing
    print(f"MLflow UI on http://{args.host}:{args.port}/ for {tracking_uri()}", flush=True)
    os.execv(sys.executable, [sys.executable, "-m", "mlflow", "ui", "--backend-store-uri", tracking_uri(),
                              "--host", args.host, "--port", str(args.port)])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

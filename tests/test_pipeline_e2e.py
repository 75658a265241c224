"""End to end on the tiny model, through the real commands: train -> run directory -> predict -> resume."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from tests.conftest import REPO, make_project, offline_env, run_module

SMOKE = "specs/smoke-tiny.yaml"


@pytest.fixture(scope="module")
def trained(tmp_path_factory) -> tuple[Path, Path, subprocess.CompletedProcess]:
    """One real training run of the smoke spec, shared by the tests below."""
    project = make_project(tmp_path_factory.mktemp("e2e") / "project")
    result = run_module(project, "plugins.train", SMOKE)
    assert result.returncode == 0, result.stderr[-3000:]
    return project, (project / "runs" / "latest").resolve(), result


def test_run_directory_keeps_spec_data_outputs_and_summary(trained):
    project, run, result = trained
    assert run.parent == (project / "runs" / "smoke-tiny").resolve()
    assert (run / "spec.yaml").read_text() == (REPO / SMOKE).read_text()
    stats = json.loads((run / "data" / "stats.json").read_text())
    data = pd.read_csv(run / "data" / "dataset.csv")
    assert stats["split_sizes"] == {"train": 20, "validation": 10, "test": 10}
    assert data["split"].value_counts().sort_index().tolist() == [20, 10, 10]
    summary = json.loads((run / "summary.json").read_text())
    assert summary["data"] == stats["split_sizes"]
    assert summary["tokens_seen"] > 0 and summary["train_wall_seconds"] > 0
    losses = summary["validation_loss"]
    assert losses["fine_tuned"] < losses["base"]  # a few steps at lr 1e-3 already lower it
    assert f"base {losses['base']:.4f} -> fine-tuned {losses['fine_tuned']:.4f}" in result.stdout
    # the smoke spec says nothing about precision: `auto` decides from this machine's CPU flags, says so, records why
    from plugins import precision

    chosen = precision.decide("auto")
    assert summary["precision"]["dtype"] == chosen.dtype and summary["precision"]["reason"] == chosen.reason
    assert chosen.describe() in result.stdout
    # Ludwig's outputs, the adapter only, and no full-weight training checkpoints left behind
    assert (run / "ludwig" / "training_statistics.json").is_file()
    assert (run / "ludwig" / "model" / "model_weights" / "adapter_model.safetensors").is_file()
    assert not (run / "ludwig" / "model" / "training_checkpoints").exists()
    assert (project / "runs" / "smoke-tiny" / "latest").resolve() == run


def test_training_loss_is_recorded_per_epoch(trained):
    _, run, _ = trained
    stats = json.loads((run / "ludwig" / "training_statistics.json").read_text())
    assert len(stats["validation"]["answer"]["loss"]) >= 2


def test_predict_and_evaluate_load_the_saved_model(trained):
    """Ludwig 0.17.10 cannot load a saved LLM model at all; the plugin-enabled CLI can."""
    project, run, _ = trained
    for verb in ("predict", "evaluate"):
        result = run_module(project, "plugins.ludwig.cli", verb, "--model_path", str(run / "ludwig" / "model"),
                            "--dataset", str(run / "data" / "dataset.csv"), "--split", "test",
                            "--output_directory", str(run / verb), "--skip_save_unprocessed_output")
        assert result.returncode == 0, result.stderr[-3000:]
    predictions = pd.read_parquet(run / "predict" / "predictions.parquet")
    assert len(predictions) == 10 and "answer_response" in predictions.columns
    statistics = json.loads((run / "evaluate" / "test_statistics.json").read_text())["answer"]
    assert {"loss", "token_accuracy"} <= set(statistics)  # Ludwig's own metrics stay
    # ROUGE/BLEU on the answers `evaluate` generated, next to them
    from plugins.eval import metrics

    generated = pd.read_parquet(run / "evaluate" / "predictions.parquet")["answer_response"].astype(str).tolist()
    references = pd.read_csv(run / "data" / "dataset.csv").query("split == 2")["answer"].tolist()
    assert statistics["rougeL"] == pytest.approx(metrics.per_sample(generated, references)["rougeL"].mean())
    assert statistics["bleu"] == pytest.approx(metrics.corpus_bleu(generated, references))
    assert set(statistics["text_metrics_95ci"]) == set(metrics.REPORTED)


def test_stock_ludwig_cannot_load_the_saved_model(trained):
    """Why plugins/ludwig/cli.py exists (the null-adapters schema bug); fails once Ludwig fixes it."""
    project, run, _ = trained
    code = ("from ludwig.api import LudwigModel; import sys; "
            f"LudwigModel.load({str(run / 'ludwig' / 'model')!r})")
    result = subprocess.run([sys.executable, "-c", code], cwd=project, env=offline_env(), capture_output=True,
                            text=True, timeout=300)
    assert result.returncode != 0
    assert "None is not of type 'object'" in result.stderr


def test_stock_ludwig_cli_accepts_the_spec(trained, tmp_path):
    """Every spec stays a plain Ludwig config: the stock `ludwig train` trains the smoke spec."""
    project, run, _ = trained
    config = yaml.safe_load((REPO / SMOKE).read_text())
    config["trainer"]["epochs"] = 1
    spec = tmp_path / "smoke-one-epoch.yaml"
    spec.write_text(yaml.safe_dump(config))
    ludwig = Path(sys.executable).with_name("ludwig")
    result = subprocess.run([str(ludwig), "train", "--config", str(spec),
                             "--dataset", str(run / "data" / "dataset.csv"),
                             "--output_directory", str(tmp_path / "out"), "--skip_save_processed_input"],
                            cwd=project, env=offline_env(), capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    assert list((tmp_path / "out").glob("*/model/model_weights/adapter_model.safetensors"))


def _resumable_spec(tmp_path: Path, name: str) -> Path:
    """The smoke spec for 6 epochs of 10 steps with a checkpoint at every epoch's end; LoRA dropout off,
    so that a resumed run and an uninterrupted one compute exactly the same steps."""
    config = yaml.safe_load((REPO / SMOKE).read_text())
    config["trainer"].update(epochs=6, steps_per_checkpoint=10, early_stop=-1)
    config["adapter"]["dropout"] = 0.0
    spec = tmp_path / f"{name}.yaml"
    spec.write_text(yaml.safe_dump(config))
    return spec


def _adapter(run: Path) -> dict:
    from safetensors.torch import load_file

    return load_file(run / "ludwig" / "model" / "model_weights" / "adapter_model.safetensors")


def test_interrupted_run_resumes_from_its_last_checkpoint(project, tmp_path):
    """kill -9 after a checkpoint, then `--resume`: training continues from the checkpoint's step (not from
    zero) and ends exactly where an uninterrupted run of the same spec ends."""
    spec = _resumable_spec(tmp_path, "resumable")
    proc = subprocess.Popen([sys.executable, "-m", "plugins.train", str(spec)], cwd=project, env=offline_env(),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    checkpoint = None
    deadline = time.time() + 300
    while time.time() < deadline and proc.poll() is None:
        found = list((project / "runs" / "resumable").glob("*/ludwig/model/training_checkpoints/latest.ckpt*"))
        if len(found) >= 2:  # the checkpoint and its safetensors companion are both written
            checkpoint = found[0]
            time.sleep(0.5)
            break
        time.sleep(0.2)
    assert proc.poll() is None, "training finished before it could be interrupted"
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    assert checkpoint is not None
    run = checkpoint.parents[3]
    assert not (run / "summary.json").exists()

    result = run_module(project, "plugins.train", "--resume", str(run))
    assert result.returncode == 0, result.stderr[-3000:]
    log = result.stdout + result.stderr
    assert "Resuming training from previous run" in log
    start = int(re.search(r"Starting with step (\d+)", log)[1])
    assert start in (10, 20, 30, 40, 50), f"resumed at step {start}, not at a checkpoint"
    summary = json.loads((run / "summary.json").read_text())
    assert summary["resumed"] is True and summary["spec"] == "resumable"
    progress = json.loads((run / "ludwig" / "model" / "training_progress.json").read_text())
    assert progress["steps"] == 6 * 10  # every step of 6 epochs of 20 rows in batches of 2
    assert len(list((project / "runs" / "resumable").iterdir())) == 2  # the run and its `latest` pointer

    reference = run_module(project, "plugins.train", str(_resumable_spec(tmp_path, "uninterrupted")))
    assert reference.returncode == 0, reference.stderr[-3000:]
    straight = (project / "runs" / "uninterrupted" / "latest").resolve()
    resumed_stats, straight_stats = (json.loads((r / "ludwig" / "training_statistics.json").read_text())
                                     for r in (run, straight))
    # every epoch's validation loss, those before the interruption (restored) and after it (trained again)
    np.testing.assert_allclose(resumed_stats["validation"]["combined"]["loss"],
                               straight_stats["validation"]["combined"]["loss"], rtol=1e-4)
    resumed_weights, straight_weights = _adapter(run), _adapter(straight)
    for key, value in straight_weights.items():
        np.testing.assert_allclose(resumed_weights[key].numpy(), value.numpy(), rtol=1e-4, atol=1e-6, err_msg=key)


def test_batched_generation_equals_one_row_at_a_time(trained):
    """Greedy answers from the batched `LLM.generate` are token-for-token those of Ludwig's per-row
    loop, also when rows stop at different lengths."""
    from plugins.ludwig import fixes, patch

    fixes.apply()
    from ludwig.api import LudwigModel
    from ludwig.models.llm import LLM

    stock_generate = patch.original(LLM, "generate")

    _, run, _ = trained
    model = LudwigModel.load(str(run / "ludwig" / "model"), logging_level=40)
    test = pd.read_csv(run / "data" / "dataset.csv").query("split == 2")

    def predict(generate) -> pd.DataFrame:
        LLM.generate = generate
        try:
            return model.predict(test, batch_size=4, skip_save_predictions=True)[0]
        finally:
            LLM.generate = fixes.batched_generate

    def answers(generate) -> list[str]:
        return predict(generate)["answer_response"].tolist()

    model.model.generation.repetition_penalty = 3.0  # the random model's rows then differ from each other
    stock_predictions = predict(stock_generate)
    stock = stock_predictions["answer_response"].tolist()
    assert len(set(stock)) > 1
    batched = predict(fixes.batched_generate)
    assert batched["answer_response"].tolist() == stock
    # the per-token and sequence probabilities Ludwig reports are the same, though only the top one is kept
    for a, b in zip(batched["answer_probabilities"], stock_predictions["answer_probabilities"]):
        np.testing.assert_allclose(a, b, rtol=1e-4)
    np.testing.assert_allclose(batched["answer_probability"], stock_predictions["answer_probability"], rtol=1e-4)
    # make a token that only some rows emit the end of sequence, so rows stop at different steps
    rows = [model.model.tokenizer(a).input_ids for a in stock]
    model.model.generation.eos_token_id = next(t for r in rows for t in r if not all(t in other for other in rows))
    stock_short = answers(stock_generate)
    assert len({len(a) for a in stock_short}) > 1
    assert answers(fixes.batched_generate) == stock_short


@pytest.fixture(scope="module")
def compared(trained) -> tuple[Path, Path]:
    """`make compare` on the trained run (few bootstrap resamples: the numbers are not the point here)."""
    project, run, _ = trained
    result = run_module(project, "plugins.eval.compare", str(run), "--n-boot", "50")
    assert result.returncode == 0, result.stderr[-3000:]
    return project, run


def test_compare_scores_base_and_fine_tuned_answers(compared):
    project, run = compared
    out = run / "eval"
    answers = pd.read_csv(out / "answers.csv", keep_default_na=False)
    assert len(answers) == 10 and {"base", "fine_tuned", "base_rougeL", "fine_tuned_rougeL"} <= set(answers.columns)
    scores = json.loads((out / "metrics.json").read_text())
    assert set(scores["metrics"]) == {"base", "fine_tuned"}
    for system in ("base", "fine_tuned"):
        mean = answers[f"{system}_rougeL"].mean()
        assert scores["metrics"][system]["rougeL"]["value"] == pytest.approx(mean)
    assert set(scores["fine_tuned_minus_base"]) == set(scores["metrics"]["base"])
    report = (out / "comparison.md").read_text()
    assert "| rougeL |" in report and "Where fine-tuning gained most" in report and "metrics.png" in report
    assert (out / "metrics.png").stat().st_size > 10_000


def test_report_and_leaderboard(compared):
    """evaluate -> compare -> report: every file, the evaluated numbers in it, images embedded in the html;
    a run not yet compared gets a report that says so and stays off the leaderboard."""
    import shutil

    project, run = compared
    unevaluated = run.with_name(run.name + "-copy")
    shutil.copytree(run, unevaluated, ignore=shutil.ignore_patterns("eval"))
    for target in (unevaluated, run):
        result = run_module(project, "plugins.eval.report", str(target))
        assert result.returncode == 0, result.stderr[-3000:]
    out = project / "reports" / "smoke-tiny" / run.name
    pngs = {"data_lengths.png", "loss.png", "metrics.png", "by_area.png"}
    assert pngs | {"report.md", "report.html"} <= {p.name for p in out.iterdir()}
    assert all((out / p).stat().st_size > 10_000 for p in pngs)
    md = (out / "report.md").read_text()
    scores = json.loads((run / "eval" / "metrics.json").read_text())["metrics"]
    for heading in ("## Spec", "## Data", "## Training", "## Evaluation", "### By area", "## Example predictions",
                    "## Disclaimer", "## Appendix: the spec as run"):
        assert heading in md, heading
    assert f"{scores['fine_tuned']['rougeL']['value']:.4f}" in md and "Not medical advice" in md
    assert md.count("| reference |") >= 5
    html = (out / "report.html").read_text()
    assert html.count('src="data:image/png;base64,') == len(pngs) and not re.search(r'src="(?!data:)', html)
    assert "<table>" in html and "Not medical advice" in html
    assert "Not evaluated yet: run `make compare" in (out.parent / unevaluated.name / "report.md").read_text()
    board = (project / "reports" / "leaderboard.md").read_text()
    assert f"smoke-tiny/{run.name} " in board and unevaluated.name not in board
    assert f"[report](smoke-tiny/{run.name}/report.md)" in board
    assert (project / "reports" / "leaderboard.png").stat().st_size > 10_000
    shutil.rmtree(unevaluated)


def test_mlflow_holds_the_run_as_its_files_say(compared):
    """make train, compare and report logged the run to the project's SQLite MLflow store; its numbers are the
    run files' and the leaderboard's."""
    from mlflow import MlflowClient

    from plugins.eval.report import leaderboard_rows

    project, run = compared
    link = json.loads((run / "mlflow.json").read_text())
    assert link["tracking_uri"] == f"sqlite:///{(project / 'mlruns' / 'mlflow.db').resolve()}"
    client = MlflowClient(link["tracking_uri"])
    mlrun = client.get_run(link["run_id"])
    rid, tags, metrics = mlrun.info.run_id, mlrun.data.tags, mlrun.data.metrics
    summary = json.loads((run / "summary.json").read_text())
    assert client.get_experiment(mlrun.info.experiment_id).name == "smoke-tiny" and mlrun.info.run_name == run.name
    assert (tags["spec"], tags["run_dir"], tags["data_sha256"]) == ("smoke-tiny", summary["run_dir"],
                                                                    summary["data_sha256"])
    assert tags["precision"] == summary["precision"]["dtype"]  # what the run trained in, searchable
    assert metrics["validation_loss_fine_tuned"] == pytest.approx(summary["validation_loss"]["fine_tuned"])
    assert metrics["validation_loss_base"] == pytest.approx(summary["validation_loss"]["base"])
    stats = json.loads((run / "ludwig" / "training_statistics.json").read_text())
    curve = [m.value for m in client.get_metric_history(rid, "validation_loss")]
    assert curve == pytest.approx(stats["validation"]["combined"]["loss"]) and len(curve) >= 2
    spec = yaml.safe_load((run / "spec.yaml").read_text())
    assert mlrun.data.params["trainer.epochs"] == str(spec["trainer"]["epochs"])
    assert mlrun.data.params["adapter.target_modules"] == json.dumps(spec["adapter"]["target_modules"])
    assert mlrun.data.params["prompt.template"] == spec["prompt"]["template"]
    scores = json.loads((run / "eval" / "metrics.json").read_text())["metrics"]
    for system in ("base", "fine_tuned"):
        for metric in ("rougeL", "rouge1", "rouge2", "bleu"):
            assert metrics[f"test_{metric}_{system}"] == pytest.approx(scores[system][metric]["value"])
    board = leaderboard_rows(project / "runs", project / "reports")
    row = board[board["run"] == f"smoke-tiny/{run.name}"].iloc[0]
    assert row["fine_tuned_rougeL"] == pytest.approx(metrics["test_rougeL_fine_tuned"])
    assert row["val loss"] == pytest.approx(metrics["validation_loss_fine_tuned"])
    files = {a.path for a in client.list_artifacts(rid)} | {a.path for d in ("eval", "report")
                                                            for a in client.list_artifacts(rid, d)}
    assert {"spec.yaml", "summary.json", "eval/metrics.json", "eval/comparison.md", "report/report.html"} <= files


def test_make_mlflow_serves_the_tracked_runs(compared):
    """`make mlflow`'s command: MLflow's UI on 127.0.0.1 lists the run and serves its artifacts; stopped after."""
    import urllib.request

    from plugins import local_server

    project, run = compared
    with local_server.serve([sys.executable, "-m", "plugins.tracking"], path="/health", name="the MLflow UI",
                            cwd=project, env=offline_env()) as url:
        search = urllib.request.Request(url + "/api/2.0/mlflow/runs/search", method="POST",
                                        data=json.dumps({"experiment_ids": ["1"]}).encode(),
                                        headers={"Content-Type": "application/json"})
        found = json.loads(urllib.request.urlopen(search, timeout=30).read())["runs"]
        rid = json.loads((run / "mlflow.json").read_text())["run_id"]
        assert rid in {r["info"]["run_id"] for r in found}
        spec = urllib.request.urlopen(f"{url}/get-artifact?path=spec.yaml&run_uuid={rid}", timeout=30).read()
        assert spec.decode() == (run / "spec.yaml").read_text()


def test_tracking_can_be_switched_off_in_the_spec(tmp_path):
    from plugins import runs, tracking

    run_dir = tmp_path / "runs" / "quiet" / "20260101-000000"
    run_dir.mkdir(parents=True)
    (run_dir / "spec.yaml").write_text(yaml.safe_dump({"medical_llm": {"tracking": False}}))
    assert tracking.log_training(runs.Run(run_dir), tmp_path) is None
    assert not (tmp_path / "mlruns").exists() and not (run_dir / "mlflow.json").exists()


def test_quality_benchmark_judges_the_newest_evaluated_run(compared, tmp_path):
    project, run = compared
    result = run_module(project, "benchmarks.quality", SMOKE, "--out", str(tmp_path))
    [report] = list((tmp_path / "bench").glob("*/quality.json"))
    judged = json.loads(report.read_text())["smoke-tiny"]
    scores = json.loads((run / "eval" / "metrics.json").read_text())
    assert judged["rougeL_fine_tuned"] == scores["metrics"]["fine_tuned"]["rougeL"]["value"]
    assert judged["paired_diff"] == scores["fine_tuned_minus_base"]["rougeL"]
    assert result.returncode == (0 if judged["met"] else 1)
    assert "| smoke-tiny |" in report.with_suffix(".md").read_text()
    missing = run_module(project, "benchmarks.quality", "specs/medquad-smollm2-cpu.yaml", "--out", str(tmp_path))
    assert missing.returncode == 2 and "no run at runs/medquad-smollm2-cpu/latest" in missing.stderr


def test_evaluation_benchmark_smoke(trained, tmp_path):
    """Batched vs one-at-a-time generation runs end to end on the tiny model and writes its report (no timing
    asserted)."""
    project, run, _ = trained
    result = run_module(project, "benchmarks.evaluation", str(run), "--questions", "4", "--batch-size", "4",
                        "--repeats", "1", "--out", str(tmp_path))
    assert result.returncode == 0, result.stderr[-3000:]
    [report] = list((tmp_path / "bench").glob("*/evaluation.json"))
    data = json.loads(report.read_text())
    assert data["questions"] == 4 and data["same_answers"] is True
    assert len(data["seconds"]["batched"]) == len(data["seconds"]["one_at_a_time"]) == 1
    assert "Speed-up" in report.with_suffix(".md").read_text()


def test_compare_and_report_show_the_knowledge_benchmarks(compared):
    """A run whose spec declares benchmarks: `make compare` scores them next to ROUGE/BLEU (fixture data laid
    where the spec reads it, ../shared/data/mcq from the project), `make report` shows them, the leaderboard
    gains their columns. A spec's benchmarks change nothing in training, so the trained run is reused."""
    import shutil

    from tests.test_knowledge import write_data

    project, run = compared
    declared = run.with_name(run.name + "-knowledge")
    shutil.copytree(run, declared, ignore=shutil.ignore_patterns("eval"))
    spec = yaml.safe_load((declared / "spec.yaml").read_text())
    spec["medical_llm"]["benchmarks"] = {"mmlu_medical": {"limit": 4}, "medmcqa": {}, "pubmedqa": {"limit": 2}}
    (declared / "spec.yaml").write_text(yaml.safe_dump(spec, sort_keys=False))
    data_root = project.parent / "shared" / "data" / "mcq"
    try:
        write_data(data_root)
        result = run_module(project, "plugins.eval.compare", str(declared), "--n-boot", "50")
        assert result.returncode == 0, result.stderr[-3000:]
        knowledge = json.loads((declared / "eval" / "knowledge.json").read_text())
        assert {n: s["n"] for n, s in knowledge["statistics"].items()} == {"mmlu_medical": 4, "medmcqa": 3,
                                                                          "pubmedqa": 2}
        comparison = (declared / "eval" / "comparison.md").read_text()
        assert "## Knowledge benchmarks" in comparison and "| rouge1 |" in comparison
        assert "Medical knowledge: zero-shot multiple choice" in result.stdout
        report = run_module(project, "plugins.eval.report", str(declared))
        assert report.returncode == 0, report.stderr[-3000:]
        md = (project / "reports" / "smoke-tiny" / declared.name / "report.md").read_text()
        assert "## Knowledge: medical multiple-choice benchmarks" in md and "![knowledge](knowledge.png)" in md
        board = (project / "reports" / "leaderboard.md").read_text()
        mmlu = knowledge["statistics"]["mmlu_medical"]["fine_tuned"]["accuracy"]
        assert "MMLU medical acc." in board and f"{mmlu:.1%}" in board and "not run" in board  # the other run
    finally:
        shutil.rmtree(project.parent / "shared", ignore_errors=True)
        shutil.rmtree(declared, ignore_errors=True)

"""`make sweep`: a real 2-trial Ludwig hyperopt on Ray Tune with the tiny model, the project's plugins active
inside the trials' worker processes, each trial a normal run directory, results, `best`, MLflow entries.
The sweep is the one Spec Studio's sweep panel makes and starts (studio.sweep_spec, jobs.SweepJob)."""

from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
import yaml

from plugins import precision, runs
from plugins import spec as spec_mod
from plugins.app import jobs, studio
from tests.conftest import REPO, make_project, offline_env, run_module

RANGES = {"trainer.learning_rate": (1e-4, 3e-3), "adapter.r": (4, 8)}


@pytest.fixture(scope="module")
def swept(tmp_path_factory):
    project = make_project(tmp_path_factory.mktemp("sweep") / "project", writable=True)
    source = REPO / "specs" / "smoke-tiny.yaml"
    raw = studio.read(source)
    raw["medical_llm"]["length_batching"] = True  # so the test sees that plugin too inside the trials
    path = studio.save_new(studio.sweep_spec(raw, RANGES, trials=2), "smoke-sweep", str(source), project / "specs")
    job = jobs.SweepJob(path.relative_to(project), project)
    assert job.wait(900) == 0, "\n".join(job.lines)
    sweeps = list((project / "runs" / "smoke-sweep").glob(f"*{runs.SWEEP_SUFFIX}"))
    assert len(sweeps) == 1 and job.sweep_dir.resolve() == sweeps[0].resolve()
    return project, sweeps[0], job


def test_each_trial_is_a_run_directory_with_its_own_values(swept):
    project, sweep, job = swept
    trials = [(sweep / f"trial-{i}").resolve() for i in (1, 2)]
    values = []
    for trial in trials:
        assert trial.parent.name == runs.TRIALS and runs.resolve(trial) == trial
        spec = yaml.safe_load((trial / "spec.yaml").read_text())
        assert "hyperopt" not in spec and spec["base_model"] == "models/tiny-llama"  # as the sweep spec wrote it
        summary = json.loads((trial / "summary.json").read_text())
        assert summary["spec"] == "smoke-sweep" and set(summary["parameters"]) == set(RANGES)
        lr, r = summary["parameters"]["trainer.learning_rate"], summary["parameters"]["adapter.r"]
        assert 1e-4 <= lr <= 3e-3 and r in range(4, 9)
        assert (spec["trainer"]["learning_rate"], spec["adapter"]["r"]) == (lr, r)  # the trial's spec is what ran
        config = runs.Run(trial).config  # ... and what Ludwig trained with
        assert (config["trainer"]["learning_rate"], config["adapter"]["r"]) == (lr, r)
        assert summary["validation_loss"]["fine_tuned"] < summary["validation_loss"]["base"]
        assert (trial / "ludwig" / "model" / "model_weights" / "adapter_model.safetensors").is_file()
        assert not list(trial.glob("checkpoint_*")) and not list(trial.rglob("training_checkpoints"))  # full weights
        assert (trial / "data" / "dataset.csv").read_bytes() == (sweep / "data" / "dataset.csv").read_bytes()
        spec_mod.load(trial / "spec.yaml")  # a valid spec: `make train SPEC=` repeats the trial
        values.append((lr, r))
    assert values[0] != values[1]
    said = "\n".join(job.lines)
    assert "trial 1 of 2 started" in said and "trial 2 of 2 finished" in said and "best so far: trial-" in said
    # what Spec Studio's sweep panel shows
    assert (job.trials, job.finished) == (2, 2) and job.best == (sweep / "best").resolve()
    assert list(job.results()["trial"]) == ["trial-1", "trial-2"] and "finished: 2 of 2 trials" in job.status()


def test_plugins_are_active_inside_the_trials(swept):
    """Ray runs each trial in a worker process: the project's patches must be installed there, not only in
    the driver. Each worker records what is installed in its own process."""
    _, sweep, _ = swept
    driver = json.loads((sweep / "sweep.json").read_text())["driver_pid"]
    for i in (1, 2):
        trial = (sweep / f"trial-{i}").resolve()
        record = json.loads((trial / "plugins.json").read_text())
        assert record["pid"] != driver
        bf16 = precision.decide("auto").bf16  # bf16 autocast is patched in only where this CPU picks it
        expected = ("cpu_autocast",) * bf16 + ("fixes", "length_batching", "progress", "sparse_logits")
        assert record["plugins"] == [f"plugins.ludwig.{m}" for m in expected], record
        summary = json.loads((trial / "summary.json").read_text())
        assert summary["precision"]["dtype"] == precision.decide("auto").dtype
        assert "PandasDataset.initialize_batcher" in record["patches"]  # length batching, as the spec asks


def test_results_table_plot_and_best_link(swept):
    project, sweep, _ = swept
    table = pd.read_csv(sweep / "results.csv")
    assert list(table["trial"]) == ["trial-1", "trial-2"]
    losses = [json.loads(((sweep / t).resolve() / "summary.json").read_text())["validation_loss"]["fine_tuned"]
              for t in table["trial"]]
    assert table["validation loss"].tolist() == pytest.approx(losses)
    best = table.loc[table["validation loss"].idxmin(), "trial"]
    assert (sweep / "best").resolve() == (sweep / best).resolve()
    assert (project / "runs" / "smoke-sweep" / "latest").resolve() == (sweep / best).resolve()
    assert (sweep / "results.png").stat().st_size > 10_000
    assert f"Best: **{best}**" in (sweep / "results.md").read_text()
    assert json.loads((sweep / "sweep.json").read_text())["status"] == "finished"


def test_compare_and_report_work_on_a_trial(swept):
    project, sweep, _ = swept
    best = (sweep / "best").resolve()
    for module in ("plugins.eval.compare", "plugins.eval.report"):
        result = run_module(project, module, str(sweep / "best"))
        assert result.returncode == 0, result.stderr[-3000:]
    report = project / "reports" / "smoke-sweep" / sweep.name / runs.TRIALS / best.name / "report.md"
    assert report.is_file() and "smoke-sweep" in report.read_text().splitlines()[0]
    board = (project / "reports" / "leaderboard.md").read_text()
    assert f"smoke-sweep/{sweep.name}/{runs.TRIALS}/{best.name}" in board


def test_mlflow_holds_every_trial(swept):
    from mlflow import MlflowClient

    from plugins import tracking

    project, sweep, _ = swept
    client = MlflowClient(tracking.tracking_uri(project))
    experiment = client.get_experiment_by_name("smoke-sweep")
    logged = client.search_runs([experiment.experiment_id], filter_string=f"tags.sweep = '{sweep.name}'")
    assert len(logged) == 2
    table = pd.read_csv(sweep / "results.csv").set_index("trial")
    for mlrun in logged:
        row = table.loc[mlrun.data.tags["trial"]]
        assert mlrun.data.metrics["validation_loss_fine_tuned"] == pytest.approx(row["validation loss"])
        assert mlrun.data.metrics["validation_loss_base"] == pytest.approx(row["base validation loss"])
        assert float(mlrun.data.params["trainer.learning_rate"]) == pytest.approx(row["trainer.learning_rate"])


def test_chat_with_the_best_trial(swept):
    """Spec Studio's "Chat with the best trial": the chat's model becomes the best trial's."""
    from plugins.app import studio_ui

    project, sweep, job = swept
    held = {"assistant": None}
    message, assistant = studio_ui.chat_with_best(held, job, project)
    assert held["assistant"] is assistant and assistant.run_dir == (sweep / "best").resolve()
    assert str((sweep / "best").resolve()) in message and "smoke-sweep" in assistant.describe()
    assert studio_ui.chat_with_best(held, None, project) == ("No finished trial yet.", None)


def test_studio_sweep_ranges_are_bounded_like_the_fields():
    raw = studio.read(REPO / "specs" / "smoke-tiny.yaml")
    space = studio.sweep_spec(raw, {"adapter.dropout": (0.0, 1.5)}, trials=3)["hyperopt"]
    assert space["executor"]["num_samples"] == 3
    assert any("'hyperopt.parameters.adapter.dropout' lets trials take 1.5" in p for p in studio.validate(
        studio.sweep_spec(raw, {"adapter.dropout": (0.0, 1.5)}, 3))[0])
    with pytest.raises(ValueError, match="cannot vary generation.temperature"):
        studio.sweep_spec(raw, {"generation.temperature": (0.1, 1.0)}, 3)
    ok = studio.sweep_spec(raw, RANGES, 2)
    assert ok["hyperopt"]["parameters"]["trainer.learning_rate"]["space"] == "loguniform"
    assert ok["hyperopt"]["parameters"]["adapter.r"] == {"space": "qrandint", "lower": 4, "upper": 8, "q": 1}
    assert studio.validate(ok) == ([], [])


def test_a_spec_without_hyperopt_is_refused_before_anything_runs(tmp_path):
    project = make_project(tmp_path / "project")
    result = run_module(project, "plugins.sweep", "specs/smoke-tiny.yaml")
    assert result.returncode == 2 and "has no 'hyperopt:' block" in result.stderr
    assert not (project / "runs").exists()


def test_interrupting_a_sweep_keeps_its_finished_trials(tmp_path):
    """Ctrl-C (SIGINT to the driver) once the first trial has finished: that trial stays a run directory,
    the results and `best` show what finished, and sweep.json says the sweep did not finish."""
    project = make_project(tmp_path / "project", writable=True)
    source = REPO / "specs" / "smoke-tiny.yaml"
    swept = studio.sweep_spec(studio.read(source), {"trainer.learning_rate": (1e-4, 3e-3)}, trials=4)
    studio.save_new(swept, "stopped-sweep", str(source), project / "specs")
    proc = subprocess.Popen([sys.executable, "-m", "plugins.sweep", "specs/stopped-sweep.yaml"], cwd=project,
                            env=offline_env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True)
    said = []
    try:
        deadline = time.time() + 600
        for line in proc.stdout:
            said.append(line)
            if "trial 1 of 4 finished" in line or time.time() > deadline:
                break
        assert any("trial 1 of 4 finished" in line for line in said), "".join(said[-50:])
        proc.send_signal(signal.SIGINT)
        said += proc.stdout.readlines()
        code = proc.wait(300)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert code == 1, "".join(said[-50:])
    sweep = next((project / "runs" / "stopped-sweep").glob(f"*{runs.SWEEP_SUFFIX}"))
    record = json.loads((sweep / "sweep.json").read_text())
    assert record["status"] in ("interrupted", "incomplete") and 1 <= record["trials_finished"] < 4
    assert len(pd.read_csv(sweep / "results.csv")) == record["trials_finished"]
    assert runs.resolve(sweep / "trial-1") and (sweep / "best").resolve().parent.name == runs.TRIALS
    assert f"{record['trials_finished']} of 4 trials kept" in "".join(said)


def test_a_sweep_spreads_its_trials_over_two_ray_nodes(tmp_path):
    """A Ray cluster of two nodes on 127.0.0.1 (`ray start --head`, `ray start --address`), one CPU each:
    `RAY_ADDRESS=… make sweep` joins it and runs its two trials side by side, one on each node."""
    project = make_project(tmp_path / "project", writable=True)
    source = REPO / "specs" / "smoke-tiny.yaml"
    swept = studio.sweep_spec(studio.read(source), {"trainer.learning_rate": (1e-4, 3e-3)}, trials=2)
    swept["hyperopt"]["executor"].update(cpu_resources_per_trial=1, max_concurrent_trials=2)
    studio.save_new(swept, "cluster-sweep", str(source), project / "specs")
    ray = [str(Path(sys.executable).parent / "ray")]
    # Ray 2.60's `ray start --head` requires token authentication: every process of the cluster gets the token
    env = dict(offline_env(), RAY_USAGE_STATS_ENABLED="0", RAY_AUTH_MODE="token", RAY_AUTH_TOKEN=secrets.token_hex(16))
    port = 6399
    try:
        for extra in (["--head", f"--port={port}", "--include-dashboard=false"], [f"--address=127.0.0.1:{port}"]):
            started = subprocess.run(ray + ["start", "--num-cpus=1", "--node-ip-address=127.0.0.1", *extra],
                                     cwd=project, env=env, capture_output=True, text=True, timeout=120)
            assert started.returncode == 0, started.stdout[-2000:] + started.stderr[-2000:]
        result = subprocess.run([sys.executable, "-m", "plugins.sweep", "specs/cluster-sweep.yaml"], cwd=project,
                                env=dict(env, RAY_ADDRESS=f"127.0.0.1:{port}"), capture_output=True, text=True,
                                timeout=900)
    finally:
        subprocess.run(ray + ["stop", "--force"], env=env, capture_output=True, timeout=120)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "Ray: 2 node(s), 2 CPUs (cluster at 127.0.0.1:" in result.stdout
    sweep = next((project / "runs" / "cluster-sweep").glob(f"*{runs.SWEEP_SUFFIX}"))
    nodes = {json.loads(((sweep / f"trial-{i}").resolve() / "plugins.json").read_text())["ray_node"] for i in (1, 2)}
    assert len(nodes) == 2

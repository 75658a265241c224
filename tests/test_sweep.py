"""`make sweep`: a real 2-trial Ludwig hyperopt on Ray Tune with the tiny model, the project's plugins active
inside the trials' worker processes, each trial a normal run directory, results, `best`, MLflow entries."""

from __future__ import annotations

import json

import pandas as pd
import pytest
import yaml

from plugins import runs
from plugins import spec as spec_mod
from tests.conftest import REPO, make_project, run_module

PARAMETERS = {"trainer.learning_rate": {"space": "loguniform", "lower": 1e-4, "upper": 3e-3},
              "adapter.r": {"space": "choice", "categories": [4, 8]}}


@pytest.fixture(scope="module")
def swept(tmp_path_factory):
    project = make_project(tmp_path_factory.mktemp("sweep") / "project", writable=True)
    raw = yaml.safe_load((REPO / "specs" / "smoke-tiny.yaml").read_text())
    raw["medical_llm"]["length_batching"] = True  # so the test sees that plugin too inside the trials
    raw["hyperopt"] = {"goal": "minimize", "metric": "loss", "output_feature": "combined", "split": "validation",
                       "parameters": PARAMETERS, "search_alg": {"type": "hyperopt"},
                       "executor": {"type": "ray", "num_samples": 2, "cpu_resources_per_trial": 1,
                                    "max_concurrent_trials": 1}}
    (project / "specs" / "smoke-sweep.yaml").write_text(yaml.safe_dump(raw, sort_keys=False))
    result = run_module(project, "plugins.sweep", "specs/smoke-sweep.yaml", timeout=900)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    sweeps = list((project / "runs" / "smoke-sweep").glob(f"*{runs.SWEEP_SUFFIX}"))
    assert len(sweeps) == 1
    return project, sweeps[0], result


def test_each_trial_is_a_run_directory_with_its_own_values(swept):
    project, sweep, result = swept
    trials = [(sweep / f"trial-{i}").resolve() for i in (1, 2)]
    values = []
    for trial in trials:
        assert trial.parent.name == runs.TRIALS and runs.resolve(trial) == trial
        spec = yaml.safe_load((trial / "spec.yaml").read_text())
        assert "hyperopt" not in spec
        summary = json.loads((trial / "summary.json").read_text())
        assert summary["spec"] == "smoke-sweep" and set(summary["parameters"]) == set(PARAMETERS)
        lr, r = summary["parameters"]["trainer.learning_rate"], summary["parameters"]["adapter.r"]
        assert 1e-4 <= lr <= 3e-3 and r in (4, 8)
        assert (spec["trainer"]["learning_rate"], spec["adapter"]["r"]) == (lr, r)  # the trial's spec is what ran
        config = runs.Run(trial).config  # ... and what Ludwig trained with
        assert (config["trainer"]["learning_rate"], config["adapter"]["r"]) == (lr, r)
        assert summary["validation_loss"]["fine_tuned"] < summary["validation_loss"]["base"]
        assert (trial / "ludwig" / "model" / "model_weights" / "adapter_model.safetensors").is_file()
        assert (trial / "data" / "dataset.csv").read_bytes() == (sweep / "data" / "dataset.csv").read_bytes()
        spec_mod.load(trial / "spec.yaml")  # a valid spec: `make train SPEC=` repeats the trial
        values.append((lr, r))
    assert values[0] != values[1]
    said = result.stdout + result.stderr  # Ray Tune's console reporter may take the driver's stdout
    assert "trial 1 of 2 started" in said and "trial 2 of 2 finished" in said and "best so far: trial-" in said


def test_plugins_are_active_inside_the_trials(swept):
    """Ray runs each trial in a worker process: the project's patches must be installed there, not only in
    the driver. Each worker records what is installed in its own process."""
    _, sweep, _ = swept
    driver = json.loads((sweep / "sweep.json").read_text())["driver_pid"]
    for i in (1, 2):
        trial = (sweep / f"trial-{i}").resolve()
        record = json.loads((trial / "plugins.json").read_text())
        assert record["pid"] != driver
        assert record["plugins"] == [f"plugins.ludwig.{m}" for m in
                                     ("fixes", "length_batching", "sparse_logits")], record
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


def test_a_spec_without_hyperopt_is_refused_before_anything_runs(tmp_path):
    project = make_project(tmp_path / "project")
    result = run_module(project, "plugins.sweep", "specs/smoke-tiny.yaml")
    assert result.returncode == 2 and "has no 'hyperopt:' block" in result.stderr
    assert not (project / "runs").exists()

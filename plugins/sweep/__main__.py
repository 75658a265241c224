"""`make sweep SPEC=…`: the spec's `hyperopt:` block run by Ludwig's hyperopt on Ray Tune.

The data is prepared once into `runs/<spec>/<timestamp>-sweep/data/`; every trial trains on it in its own
Ray worker with the project's plugins on (plugins/sweep/trial.py) and becomes a run directory under
`trials/`, linked as `trial-1`, `trial-2`, ...; after each trial `results.md`, `results.csv`,
`results.png` and the `best` link are rebuilt and the trial is logged to MLflow, so stopping the sweep
(Ctrl-C) keeps every finished trial. At the end the best trial becomes `runs/<spec>/latest`.

Locally Ray starts on this machine; with `RAY_ADDRESS` set (a cluster made with `ray start --head` and
`ray start --address`) the trials spread over its machines, which must see this checkout at the same path.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time
from pathlib import Path

from plugins import data as data_mod
from plugins import runs, tracking
from plugins import spec as spec_mod
from plugins.sweep import results

# what every trial's worker process needs, besides the code: the same offline model loading as the driver
WORKER_ENV = ("PYTHONPATH", "HF_HUB_OFFLINE", "HF_DATASETS_OFFLINE", "TRANSFORMERS_OFFLINE", "TOKENIZERS_PARALLELISM")


class SweepError(Exception):
    """A sweep that cannot start; the message says what to do."""


def _absolute_model(raw: dict) -> dict:
    """Trials run in other processes (other machines on a cluster): a local base model by absolute path."""
    raw = dict(raw)
    if spec_mod.is_local_model(raw["base_model"]):
        raw["base_model"] = str(Path(raw["base_model"]).resolve())
    return raw


def start_ray() -> None:
    """Ray on this machine, or the cluster at RAY_ADDRESS; trials import this project and stay in their cwd."""
    import ray

    env = {k: os.environ[k] for k in WORKER_ENV if k in os.environ}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(Path.cwd()), env.get("PYTHONPATH")]))
    env["RAY_CHDIR_TO_TRIAL_DIR"] = "0"  # relative paths in the spec mean the same in every trial
    os.environ["RAY_CHDIR_TO_TRIAL_DIR"] = "0"
    address = os.environ.get("RAY_ADDRESS")
    ray.init(address=address or None, runtime_env={"env_vars": env}, include_dashboard=False,
             log_to_driver=True, **({} if address else {"num_cpus": os.cpu_count()}))
    nodes = [n for n in ray.nodes() if n.get("Alive")]
    cpus = sum(n["Resources"].get("CPU", 0) for n in nodes)
    print(f"Ray: {len(nodes)} node(s), {cpus:.0f} CPUs ({'cluster at ' + address if address else 'this machine'})",
          flush=True)


def progress_callback(sweep_dir: Path, block: dict, planned: int, tracked: bool):
    """A Ray Tune callback in the driver: says trial i of n, and after each trial rebuilds the results
    and logs the trial to MLflow (each trial's files are complete when Tune sees it end)."""
    from ray.tune import Callback

    goal = block.get("goal", "minimize")

    class Progress(Callback):
        def __init__(self):
            self.started, self.number = {}, {}

        def on_trial_start(self, iteration, trials, trial, **info):
            """Number the trial in start order and link `trial-<n>` to its directory."""
            self.started[trial.trial_id] = time.time()
            n = self.number.setdefault(trial.trial_id, len(self.number) + 1)  # a retried trial keeps its number
            runs.point_link(sweep_dir / f"trial-{n}", sweep_dir / runs.TRIALS / f"trial_{trial.trial_id}")
            values = ", ".join(f"{k}={results.describe(v)}" for k, v in _decoded(trial.config).items())
            print(f"\n[sweep] trial {n} of {planned} started: {values}", flush=True)

        def on_trial_complete(self, iteration, trials, trial, **info):
            n = self.number.get(trial.trial_id)
            if not (sweep_dir / f"trial-{n}" / "summary.json").is_file():
                print(f"[sweep] trial {n} ended without a run directory ({trial.local_path})", flush=True)
                return
            trial_dir = (sweep_dir / f"trial-{n}").resolve()
            prune_tune_checkpoints(trial_dir)
            top = results.write(sweep_dir, block["parameters"], goal, planned)
            row = results.table(sweep_dir).set_index("trial").loc[f"trial-{n}"]
            if tracked:
                tracking.log_training(runs.Run(trial_dir), tags={"sweep": sweep_dir.name, "trial": row.name})
            minutes = (time.time() - self.started.get(trial.trial_id, time.time())) / 60
            done = len(results.trial_dirs(sweep_dir))
            print(f"[sweep] trial {n} of {planned} finished in {minutes:.1f} min: validation loss "
                  f"{row['validation loss']:.4f} (base {row['base validation loss']:.4f}); {done} of {planned} "
                  f"done; best so far: {top['trial']} ({top['validation loss']:.4f})", flush=True)

        def on_trial_error(self, iteration, trials, trial, **info):
            print(f"[sweep] trial {self.number.get(trial.trial_id)} of {planned} failed; its log: "
                  f"{trial.local_path}", flush=True)

    return Progress()


def prune_tune_checkpoints(trial_dir: Path) -> None:
    """Ray Tune's copies of a trial's Ludwig checkpoint (full weights, ~160 MB for SmolLM2) only serve resuming
    that trial inside this sweep; a finished trial keeps its model in ludwig/ like any run."""
    for checkpoint in trial_dir.glob("checkpoint_*"):
        shutil.rmtree(checkpoint, ignore_errors=True)


def _decoded(config: dict) -> dict:
    """Ludwig hands Ray JSON-encoded values for some spaces; shown as the values they stand for."""
    out = {}
    for k, v in config.items():
        try:
            out[k] = json.loads(v)["value"] if isinstance(v, str) else v
        except (ValueError, KeyError, TypeError):
            out[k] = v
    return out


def sweep(spec_path: Path, root: Path = runs.RUNS) -> tuple[Path, str]:
    """Run the spec's sweep; (sweep directory, status: finished, interrupted or incomplete)."""
    spec = spec_mod.load(spec_path)
    block = spec.raw.get("hyperopt")
    if not block:
        raise SweepError(f"{spec_path} has no 'hyperopt:' block: add one (see specs/medical-smollm2-sweep.yaml) "
                         "or train it once with `make train`")
    for w in spec.warnings:
        print(f"warning: {spec_path}: {w}", file=sys.stderr)
    prepared = data_mod.prepare_spec(spec)
    sweep_dir = runs.new_run_dir(spec.name, root, suffix=runs.SWEEP_SUFFIX)
    shutil.copytree(prepared.path.parent, sweep_dir / "data")
    shutil.copyfile(spec.path, sweep_dir / "sweep.yaml")
    planned = int((block.get("executor") or {}).get("num_samples", 1))
    record = {"spec": str(spec_path), "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
              "parameters": block["parameters"], "trials_planned": planned, "status": "running",
              "driver_pid": os.getpid()}
    (sweep_dir / "sweep.json").write_text(json.dumps(record, indent=2) + "\n")
    print(f"data: {prepared.split_sizes} rows (train/validation/test)\nsweep directory: {sweep_dir}\n"
          f"varying {', '.join(block['parameters'])} over {planned} trial(s)", flush=True)

    from plugins.sweep.trial import TrialCallback
    from plugins.train import apply_plugins

    apply_plugins(spec.project)  # the driver preprocesses the data once with Ludwig, as `make train` would
    start_ray()
    from ludwig.hyperopt.run import hyperopt

    raw = _absolute_model(spec.raw)
    config = {k: v for k, v in raw.items() if k != spec_mod.PROJECT_KEY}
    status, problem = "finished", None
    try:
        hyperopt(config, dataset=str((sweep_dir / "data" / "dataset.csv").resolve()),
                 output_directory=str(sweep_dir.resolve()), experiment_name=runs.TRIALS, model_name="",
                 callbacks=[TrialCallback(spec.raw, str(sweep_dir.resolve()))],  # trial specs as written
                 tune_callbacks=[progress_callback(sweep_dir, block, planned, tracking.enabled(spec.raw))],
                 skip_save_progress=True, skip_save_processed_input=True, skip_save_predictions=True,
                 skip_save_unprocessed_output=True, skip_save_log=True, resume=False,
                 random_seed=spec.data.get("seed", 42), hyperopt_log_verbosity=1)
    except KeyboardInterrupt:
        status = "interrupted"
    except RuntimeError as e:  # Ludwig turns every Ray Tune failure into one (e.g. a trial that failed twice)
        status, problem = "incomplete", str(e)
    finally:
        import ray

        ray.shutdown()
    for trial_dir in results.trial_dirs(sweep_dir).values():
        prune_tune_checkpoints(trial_dir)
    top = results.write(sweep_dir, block["parameters"], block.get("goal", "minimize"), planned)
    done = len(results.trial_dirs(sweep_dir))
    if status == "finished" and done < planned:  # Ray Tune stopped it (Ctrl-C) or a trial ended without a run
        status = "incomplete"
    record.update(status=status, trials_finished=done, finished=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                  **({"problem": problem} if problem else {}))
    (sweep_dir / "sweep.json").write_text(json.dumps(record, indent=2) + "\n")
    if top is None:
        raise SweepError(f"no trial of {sweep_dir} finished ({status}{': ' + problem if problem else ''}); "
                         f"the trials' logs: {sweep_dir / runs.TRIALS}")
    best_dir = (sweep_dir / "best").resolve()
    runs.mark_latest(best_dir, root)
    print(f"\nsweep {status}: {done} of {planned} trials kept in {sweep_dir}"
          + (f" ({problem})" if problem else "") + f"\nresults: {sweep_dir / 'results.md'}\n"
          f"best: {top['trial']} (validation loss {top['validation loss']:.4f}) -> now runs/{spec.name}/latest\n"
          f"next: make compare RUN={sweep_dir}/best; make report RUN={sweep_dir}/best; make app RUN={sweep_dir}/best",
          flush=True)
    return sweep_dir, status


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("spec", type=Path, help="a spec with a hyperopt: block, e.g. specs/medical-smollm2-sweep.yaml")
    args = parser.parse_args(argv)
    try:
        _, status = sweep(args.spec)
    except (spec_mod.SpecError, data_mod.DataError, runs.RunError, SweepError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    return 0 if status == "finished" else 1  # the finished trials are kept either way


if __name__ == "__main__":
    sys.exit(main())

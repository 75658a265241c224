"""Inside each sweep trial (a Ray worker process): the project's plugins on, and a normal run directory out.

Ray Tune runs every trial in a separate worker process, where nothing the driver patched is patched. Ludwig
hands the hyperopt `callbacks` to each trial and calls `on_hyperopt_trial_start` there before it builds the
model: the moment to install the same patches `make train` installs (fixes, sparse logits, length batching,
text metrics). `plugins.json` in the trial records what was active in that process, and its pid.

When the trial ends, its Ray trial directory becomes a run directory like `make train`'s: `spec.yaml` (the
spec with this trial's values, without the `hyperopt:` block, so `make train SPEC=` repeats it), `data`
(the sweep's prepared data), `ludwig/` (Ludwig's outputs) and `summary.json` with base and fine-tuned
validation loss. `make compare`, `make report` and `make app RUN=` then work on any trial.
"""

from __future__ import annotations

import copy
import json
import os
import shutil
import time
from pathlib import Path

import yaml
from ludwig.callbacks import Callback

from plugins import runs

TRIAL_LUDWIG_DIR = runs.TRIALS  # Ludwig names a trial's output after the experiment; renamed to ludwig/


def substitute(raw: dict, parameters: dict) -> dict:
    """The spec with a trial's values (dotted keys, as in `hyperopt.parameters`), without `hyperopt:`."""
    spec = copy.deepcopy({k: v for k, v in raw.items() if k != "hyperopt"})
    for dotted, value in _plain(parameters).items():
        node = spec
        *parents, last = dotted.split(".")
        for part in parents:
            node = node.setdefault(part, {})
        node[last] = value
    return spec


class TrialCallback(Callback):
    """Pickled by Ray into every trial; does its work in the trial's own process."""

    def __init__(self, raw_spec: dict, sweep_dir: str):
        super().__init__()
        self.raw_spec = raw_spec
        self.sweep_dir = sweep_dir
        self.started = None
        self.validation_set = None
        self.base_loss = None
        self.precision = None  # what the trial's worker picked (plugins/precision.py)

    def on_hyperopt_trial_start(self, parameters, **kwargs):
        import ray
        import torch

        from plugins.ludwig import patch
        from plugins.train import apply_plugins

        self.precision = apply_plugins(self.raw_spec.get("medical_llm") or {}).as_dict()
        self.started = time.time()
        active = patch.installed()
        record = {"pid": os.getpid(), "ray_node": ray.get_runtime_context().get_node_id(),
                  "torch_threads": torch.get_num_threads(),
                  "plugins": sorted({p.replacement.__module__ for p in active}),
                  "patches": sorted({f"{getattr(p.owner, '__name__', type(p.owner).__name__)}.{p.name}"
                                     for p in active})}
        home = self._home()
        home.mkdir(parents=True, exist_ok=True)
        (home / "plugins.json").write_text(json.dumps(record, indent=2) + "\n")

    def on_preprocess_end(self, training_set, validation_set, test_set, training_set_metadata, **kwargs):
        self.validation_set = validation_set

    def on_trainer_train_teardown(self, trainer, progress_tracker, save_path, is_coordinator, **kwargs):
        """The base model's validation loss, as `make train` measures it (adapter disabled), while the
        model is still in memory."""
        from plugins.train import base_validation_loss

        if self.validation_set is None or self.started is None:
            return
        batch = (self.raw_spec.get("trainer") or {}).get("eval_batch_size", 2)
        self.base_loss = base_validation_loss(trainer.model, self.validation_set, batch)

    def on_hyperopt_trial_end(self, parameters, **kwargs):
        """Ludwig's output moves from Ray's working copy of the trial to the trial's home in the sweep, which
        becomes a run directory before Ray hears the trial has ended."""
        from plugins.train import write_summary

        home = self._home()
        for stale in (home / TRIAL_LUDWIG_DIR, runs.ludwig_dir(home)):  # Ray's copies of it while it trained
            shutil.rmtree(stale, ignore_errors=True)
        shutil.move(self._trial_dir() / TRIAL_LUDWIG_DIR, runs.ludwig_dir(home))
        spec = substitute(self.raw_spec, parameters)
        (home / "spec.yaml").write_text(
            f"# trial of the sweep {Path(self.sweep_dir).name}: {json.dumps(_plain(parameters))}\n"
            + yaml.safe_dump(spec, sort_keys=False, allow_unicode=True, width=120))
        if not (home / "data").is_symlink():
            (home / "data").symlink_to(os.path.join("..", "..", "data"))
        write_summary(home, spec["base_model"], self.base_loss, time.time() - self.started,
                      sweep=str(self.sweep_dir), parameters=_plain(parameters), precision=self.precision)

    def _trial_dir(self) -> Path:
        """Ray's working copy of this trial, where Ludwig writes (Ray copies it into the sweep as it goes)."""
        from ray import tune

        return Path(tune.get_context().get_trial_dir())

    def _home(self) -> Path:
        """sweep/trials/trial_<id>: where the trial stays (the worker must see the sweep directory: on a Ray
        cluster, a shared filesystem)."""
        return Path(self.sweep_dir) / runs.TRIALS / self._trial_dir().name


def _plain(parameters: dict) -> dict:
    """A trial's values as plain Python (Ray Tune hands numpy scalars)."""
    return {k: v.item() if hasattr(v, "item") else v for k, v in parameters.items()}

"""Where runs live: `runs/<spec>/<timestamp>/`, never overwritten, with `latest` pointers.

A run directory holds `spec.yaml` (the spec as run), `data/` (the prepared dataset, its hash and
statistics), `ludwig/` (Ludwig's own outputs: model, statistics, logs) and `summary.json`.
"""

from __future__ import annotations

import json
import os
import time
from functools import cached_property
from pathlib import Path

import yaml

RUNS = Path("runs")
LUDWIG_DIR = "ludwig"  # Ludwig's experiment directory inside a run (experiment_name="ludwig", model_name="")
SWEEP_SUFFIX = "-sweep"  # runs/<spec>/<timestamp>-sweep/: one `make sweep` (plugins/sweep)
TRIALS = "trials"  # ... whose trials are run directories in <timestamp>-sweep/trials/trial_<id>/


class RunError(Exception):
    """A run that cannot be found or used; the message says what to do."""


def new_run_dir(spec_name: str, root: Path = RUNS, suffix: str = "") -> Path:
    """A fresh, timestamped run directory (`suffix` after the stamp: `-sweep`); a number keeps two runs
    started in the same second apart."""
    stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime())
    path, n = root / spec_name / f"{stamp}{suffix}", 1
    while path.exists():
        n += 1
        path = root / spec_name / f"{stamp}-{n}{suffix}"
    path.mkdir(parents=True)
    return path


def point_link(link: Path, target: Path) -> None:
    """Atomically (re)point a relative symlink."""
    tmp = link.with_name(f".{link.name}.tmp")
    if tmp.is_symlink() or tmp.exists():
        tmp.unlink()
    tmp.symlink_to(os.path.relpath(target, link.parent))
    tmp.replace(link)


def mark_latest(run_dir: Path, root: Path = RUNS) -> None:
    """`runs/<spec>/latest` and `runs/latest` name the newest finished run (a sweep: its best trial)."""
    point_link((run_dir.parents[2] if is_trial(run_dir) else run_dir.parent) / "latest", run_dir)
    point_link(root / "latest", run_dir)


def resolve(run: str | Path | None, root: Path = RUNS) -> Path:
    """A run directory from a path, or the newest run when none is given."""
    path = Path(run) if run else root / "latest"
    if not path.exists():
        hint = "train one first: make train" if not run else "give a directory under runs/<spec>/"
        raise RunError(f"no run at {path}: {hint}")
    path = path.resolve()
    if not (path / "spec.yaml").is_file():
        hint = (f"pick one of its trials (best, trial-1, ...) or see {path / 'results.md'}"
                if (path / "sweep.json").is_file() else "runs live in runs/<spec>/<timestamp>/")
        raise RunError(f"{path} is not a run directory (no spec.yaml); {hint}")
    return path


def is_trial(run_dir: Path) -> bool:
    return run_dir.parent.name == TRIALS and run_dir.parent.parent.name.endswith(SWEEP_SUFFIX)


def identify(run_dir: Path) -> tuple[str, str]:
    """(spec name, the run's path under runs/<spec>/): `20261205-061500`, or for a sweep trial
    `20261205-061500-sweep/trials/trial_<id>`. Reports and MLflow name runs by these."""
    run_dir = Path(run_dir)
    if is_trial(run_dir):
        return run_dir.parents[2].name, "/".join(run_dir.parts[-3:])
    return run_dir.parent.name, run_dir.name


def all_runs(root: Path = RUNS) -> list[Path]:
    """Every finished run directory (sweep trials included), `latest`/`best` links skipped."""
    found = [*root.glob("*/*/summary.json"), *root.glob(f"*/*{SWEEP_SUFFIX}/{TRIALS}/*/summary.json")]
    return sorted(p.parent for p in found if not p.parent.is_symlink())


def ludwig_dir(run_dir: Path) -> Path:
    return run_dir / LUDWIG_DIR


DEFAULT_EVAL_BATCH_SIZE = 4  # when the spec leaves trainer.eval_batch_size to Ludwig
DEFAULT_MAX_SEQUENCE_LENGTH = 512  # when the spec sets no preprocessing.global_max_sequence_length


class Run:
    """One finished run, read one way everywhere (the app, `make compare`, the benchmarks): the spec it
    ran, Ludwig's saved (resolved) config, its generation settings and batch sizes, its files."""

    def __init__(self, run_dir: Path):
        self.dir = Path(run_dir)

    @classmethod
    def find(cls, run: str | Path | None, root: Path = RUNS) -> Run:
        """The run at `run`, or the newest one (RunError says what to do when there is none)."""
        return cls(resolve(run, root))

    @property
    def name(self) -> str:
        """The spec's name (runs/<spec>/<timestamp>)."""
        return identify(self.dir)[0]

    @property
    def label(self) -> str:
        """The run's path under runs/<spec>/ (a timestamp; for a sweep trial <timestamp>-sweep/trials/<trial>)."""
        return identify(self.dir)[1]

    @cached_property
    def spec(self) -> dict:
        """The spec exactly as it ran (spec.yaml), project block included."""
        return yaml.safe_load((self.dir / "spec.yaml").read_text())

    @cached_property
    def config(self) -> dict:
        """Ludwig's own saved config of the trained model, every default resolved."""
        return json.loads((self.model_dir / "model_hyperparameters.json").read_text())

    @property
    def model_dir(self) -> Path:
        return ludwig_dir(self.dir) / "model"

    @property
    def adapter_dir(self) -> Path:
        return self.model_dir / "model_weights"

    @property
    def dataset(self) -> Path:
        return self.dir / "data" / "dataset.csv"

    @property
    def input_name(self) -> str:
        return self.config["input_features"][0]["name"]

    @property
    def output_name(self) -> str:
        return self.config["output_features"][0]["name"]

    @property
    def base_model(self) -> str:
        return self.spec["base_model"]

    @property
    def template(self) -> str:
        return self.spec["prompt"]["template"]

    @property
    def generation(self) -> dict:
        """The generation settings Ludwig resolved from the spec (what predict/evaluate use)."""
        return dict(self.config.get("generation") or {})

    @property
    def eval_batch_size(self) -> int:
        return (self.config.get("trainer") or {}).get("eval_batch_size") or DEFAULT_EVAL_BATCH_SIZE

    @property
    def max_sequence_length(self) -> int:
        return ((self.spec.get("preprocessing") or {}).get("global_max_sequence_length")
                or DEFAULT_MAX_SEQUENCE_LENGTH)

    def rows(self, split: str = "test"):
        """The rows of one split of the run's own prepared data (a pandas DataFrame)."""
        import pandas as pd

        from plugins.dataset_format import SPLIT_NAMES

        data = pd.read_csv(self.dataset, dtype={"split": int}, keep_default_na=False)
        return data[data["split"] == SPLIT_NAMES.index(split)].reset_index(drop=True)


def main(argv: list[str] | None = None) -> int:
    """`python -m plugins.runs [RUN]`: print the run directory (newest by default) or say why not."""
    import sys

    args = sys.argv[1:] if argv is None else argv
    try:
        print(resolve(args[0] if args else None))
    except RunError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Where runs live: `runs/<spec>/<timestamp>/`, never overwritten, with `latest` pointers.

A run directory holds `spec.yaml` (the spec as run), `data/` (the prepared dataset, its hash and
statistics), `ludwig/` (Ludwig's own outputs: model, statistics, logs) and `summary.json`.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

RUNS = Path("runs")
LUDWIG_DIR = "ludwig"  # Ludwig's experiment directory inside a run (experiment_name="ludwig", model_name="")


class RunError(Exception):
    """A run that cannot be found or used; the message says what to do."""


def new_run_dir(spec_name: str, root: Path = RUNS) -> Path:
    """A fresh, timestamped run directory; a suffix keeps two runs in the same second apart."""
    stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime())
    base = root / spec_name / stamp
    path, n = base, 1
    while path.exists():
        n += 1
        path = base.with_name(f"{stamp}-{n}")
    path.mkdir(parents=True)
    return path


def _point(link: Path, target: Path) -> None:
    """Atomically (re)point a relative symlink."""
    tmp = link.with_name(f".{link.name}.tmp")
    if tmp.is_symlink() or tmp.exists():
        tmp.unlink()
    tmp.symlink_to(os.path.relpath(target, link.parent))
    tmp.replace(link)


def mark_latest(run_dir: Path, root: Path = RUNS) -> None:
    """`runs/<spec>/latest` and `runs/latest` name the newest finished run."""
    _point(run_dir.parent / "latest", run_dir)
    _point(root / "latest", run_dir)


def resolve(run: str | Path | None, root: Path = RUNS) -> Path:
    """A run directory from a path, or the newest run when none is given."""
    path = Path(run) if run else root / "latest"
    if not path.exists():
        hint = "train one first: make train" if not run else "give a directory under runs/<spec>/"
        raise RunError(f"no run at {path}: {hint}")
    path = path.resolve()
    if not (path / "spec.yaml").is_file():
        raise RunError(f"{path} is not a run directory (no spec.yaml); runs live in runs/<spec>/<timestamp>/")
    return path


def ludwig_dir(run_dir: Path) -> Path:
    return run_dir / LUDWIG_DIR


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

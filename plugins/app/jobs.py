"""Spec Studio's jobs: `python -m plugins.train SPEC` (`make train`) or `python -m plugins.sweep SPEC` (`make sweep`)
in a subprocess whose output is tailed for the page: progress, losses, the run or sweep directory, the best trial."""

from __future__ import annotations

import collections
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from plugins import runs

PROGRESS = re.compile(r"Training:\s+\d+%\|[^|]*\|\s*(\d+)/(\d+)(?:.*?loss=([-+0-9.eE]+))?")
RUN_DIR = re.compile(r"^run directory: (.+)$")
SWEEP_DIR = re.compile(r"^sweep directory: (.+)$")
TRIAL = re.compile(r"^\[sweep\] trial (\d+) of (\d+) (started|finished|failed)")


class TrainingJob:
    """`python -m plugins.train SPEC` in its own process group, its output kept in memory as it comes."""

    module = "plugins.train"

    def __init__(self, spec_path: Path | str, root: Path = Path(".")):
        self.spec_path, self.root = str(spec_path), Path(root)
        code = Path(__file__).resolve().parents[2]  # the project's code, wherever the project's data lies
        env = dict(os.environ, PYTHONPATH=str(code), TOKENIZERS_PARALLELISM="false")
        for var in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_DATASETS_OFFLINE"):
            env.setdefault(var, "1")
        self.started = time.time()
        self.proc = subprocess.Popen([sys.executable, "-m", self.module, self.spec_path], cwd=self.root, env=env,
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
        self.lines: collections.deque[str] = collections.deque(maxlen=400)
        self.run_dir: Path | None = None
        self.step = self.total = 0
        self.step_losses: list[tuple[int, float]] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        """Split the output on newlines and on tqdm's carriage returns; note progress and the run dir."""
        buffer = b""
        while chunk := self.proc.stdout.read1(4096):
            buffer += chunk
            *complete, buffer = re.split(rb"[\r\n]", buffer)
            for raw in complete:
                self._line(raw.decode("utf-8", "replace").strip())
        self._line(buffer.decode("utf-8", "replace").strip())

    def _line(self, line: str) -> None:
        if not line:
            return
        if m := PROGRESS.search(line):
            self.step, self.total = int(m[1]), int(m[2])
            if m[3] and (not self.step_losses or self.step_losses[-1][0] != self.step):
                self.step_losses.append((self.step, float(m[3])))
            if self.lines and PROGRESS.search(self.lines[-1]):
                self.lines[-1] = line  # a progress bar redraws in place
                return
        elif m := RUN_DIR.match(line):
            run = Path(m[1])
            self.run_dir = run if run.is_absolute() else self.root / run
        self.lines.append(line)

    @property
    def running(self) -> bool:
        return self.proc.poll() is None

    def wait(self, timeout: float | None = None) -> int:
        code = self.proc.wait(timeout)
        self._reader.join(timeout)
        return code

    def stop(self) -> None:
        if self.running:
            os.killpg(self.proc.pid, signal.SIGTERM)

    def evaluation_losses(self) -> list[tuple[str, int, float]]:
        """(split, step, loss) at each of Ludwig's evaluations so far, from the run's training_progress.json."""
        if self.run_dir is None:
            return []
        path = runs.ludwig_dir(self.run_dir) / "model" / "training_progress.json"
        try:
            progress = json.loads(path.read_text())
        except (OSError, ValueError):  # not written yet, or being rewritten right now
            return []
        return [(split, int(step), float(loss)) for split in ("train", "validation")
                for _, step, loss in progress.get(f"{split}_metrics", {}).get("combined", {}).get("loss", [])]

    def status(self) -> str:
        """One line for the page: what the job is doing and, when done, what to run next."""
        if self.running:
            where = f" · step {self.step}/{self.total}" if self.total else " · preparing data and loading the model"
            return f"Training `{self.spec_path}` for {time.time() - self.started:.0f} s{where}"
        code = self.proc.returncode
        if code != 0:
            return f"Training `{self.spec_path}` stopped (exit code {code}); see the log below."
        run = self.run_dir
        return (f"Finished: run `{run}`. Next: `make compare RUN={run}` (base vs fine-tuned answers, scores in "
                f"`{run}/eval/`), then `make report RUN={run}` (report in "
                f"`reports/{run.parent.name}/{run.name}/report.html`). Restart the app to chat with it.")


class SweepJob(TrainingJob):
    """`python -m plugins.sweep SPEC`: trial i of n, the sweep directory and its results as they come."""

    module = "plugins.sweep"

    def __init__(self, spec_path: Path | str, root: Path = Path(".")):
        self.sweep_dir: Path | None = None
        self.trial = self.trials = self.finished = 0
        super().__init__(spec_path, root)

    def _line(self, line: str) -> None:
        if m := SWEEP_DIR.match(line):
            sweep = Path(m[1])
            self.sweep_dir = sweep if sweep.is_absolute() else self.root / sweep
        elif m := TRIAL.match(line):
            self.trial, self.trials = int(m[1]), int(m[2])
            self.finished += m[3] == "finished"
        super()._line(line)

    def results(self):
        """The finished trials so far (a pandas DataFrame; empty before the first one)."""
        import pandas as pd

        path = self.sweep_dir / "results.csv" if self.sweep_dir else None
        try:
            return pd.read_csv(path) if path else pd.DataFrame()
        except (OSError, ValueError):  # not written yet
            return pd.DataFrame()

    @property
    def best(self) -> Path | None:
        link = self.sweep_dir / "best" if self.sweep_dir else None
        return link.resolve() if link is not None and link.exists() else None

    def status(self) -> str:
        where = f"`{self.spec_path}`"
        if self.running:
            if not self.trials:
                return f"Sweep {where}: preparing data and starting Ray ({time.time() - self.started:.0f} s)"
            return (f"Sweep {where}: trial {self.trial} of {self.trials} running · {self.finished} finished · "
                    f"{time.time() - self.started:.0f} s")
        code = self.proc.returncode
        if code != 0 and self.best is None:
            return f"Sweep {where} stopped (exit code {code}); see the log below."
        state = "finished" if code == 0 else f"stopped (exit code {code}); the finished trials are kept"
        return (f"Sweep {where} {state}: {self.finished} of {self.trials} trials in `{self.sweep_dir}`. Best: "
                f"`{self.sweep_dir}/best`. Chat with it below, or `make compare RUN={self.sweep_dir}/best`.")

"""Shared test fixtures: a throw-away project directory so tests never touch the real runs/."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
TINY = REPO / "models" / "tiny-llama"
SMOLLM2 = REPO / "models" / "smollm2-135m-instruct"


def offline_env() -> dict:
    env = dict(os.environ)
    env.update(PYTHONPATH=str(REPO), HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1", HF_DATASETS_OFFLINE="1",
               TOKENIZERS_PARALLELISM="false")
    return env


def make_project(root: Path, writable: bool = False) -> Path:
    """A project directory sharing the repo's models and Ludwig schema cache. Its data and specs are
    the repo's, or with `writable` a copy of the data and an empty specs/ that tests may add to."""
    root.mkdir(parents=True, exist_ok=True)
    (REPO / ".cache").mkdir(exist_ok=True)  # first use builds the schema cache here (~20 s, once)
    for name in ("models", ".cache") if writable else ("models", "data", "specs", ".cache"):
        (root / name).symlink_to(REPO / name)
    if writable:
        (root / "data").mkdir()
        shutil.copy(REPO / "data" / "medical_flashcards.csv", root / "data")
        (root / "specs").mkdir()
    return root


def run_module(project: Path, *args: str, timeout: int = 600) -> subprocess.CompletedProcess:
    """`python -m <args>` inside `project`, offline, as the Makefile runs it."""
    return subprocess.run([sys.executable, "-m", *args], cwd=project, env=offline_env(), capture_output=True,
                          text=True, timeout=timeout)


@pytest.fixture
def project(tmp_path) -> Path:
    return make_project(tmp_path / "project")


@pytest.fixture(scope="session")
def tiny_tokenizer():
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(TINY)

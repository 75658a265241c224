"""scripts/find-python: PATH first, then pyenv; a clear message naming what it tried."""

import os
import subprocess
from pathlib import Path

from tests.conftest import REPO

SCRIPT = REPO / "scripts" / "find-python"


def fake_python(path: Path, version: str) -> Path:
    """A stand-in interpreter that reports `version` to the script's version check."""
    major, minor = version.split(".")[:2]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"#!/bin/sh\n[ \"$1\" = --version ] && echo 'Python {version}' && exit 0\n"
                    f"exit $([ {minor} -ge 12 ] && [ {major} -ge 3 ] && echo 0 || echo 1)\n")
    path.chmod(0o755)
    return path


def find(tmp_path: Path, path_dirs: list[Path], pyenv: Path) -> subprocess.CompletedProcess:
    env = {"PATH": os.pathsep.join(str(p) for p in path_dirs + [Path("/usr/bin"), Path("/bin")]),
           "PYENV_ROOT": str(pyenv), "HOME": str(tmp_path)}
    return subprocess.run(["bash", str(SCRIPT)], env=env, capture_output=True, text=True)


def test_prefers_a_312_on_path(tmp_path):
    good = fake_python(tmp_path / "bin" / "python3.12", "3.12.4")
    result = find(tmp_path, [tmp_path / "bin"], tmp_path / "no-pyenv")
    assert result.returncode == 0 and result.stdout.strip() == str(good)


def test_falls_back_to_pyenv_versions(tmp_path):
    fake_python(tmp_path / "bin" / "python3", "3.11.7")  # too old, on PATH
    good = fake_python(tmp_path / "pyenv" / "versions" / "3.12.1" / "bin" / "python3.12", "3.12.1")
    result = find(tmp_path, [tmp_path / "bin"], tmp_path / "pyenv")
    assert result.returncode == 0 and result.stdout.strip() == str(good)


def test_names_everything_it_tried(tmp_path):
    old = fake_python(tmp_path / "bin" / "python3", "3.11.7")
    result = find(tmp_path, [tmp_path / "bin"], tmp_path / "no-pyenv")
    assert result.returncode == 1
    assert "no Python >= 3.12 found" in result.stderr
    assert f"{old} (Python 3.11.7)" in result.stderr
    assert "python3.12 (not on PATH)" in result.stderr
    assert str(tmp_path / "no-pyenv" / "versions") in result.stderr
    assert "PYTHON=/path/to/python3.12" in result.stderr

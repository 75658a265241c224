"""Run directories are never reused; `latest` names the newest; bad RUN= values explain themselves."""

import pytest

from plugins import runs


def test_runs_started_in_the_same_second_get_their_own_directories(tmp_path):
    made = [runs.new_run_dir("spec", tmp_path) for _ in range(3)]
    assert len(set(made)) == 3 and all(p.is_dir() and p.parent == tmp_path / "spec" for p in made)


def test_latest_points_at_the_newest_run(tmp_path):
    first, second = runs.new_run_dir("a", tmp_path), runs.new_run_dir("b", tmp_path)
    for run in (first, second):
        (run / "spec.yaml").write_text("model_type: llm\n")
        runs.mark_latest(run, tmp_path)
    assert runs.resolve(None, tmp_path) == second.resolve()
    assert (tmp_path / "a" / "latest").resolve() == first.resolve()
    assert runs.resolve(tmp_path / "a" / "latest", tmp_path) == first.resolve()


def test_missing_or_foreign_runs_are_explained(tmp_path):
    with pytest.raises(runs.RunError, match="no run at .*latest: train one first: make train"):
        runs.resolve(None, tmp_path)
    with pytest.raises(runs.RunError, match="not a run directory"):
        runs.resolve(tmp_path, tmp_path)

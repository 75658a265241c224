"""Tests for plugins/data.py: loading, mapping, cleaning, capping, splitting, determinism and statistics."""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from plugins.data import SPLIT_NAMES, DataError, load_source, prepare, stats_markdown

ROOT = Path(__file__).resolve().parents[1]
FEATURES = ["question", "answer"]
SPLIT = {"train": 0.51, "validation": 0.30, "test": 0.19}


def qa_frame(n: int) -> pd.DataFrame:
    return pd.DataFrame({"question": [f"question number {i}?" for i in range(n)],
                         "answer": [f"answer {i}" for i in range(n)]})


def write(frame: pd.DataFrame, path: Path) -> Path:
    """Write a frame in the format its extension names."""
    suffix = path.suffix
    if suffix == ".csv":
        frame.to_csv(path, index=False)
    elif suffix == ".json":
        frame.to_json(path, orient="records")
    elif suffix == ".jsonl":
        frame.to_json(path, orient="records", lines=True)
    else:
        frame.to_parquet(path, index=False)
    return path


def run(tmp_path: Path, frame: pd.DataFrame, name: str = "data.jsonl", out: str = "out", **cfg):
    write(frame, tmp_path / name)
    return prepare({"path": name, "split": SPLIT, "seed": 42, **cfg}, tmp_path / out, tmp_path, FEATURES)


@pytest.mark.parametrize("name", ["d.csv", "d.json", "d.jsonl", "d.parquet"])
def test_each_format_loads(tmp_path, name):
    frame = qa_frame(3).assign(area=["a", "b", "c"])
    loaded = load_source({"path": name}, write(frame, tmp_path / name).parent)
    pd.testing.assert_frame_equal(loaded.astype(str), frame.astype(str), check_dtype=False)


def test_hugging_face_dataset_from_local_directory(tmp_path):
    write(qa_frame(2), tmp_path / "train.csv")
    loaded = load_source({"hf_dataset": str(tmp_path)}, tmp_path)
    assert loaded["question"].tolist() == ["question number 0?", "question number 1?"]


def test_hugging_face_offline_is_a_data_error(tmp_path):
    code = ("from pathlib import Path\nfrom plugins.data import DataError, load_source\n"
            "try:\n    load_source({'hf_dataset': 'no-such-user/no-such-dataset'}, Path('.'))\n"
            "except DataError as e:\n    print(e)\n")
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "HF_HOME": str(tmp_path / "hf")}
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                         timeout=300).stdout  # importing `datasets` alone takes a minute on a busy 2-core machine
    assert "could not load Hugging Face dataset 'no-such-user/no-such-dataset' (offline?" in out
    assert "point `path:` at a local copy" in out


def test_column_mapping(tmp_path):
    frame = pd.DataFrame({"input": ["q?"], "output": ["a."], "area": ["x"]})
    write(frame, tmp_path / "d.csv")
    loaded = load_source({"path": "d.csv", "columns": {"question": "input", "answer": "output"}}, tmp_path)
    assert sorted(loaded.columns) == ["answer", "area", "question"]
    assert loaded.loc[0, "question"] == "q?" and loaded.loc[0, "answer"] == "a."


def test_missing_mapped_column_names_file_and_suggests(tmp_path):
    write(pd.DataFrame({"input": ["q?"], "output": ["a."]}), tmp_path / "d.csv")
    with pytest.raises(DataError) as err:
        load_source({"path": "d.csv", "columns": {"question": "inptu", "answer": "output"}}, tmp_path)
    message = str(err.value)
    assert str(tmp_path / "d.csv") in message and "'inptu'" in message
    assert "input, output" in message and "did you mean 'input'?" in message


def test_missing_feature_column_after_mapping(tmp_path):
    with pytest.raises(DataError, match=r"column 'answer' \(a model feature\).*did you mean 'answers'"):
        run(tmp_path, qa_frame(5).rename(columns={"answer": "answers"}))


def test_unsupported_extension(tmp_path):
    (tmp_path / "d.xlsx").write_text("x")
    with pytest.raises(DataError, match=r"d\.xlsx.*allowed: \.csv, \.json, \.jsonl, \.parquet"):
        load_source({"path": "d.xlsx"}, tmp_path)


def test_missing_file(tmp_path):
    with pytest.raises(DataError, match="data file not found: .*nope.csv"):
        load_source({"path": "nope.csv"}, tmp_path)


def test_glob_stacks_matching_files_in_name_order(tmp_path):
    (tmp_path / "parts").mkdir()
    write(qa_frame(6).iloc[3:], tmp_path / "parts" / "2_b.csv")
    write(qa_frame(6).iloc[:3], tmp_path / "parts" / "1_a.csv")
    write(qa_frame(2), tmp_path / "parts" / "ignored.json")
    loaded = load_source({"path": "parts/*.csv"}, tmp_path)
    assert loaded["question"].tolist() == qa_frame(6)["question"].tolist()


def test_glob_matching_nothing_says_so(tmp_path):
    with pytest.raises(DataError, match=r"no data file matches .*missing/\*\.csv .*glob pattern"):
        load_source({"path": "missing/*.csv"}, tmp_path)


def test_glob_files_with_different_headers(tmp_path):
    write(qa_frame(3), tmp_path / "a.csv")
    write(qa_frame(3).rename(columns={"answer": "reply"}), tmp_path / "b.csv")
    with pytest.raises(DataError, match=r"b\.csv: columns \['question', 'reply'\] differ from .*a\.csv"):
        load_source({"path": "*.csv"}, tmp_path)


def test_max_words_drops_long_rows_before_sampling(tmp_path):
    frame = qa_frame(60)
    frame.loc[::3, "answer"] = "a long answer of well over five words here"  # 20 rows, 9 words each
    result = run(tmp_path, frame, max_words={"answer": 5}, max_samples=30)
    assert result.dropped["too_long"] == 20 and result.dropped["over_max_samples"] == 10
    kept = pd.read_csv(result.path)
    assert len(kept) == 30 and kept["answer"].str.split().str.len().max() <= 5
    stats_md = (tmp_path / "out" / "stats.md").read_text()
    assert "| too_long | 20 |" in stats_md and "answer at most 5 words (longer rows dropped" in stats_md


def test_max_words_unknown_column(tmp_path):
    with pytest.raises(DataError, match="column 'anwser' \\(named in max_words\\) not found.*did you mean 'answer'"):
        run(tmp_path, qa_frame(20), max_words={"anwser": 5})


def test_malformed_file_names_file(tmp_path):
    (tmp_path / "bad.json").write_text("[{not json")
    with pytest.raises(DataError, match=r"bad\.json: could not read it as JSON"):
        load_source({"path": "bad.json"}, tmp_path)


def test_cleaning_counts_by_reason(tmp_path):
    rows = [
        ("\uff37hat is\u00a0ACE?", "An   enzyme.\n"),   # full-width W, NBSP, whitespace runs -> kept, normalised
        ("What is ACE?", "An enzyme."),                  # same after cleaning -> duplicate
        ("What is ACE?", "An enzyme."),                  # exact duplicate
        ("   \t ", "blank question"),                    # empty
        ("No answer?", "\u00a0"),                        # empty after NFKC + strip
        (None, "null question"),                         # malformed
        ("Numeric answer?", 42),                         # malformed
        ("Float NaN?", float("nan")),                    # malformed
    ] + [(f"Filler question {i}?", f"Filler answer {i}.") for i in range(20)]
    frame = pd.DataFrame(rows, columns=FEATURES, dtype=object)
    result = run(tmp_path, frame)
    assert result.dropped == {"malformed": 3, "empty": 2, "duplicate": 2, "too_long": 0, "over_max_samples": 0,
                              "question_in_other_split": 0}
    kept = pd.read_csv(result.path)
    assert len(kept) == 21 == sum(result.split_sizes.values())
    assert ((kept["question"] == "What is ACE?") & (kept["answer"] == "An enzyme.")).sum() == 1


def test_cap_is_counted(tmp_path):
    result = run(tmp_path, qa_frame(100), max_samples=40)
    assert result.dropped["over_max_samples"] == 60
    assert sum(result.split_sizes.values()) == 40


@pytest.mark.parametrize("n", [101, 37, 330])
def test_split_proportions_within_one_row(tmp_path, n):
    result = run(tmp_path, qa_frame(n))
    assert sum(result.split_sizes.values()) == n
    for name in SPLIT_NAMES:
        assert abs(result.split_sizes[name] - n * SPLIT[name]) <= 1
    codes = pd.read_csv(result.path)["split"]
    assert codes.is_monotonic_increasing and set(codes) == {0, 1, 2}


def test_split_ratios_must_sum_to_one(tmp_path):
    with pytest.raises(DataError, match="summing to 1"):
        run(tmp_path, qa_frame(10), split={"train": 0.5, "validation": 0.3, "test": 0.3})


def test_deterministic(tmp_path):
    first = run(tmp_path, qa_frame(60), out="a")
    second = run(tmp_path, qa_frame(60), out="b")
    other = run(tmp_path, qa_frame(60), out="c", seed=7)
    assert first.path.read_bytes() == second.path.read_bytes() and first.sha256 == second.sha256
    assert other.sha256 != first.sha256


def test_no_question_shared_across_splits(tmp_path):
    base = qa_frame(60)
    # Each of 20 questions also appears (different case, different answer) once more.
    repeats = pd.DataFrame({"question": [q.upper() for q in base["question"][:20]],
                            "answer": [f"another answer {i}" for i in range(20)]})
    result = run(tmp_path, pd.concat([base, repeats], ignore_index=True))
    kept = pd.read_csv(result.path)
    groups = kept.groupby(kept["question"].str.casefold())["split"].nunique()
    assert (groups == 1).all()
    assert result.dropped["duplicate"] == 0
    assert result.dropped["question_in_other_split"] == 80 - len(kept) > 0


def test_empty_after_cleaning(tmp_path):
    frame = pd.DataFrame({"question": [" ", None, "q?"], "answer": ["a", "b", "\t"]}, dtype=object)
    with pytest.raises(DataError, match=r"no usable rows in .*data\.jsonl after cleaning "
                                        r"\(dropped: malformed=1, empty=2, duplicate=0\)"):
        run(tmp_path, frame)


def test_empty_split_is_an_error(tmp_path):
    with pytest.raises(DataError, match=r"split 'test' .* is empty \(10 rows in total"):
        run(tmp_path, qa_frame(10), split={"train": 0.6, "validation": 0.38, "test": 0.02})


def test_split_below_ludwigs_minimum_is_an_error(tmp_path):
    # 12 rows at 51/30/19 give a test split of 2 rows; Ludwig refuses fewer than 3 per split
    with pytest.raises(DataError, match=r"split 'test' .* has only 2 rows .* at least 3 rows per split"):
        run(tmp_path, qa_frame(12))


def test_stats_match_hand_computation(tmp_path):
    # three copies of six word-count patterns (distinct words, so nothing is a duplicate): 18 rows,
    # enough for Ludwig's 3 rows per split
    counts_q, counts_a = [2, 3, 4, 1, 2, 5], [1, 2, 3, 4, 5, 6]
    questions = [" ".join(f"q{copy}x{i}w{j}" for j in range(k)) for copy in range(3) for i, k in enumerate(counts_q)]
    answers = [" ".join(["w"] * k) for _ in range(3) for k in counts_a]
    result = run(tmp_path, pd.DataFrame({"question": questions, "answer": answers}),
                 split={"train": 0.5, "validation": 0.25, "test": 0.25})
    q_words, a_words = counts_q * 3, counts_a * 3
    every = result.stats["all"]
    assert every["count"] == 18
    assert every["question"] == pytest.approx({"mean": 17 / 6, "median": 2.5, "max": 5,
                                               "std": statistics.stdev(q_words)})
    assert every["answer"] == pytest.approx({"mean": 3.5, "median": 3.5, "max": 6,
                                             "std": statistics.stdev(a_words)})
    assert statistics.stdev(a_words) == pytest.approx(1.7573, abs=1e-4)  # sample std (n - 1), by hand
    kept = pd.read_csv(result.path)
    for code, name in enumerate(SPLIT_NAMES):
        part = kept[kept["split"] == code]["answer"].str.split().str.len().tolist()
        assert result.stats[name]["count"] == len(part)
        assert result.stats[name]["answer"]["max"] == max(part)
    table = stats_markdown(result.stats)
    assert "| all | 18 | 2.83 | 2.50 | 5.00 | 1.38 | 3.50 | 3.50 | 6.00 | 1.76 |" in table
    assert "sample standard deviation" in table
    saved = json.loads((tmp_path / "out" / "stats.json").read_text())
    assert saved["rows_in"] == 18 and saved["split_sizes"] == result.split_sizes
    assert "question_in_other_split" in (tmp_path / "out" / "stats.md").read_text()


def test_starter_file_prepares_cleanly(tmp_path):
    cfg = {"path": "data/medical_flashcards.csv", "keep_columns": ["area"], "split": SPLIT, "seed": 42}
    result = prepare(cfg, tmp_path / "out", ROOT, FEATURES)
    assert set(result.dropped.values()) == {0}
    assert sum(result.split_sizes.values()) == 330
    kept = pd.read_csv(result.path)
    assert list(kept.columns) == ["question", "answer", "area", "split"]
    assert kept["area"].notna().all()

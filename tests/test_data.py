"""Tests for data preparation (plugins/data.py) and its parts (plugins/data_source.py, plugins/near_duplicates.py,
plugins/spec/data.py): loading, mapping, cleaning, capping, splitting, determinism and statistics."""

from __future__ import annotations

import json
import os
import re
import statistics
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from rapidfuzz import fuzz

from plugins import near_duplicates
from plugins.data import prepare, stats_markdown
from plugins.data_source import DataError, load_source
from plugins.dataset_format import SPLIT_NAMES
from plugins.spec import data as data_block
from plugins.spec import project as project_block

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
    code = ("from pathlib import Path\nfrom plugins.data_source import DataError, load_source\n"
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
                              "question_in_other_split": 0, "near_duplicate_question": 0, "near_duplicate_answer": 0}
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
    # its one planted pair split across train and test at this seed; the other (answer) pair shares a split
    assert {k: v for k, v in result.dropped.items() if v} == {"near_duplicate_question": 1}
    assert sum(result.split_sizes.values()) == 329
    kept = pd.read_csv(result.path)
    assert list(kept.columns) == ["question", "answer", "area", "split"]
    assert kept["area"].notna().all()
    [example] = json.loads((tmp_path / "out" / "stats.json").read_text())["near_duplicate_examples"]
    assert example["question"] == "What is the most common bacterial cause of community-acquired pneumonia?"
    assert example["earlier_question"] == CAP + " in adults?" and example["earlier_split"] == "train"


def test_starter_file_planted_pairs_match_and_nothing_else(tmp_path):
    """Every flashcard against the cards before it: the two planted near-duplicates, and no other pair."""
    cards = pd.read_csv(ROOT / "data" / "medical_flashcards.csv", dtype=str, keep_default_na=False)[FEATURES]
    found = {}
    for i in range(1, len(cards)):
        if reason := near_duplicate_reason(cards.iloc[:i], cards.iloc[[i]]):
            found[reason] = found.get(reason, []) + [cards.iloc[i]["question"]]
    assert found == {"near_duplicate_question": [CAP + " in adults?"],
                     "near_duplicate_answer": ["At which part of the nephron do loop diuretics act?"]}


# ---------------------------------------------------------------------------------------------
# Near-duplicates across splits

CAP = "What is the most common bacterial cause of community-acquired pneumonia"
LOOP = ("Loop diuretics such as furosemide block the Na-K-2Cl cotransporter in the thick ascending limb of the loop "
        "of Henle.")
LONG_ANSWER = ("Warfarin inhibits vitamin K epoxide reductase, reducing the activation of clotting factors II, VII, "
               "IX and X as well as proteins C and S. Its effect is monitored with the INR.")


def near_duplicate_reason(earlier: pd.DataFrame, later: pd.DataFrame, **thresholds) -> str:
    """Why the later row is dropped as a near-duplicate of an earlier one ('' when it is kept)."""
    found = near_duplicates.find(later, earlier, "question", "answer",
                                 {**near_duplicates.NEAR_DUPLICATES, **thresholds})
    return found["reason"].iloc[0] if len(found) else ""


def pair(earlier: tuple[str, str], later: tuple[str, str], **thresholds) -> str:
    rows = [pd.DataFrame([row], columns=FEATURES) for row in (earlier, later)]
    return near_duplicate_reason(*rows, **thresholds)


@pytest.mark.parametrize("earlier, later", [
    (CAP + "?", CAP + " in adults?"),  # a qualifier appended
    ("What causes gout, and how is it treated?", "How is gout treated, and what causes it?"),  # reordered
    ("What are the complications of iron-deficiency anemia?", "What are the complications of iron deficiency "
                                                              "anaemia?"),  # respelt
    ("What is Cri-du-chat syndrome?", "What is cri du chat syndrome?"),  # hyphens and case: not an exact repeat
], ids=["in-adults", "reordered", "respelt", "hyphens"])
def test_near_duplicate_questions_match(earlier, later):
    assert pair((earlier, "One answer."), (later, "Another answer.")) == "near_duplicate_question"


@pytest.mark.parametrize("earlier, later", [
    ("What are the symptoms of asthma?", "What are the symptoms of anaemia?"),  # one template
    ("What is the first-line treatment for hypertension in adults?",  # token_set_ratio: 93
     "What is the first-line treatment for hypertension in children?"),
    ("What should be done before surgery for appendicitis?", "What should be done after surgery for appendicitis?"),
    ("What is it?", "What is it used for?"),  # short generic questions: no content word
    ("How is it treated?", "How is it treated in children?"),  # one content word in common
    ("How many people are affected by Cant syndrome?",  # MedQuAD: one word substituted; token_sort_ratio 93
     "How many people are affected by Lujan syndrome?"),
    ("How many people are affected by Miller syndrome?", "How many people are affected by Miller-Dieker syndrome?"),
    ("What is (are) spinal muscular atrophy with progressive myoclonic epilepsy?",  # MedQuAD: a new question type
     "Is spinal muscular atrophy with progressive myoclonic epilepsy inherited?"),
], ids=["template", "adults-children", "before-after", "generic", "one-word", "substituted", "inserted",
        "question-type"])
def test_different_questions_do_not_match(earlier, later):
    assert pair((earlier, "One answer."), (later, "Another answer.")) == ""


def test_why_not_token_set_ratio():
    """token_set_ratio scores a subset 100: "What is X?" would repeat every "What are the treatments for X?"."""
    first, second = "What is (are) breast cancer?", "What are the treatments for breast cancer?"
    words = [" ".join(near_duplicates.content_words(question)) for question in (first, second)]
    assert fuzz.token_set_ratio(*words) == 100
    assert pair((first, "One answer."), (second, "Another answer.")) == ""


@pytest.mark.parametrize("earlier, later", [
    (LOOP, "Loop diuretics (such as furosemide) block the NA-K-2CL cotransporter of the thick ascending limb in the "
           "loop of Henle"),  # punctuation, case, function words
    (LOOP, "Loop diuretics such as furosemide mainly block the Na-K-2Cl cotransporter in the thick ascending limb of "
           "Henle's loop."),  # a word added, two moved
    (LOOP, LOOP + " Typical adverse effects include hypokalemia, metabolic alkalosis and ototoxicity."),  # contained
], ids=["trivial-changes", "word-added", "sentence-shared"])
def test_near_duplicate_answers_match(earlier, later):
    assert pair(("Where do loop diuretics act?", earlier), ("What is NKCC2?", later)) == "near_duplicate_answer"


@pytest.mark.parametrize("earlier, later", [
    ("Loop diuretics block the Na-K-2Cl cotransporter in the thick ascending limb of the loop of Henle and can cause "
     "ototoxicity.", "Thiazide diuretics block the Na-Cl cotransporter in the distal convoluted tubule and can cause "
                     "hypercalcaemia."),  # the same topic, another fact
    ("Streptococcus pneumoniae.", "Streptococcus pneumoniae."),  # a short answer to two questions is no leak
    ("Dendritic cells.", "HIV enters CD4-positive helper T cells, macrophages and dendritic cells by binding CD4 "
                         "together with a co-receptor."),
    (LONG_ANSWER, "Heparin activates antithrombin, which inactivates thrombin and factor Xa. Its effect is monitored "
                  "with the aPTT."),
], ids=["same-topic", "short-identical", "short-contained", "one-sentence-alike"])
def test_different_answers_do_not_match(earlier, later):
    assert pair(("Which drug is it?", earlier), ("What does it do?", later)) == ""


def test_near_duplicates_in_later_splits_are_dropped_and_counted(tmp_path):
    frame = qa_frame(40)
    probe = pd.read_csv(run(tmp_path, frame, out="probe", near_duplicates=False).path)  # where each row lands
    train, validation, test = (probe[probe["split"] == code]["question"].tolist() for code in range(3))
    planted = {  # question -> (question, answer) written in its place; the row count (so the shuffle) is unchanged
        train[0]: (CAP + " in adults?", "Streptococcus pneumoniae is the most common bacterial cause."),
        test[0]: (CAP + "?", "Streptococcus pneumoniae."),  # dropped: near-duplicate question of a train row
        train[1]: ("How does warfarin work?", LONG_ANSWER),
        validation[0]: ("Which enzyme does warfarin inhibit?", LONG_ANSWER.replace("IX and X", "IX, and X")),
        validation[1]: ("Where do loop diuretics act?", LOOP),
        test[1]: ("At which part of the nephron do loop diuretics act?", LOOP + " They cause hypokalemia."),
    }
    for old, (question, answer) in planted.items():
        frame.loc[frame["question"] == old, FEATURES] = [question, answer]

    result = run(tmp_path, frame)
    kept = pd.read_csv(result.path)
    assert result.dropped["near_duplicate_question"] == 1 and result.dropped["near_duplicate_answer"] == 2
    assert result.dropped["question_in_other_split"] == 0
    assert result.split_sizes == {"train": len(train), "validation": len(validation) - 1, "test": len(test) - 2}
    gone = {CAP + "?", "Which enzyme does warfarin inhibit?", "At which part of the nephron do loop diuretics act?"}
    assert gone.isdisjoint(kept["question"])
    assert {CAP + " in adults?", "How does warfarin work?", "Where do loop diuretics act?"} <= set(kept["question"])

    saved = json.loads((tmp_path / "out" / "stats.json").read_text())
    assert saved["dropped"] == result.dropped
    assert saved["limits"]["near_duplicates"]["question"] == 90 == saved["limits"]["near_duplicates"]["answer"]
    assert "token_sort_ratio" in saved["limits"]["near_duplicates"]["scorers"]["question"]
    assert {(e["reason"], e["split"], e["earlier_split"]) for e in saved["near_duplicate_examples"]} == {
        ("near_duplicate_question", "test", "train"), ("near_duplicate_answer", "validation", "train"),
        ("near_duplicate_answer", "test", "validation")}
    stats_md = (tmp_path / "out" / "stats.md").read_text()
    assert "| near_duplicate_question | 1 |" in stats_md and "| near_duplicate_answer | 2 |" in stats_md
    assert "near-duplicates: question >= 90 (rapidfuzz token_sort_ratio" in stats_md
    assert f"| near_duplicate_question | test | {CAP}? |" in stats_md

    again = run(tmp_path, frame, out="again")
    assert again.path.read_bytes() == result.path.read_bytes()
    assert (tmp_path / "again" / "stats.json").read_text().replace("again", "out") == json.dumps(saved, indent=2) + "\n"

    stricter = run(tmp_path, frame, out="stricter", near_duplicates={"question": 95})  # the CAP pair scores 94
    assert stricter.dropped["near_duplicate_question"] == 0 and stricter.dropped["near_duplicate_answer"] == 2
    assert json.loads((tmp_path / "stricter" / "stats.json").read_text())["limits"]["near_duplicates"]["question"] == 95
    off = run(tmp_path, frame, out="off", near_duplicates=False)
    assert off.dropped["near_duplicate_question"] == off.dropped["near_duplicate_answer"] == 0
    assert off.split_sizes == {"train": len(train), "validation": len(validation), "test": len(test)}


def test_exact_repeats_are_counted_before_near_duplicates(tmp_path):
    frame = qa_frame(40)
    probe = pd.read_csv(run(tmp_path, frame, out="probe").path)
    train, test = (probe[probe["split"] == code]["question"].iloc[0] for code in (0, 2))
    frame.loc[frame["question"] == train, FEATURES] = ["How does warfarin work?", LONG_ANSWER]
    frame.loc[frame["question"] == test, FEATURES] = ["HOW DOES WARFARIN WORK?", LONG_ANSWER + " Really."]
    result = run(tmp_path, frame)
    assert result.dropped["question_in_other_split"] == 1
    assert result.dropped["near_duplicate_question"] == result.dropped["near_duplicate_answer"] == 0


@pytest.mark.parametrize("value, message", [
    ({"question": 101}, "'data.near_duplicates.question' is 101; allowed: an integer 0-100"),
    ({"answer": "90"}, "'data.near_duplicates.answer' is '90'; allowed: an integer 0-100"),
    ({"answer": True}, "'data.near_duplicates.answer' is True"),
    ({"questions": 90}, "unknown key 'data.near_duplicates.questions' — did you mean 'question'?"),
    (90, "'data.near_duplicates' is 90; allowed: false (no near-duplicate check) or a mapping"),
    (None, "'data.near_duplicates' is None"),
])
def test_near_duplicates_setting_is_validated(tmp_path, value, message):
    assert any(message in p for p in data_block.near_duplicate_problems(value, "data.near_duplicates"))
    with pytest.raises(DataError, match=re.escape(message)):
        run(tmp_path, qa_frame(20), near_duplicates=value)
    in_spec = message.replace("data.near_duplicates", "medical_llm.data.near_duplicates")
    assert any(in_spec in p for p in project_block.problems(spec_with(value)))


@pytest.mark.parametrize("value", [False, {"question": 0, "answer": 100}, {"question": False}, {}])
def test_near_duplicates_setting_accepts(value):
    assert data_block.near_duplicate_problems(value, "data.near_duplicates") == []
    assert project_block.problems(spec_with(value)) == []


def spec_with(near_duplicates) -> dict:
    """The raw spec `plugins.spec` validates, reduced to its data block."""
    return {"medical_llm": {"data": {"path": "d.csv", "split": SPLIT, "near_duplicates": near_duplicates}}}

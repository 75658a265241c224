"""Safety triage: the labelled corpus, the recall and false-alarm targets on both halves, and the wording
people really type (curly apostrophes, typos, repeated letters, no punctuation, indirect suicidal wording)."""

from __future__ import annotations

import csv
import hashlib
from collections import Counter
from pathlib import Path

import pytest

from plugins.app import triage

CORPUS = Path(__file__).resolve().parents[1] / "data" / "safety" / "triage_corpus.csv"
EMERGENCIES = ("self_harm", "poisoning", "medical_emergency")


def _rows() -> list[dict]:
    with CORPUS.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _half(row_id: str) -> str:
    """The documented split: the parity of the SHA-256 of the id."""
    return "heldout" if int(hashlib.sha256(row_id.encode()).hexdigest(), 16) % 2 else "dev"


# --- the corpus -------------------------------------------------------------------------------------------------

def test_corpus_shape():
    rows = _rows()
    counts = Counter(r["category"] for r in rows)
    assert len(rows) >= 250
    assert set(counts) == {*EMERGENCIES, "none"}
    assert sum(counts[c] for c in EMERGENCIES) >= 150
    assert counts["none"] >= 100 and counts["self_harm"] >= 40 and counts["poisoning"] >= 40
    assert counts["medical_emergency"] >= 80
    assert len({r["id"] for r in rows}) == len(rows), "ids must be unique"
    assert sum("\u2019" in r["text"] for r in rows) >= 15, "phones type curly apostrophes"
    for category in counts:
        halves = Counter(r["half"] for r in rows if r["category"] == category)
        assert halves["dev"] and halves["heldout"], f"{category} missing from a half"


def test_halves_follow_the_documented_hash():
    wrong = [r["id"] for r in _rows() if r["half"] != _half(r["id"])]
    assert not wrong, f"half is not sha256(id) % 2 for {wrong}"


# --- recall, false alarms and the right notice, per half --------------------------------------------------------

@pytest.mark.parametrize("half", ["heldout", "dev"])
def test_targets(half):
    result = triage.score([(r["text"], r["category"]) for r in _rows() if r["half"] == half])
    table = {c: f"{result['recall'][c]:.3f}" for c in EMERGENCIES}
    print(f"{half}: recall {table}, emergency {result['emergency_recall']:.3f}, "
          f"false alarms {result['false_alarm_rate']:.3f}, category accuracy {result['category_accuracy']:.3f}")
    for kind in ("misses", "false_alarms", "wrong_category"):
        for item in result[kind]:
            print(f"  {kind}: {item}")
    assert result["recall"]["self_harm"] == 1.0, result["misses"]
    assert result["emergency_recall"] >= 0.97, result["misses"]
    assert result["false_alarm_rate"] <= 0.20, result["false_alarms"]
    assert result["category_accuracy"] >= 0.9, result["wrong_category"]
    # self-harm must get the crisis text itself, not only some notice
    assert not [w for w in result["wrong_category"] if w[1] == "self_harm"], result["wrong_category"]


@pytest.mark.parametrize("message", [  # third person and plans, written after the corpus, never tuned on it
    "my son keeps saying he wishes he was dead", "mum hopes she wont wake up tomorrow",
    "my brother told me he has a rope in his car", "she said everyone would be better off without her",
    "i am thinking of taking all my tablets tonight", "grandad says he is tired of living",
])
def test_self_harm_in_third_person_and_plans(message):
    assert triage.triage(message).category == "self_harm"


# --- how people type --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("message", [
    "I can\u2019t breathe", "cant breathe", "CANT BREATHE", "can't breathe!!!", "i cannot breath",
])
def test_breathing_however_typed(message):
    assert triage.triage(message).category == "medical_emergency"


def test_normalize():
    assert triage.normalize("I can\u2019t BREATHE!!!") == "i can't breathe"
    assert triage.normalize("pleeease heeelp, he\u2019s unconcious") == "please help he's unconscious"
    assert triage.normalize("sooo dizzy \u201cnow\u201d") == "soo dizzy now"


@pytest.mark.parametrize("message, category", [
    ("heeelp my dad collapsed and wont wake up", "medical_emergency"),
    ("my husband is unconcious", "medical_emergency"),
    ("my son is having a siezure and it wont stop", "medical_emergency"),
    ("my mums face is drooping on one side and her speech is slurred", "medical_emergency"),
    ("coughing up a lot of blood", "medical_emergency"),
    ("been coughing and theres blood", "medical_emergency"),
    ("took 30 of my mums sleeping tablets", "poisoning"),
    ("my 2yo drank some bleach", "poisoning"),
    ("my toddler swallowed a button battery", "poisoning"),
])
def test_emergencies_in_lay_wording(message, category):
    assert triage.triage(message).category == category


@pytest.mark.parametrize("message", [
    "everyone would be better off without me",
    "I don\u2019t see the point in going on",
    "how many paracetamol would it take to not wake up",
    "im suicidel",
    "i keep burning myself when it gets too much",
    "took all my pills because i want to die",  # an intentional overdose gets the crisis text
])
def test_self_harm_replaces_the_answer(message):
    result = triage.triage(message)
    assert result.category == "self_harm", result
    assert result.replaces_answer and not result.collapses_answer
    assert "988" in result.notice and "116 123" in result.notice and "emergency number" in result.notice


@pytest.mark.parametrize("message", [
    "what is angina?", "how do anticoagulants prevent clots?", "what are the symptoms of a stroke?",
    "what is the normal dose of paracetamol for adults", "why do people cough up blood in tuberculosis",
])
def test_information_questions_stay_quiet(message):
    result = triage.triage(message)
    assert result.category is None and result.notice is None and not result.signals, result


def test_poisoning_notice_and_collapse():
    result = triage.triage("my 2yo drank some bleach")
    assert result.collapses_answer and not result.replaces_answer
    assert "1-800-222-1222" in result.notice and "111" in result.notice and "vomit" in result.notice


def test_as_dict_shape():
    result = triage.triage("I think I\u2019m having a heart attack").as_dict()
    assert set(result) == {"category", "signals", "notice"}
    assert result["category"] == "medical_emergency"
    assert isinstance(result["signals"], list) and result["signals"] and isinstance(result["notice"], str)
    assert triage.triage("what is angina?").as_dict() == {"category": None, "signals": [], "notice": None}

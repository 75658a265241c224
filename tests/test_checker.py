"""The answer checker (plugins/retrieval/checker.py) on hand-made answers: what a reader sees of a grounded answer is
only sentences their cited passage supports, each with the right [n]; loops are cut; when nothing is supported the
best passage is quoted; a declined or uncovered question says so."""

from __future__ import annotations

import pytest

from plugins.retrieval import checker
from plugins.retrieval.index import Hit

GOUT = Hit(1, 5.0, "mplus/1#1", "mplus/1", 1, "MPlusHealthTopics", "Gout", "information", "What is (are) Gout ?",
           "https://medlineplus.gov/gout.html", "Gout is a common, painful form of arthritis. It causes swollen, red, "
           "hot and stiff joints. Gout happens when uric acid builds up in your body.")
SHINGLES = Hit(2, 4.0, "ghr/7#1", "ghr/7", 1, "GHR", "Shingles", "information", "What is (are) Shingles ?",
               "https://medlineplus.gov/shingles.html", "Shingles is a disease caused by the varicella-zoster virus. "
               "Anyone who has had chickenpox can get shingles. About 1 in 3 people get it in their lifetime.")
HITS = [GOUT, SHINGLES]


def check(answer: str, question: str = "What is gout?") -> checker.Checked:
    return checker.check(answer, HITS, question, min_support=0.8)


def test_a_supported_sentence_is_kept_with_the_passage_that_supports_it():
    shown = check("Gout is a painful form of arthritis. [2] It causes swollen, hot joints. [1]")
    assert shown.text == "Gout is a painful form of arthritis. [1] It causes swollen, hot joints. [1]"  # re-cited
    assert [(s.cite, s.kept) for s in shown.sentences] == [(1, True), (1, True)]
    assert shown.cited == [1] and not (shown.quoted or shown.declined or shown.removed)
    assert check("Anyone who has had chickenpox can get shingles. [1]").text == (
        "Anyone who has had chickenpox can get shingles. [2]")


def test_an_unsupported_sentence_is_removed_and_the_answer_says_so():
    shown = check("Gout is a painful form of arthritis. [1] Drink cranberry juice every day to cure it. [1]")
    assert shown.text == ("Gout is a painful form of arthritis. [1]\n\n"
                          "(1 sentence the sources do not support was removed.)")
    [kept, removed] = shown.sentences
    assert kept.kept and not removed.kept and removed.support < 0.8 and "content words" in removed.why
    assert shown.attribution()[1] == {"text": "Drink cranberry juice every day to cure it.", "cite": None,
                                      "support": 0.0, "kept": False, "why": removed.why}


@pytest.mark.parametrize("sentence, why", [
    ("About 1 in 5 people get shingles in their lifetime. [2]", "number(s) 5 not in its passage"),
    ("Anyone who has had chickenpox cannot get shingles. [2]", "it negates what its passage states"),
    ("Gout. [1]", "it only restates the question's topic"),
])
def test_wrong_numbers_reversals_and_empty_restatements_are_removed(sentence, why):
    """Word overlap alone would keep these: a figure from memory, the opposite of the page, the topic's name."""
    shown = check(sentence)
    assert [s.why for s in shown.sentences] == [why] and shown.quoted


def test_nothing_supported_quotes_the_best_passage():
    shown = check("Chickenpox is caught from the varicella-zoster virus in children and it itches badly. [1]")
    assert shown.quoted and shown.cited == [2] and shown.removed == 1
    assert shown.text == ("The NIH page on Shingles says: \u201cShingles is a disease caused by the varicella-zoster "
                          "virus. Anyone who has had chickenpox can get shingles. About 1 in 3 people get it in their "
                          "lifetime.\u201d [2]")


def test_a_repeated_sentence_stops_the_answer_there():
    shown = check("Gout is a form of arthritis. [1] It causes stiff joints. [1] Gout is a form of arthritis. [1] "
                  "It causes stiff joints. [1] Gout is")
    assert shown.stopped and shown.text == "Gout is a form of arthritis. [1] It causes stiff joints. [1]"
    assert checker.loops("Gout hurts. It is common. Gout hurts.") and not checker.loops("Gout hurts. It is common.")
    assert checker.loops("The joints swell up and the joints swell up and the joints swell up.")  # a run-on
    assert not checker.loops("Benign essential blepharospasm is rare. Benign essential blepharospasm runs in "
                             "families. Treat benign essential blepharospasm with botulinum toxin.")  # a topic's name
    assert checker.loops("Gout hurts. [1] [2] [3] [4]")  # counting citations


def test_streaming_stops_generation_at_the_loop_and_only_grows():
    """The app and the API see checked sentences as each completes; generation is closed at the loop."""
    pieces = ["Gout is a form of arthritis. [1]", " It causes stiff joints. [1]", " Gout is a form of arthritis. [1]",
              " It causes stiff joints. [1]", " Never reached."]
    consumed = []

    def texts():
        text = ""
        for piece in pieces:
            text += piece
            consumed.append(piece)
            yield text

    replies = list(checker.stream(texts(), checker.Checker(HITS, "What is gout?", 0.8)))
    assert len(consumed) == 3  # stopped as soon as the first sentence came back
    assert [r.final for r in replies] == [False, True]
    assert replies[0].text == "Gout is a form of arthritis. [1]"
    assert replies[-1].text == "Gout is a form of arthritis. [1] It causes stiff joints. [1]" and replies[-1].stopped
    assert all(later.text.startswith(earlier.text) for earlier, later in zip(replies, replies[1:]))


def test_an_unfinished_last_sentence_is_never_shown():
    shown = check("Gout is a common form of arthritis. [1] It causes swollen, red")
    assert shown.text.startswith("Gout is a common form of arthritis. [1]\n\n(1 sentence")
    assert shown.sentences[-1].why == "unfinished"


def test_a_decline_and_a_question_without_passages_say_so():
    declined = check("None of the sources above answers the question. [1]")
    assert declined.declined and declined.text == checker.NOT_ANSWERED and not declined.cited
    uncovered = checker.check("Paris is the capital of France.", [], "What is the capital of France?")
    assert uncovered.declined and uncovered.text == checker.NOT_COVERED


def test_copied_passage_headers_are_not_statements():
    """A model that copies the prompt's "[2] Shingles (GHR):" header writes the passage after it: the header is
    dropped, the statement judged, and the same statement under another header is a repeat."""
    shown = check("[2] Shingles (GHR): Anyone who has had chickenpox can get shingles. Gout (MPlusHealthTopics): "
                  "Anyone who has had chickenpox can get shingles.")
    assert shown.text == "Anyone who has had chickenpox can get shingles. [2]" and shown.stopped


def test_a_long_quoted_list_is_cut_to_its_opening_words():
    listing = Hit(1, 3.0, "ghr/9#3", "ghr/9", 3, "GHR", "Gout", "treatment", "What are the treatments for Gout ?",
                  "https://ghr.nlm.nih.gov/condition/gout", "These resources address the diagnosis or management of "
                  "gout: " + " ".join(f"- Genetic Testing Registry: gout type {n}" for n in range(1, 12)))
    shown = checker.check("Drink cherry juice.", [listing], "how is gout treated?")
    quoted = shown.text.split("\u201c")[1].split("\u201d")[0]
    assert shown.quoted and len(quoted.split()) == checker.QUOTE_WORDS + 1 and quoted.endswith(" \u2026")

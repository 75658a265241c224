"""Retrieval (plugins/retrieval): BM25 over a small fixed corpus with known rankings, the cache, leak
exclusion, the minimum score, and the shipped MedQuAD corpus being what its script rebuilds."""

from __future__ import annotations

import gzip
import json
import os
from pathlib import Path

import pandas as pd
import pytest

from plugins.retrieval import corpus as corpus_mod
from plugins.retrieval.index import Retriever
from tests.conftest import REPO

ROWS = [  # id, source, focus, qtype, question, answer
    ("1-1", "MPlusHealthTopics", "Gout", "information", "What is (are) Gout ?",
     "Gout is a common, painful form of arthritis. It causes swollen, red, hot and stiff joints, often the big toe. "
     "Gout happens when uric acid builds up in your body."),
    ("2-1", "MPlusHealthTopics", "Flu", "information", "What is (are) Flu ?",
     "Flu is a respiratory infection caused by influenza viruses. It spreads from person to person by droplets "
     "when people cough or sneeze. A yearly vaccine is the best protection."),
    ("3-1", "NHLBI", "Asthma", "treatment", "What are the treatments for Asthma ?",
     "Asthma is treated with two kinds of medicines: quick-relief inhalers for attacks and long-term control "
     "medicines. People with asthma should also get a yearly flu vaccine."),
    ("4-1", "NHLBI", "Iron-Deficiency Anemia", "symptoms", "What are the symptoms of Iron-Deficiency Anemia ?",
     "Iron-deficiency anemia makes you feel tired and weak, with pale skin, shortness of breath and cold hands."),
    ("5-1", "CDC", "Chickenpox", "prevention", "How to prevent Chickenpox ?",
     "The chickenpox vaccine is the best way to prevent chickenpox. Children should get two doses."),
    ("6-1", "NINDS", "Migraine", "information", "What is (are) Migraine ?",
     "Migraine is a headache disorder with throbbing pain, often on one side of the head, with nausea and "
     "sensitivity to light."),
]


def write_corpus(path: Path, rows=ROWS) -> Path:
    frame = pd.DataFrame(rows, columns=list(corpus_mod.COLUMNS[:-1]))
    frame["url"] = [f"https://medlineplus.gov/{r[2].lower().replace(' ', '')}.html" for r in rows]
    path.parent.mkdir(parents=True, exist_ok=True)
    with gzip.open(path, "wt") as fh:
        frame.to_csv(fh, index=False)
    return path


@pytest.fixture
def project(tmp_path) -> Path:
    write_corpus(tmp_path / "corpus" / "nih.csv.gz")
    return tmp_path


def retriever(project: Path, **block) -> Retriever:
    return Retriever({"corpus": ["corpus/*.csv.gz"], "k": 3, **block}, root=project)


def test_known_rankings(project):
    r = retriever(project)
    assert [h.focus for h in r.search("why does gout make my big toe swell")][0] == "Gout"
    assert r.search("is the flu contagious")[0].focus == "Flu"  # asthma's answer says flu too: the topic wins
    assert r.search("my kid has chickenpox, is there a vaccine")[0].focus == "Chickenpox"
    top = r.search("tired and pale all the time, low iron?")[0]
    assert (top.focus, top.source, top.url) == ("Iron-Deficiency Anemia", "NHLBI",
                                                "https://medlineplus.gov/iron-deficiencyanemia.html")
    assert (top.id, top.pair, top.chunk) == ("nih/4#1", "nih/4", 1) and top.rank == 1 and top.score > 0


def test_weights_decide_what_counts(project):
    """`flu` is the Flu pair's topic and a word in Asthma's answer: with the answer weighted far above the
    topic, and the topic not indexed, the two come much closer than with the focus weighted 3x."""
    focus = retriever(project).search("flu")
    answer_only = retriever(project, fields={"answer": 5}).search("flu")
    gap = lambda hits: hits[0].score / hits[1].score  # noqa: E731
    assert focus[0].focus == "Flu" and gap(focus) > gap(answer_only)


def test_min_score_and_nothing_to_match(project):
    r = retriever(project, min_score=2.0)
    assert r.search("quantum chromodynamics of gluons") == []
    assert r.search("the and of") == []  # stop words only
    assert all(h.score >= 2.0 for h in r.search("flu vaccine"))


def test_a_passage_counts_only_when_the_question_names_its_topic(project):
    """BM25 ranks *some* passage first for any question with a corpus word in it; with min_topic_match the
    question must name the passage's topic, so a question the corpus does not cover finds nothing."""
    question = "why is my big toe red and swollen"
    assert retriever(project).search(question)[0].focus == "Gout"  # plain BM25: the answer's words match
    strict = retriever(project, min_topic_match=0.5)
    assert strict.search(question) == []
    assert [h.focus for h in strict.search("is gout why my big toe is red")] == ["Gout"]
    assert strict.search("iron deficiency anemia")[0].focus == "Iron-Deficiency Anemia"  # 3 of 3 topic words


def test_excluded_pairs_never_come_back(project):
    r = retriever(project, chunk_words=12)
    gout = r.search("gout")[0]
    assert len(r.passages_of(gout.pair)) == 3  # the Gout answer in three passages of whole sentences
    assert not {h.pair for h in r.search("gout", exclude={gout.pair})} & {gout.pair}  # none of its passages


PAGE = ("What is gout? Gout is a common, painful form of arthritis. It causes swollen, red, hot and stiff joints, "
        "often in the big toe. Gout happens when uric acid builds up in your body, e.g. from purines in liver and "
        "dried beans. Dr. Smith et al. studied 1,200 people. You are more likely to get gout if you - Are a man - "
        "Have family members with gout - Are overweight - Drink alcohol - Eat too many foods rich in purines")


def test_chunking_keeps_whole_sentences_and_drops_questions():
    """A fixed page cut into passages of at most 20 words: whole sentences only (abbreviations and initials do not
    end one), the opening question dropped, a list longer than a passage cut at its bullets; nothing else lost."""
    from plugins.retrieval import sentences

    assert sentences.sentences(PAGE)[0] == "What is gout?"
    assert "e.g. from purines in liver and dried beans." in sentences.sentences(PAGE)[3]
    assert sentences.sentences("He cited it. [2] It is rare. [1][3] Gout.") == ["He cited it. [2]",
                                                                               "It is rare. [1][3]", "Gout."]
    chunks = corpus_mod.chunk(PAGE, 20)
    assert chunks == ["Gout is a common, painful form of arthritis.",
                      "It causes swollen, red, hot and stiff joints, often in the big toe.",
                      "Gout happens when uric acid builds up in your body, e.g. from purines in liver and dried beans.",
                      "Dr. Smith et al. studied 1,200 people.",
                      "You are more likely to get gout if you - Are a man - Have family members with gout",
                      "- Are overweight - Drink alcohol - Eat too many foods rich in purines"]
    assert all(sentences.words(c) <= 20 for c in chunks)
    assert " ".join(chunks) == PAGE.removeprefix("What is gout? ")
    assert corpus_mod.chunk(PAGE, 400) == [PAGE.removeprefix("What is gout? ")]  # one passage when it fits


def test_passages_keep_their_page(project):
    """Every passage of a chunked answer carries its page's topic, collection, question type, URL and the pair
    it was cut from, and the index ranks passages: the one that holds the answer."""
    r = retriever(project, chunk_words=12)
    assert [(h.id, h.text) for h in r.passages_of("nih/1")] == [
        ("nih/1#1", "Gout is a common, painful form of arthritis."),
        ("nih/1#2", "It causes swollen, red, hot and stiff joints, often the big toe."),
        ("nih/1#3", "Gout happens when uric acid builds up in your body.")]
    hit = r.search("gout uric acid")[0]
    assert (hit.id, hit.focus, hit.source, hit.qtype, hit.url) == (
        "nih/1#3", "Gout", "MPlusHealthTopics", "information", "https://medlineplus.gov/gout.html")


def test_index_is_cached_by_corpus_and_fields(project):
    first = retriever(project)
    assert first.built_seconds is not None and first.cache_dir.is_dir()
    again = retriever(project)
    assert again.built_seconds is None and again.cache_dir == first.cache_dir  # loaded, not rebuilt
    assert [h.id for h in again.search("asthma inhaler")] == [h.id for h in first.search("asthma inhaler")]
    assert retriever(project, fields={"focus": 1, "answer": 1}).cache_dir != first.cache_dir
    write_corpus(project / "corpus" / "nih.csv.gz", ROWS[:4])
    changed = retriever(project)
    assert changed.cache_dir != first.cache_dir and len(changed.corpus) == 4
    assert not list(changed.cache_dir.parent.glob("*.partial"))


def test_corpus_errors_name_the_file_and_the_problem(tmp_path):
    with pytest.raises(corpus_mod.CorpusError, match="no corpus file matches nothing/\\*.csv"):
        corpus_mod.files(["nothing/*.csv"], tmp_path)
    (tmp_path / "bad.csv").write_text("question,answer\nq,a\n")
    with pytest.raises(corpus_mod.CorpusError, match="bad.csv: missing column\\(s\\) id, source, focus, qtype, url"):
        corpus_mod.read([tmp_path / "bad.csv"])


SHARED = REPO.parent / "shared" / "data" / "medquad"


def test_shipped_corpus_is_the_shared_medquad_rebuilt(tmp_path):
    """data/medquad/*.csv.gz are what scripts/medquad_corpus.py makes from ../shared (byte for byte), each
    under 2 MB; and the shipped corpus alone (a fresh clone) retrieves the right NIH page."""
    shipped = sorted((REPO / "data" / "medquad").glob("*.csv.gz"))
    assert len(shipped) == 7 and all(p.stat().st_size < 2_000_000 for p in shipped)
    r = Retriever({"corpus": ["data/medquad/*.csv.gz"]}, root=REPO, cache=tmp_path / "cache")
    assert len(r.pairs) == 14446 and len(r.corpus) > 3 * len(r.pairs)  # pairs cut into passages
    assert r.search("what is gout")[0].url == "https://www.nlm.nih.gov/medlineplus/gout.html"
    if not SHARED.is_dir():
        pytest.skip(f"{SHARED} absent: the rebuild is checked where the shared data exists")
    from scripts.medquad_corpus import rebuild

    rebuilt = rebuild(SHARED, tmp_path / "rebuilt")
    assert [p.read_bytes() for p in rebuilt] == [p.read_bytes() for p in shipped]
    assert os.path.commonpath([str(p) for p in rebuilt]) == str(tmp_path / "rebuilt")


def _prepare(project: Path, name: str, block: dict, seed: int = 3) -> tuple[pd.DataFrame, dict]:
    """The corpus pairs themselves as training data, prepared with `block` (every row kept)."""
    from plugins import data

    rows = [(r[4], r[5]) for r in ROWS + EXTRA_ROWS]
    pd.DataFrame(rows, columns=["question", "answer"]).to_csv(project / "train.csv", index=False)
    cfg = {"path": "train.csv", "split": {"train": 0.5, "validation": 0.25, "test": 0.25}, "seed": seed,
           "near_duplicates": False}  # keep every row, so the corpus pairs stay in the data
    prepared = data.prepare(cfg, project / name, project, ["question", "answer"],
                            {"corpus": ["corpus/*.csv.gz"], "k": 2, "chunk_words": 12, **block})
    return (pd.read_csv(prepared.path, keep_default_na=False),
            json.loads((project / name / "stats.json").read_text())["retrieval"])


def test_oracle_rows_restate_their_own_passage_at_the_declared_share(tmp_path):
    """RAFT rows: a seeded `oracle_share` of the training and validation rows see their own answer's first passage
    at a seeded place among the others and learn its first sentences, each cited with its [n]; the rest see
    another row's passages and learn to decline; test rows get what the app retrieves and keep their reference."""
    from plugins.retrieval import checker, sentences, sources

    write_corpus(tmp_path / "corpus" / "nih.csv.gz", ROWS + EXTRA_ROWS)
    r = retriever(tmp_path, k=2, chunk_words=12)
    frame, stats = _prepare(tmp_path, "half", {"oracle_share": 0.5, "target_words": 12})
    learning = frame[frame["split"] != 2]
    oracle = learning[learning["answer"] != checker.DECLINE]
    declining = learning[learning["answer"] == checker.DECLINE]
    assert len(oracle) == stats["oracle_rows"] == round(0.5 * len(learning)) and len(learning) == 9
    assert len(declining) == stats["declining_rows"] == len(learning) - len(oracle)
    originals = {r[4]: r for r in ROWS + EXTRA_ROWS}
    positions = set()
    for row in oracle.itertuples():
        own = r.passages_of(f"nih/{list(originals).index(row.question) + 1}")[0]
        lines = row.sources.split("\n")
        [n] = [i + 1 for i, line in enumerate(lines) if line.endswith(own.text)]  # its own first passage, once
        positions.add(n)
        first = sentences.sentences(own.text)[0]
        assert row.answer.startswith(first) and row.answer.endswith(f" [{n}]") and row.answer.count("[") == 1
        assert all(line.startswith(f"[{i}] ") for i, line in enumerate(lines, start=1))
    assert positions == {1, 2}  # the own passage at a seeded place, not always first
    for row in declining.itertuples():
        own = originals[row.question]
        assert own[5].split(". ")[0] not in row.sources  # another row's passages: nothing of its own answer
    for row in frame[frame["split"] == 2].itertuples():
        assert row.answer == originals[row.question][5]  # the reference, as written
        assert row.sources == sources.render(r.search(row.question), r.source_format)  # as the app retrieves
    again, _ = _prepare(tmp_path, "again", {"oracle_share": 0.5, "target_words": 12})
    assert again.equals(frame)  # seeded
    everything, stats = _prepare(tmp_path, "all", {"oracle_share": 1.0})
    assert stats["oracle_rows"] == 9 and stats["declining_rows"] == 0
    assert not (everything["answer"] == checker.DECLINE).any()


def test_answer_measures_on_hand_made_answers():
    """The four measures on answers whose values are known by construction."""
    from plugins.eval import grounding

    passage = "[1] Gout (MPlusHealthTopics): Gout is a painful form of arthritis caused by uric acid crystals."
    assert grounding.support("Gout is arthritis caused by uric acid crystals. [1]", passage) == 1.0  # restated
    assert grounding.support("Drink cranberry juice daily.", passage) == 0.0  # nothing from the sources
    # "gout", "painful" supported; "kidney", "stones" not (stems: gout, pain, kidney, stone): half
    assert grounding.support("Gout: painful kidney stones.", passage) == 0.5
    assert grounding.support("Crystals, pains.", passage) == 1.0  # stems match: crystal, pain
    assert grounding.support("It is.", passage) is None  # no content word: not scored
    reference = "Gout is a painful form of arthritis caused by uric acid crystals."
    assert grounding.completeness(reference, reference) == 1.0
    assert grounding.completeness("Gout is arthritis. [1]", reference) == 3 / 12  # 3 of its 12 words, in order
    shown = ["Gout is arthritis.", "Drink cranberry juice.", "It is.", "not covered", "Gout hurts. Gout hurts."]
    values = grounding.per_answer(shown, [reference] * 5, [passage] * 5, [False, False, False, True, False])
    measures = grounding.summarize(values)
    assert values["groundedness"] == [1.0, 0.0, None, None, 0.5]  # a declined answer has none
    assert values["completeness"][3] == 0.0  # declining recovers nothing
    assert measures["decline_rate"]["value"] == 0.2 and measures["loop_rate"]["value"] == 0.2
    assert measures["groundedness"]["value"] == 0.5 and measures["groundedness"]["scored"] == 3
    assert measures["cites_labelled"]["value"] is None  # not a labelled set
    assert grounding.per_answer(["Gout hurts. Gout hurts."], quoted=[True])["loops"] == [0.0]  # NIH's own words
    diff = grounding.paired([0.1, 0.2, None], [0.3, 0.2, 0.9])
    assert diff["n"] == 2 and abs(diff["diff"] - 0.1) < 1e-9 and diff["low"] <= diff["diff"] <= diff["high"]


def test_lay_question_set_is_labelled_with_corpus_topics():
    """At least 150 questions in two halves, every label a topic of the shipped corpus, each question once."""
    from plugins.retrieval import evaluate

    frame = evaluate.read(REPO / evaluate.QUESTIONS)
    assert len(frame) >= 150 and frame["question"].is_unique and frame["id"].is_unique
    assert set(frame["half"]) == {"build", "report"} and abs((frame["half"] == "build").mean() - 0.5) < 0.05
    topics = set(pd.concat(pd.read_csv(p, dtype=str, keep_default_na=False)["focus"]
                           for p in (REPO / "data" / "medquad").glob("*.csv.gz")))
    assert all(label in topics for labels in frame["labels"] for label in labels)
    assert (frame["question"].str.count(r"\?") >= 2).sum() >= 3  # some messages ask several questions
    dev = evaluate.read(REPO / "data" / "retrieval" / "lay_questions_dev.csv")  # the later development set
    assert len(dev) >= 90 and set(dev["half"]) == {"dev"} and not set(dev["question"]) & set(frame["question"])
    indexed = set(pd.concat(pd.read_csv(p, dtype=str, keep_default_na=False)["focus"]
                            for p in (REPO / "data" / "medquad").glob("[1-8]_*.csv.gz")))  # CDC is held out
    assert all(label in indexed for labels in dev["labels"] for label in labels)


def test_hit_rates_count_a_topic_under_any_collections_name(project):
    from plugins.retrieval import evaluate

    assert evaluate.same_topic("Alzheimer's Disease", "Alzheimer disease")
    assert evaluate.same_topic("Restless Legs", "restless legs syndrome")
    assert not evaluate.same_topic("Diabetes", "Diabetes Insipidus")
    frame = pd.DataFrame({"question": ["why does my big toe swell with gout", "is there a flu vaccine",
                                       "quantum chromodynamics"],
                          "labels": [["Gout"], ["Flu"], ["Migraine"]]})
    rates = evaluate.hit_rates(retriever(project), frame)
    assert (rates["n"], rates["hit@1"], rates["hit@5"]) == (3, 2 / 3, 2 / 3)
    assert [m["question"] for m in rates["misses"]] == ["quantum chromodynamics"]


def test_lay_phrases_and_misspellings_reach_the_right_topic(project):
    """A question in lay words or misspelt still names the topic: `synonyms` adds the corpus's words for a
    phrase, and an unknown word is replaced by the closest indexed one."""
    (project / "synonyms.csv").write_text("phrase,adds\nsick headache,migraine\n")
    plain = retriever(project, min_topic_match=0.5)
    assert plain.search("why do I get sick headaches") == []
    lay = retriever(project, min_topic_match=0.5, synonyms="synonyms.csv")
    assert [h.focus for h in lay.search("why do I get sick headaches")][:1] == ["Migraine"]
    assert plain.terms("bad migrane")[-1] == "migrain"  # "migran" is not indexed; "migrain" is
    assert plain.search("bad migrane")[0].focus == "Migraine"


EXTRA_ROWS = [  # more topics: the query-understanding rules below need a rare word, an abbreviation and Cant syndrome
    ("7-1", "NIHSeniorHealth", "Osteoporosis", "information", "What is (are) Osteoporosis ?",
     "Osteoporosis makes bones weak. Osteoporosis is common after menopause; osteoporosis can be prevented."),
    ("7-2", "NIHSeniorHealth", "Osteoporosis", "prevention", "How to prevent Osteoporosis ?",
     "Calcium, vitamin D and exercise help prevent osteoporosis."),
    ("8-1", "GARD", "Osteopetrosis", "information", "What is (are) Osteopetrosis ?",
     "Osteopetrosis is a rare bone disease in which bones grow abnormally dense."),
    ("9-1", "NINDS", "Multiple Sclerosis", "information", "What is (are) Multiple Sclerosis ?",
     "Multiple sclerosis (MS) is a nervous system disease that affects the brain and spinal cord."),
    ("10-1", "GARD", "Cant syndrome", "information", "What is (are) Cant syndrome ?",
     "Cant syndrome is a rare condition with excess hair growth and heart problems."),
    ("11-1", "CancerGov", "Testicular Cancer", "information", "What is (are) Testicular Cancer ?",
     "Testicular cancer forms in the tissues of one or both testicles. A painless lump is a common sign."),
]


def test_abbreviations_contractions_and_common_spellings(tmp_path):
    """Query understanding the corpus teaches: an abbreviation the corpus defines is expanded ("MS"), a typed
    contraction is not a topic ("i cant sleep" is not Cant syndrome), a misspelling near two words goes to the
    commoner one ("osteoperosis"), and another form of a topic word names it ("testicle" / "testicular")."""
    write_corpus(tmp_path / "corpus" / "nih.csv.gz", ROWS + EXTRA_ROWS)
    r = retriever(tmp_path, min_topic_match=0.5)
    assert r.abbreviations == {"MS": "multiple sclerosis"}
    assert [h.focus for h in r.search("MS relapse, what helps")][:1] == ["Multiple Sclerosis"]
    assert r.search("ms relapse, what helps") == []  # lower-case "ms" is not taken for the abbreviation
    assert [h.focus for h in r.search("what is Cant syndrome")][:1] == ["Cant syndrome"]
    assert all(h.focus != "Cant syndrome" for h in r.search("i cant sleep with this migraine"))
    assert [h.focus for h in r.search("osteoperosis")][:1] == ["Osteoporosis"]
    assert [h.focus for h in r.search("found a painless lump on my testicle")][:1] == ["Testicular Cancer"]


LONG_ROWS = [  # topics that differ only by a qualifier, a topic inside a longer one, a typo near two words
    ("20-1", "MPlusHealthTopics", "Hepatitis B", "information", "What is (are) Hepatitis B ?",
     "Hepatitis B is a liver infection caused by the hepatitis B virus. A blood test finds the surface antigen."),
    ("21-1", "MPlusHealthTopics", "Hepatitis C", "information", "What is (are) Hepatitis C ?",
     "Hepatitis C is a liver infection caused by the hepatitis C virus. A positive blood test means what it found: "
     "antibodies."),
    ("22-1", "MPlusHealthTopics", "Hypothyroidism", "information", "What is (are) Hypothyroidism ?",
     "Hypothyroidism means the thyroid does not make enough thyroid hormone. A blood test measures TSH."),
    ("23-1", "GHR", "congenital hypothyroidism", "information", "What is (are) congenital hypothyroidism ?",
     "Congenital hypothyroidism is a partial or complete loss of thyroid function present at birth. Babies with "
     "congenital hypothyroidism need a blood test: congenital hypothyroidism is found by newborn screening."),
    ("24-1", "MPlusHealthTopics", "Hemorrhoids", "information", "What is (are) Hemorrhoids ?",
     "Hemorrhoids are swollen, inflamed veins around the anus or lower rectum."),
    ("25-1", "GARD", "Hereditary spherocytosis", "information", "What is (are) Hereditary spherocytosis ?",
     "Red blood cells are spheroid rather than disc shaped. Spheroid cells break down early. A spheroid cell "
     "is fragile; spheroid shapes show on a blood smear."),
    ("26-1", "NHLBI", "Kawasaki Disease", "information", "What is (are) Kawasaki Disease ?",
     "Kawasaki disease is a rare childhood disease. It makes the walls of the blood vessels become inflamed."),
]


def test_messages_name_their_topic_wholly(tmp_path):
    """Long messages name topics in passing: a topic named wholly ranks before one named in part ("hypothyroid"
    is Hypothyroidism before Congenital hypothyroidism), a one-letter qualifier counts ("hepatitis B" is not
    Hepatitis C), a word any topic carries does not ("Hendra virus disease" is not Kawasaki Disease), and a typo
    keeps its first letters ("hemroids" is hemorrhoids, not spheroid)."""
    write_corpus(tmp_path / "corpus" / "nih.csv.gz", ROWS + LONG_ROWS)
    r = retriever(tmp_path, min_topic_match=0.5)
    assert r.search("i was told i have hypothyroid after a blood test")[0].focus == "Hypothyroidism"
    assert r.search("positive blood test for hepatitis B, what now")[0].focus == "Hepatitis B"
    assert r.search("my hepatitis C blood test was positive")[0].focus == "Hepatitis C"
    assert r.search("who is at risk for hendra virus disease?") == []  # "disease" names no topic
    assert r.terms("i think its hemroids")[-1] == "hemorrhoid"
    assert [h.focus for h in r.search("i think its hemroids")][:1] == ["Hemorrhoids"]


def test_some_training_questions_are_asked_as_people_write(tmp_path):
    """With message_share, a seeded share of the training and validation questions is asked inside a message (a
    subject line, who asks, a closing) naming the row's topic; the question itself is kept whole, its passages are
    retrieved for the message; test questions are never wrapped."""
    write_corpus(tmp_path / "corpus" / "nih.csv.gz", ROWS + EXTRA_ROWS)
    plain, _ = _prepare(tmp_path, "plain", {"oracle_share": 1.0})
    wrapped, stats = _prepare(tmp_path, "wrapped", {"oracle_share": 1.0, "message_share": 0.5})
    changed = wrapped["question"] != plain["question"]
    assert changed.sum() == stats["message_rows"] == round(0.5 * (plain["split"] != 2).sum())
    assert not (changed & (plain["split"] == 2)).any()
    topics = {r[4]: r[2] for r in ROWS + EXTRA_ROWS}
    for before, after in zip(plain.loc[changed, "question"], wrapped.loc[changed, "question"]):
        assert before in after and len(after) > len(before) and topics[before] in after.replace(before, "")
    assert (wrapped["answer"] == plain["answer"]).all()  # the same targets: the story changes nothing

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
    assert top.id == "nih/4" and top.rank == 1 and top.score > 0


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
    r = retriever(project)
    gout = r.search("gout")[0]
    assert gout.id not in {h.id for h in r.search("gout", exclude={gout.id})}


def test_passages_are_cut_to_the_spec_length(project):
    text = retriever(project, passage_words=5).search("gout")[0].text
    assert text == "Gout is a common, painful …"


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
    assert len(r.corpus) == 14446
    assert r.search("what is gout")[0].url == "https://www.nlm.nih.gov/medlineplus/gout.html"
    if not SHARED.is_dir():
        pytest.skip(f"{SHARED} absent: the rebuild is checked where the shared data exists")
    from scripts.medquad_corpus import rebuild

    rebuilt = rebuild(SHARED, tmp_path / "rebuilt")
    assert [p.read_bytes() for p in rebuilt] == [p.read_bytes() for p in shipped]
    assert os.path.commonpath([str(p) for p in rebuilt]) == str(tmp_path / "rebuilt")


def test_training_rows_never_get_their_own_pair(project):
    """Data preparation with `retrieval:` gives each row its question's passages, but never the row's own
    pair or a near-duplicate of it (the model must learn to use sources, not to copy the reference)."""
    from plugins import data
    from plugins.retrieval import sources

    own = [(r[4], r[5]) for r in ROWS]  # the corpus pairs themselves as training rows ...
    reworded = [("Which treatments exist for asthma?", ROWS[2][5]),  # ... a reworded one with the same answer
                ("Why is my big toe swollen and hot at night?", "It may be gout; see a doctor."),
                ("Can flu spread at school?", "Yes, by droplets when children cough."),
                ("Do children need a chickenpox vaccine?", "Yes, two doses."),
                ("What helps a migraine?", "Rest in a dark room and pain relief."),
                ("Why am I always tired?", "Many causes, among them anemia.")]
    pd.DataFrame(own + reworded, columns=["question", "answer"]).to_csv(project / "train.csv", index=False)
    cfg = {"path": "train.csv", "split": {"train": 0.5, "validation": 0.25, "test": 0.25}, "seed": 3,
           "near_duplicates": False}  # keep every row, so the corpus pairs stay in the data
    prepared = data.prepare(cfg, project / "prepared", project, ["question", "answer"],
                            {"corpus": ["corpus/*.csv.gz"], "k": 2, "passage_words": 12})
    frame = pd.read_csv(prepared.path, keep_default_na=False)
    found = frame[sources.COLUMN].str.startswith("[1] ")
    assert len(frame) == 12 and (found | (frame[sources.COLUMN] == sources.NOT_FOUND)).all()
    for question, answer in own + reworded[:1]:
        row = frame[frame["question"] == question].iloc[0]
        assert corpus_mod.passage(answer, 12) not in row[sources.COLUMN], question
    gout = frame[frame["question"] == reworded[1][0]].iloc[0]
    assert gout[sources.COLUMN].startswith("[1] Gout (MPlusHealthTopics): Gout is a common")  # a new question: found
    stats = json.loads((project / "prepared" / "stats.json").read_text())["retrieval"]
    assert stats["rows_with_sources"] == found.sum() >= 8 and stats["leaking_passages_dropped"] >= 7


def test_groundedness_on_hand_made_answers():
    """The measure on answers whose support is known by construction."""
    from plugins.eval import grounding

    passage = "[1] Gout (MPlusHealthTopics): Gout is a painful form of arthritis caused by uric acid crystals."
    assert grounding.support("Gout is arthritis caused by uric acid crystals [1].", passage) == 1.0  # restated
    assert grounding.support("Drink cranberry juice daily.", passage) == 0.0  # nothing from the sources
    # "gout", "painful" supported; "kidney", "stones" not (stems: gout, pain, kidney, stone): half
    assert grounding.support("Gout: painful kidney stones.", passage) == 0.5
    assert grounding.support("Crystals, pains.", passage) == 1.0  # stems match: crystal, pain
    assert grounding.support("It is.", passage) is None  # no content word: not scored
    summary = grounding.summarize(["Gout is arthritis.", "Drink cranberry juice.", "It is."], [passage] * 3)
    assert (summary["value"], summary["scored"], summary["n"]) == (0.5, 2, 3)
    assert summary["low"] <= 0.5 <= summary["high"]
    with pytest.raises(ValueError):
        grounding.summarize(["a"], [])


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


def test_some_training_rows_learn_that_unrelated_sources_do_not_answer(project):
    """With unhelpful_share, a seeded share of the training rows get another question's passages and the answer
    "the sources do not answer this"; validation and test rows keep their own passages and answers."""
    from plugins import data
    from plugins.retrieval import sources

    rows = [(r[4], r[5]) for r in ROWS] + [(f"What is {r[2]} like in children?", f"{r[2]} in children: see a doctor.")
                                          for r in ROWS]
    pd.DataFrame(rows, columns=["question", "answer"]).to_csv(project / "train.csv", index=False)
    cfg = {"path": "train.csv", "split": {"train": 0.5, "validation": 0.25, "test": 0.25}, "seed": 3,
           "near_duplicates": False}
    block = {"corpus": ["corpus/*.csv.gz"], "k": 2, "passage_words": 12}
    plain = pd.read_csv(data.prepare(cfg, project / "plain", project, ["question", "answer"], block).path,
                        keep_default_na=False)
    mixed = pd.read_csv(data.prepare(cfg, project / "mixed", project, ["question", "answer"],
                                     {**block, "unhelpful_share": 0.5}).path, keep_default_na=False)
    changed = mixed["answer"] != plain["answer"]
    assert (mixed.loc[changed, "answer"] == sources.UNHELPFUL_ANSWER).all() and (mixed.loc[changed, "split"] == 0).all()
    assert changed.sum() == round(0.5 * ((plain["split"] == 0) & (plain[sources.COLUMN] != sources.NOT_FOUND)).sum())
    assert (mixed.loc[changed, sources.COLUMN] != plain.loc[changed, sources.COLUMN]).all()  # another row's passages
    assert mixed.loc[~changed].equals(plain.loc[~changed])
    stats = json.loads((project / "mixed" / "stats.json").read_text())["retrieval"]
    assert stats["unhelpful_rows"] == changed.sum()

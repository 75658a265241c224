"""A grounded run on the tiny model: the spec's retrieval block reaches training (each row's passages in the
prompt, as Ludwig builds it), and the app retrieves the same passages for the same question, cites them with
their NIH links, and says plainly when nothing in the corpus covers a question instead of answering."""

from __future__ import annotations

import pandas as pd
import pytest
import yaml

from plugins.app import ui
from plugins.app.assistant import Assistant
from plugins.retrieval import sources
from tests.conftest import REPO, make_project, run_module

TEMPLATE = ("<|im_start|>system\nYou are a careful medical assistant. Answer only from the numbered NIH sources "
            "and cite them like [1].\nSources:\n{sources}<|im_end|>\n<|im_start|>user\n{question}<|im_end|>\n"
            "<|im_start|>assistant\n")
RETRIEVAL = {"corpus": ["data/medquad/*.csv.gz"], "k": 2, "passage_words": 25, "min_score": 3.0,
             "min_topic_match": 0.5}


@pytest.fixture(scope="module")
def grounded(tmp_path_factory):
    project = make_project(tmp_path_factory.mktemp("grounded") / "project", writable=True)
    (project / "data" / "medquad").symlink_to(REPO / "data" / "medquad")
    raw = yaml.safe_load((REPO / "specs" / "smoke-tiny.yaml").read_text())
    raw["prompt"]["template"] = TEMPLATE
    raw["preprocessing"]["global_max_sequence_length"] = 384
    raw["medical_llm"]["retrieval"] = RETRIEVAL
    (project / "specs" / "grounded-smoke.yaml").write_text(yaml.safe_dump(raw, sort_keys=False))
    result = run_module(project, "plugins.train", "specs/grounded-smoke.yaml")
    assert result.returncode == 0, result.stderr[-3000:]
    run = (project / "runs" / "latest").resolve()
    return project, run, Assistant(run, project)


def test_training_saw_each_question_with_its_passages(grounded):
    """Every prepared row carries its passages, and Ludwig's own prompt for a row is what the app builds."""
    from ludwig.backend import LOCAL_BACKEND
    from ludwig.data.prompt import format_input_with_prompt

    _, run, assistant = grounded
    data = pd.read_csv(run / "data" / "dataset.csv", keep_default_na=False)
    assert data[sources.COLUMN].str.len().min() > 0
    row = data[data["split"] == 2].iloc[[0]]
    ludwig = format_input_with_prompt("question", row, LOCAL_BACKEND, None, template=TEMPLATE).iloc[0]
    assert assistant.prepare(row["question"].iloc[0]).prompt == ludwig  # same passages, same prompt


def test_answers_cite_numbered_nih_sources(grounded):
    _, _, assistant = grounded
    prepared = assistant.prepare("What is gout?")
    assert prepared.sources and prepared.sources[0].focus == "Gout"
    steps = list(ui.answer(assistant, "What is gout?", False, 0.0, 1.0, 8, 1.0))
    *_, (_, _, _, answer, _, cited, shown) = steps
    assert answer and answer != sources.NOT_COVERED
    assert "[1] [Gout](https://www.nlm.nih.gov/medlineplus/gout.html)" in cited
    assert "Gout is a common, painful form of arthritis" in shown
    assert "trusted NIH passages" in assistant.describe()


def test_a_question_outside_the_corpus_is_not_guessed(grounded, monkeypatch):
    _, _, assistant = grounded
    monkeypatch.setattr(assistant, "stream", lambda *a, **k: pytest.fail("generated without a source"))
    [(_, _, box, answer, base, cited, shown)] = list(ui.answer(assistant, "Who won the football world cup in 1954?",
                                                               False, 0.0, 1.0, 8, 1.0))
    assert answer == sources.NOT_COVERED and box["visible"] and cited == shown == ""


def test_triage_still_comes_first(grounded):
    _, _, assistant = grounded
    [(urgent, _, box, answer, *_)] = list(ui.answer(assistant, "i want to kill myself", False, 0.0, 1.0, 8, 1.0))
    assert urgent["visible"] and box["visible"] is False and answer == ""


def test_the_api_cites_the_same_sources(grounded):
    """`make serve`'s API (in process): the answer's text ends with the numbered NIH sources, which come back
    structured in `medical_llm.sources`; a question outside the corpus gets the plain answer, nothing generated."""
    from fastapi.testclient import TestClient

    from plugins.app.api import Server

    _, _, assistant = grounded
    client = TestClient(Server(assistant).app())
    ask = lambda q: client.post("/v1/chat/completions", json={  # noqa: E731
        "model": assistant.spec_name, "max_tokens": 8, "messages": [{"role": "user", "content": q}]}).json()
    reply = ask("What is gout?")
    cited = reply["medical_llm"]["sources"]
    assert cited[0]["focus"] == "Gout" and cited[0]["url"] == "https://www.nlm.nih.gov/medlineplus/gout.html"
    assert "Sources:\n[1] Gout (MPlusHealthTopics): https://www.nlm.nih.gov/medlineplus/gout.html" in (
        reply["choices"][0]["message"]["content"])
    outside = ask("Who won the football world cup in 1954?")
    assert outside["medical_llm"]["sources"] == [] and outside["usage"]["completion_tokens"] == 0
    assert outside["choices"][0]["message"]["content"].startswith(sources.NOT_COVERED)


def test_compare_scores_groundedness_with_the_passages(grounded):
    """`make compare` on a grounded run: Ludwig generates with each test row's passages in the prompt, and both
    models' answers get a groundedness score against those passages."""
    import json

    project, run, _ = grounded
    result = run_module(project, "plugins.eval.compare", str(run))
    assert result.returncode == 0, result.stderr[-3000:]
    metrics = json.loads((run / "eval" / "metrics.json").read_text())
    for system in ("base", "fine_tuned"):
        g = metrics["groundedness"][system]
        assert g["n"] == metrics["rows"] and (g["value"] is None or 0 <= g["low"] <= g["value"] <= g["high"] <= 1)
    assert "## Groundedness" in (run / "eval" / "comparison.md").read_text()
    reported = run_module(project, "plugins.eval.report", str(run))
    assert reported.returncode == 0, reported.stderr[-3000:]
    assert "## Groundedness" in next((project / "reports").rglob("report.md")).read_text()
    assert "groundedness" in (project / "reports" / "leaderboard.md").read_text()


def test_a_grounded_run_is_not_exported_without_its_retrieval(grounded):
    project, run, _ = grounded
    result = run_module(project, "plugins.export", str(run))
    assert result.returncode == 2 and "is grounded" in result.stderr and "make serve RUN=" in result.stderr
    assert not (project / "exports").exists()

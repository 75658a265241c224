"""A grounded run on the tiny model: the spec's retrieval block reaches training (each row's passages in the
prompt, as Ludwig builds it), and the app retrieves the same passages for the same question, cites them with
their NIH links, and says plainly when nothing in the corpus covers a question instead of answering."""

from __future__ import annotations

import shutil

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
HELD_OUT = {"path": "data/medquad/9_CDC_QA.csv.gz", "max_samples": 6, "against": "specs/smoke-tiny.yaml"}
RETRIEVAL = {"corpus": ["data/medquad/[1-8]_*.csv.gz"], "k": 2, "passage_words": 25, "min_score": 3.0,
             "min_topic_match": 0.5, "held_out": HELD_OUT}


@pytest.fixture(scope="module")
def grounded(tmp_path_factory):
    project = make_project(tmp_path_factory.mktemp("grounded") / "project", writable=True)
    for shipped in ("medquad", "retrieval"):  # the corpus; the lay questions the report scores retrieval on
        (project / "data" / shipped).symlink_to(REPO / "data" / shipped)
    shutil.copy(REPO / HELD_OUT["against"], project / "specs")  # the ungrounded spec the held-out block names
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


def test_browser_shows_numbered_nih_citations_and_says_not_covered(grounded):
    """The real page in headless chromium on the grounded run: a covered question's answer carries citation [1]
    linking to its top passage's NIH page, with the passages collapsed below until opened; a question outside
    the corpus gets the plain "not covered" answer and no citation."""
    import os
    import time

    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    from tests import browser
    from tests.conftest import offline_env

    if os.environ.get("MEDICAL_LLM_SKIP_BROWSER") == "1" and os.environ.get("CI") != "true":
        pytest.skip("MEDICAL_LLM_SKIP_BROWSER=1 (never honoured in CI)")
    project, run, assistant = grounded
    covered, outside = "What is gout?", "What is the capital of France?"
    retriever = assistant.retriever  # the run's own retrieval block and index, as the app builds it
    [top, *_] = retriever.search(covered)
    url = retriever.corpus.iloc[retriever.positions[top.id]]["url"]  # the corpus row's NIH page
    assert url == top.url and ".nih.gov/" in url
    assert retriever.search(outside) == []
    try:
        driver = browser.chromium()
    except browser.BrowserMissing as e:
        pytest.fail(f"the browser test needs Debian's chromium: {e}")

    def ask(message: str) -> None:
        box = driver.find_element(By.CSS_SELECTOR, "#question textarea")
        box.clear()
        box.send_keys(message)
        driver.find_element(By.ID, "ask").click()

    def answer() -> str:
        return driver.find_element(By.CSS_SELECTOR, "#answer textarea").get_attribute("value")

    def settled(seconds: float = 2.0, timeout: float = 120) -> str:
        """The answer once it is non-empty and has not changed for `seconds` (the stream has ended)."""
        deadline, last, since = time.time() + timeout, None, time.time()
        while time.time() < deadline:
            now = answer()
            if now != last:
                last, since = now, time.time()
            elif now and time.time() - since >= seconds:
                return now
            time.sleep(0.1)
        pytest.fail(f"the answer did not settle within {timeout:.0f} s (last: {last!r})")

    def links(selector: str) -> list:
        return driver.find_elements(By.CSS_SELECTOR, f"{selector} a")

    try:
        with browser.serve(["--run", str(run), "--engine", "transformers"], project, offline_env()) as page:
            assert page.startswith("http://127.0.0.1:")
            driver.get(page)
            wait = WebDriverWait(driver, 120)
            wait.until(lambda d: d.find_element(By.CSS_SELECTOR, "#question textarea"))
            assert "trusted NIH passages" in driver.find_element(By.ID, "run-info").text

            ask(covered)  # (1) covered: citation [1] links to the top hit's NIH page
            WebDriverWait(driver, 60).until(lambda d: links("#citations"), "no citation link under the answer")
            assert settled() != sources.NOT_COVERED
            cited = driver.find_element(By.ID, "citations").text
            assert f"[1] {top.focus}" in cited, cited
            first = links("#citations")[0]
            assert first.get_attribute("href") == url and first.text == top.focus
            passages_box = driver.find_element(By.ID, "passages-box")
            assert passages_box.is_displayed() and "passages" in passages_box.text
            opening = " ".join(top.text.split()[:6])
            shown = [e for e in driver.find_elements(By.ID, "passages") if e.is_displayed()]
            assert not shown and opening not in passages_box.text  # collapsed: the passage is not on view
            passages_box.find_element(By.CSS_SELECTOR, "button.label-wrap").click()
            wait.until(lambda d: any(e.is_displayed() for e in d.find_elements(By.ID, "passages")))
            opened = driver.find_element(By.ID, "passages")
            assert opening in " ".join(opened.text.split()) and f"[1] {top.focus}" in opened.text
            assert url in [a.get_attribute("href") for a in links("#passages")]

            ask(outside)  # (2) outside the corpus: the plain answer, nothing cited
            wait.until(lambda d: answer() == sources.NOT_COVERED)
            WebDriverWait(driver, 10).until(lambda d: not links("#citations") and not links("#passages"),
                                            "a citation link stayed under the not-covered answer")
            assert settled() == sources.NOT_COVERED and not driver.find_element(By.ID, "citations").text.strip()
    finally:
        driver.quit()


@pytest.fixture(scope="module")
def compared(grounded):
    """`make compare` then `make report` on the grounded run, with the ungrounded run its held-out block names."""
    import json

    project, run, _ = grounded
    alone = run_module(project, "plugins.eval.compare", str(run))  # before the ungrounded run exists
    assert alone.returncode == 0, alone.stderr[-3000:]
    held = json.loads((run / "eval" / "held_out.json").read_text())
    assert "grounded_minus_ungrounded" not in held and "make train SPEC=specs/smoke-tiny.yaml" in held[
        "against_missing"]
    assert "No ungrounded answers to compare with" in (run / "eval" / "comparison.md").read_text()
    for args in (("plugins.train", HELD_OUT["against"]), ("plugins.eval.compare", str(run)),
                 ("plugins.eval.report", str(run))):
        result = run_module(project, *args)
        assert result.returncode == 0, result.stderr[-3000:]
    return project, run


def test_compare_scores_groundedness_with_the_passages(compared):
    """`make compare` on a grounded run: Ludwig generates with each test row's passages in the prompt, and both
    models' answers get a groundedness score against those passages."""
    import json

    project, run = compared
    metrics = json.loads((run / "eval" / "metrics.json").read_text())
    for system in ("base", "fine_tuned"):
        g = metrics["groundedness"][system]
        assert g["n"] == metrics["rows"] and (g["value"] is None or 0 <= g["low"] <= g["value"] <= g["high"] <= 1)
    assert "## Groundedness" in (run / "eval" / "comparison.md").read_text()
    assert "## Groundedness" in next((project / "reports").rglob("report.md")).read_text()
    assert "groundedness" in (project / "reports" / "leaderboard.md").read_text()


def test_compare_answers_the_held_out_collection_with_both_runs(compared):
    """The held-out collection (CDC: neither trained on nor indexed) is answered by the grounded run from its
    passages, "not covered" where none are found, and by the ungrounded run; both scored on the same questions."""
    import json

    from plugins.eval import held_out
    from plugins.retrieval.index import Retriever

    project, run = compared
    out = run / "eval"
    result = json.loads((out / "held_out.json").read_text())
    answers = pd.read_csv(out / "held_out.csv", keep_default_na=False)
    expected = held_out.questions(HELD_OUT, project)
    assert answers["question"].tolist() == expected["question"].tolist() and result["questions"] == 6
    trained = set(pd.read_csv(run / "data" / "dataset.csv", keep_default_na=False)["question"])
    assert not trained & set(answers["question"])  # nobody trained on them ...
    retriever = Retriever(RETRIEVAL, project)
    assert not any(h.source == "CDC" for q in answers["question"] for h in retriever.search(q))  # ... or indexed
    covered = answers[sources.COLUMN] != sources.NOT_FOUND
    assert result["with_passages"] == covered.sum()
    assert (answers.loc[~covered, "grounded"] == sources.NOT_COVERED).all()
    assert result["runs"]["ungrounded"] == f"smoke-tiny/{(project / 'runs' / 'smoke-tiny' / 'latest').resolve().name}"
    for system in ("grounded", "ungrounded"):
        assert 0 <= result["rougeL"][system]["low"] <= result["rougeL"][system]["value"] <= 1
    diff = result["grounded_minus_ungrounded"]["rougeL"]
    assert diff["low"] <= diff["diff"] <= diff["high"]
    assert "## Held-out collection" in (out / "comparison.md").read_text()
    assert "### Held-out collection" in next((project / "reports").rglob("grounded-smoke/*/report.md")).read_text()


def test_a_grounded_run_is_not_exported_without_its_retrieval(grounded):
    project, run, _ = grounded
    result = run_module(project, "plugins.export", str(run))
    assert result.returncode == 2 and "is grounded" in result.stderr and "make serve RUN=" in result.stderr
    assert not (project / "exports").exists()

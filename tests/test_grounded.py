"""A grounded run on the tiny model: the spec's retrieval block reaches training (oracle rows restating their own
passage, the rest declining; test rows as the app retrieves them), the app and the API show only checked sentences
with their citations and say plainly when nothing in the corpus covers a question, and `make compare` measures
the answers on three sets beside an ungrounded run."""

from __future__ import annotations

import json
import shutil

import pandas as pd
import pytest
import yaml

from plugins.app import chat_ui
from plugins.app.assistant import Assistant
from plugins.retrieval import checker, sentences, sources
from tests.conftest import REPO, make_project, run_module

TEMPLATE = ("<|im_start|>system\nYou are a careful medical assistant. Answer only from the numbered NIH sources "
            "and cite them like [1].\nSources:\n{sources}<|im_end|>\n<|im_start|>user\n{question}<|im_end|>\n"
            "<|im_start|>assistant\n")
AGAINST = "specs/smoke-tiny.yaml"
HELD_OUT = {"path": "data/medquad/9_CDC_QA.csv.gz", "max_samples": 6}
RETRIEVAL = {"corpus": ["data/medquad/[1-8]_*.csv.gz"], "k": 2, "chunk_words": 25, "min_score": 3.0,
             "min_topic_match": 0.5, "oracle_share": 0.8, "target_words": 20, "against": AGAINST,
             "held_out": HELD_OUT, "lay_questions": {"path": "data/retrieval/lay_questions.csv", "half": "report"}}
DATA = {"path": "data/medquad/[1-8]_*.csv.gz", "keep_columns": ["qtype", "source"], "max_words": {"answer": 60},
        "max_samples": 40, "split": {"train": 0.5, "validation": 0.25, "test": 0.25}, "seed": 7}


@pytest.fixture(scope="module")
def grounded(tmp_path_factory):
    project = make_project(tmp_path_factory.mktemp("grounded") / "project", writable=True)
    for shipped in ("medquad", "retrieval"):  # the corpus; the lay questions the report scores retrieval on
        (project / "data" / shipped).symlink_to(REPO / "data" / shipped)
    shutil.copy(REPO / AGAINST, project / "specs")  # the ungrounded spec the block compares with
    raw = yaml.safe_load((REPO / "specs" / "smoke-tiny.yaml").read_text())
    raw["prompt"]["template"] = TEMPLATE
    raw["preprocessing"]["global_max_sequence_length"] = 384
    raw["medical_llm"].update(retrieval=RETRIEVAL, data=DATA)
    (project / "specs" / "grounded-smoke.yaml").write_text(yaml.safe_dump(raw, sort_keys=False))
    result = run_module(project, "plugins.train", "specs/grounded-smoke.yaml")
    assert result.returncode == 0, result.stderr[-3000:]
    run = (project / "runs" / "latest").resolve()
    return project, run, Assistant(run, project)


def test_training_saw_each_question_with_its_passages(grounded):
    """Training and validation rows restate their own answer's passage or decline; a test row's prompt, as Ludwig
    builds it, is what the app builds for its question (the same passages, retrieved the same way)."""
    from ludwig.backend import LOCAL_BACKEND
    from ludwig.data.prompt import format_input_with_prompt

    _, run, assistant = grounded
    data = pd.read_csv(run / "data" / "dataset.csv", keep_default_na=False)
    assert data[sources.COLUMN].str.len().min() > 0
    stats = json.loads((run / "data" / "stats.json").read_text())["retrieval"]
    learning = data[data["split"] != 2]
    assert stats["oracle_rows"] == round(0.8 * len(learning)) and stats["declining_rows"] == len(learning) - stats[
        "oracle_rows"] and (learning["answer"] == checker.DECLINE).sum() == stats["declining_rows"]
    restating = learning[learning["answer"] != checker.DECLINE]
    assert restating["answer"].str.fullmatch(r".+ \[[12]\]").all()  # each target cites the passage it restates
    row = data[data["split"] == 2].iloc[[0]]
    ludwig = format_input_with_prompt("question", row, LOCAL_BACKEND, None, template=TEMPLATE).iloc[0]
    assert assistant.prepare(row["question"].iloc[0]).prompt == ludwig  # same passages, same prompt


def test_answers_show_only_checked_sentences_with_their_citations(grounded):
    """The app's answer for a covered question: the checked answer (only sentences their passage supports, or the
    best passage quoted), each [n] a link to the NIH page it cites with the passage as its title; the citations
    and the passages below."""
    _, _, assistant = grounded
    prepared = assistant.prepare("What is gout?")
    assert prepared.sources and prepared.sources[0].focus == "Gout"
    *_, final = assistant.replies(prepared, assistant.defaults)
    expected = checker.check(final.generated, prepared.sources, prepared.question, assistant.retriever.min_support)
    assert final.text == expected.text and final.final and final.tokens > 0
    steps = list(chat_ui.answer(assistant, "What is gout?", False, 0.0, 1.0, 8, 1.0))
    *_, (_, _, _, plain, cited_answer, _, cited, shown) = steps
    assert plain["visible"] is False and cited_answer["visible"] is True  # the cited answer replaces the text box
    assert cited_answer["value"] == sources.cited_answer(final.text, prepared.sources)
    top = prepared.sources[final.cited[0] - 1]
    assert f"[\\[{top.rank}\\]]({top.url} \"{top.focus} ({top.source}): " in cited_answer["value"]
    assert "[1] [Gout](https://www.nlm.nih.gov/medlineplus/gout.html)" in cited
    assert "Gout is a common, painful form of arthritis" in shown
    assert "trusted NIH passages" in assistant.describe()


def test_a_question_outside_the_corpus_is_not_guessed(grounded, monkeypatch):
    _, _, assistant = grounded
    monkeypatch.setattr(assistant, "stream", lambda *a, **k: pytest.fail("generated without a source"))
    steps = list(chat_ui.answer(assistant, "Who won the football world cup in 1954?", False, 0.0, 1.0, 8, 1.0))
    *_, (_, _, box, _, answer, base, cited, shown) = steps
    assert answer["value"] == sources.NOT_COVERED and box["visible"] and cited == shown == ""


def test_triage_still_comes_first(grounded):
    _, _, assistant = grounded
    [(urgent, _, box, _, answer, *_)] = list(chat_ui.answer(assistant, "i want to kill myself", False, 0.0, 1.0, 8,
                                                            1.0))
    assert urgent["visible"] and box["visible"] is False and answer["value"] == ""


def test_the_api_returns_each_sentences_attribution_through_the_openai_client(grounded):
    """`make serve`'s API with the official `openai` client (in process): the answer text is the checked answer
    followed by the numbered NIH sources; `medical_llm` carries the sources, the text as generated and each
    sentence's attribution (cited passage, support, kept or why removed); streamed, the chunks add up to the same
    checked answer. A question outside the corpus gets the plain answer, nothing generated."""
    from fastapi.testclient import TestClient
    from openai import OpenAI

    from plugins.app.api import Server

    _, _, assistant = grounded
    client = OpenAI(base_url="http://testserver/v1", api_key="not-needed", max_retries=0,
                    http_client=TestClient(Server(assistant).app()))
    ask = lambda q, **kw: client.chat.completions.create(  # noqa: E731
        model=assistant.spec_name, max_tokens=12, messages=[{"role": "user", "content": q}], **kw)
    reply = ask("What is gout?")
    extra = reply.model_extra["medical_llm"]
    assert extra["sources"][0]["focus"] == "Gout" and extra["sources"][0]["url"].endswith("/gout.html")
    prepared = assistant.prepare("What is gout?")
    expected = checker.check(extra["generated"], prepared.sources, prepared.question, assistant.retriever.min_support)
    assert extra["answer"] == expected.text and extra["attribution"] == expected.attribution()
    assert extra["removed"] == expected.removed and extra["quoted"] == expected.quoted
    content = reply.choices[0].message.content
    assert content.startswith(expected.text) and "Sources:\n[1] Gout (MPlusHealthTopics): https://www.nlm.nih.gov" \
        "/medlineplus/gout.html" in content
    chunks = list(ask("What is gout?", stream=True))
    assert "".join(c.choices[0].delta.content or "" for c in chunks if c.choices) == content
    assert chunks[-1].model_extra["medical_llm"]["attribution"] == expected.attribution()
    outside = ask("Who won the football world cup in 1954?")
    assert outside.model_extra["medical_llm"]["sources"] == [] and outside.usage.completion_tokens == 0
    assert outside.choices[0].message.content.startswith(sources.NOT_COVERED)


def test_browser_shows_per_sentence_citations_and_says_not_covered(grounded):
    """The real page in headless chromium on the grounded run: a covered question's checked answer shows each
    sentence's [n] as a link to the NIH page of the passage it cites, the passage itself as the link's title (on
    hover); the citations list [1] with the top passage's page, the passages collapsed below until opened; a
    question outside the corpus gets the plain "not covered" answer and no citation."""
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
    retriever_hits = retriever.search(covered)
    top = retriever_hits[0]
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
        WebDriverWait(driver, 60).until(lambda d: d.find_element(By.ID, "ask")).click()  # may render a moment later

    def answer() -> str:
        return " ".join(driver.find_element(By.ID, "cited-answer").text.split())

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

            ask(covered)  # (1) covered: each shown sentence's [n] links to its passage's NIH page
            WebDriverWait(driver, 60).until(lambda d: links("#citations"), "no citation link under the answer")
            text = settled()
            assert text != sources.NOT_COVERED and not any(e.is_displayed() for e in driver.find_elements(By.ID,
                                                                                                  "answer"))
            *_, final = assistant.replies(assistant.prepare(covered), assistant.defaults)
            assert text == " ".join(final.text.split())  # the checked answer, as the assistant gives it
            marks = links("#cited-answer")
            assert [m.text for m in marks] == [f"[{n}]" for n in sentences.markers(final.text)] and marks
            for mark in marks:
                hit = retriever_hits[int(mark.text.strip("[]")) - 1]
                assert mark.get_attribute("href") == hit.url
                assert mark.get_attribute("title") == f"{hit.focus} ({hit.source}): {hit.text}".replace('"', "'")
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
    """`make compare` then `make report` on the grounded run, with the ungrounded run its block names."""
    project, run, _ = grounded
    alone = run_module(project, "plugins.eval.compare", str(run))  # before the ungrounded run exists
    assert alone.returncode == 0, alone.stderr[-3000:]
    result = json.loads((run / "eval" / "grounded.json").read_text())
    assert set(result["sets"]) == {"test", "lay", "held_out"}
    assert all(set(s["measures"]) == {"grounded"} for s in result["sets"].values())
    assert f"make train SPEC={AGAINST}" in result["against_missing"]
    assert "No ungrounded answers to compare with" in (run / "eval" / "comparison.md").read_text()
    for args in (("plugins.train", AGAINST), ("plugins.eval.compare", str(run)), ("plugins.eval.report", str(run))):
        done = run_module(project, *args)
        assert done.returncode == 0, done.stderr[-3000:]
    return project, run


def test_compare_scores_shown_answers_with_the_four_measures(compared):
    """`make compare` on a grounded run: both models answer the test questions from their passages, every answer
    checked as the app checks it, scored as shown: ROUGE/BLEU and groundedness, completeness, declines, loops."""
    project, run = compared
    metrics = json.loads((run / "eval" / "metrics.json").read_text())
    answers = pd.read_csv(run / "eval" / "answers.csv", keep_default_na=False)
    for system in ("base", "fine_tuned"):
        m = metrics["answer_measures"][system]
        assert m["completeness"]["n"] == metrics["rows"] and 0 <= m["completeness"]["value"] <= 1
        assert m["loop_rate"]["value"] == 0  # loops are cut before anyone sees them
    from plugins.retrieval.index import Retriever

    retriever = Retriever(RETRIEVAL, project)
    for question, generated, shown in zip(answers["question"], answers["fine_tuned_generated"], answers["fine_tuned"]):
        hits = retriever.search(question)  # what is scored is the checked answer to what was generated
        assert shown == checker.check(generated, hits, question, retriever.min_support).text
    shown = answers["fine_tuned"]
    assert shown.map(lambda a: a in (checker.NOT_COVERED, checker.NOT_ANSWERED) or bool(
        sentences.markers(a))).all()  # every shown answer cites, or says why it does not
    text = (run / "eval" / "comparison.md").read_text()
    assert "## Answer measures" in text and "## Grounded answers on three sets" in text
    assert "## Answer measures" in next((project / "reports").rglob("grounded-smoke/*/report.md")).read_text()
    board = (project / "reports" / "leaderboard.md").read_text()
    assert all(c in board for c in ("groundedness", "completeness", "declined", "lay: cites a labelled page"))


def test_compare_answers_three_sets_with_both_runs(compared):
    """The test split, the lay questions' report half and the held-out collection (CDC: neither trained on nor
    indexed), each answered by the grounded run (checked, "not covered" where nothing is found) and by the
    ungrounded run on the same questions; the four measures for both and the paired differences."""
    from plugins.eval import grounded_sets
    from plugins.retrieval import evaluate
    from plugins.retrieval.index import Retriever

    project, run = compared
    out = run / "eval"
    result = json.loads((out / "grounded.json").read_text())
    answers = pd.read_csv(out / "grounded_answers.csv", keep_default_na=False)
    held = answers[answers["set"] == "held_out"]
    expected = grounded_sets.held_out_questions(HELD_OUT, project)
    for system in ("grounded", "ungrounded"):
        assert held[held["system"] == system]["question"].tolist() == expected["question"].tolist()
    trained = set(pd.read_csv(run / "data" / "dataset.csv", keep_default_na=False)["question"])
    assert not trained & set(held["question"])  # nobody trained on them ...
    retriever = Retriever(RETRIEVAL, project)
    assert not any(h.source == "CDC" for q in held["question"] for h in retriever.search(q))  # ... or indexed
    grounded_held = held[held["system"] == "grounded"]
    uncovered = grounded_held[sources.COLUMN] == sources.NOT_FOUND
    assert (grounded_held.loc[uncovered, "shown"] == checker.NOT_COVERED).all()
    assert result["sets"]["held_out"]["with_passages"] == (~uncovered).sum()
    lay = evaluate.read(project / "data" / "retrieval" / "lay_questions.csv")
    assert result["sets"]["lay"]["questions"] == (lay["half"] == "report").sum()
    assert result["runs"]["ungrounded"] == f"smoke-tiny/{(project / 'runs' / 'smoke-tiny' / 'latest').resolve().name}"
    for name, s in result["sets"].items():
        assert set(s["measures"]) == {"grounded", "ungrounded"}
        for system, m in s["measures"].items():
            assert m["decline_rate"]["value"] is not None and m["loop_rate"]["value"] is not None
            if name != "lay":
                assert 0 <= m["completeness"]["low"] <= m["completeness"]["value"] <= 1
            assert (m["cites_labelled"]["value"] is not None) == (name == "lay" and system == "grounded")
        assert s["measures"]["grounded"]["loop_rate"]["value"] == 0
        diff = s["grounded_minus_ungrounded"]["completeness"]
        assert name == "lay" or diff["low"] <= diff["diff"] <= diff["high"]
    assert "## Grounded answers on three sets" in (out / "comparison.md").read_text()
    report = next((project / "reports").rglob("grounded-smoke/*/report.md")).read_text()
    assert "### Answers on three sets, beside the ungrounded run" in report and "long_messages.csv" in report


@pytest.fixture(scope="module")
def exported(grounded):
    """`make export` of the grounded run (three check questions, with their passages in the prompt)."""
    from plugins.export.bundle import Export

    project, run, _ = grounded
    result = run_module(project, "plugins.export", str(run), "--check-questions", "3", timeout=900)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "with their retrieved passages" in result.stdout
    return Export.find(project / "exports" / run.parent.name / "latest")


def test_a_grounded_export_carries_its_retrieval_and_says_where_it_answers_without(grounded, exported):
    project, run, _ = grounded
    manifest = exported.manifest
    assert manifest["grounded"] is True and manifest["retrieval"]["block"] == RETRIEVAL
    corpus = manifest["retrieval"]["corpus_sha256"]
    assert len(corpus) == 6 and all(name.startswith("data/medquad/") for name in corpus)
    assert exported.corpus_changes(project) == [] and exported.verify() == []
    assert manifest["checks"]["hf_vs_run"].startswith("3/3")
    modelfile = (exported.dir / "Modelfile").read_text()
    assert modelfile.startswith("# WARNING: ") and "answers WITHOUT the passages" in modelfile
    assert "make serve EXPORT=" in modelfile and "FROM ./model-q8_0.gguf" in modelfile
    assert "**Grounded model.**" in (exported.dir / "README.md").read_text()


def test_llama_cpp_answers_a_grounded_export_token_for_token_like_pytorch(grounded, exported):
    """The export served through llama.cpp (the project's process: retrieval, prompt, checker) and the run through
    PyTorch (fp32) get the same passages and prompt, and the f16 GGUF generates the same greedy tokens, so the
    checked, cited answers are the same."""
    from plugins import runs
    from plugins.app.engines import LlamaCppEngine, Settings

    project, run, _ = grounded
    torch_side = Assistant(run, project, dtype="fp32")
    llama_side = Assistant(exported.dir, project, engine="llama.cpp")
    f16 = LlamaCppEngine(exported.gguf("f16"), n_ctx=llama_side.n_ctx)
    greedy = Settings(0.0, 1.0, torch_side.defaults.max_new_tokens, torch_side.defaults.repetition_penalty)
    questions = runs.Run(run).rows("test")["question"].head(3).tolist()
    for question in questions:
        a, b = torch_side.prepare(question), llama_side.prepare(question)
        assert a.prompt == b.prompt and [h.id for h in a.sources] == [h.id for h in b.sources] != []
        ours, theirs = list(torch_side.engine.tokens(a.prompt, greedy)), list(f16.tokens(b.prompt, greedy))
        assert ours == theirs, question
        said = torch_side.engine.tokenizer.decode(ours, skip_special_tokens=True)
        checked = checker.check(said, a.sources, a.question, torch_side.retriever.min_support)
        assert checked.attribution() == checker.check(
            llama_side.tokenizer.decode(theirs, skip_special_tokens=True), b.sources, b.question,
            llama_side.retriever.min_support).attribution()
    assert llama_side.describe().startswith(f"Export `{exported.dir}`")


def test_make_serve_on_a_grounded_export_returns_sources_through_llama_cpp(grounded, exported):
    """`make serve EXPORT=…` (llama.cpp by default) with the official `openai` client: the sources travel."""
    from fastapi.testclient import TestClient
    from openai import OpenAI

    from plugins.app.api import Server

    project, _, _ = grounded
    assistant = Assistant(exported.dir, project, engine="llama.cpp")
    client = OpenAI(base_url="http://testserver/v1", api_key="not-needed", max_retries=0,
                    http_client=TestClient(Server(assistant).app()))
    reply = client.chat.completions.create(model=assistant.spec_name, max_tokens=12,
                                           messages=[{"role": "user", "content": "What is gout?"}])
    extra = reply.model_extra["medical_llm"]
    assert extra["sources"][0]["focus"] == "Gout" and "Sources:\n[1] Gout" in reply.choices[0].message.content


def test_a_changed_corpus_is_refused_by_a_grounded_export(grounded, exported, tmp_path):
    """An export answers from the corpus it was checked with: a corpus file changed since is named, not used."""
    from plugins import runs

    project, _, _ = grounded
    other = make_project(tmp_path / "other", writable=True)
    (other / "data" / "medquad").mkdir()
    for f in (REPO / "data" / "medquad").glob("*.gz"):
        shutil.copy(f, other / "data" / "medquad")
    changed = other / "data" / "medquad" / "1_CancerGov_QA.csv.gz"
    changed.write_bytes(changed.read_bytes()[:-8])
    with pytest.raises(runs.RunError, match="1_CancerGov_QA.csv.gz, which changed since it was exported"):
        Assistant(exported.dir, other, engine="llama.cpp")

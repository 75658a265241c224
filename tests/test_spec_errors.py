"""Every spec and data error, through the real command line: `python -m plugins.check` (and `plugins.train`).

Each bad spec is specs/smoke-tiny.yaml with one thing changed. Each must fail with exit code 2 and a short
message that names the spec file, the key (or data file / column) and what is allowed, with no traceback,
no schema dump, and nothing written under runs/. To keep the file fast, the cases run as a few batched
`plugins.check a.yaml b.yaml ...` calls (check prints every line as `error: <spec>: ...`), started in parallel.
"""

from __future__ import annotations

import copy
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml

from tests.conftest import REPO, make_project, offline_env

SMOKE_TEXT = (REPO / "specs" / "smoke-tiny.yaml").read_text()
SMOKE = yaml.safe_load(SMOKE_TEXT)
TEMPLATE = SMOKE["prompt"]["template"]
MAX_MESSAGE = 2000  # a message longer than this is a dump, not a message
SHARED = "../shared/"  # data outside the repository (MedQuAD): present on some machines only


def _data_path(spec: Path) -> str:
    return str(yaml.safe_load(spec.read_text())["medical_llm"]["data"].get("path", ""))


VALID_SPECS = [s for s in sorted((REPO / "specs").glob("*.yaml")) if not _data_path(s).startswith(SHARED)]
SHARED_DATA_SPECS = [s for s in sorted((REPO / "specs").glob("*.yaml")) if _data_path(s).startswith(SHARED)]

# ---------------------------------------------------------------------------------------------
# Helpers: a throw-away project, spec variants, running a module


def spec_variant(change: Callable[[dict], object]) -> str:
    """smoke-tiny.yaml as YAML text, after `change` edits its dict in place."""
    raw = copy.deepcopy(SMOKE)
    change(raw)
    return yaml.safe_dump(raw, sort_keys=False)


def start_module(project: Path, *args: str) -> subprocess.Popen:
    """Start `python -m <args>` in `project`, offline, as the Makefile runs it."""
    return subprocess.Popen([sys.executable, "-m", *map(str, args)], cwd=project, env=offline_env(),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@dataclass
class Result:
    rc: int
    stdout: str
    stderr: str

    def messages(self, spec: str, kind: str = "error") -> list[str]:
        """The `<kind>: <spec>: ...` messages, each with its continuation lines (e.g. a template diff)."""
        found, current = [], None
        for line in self.stderr.splitlines():
            if line.startswith(("error: ", "warning: ")):
                current = [line] if line.startswith(f"{kind}: {spec}: ") else None
                if current is not None:
                    found.append(current)
            elif current is not None:
                current.append(line)
        return ["\n".join(m) for m in found]


def finish(proc: subprocess.Popen, timeout: int = 300) -> Result:
    stdout, stderr = proc.communicate(timeout=timeout)
    return Result(proc.returncode, stdout, stderr)


# ---------------------------------------------------------------------------------------------
# The cases: (spec text, substrings its message must contain, substrings it must not contain)


@dataclass
class Case:
    id: str
    text: str
    expect: list[str]
    forbid: list[str] = field(default_factory=list)

    @property
    def spec(self) -> str:
        return f"specs/{self.id}.yaml"


def _set(section: str, **values) -> Callable[[dict], None]:
    return lambda raw: raw[section].update(values)


def _set_data(**values) -> Callable[[dict], None]:
    return lambda raw: raw["medical_llm"]["data"].update(values)


def _retrieval(**block) -> Callable[[dict], None]:
    return lambda raw: raw["medical_llm"].update(retrieval={"corpus": ["data/corpus.csv"], **block})


def _sweep(parameters: dict, search_alg: str = "hyperopt") -> Callable[[dict], None]:
    """A `hyperopt:` block varying `parameters`, otherwise what the example sweep spec uses."""
    return lambda raw: raw.update(hyperopt={"goal": "minimize", "metric": "loss", "output_feature": "combined",
                                            "parameters": parameters, "search_alg": {"type": search_alg},
                                            "executor": {"type": "ray", "num_samples": 2}})


BAD_YAML_LINE = "    batch_size: 3"  # indented under `epochs: 2`
BAD_YAML = SMOKE_TEXT.replace("  epochs: 2\n", f"  epochs: 2\n{BAD_YAML_LINE}\n")
BAD_YAML_LINENO = BAD_YAML.splitlines().index(BAD_YAML_LINE) + 1
BAD_TEMPLATE = TEMPLATE.replace("<|im_end|>\n<|im_start|>user", "<|im_end|><|im_start|>user")
SPLIT_ALLOWED = "allowed: a mapping train/validation/test -> fractions > 0 summing to 1"

# Extra data files in the project's data/ (the real CSV has columns area, question, answer).
DATA_FILES = {
    "no_answer.csv": "area,question,response\n" + "".join(f"x,question {i}?,response {i}\n" for i in range(20)),
    "input_output.csv": "area,input,output\n" + "".join(f"x,question {i}?,answer {i}\n" for i in range(20)),
    "empty_answers.csv": "area,question,answer\n" + "".join(f"x,question {i}?,  \n" for i in range(20)),
    "corpus.csv": "id,source,focus,qtype,question,answer,url\n"  # a retrieval corpus with MedQuAD's columns
                  + "".join(f"{i}-1,NIH,topic {i},information,What is topic {i}?,Topic {i} is a condition.,"
                            f"https://www.nih.gov/{i}\n" for i in range(5)),
    "held_out.csv": "question,answer\n" + "".join(f"held-out question {i}?,answer {i}\n" for i in range(5)),
}

CASES = [
    # 1. unknown top-level key
    Case("top-level-foo", spec_variant(lambda r: r.update(foo=1)),
         ["unknown key 'foo'", "allowed under 'top level':", "base_model", "trainer"]),
    # 2. misspelled trainer key
    Case("trainer-learning-rat", spec_variant(_set("trainer", learning_rat=0.001)),
         ["unknown key 'trainer.learning_rat'", "did you mean 'learning_rate'?", "allowed under 'trainer'"]),
    # 3. unknown generation key
    Case("generation-do-smaple", spec_variant(_set("generation", do_smaple=True)),
         ["unknown key 'generation.do_smaple'", "did you mean 'do_sample'?", "allowed under 'generation'"]),
    # 4. unknown nested keys elsewhere: the adapter and the project block
    Case("adapter-alpah", spec_variant(_set("adapter", alpah=32)),
         ["unknown key 'adapter.alpah'", "did you mean 'alpha'?", "allowed under 'adapter':", "dropout"]),
    Case("data-keep-column", spec_variant(_set_data(keep_column=["area"])),
         ["unknown key 'medical_llm.data.keep_column'", "did you mean 'keep_columns'?",
          "allowed under 'medical_llm.data':", "path"]),
    # 5. wrong types
    Case("max-new-tokens-many", spec_variant(_set("generation", max_new_tokens="many")),
         ["'generation.max_new_tokens'", "'many'", "allowed: an integer >= 1"]),
    Case("learning-rate-fast", spec_variant(_set("trainer", learning_rate="fast")),
         ["'trainer.learning_rate' is 'fast'", 'allowed: a number > 0 or "auto"']),
    # 6. out of range
    Case("learning-rate-0", spec_variant(_set("trainer", learning_rate=0)),
         ["'trainer.learning_rate' is 0;", 'allowed: a number > 0 or "auto"']),
    Case("learning-rate-neg", spec_variant(_set("trainer", learning_rate=-1)),
         ["'trainer.learning_rate' is -1;", 'allowed: a number > 0 or "auto"']),
    Case("adapter-r-0", spec_variant(_set("adapter", r=0)),
         ["'adapter.r' is 0;", "allowed: an integer >= 1"]),
    Case("adapter-dropout-1.5", spec_variant(_set("adapter", dropout=1.5)),
         ["'adapter.dropout' is 1.5;", "allowed: a number >= 0 and < 1"]),
    Case("epochs-0", spec_variant(_set("trainer", epochs=0)),
         ["'trainer.epochs' is 0;", "allowed: an integer >= 1"]),
    # 7. misspelled adapter type: lists the types, not every key of every adapter as "unknown"
    Case("adapter-type-loraa", spec_variant(_set("adapter", type="loraa")),
         ["'adapter.type'", "'loraa' is not one of", "'lora'", "'adalora'", "'ia3'"],
         forbid=["unknown key"]),
    # 8. missing base model
    Case("base-model-missing", spec_variant(lambda r: r.update(base_model="models/does-not-exist")),
         ["'base_model'", "model directory not found: models/does-not-exist", "make model"]),
    # 9. data file missing
    Case("data-file-missing", spec_variant(_set_data(path="data/nope.csv")),
         ["data file not found: data/nope.csv"]),
    Case("data-glob-matches-nothing", spec_variant(_set_data(path="../no-such-dir/*.csv")),
         ["no data file matches ../no-such-dir/*.csv", "glob pattern"]),
    Case("length-batching-yes", spec_variant(_set("medical_llm", length_batching="yes")),
         ["'medical_llm.length_batching' is 'yes'", "allowed: true or false"]),
    Case("precision-half", spec_variant(_set("medical_llm", precision="half")),
         ["'medical_llm.precision' is 'half'", "allowed: auto", "fp32 or bf16"]),
    Case("precision-true", spec_variant(_set("medical_llm", precision=True)),
         ["'medical_llm.precision' is True", "allowed: auto"]),
    Case("tracking-on", spec_variant(_set("medical_llm", tracking="on")),
         ["'medical_llm.tracking' is 'on'", "allowed: true or false"]),
    Case("sweep-unknown-key", spec_variant(_sweep({"trainer.learnin_rate": {"space": "loguniform", "lower": 1e-5,
                                                                             "upper": 1e-3}})),
         ["'hyperopt.parameters.trainer.learnin_rate' names no setting of this spec",
          "did you mean 'trainer.learning_rate'?"]),
    Case("sweep-upside-down-range", spec_variant(_sweep({"trainer.learning_rate": {
        "space": "loguniform", "lower": 1e-2, "upper": 1e-5}})),
         ["'hyperopt.parameters.trainer.learning_rate': lower 0.01 must be below upper 1e-05"]),
    Case("sweep-out-of-bounds", spec_variant(_sweep({"adapter.dropout": {"space": "uniform", "lower": 0.0,
                                                                          "upper": 1.5}})),
         ["'hyperopt.parameters.adapter.dropout' lets trials take 1.5", "allowed for adapter.dropout: a number >= 0"]),
    Case("sweep-unknown-space", spec_variant(_sweep({"adapter.r": {"space": "logarithmic", "categories": [4]}})),
         ["'hyperopt.parameters.adapter.r.space' is 'logarithmic'", "allowed: choice, grid_search"]),
    Case("sweep-unknown-search-algorithm", spec_variant(_sweep({"adapter.r": {"space": "choice", "categories": [4, 8]}},
                                                               search_alg="bananas")),
         ["'hyperopt.search_alg.type': 'bananas' is not one of", "'hyperopt'"]),
    Case("retrieval-corpus-columns", spec_variant(_retrieval(corpus=["data/medical_flashcards.csv"])),
         ["'medical_llm.retrieval.corpus'",
          "data/medical_flashcards.csv: missing column(s) id, source, focus, qtype, url"]),
    Case("retrieval-corpus-missing", spec_variant(_retrieval(corpus=["data/nope/*.csv.gz"])),
         ["'medical_llm.retrieval.corpus'", "no corpus file matches data/nope/*.csv.gz"]),
    Case("retrieval-k-zero", spec_variant(_retrieval(k=0)), ["'medical_llm.retrieval.k' is 0", "an integer 1-10"]),
    Case("retrieval-fields", spec_variant(_retrieval(fields={"topic": 2})),
         ["'medical_llm.retrieval.fields' is {'topic': 2}", "focus, question, answer, qtype, source -> a weight"]),
    Case("retrieval-format", spec_variant(_retrieval(source_format="[{n}] {body}")),
         ["'medical_llm.retrieval.source_format' is '[{n}] {body}'", "a string with {text}"]),
    Case("retrieval-passages-too-long", spec_variant(_retrieval(k=2, chunk_words=40)),  # smoke: 128 tokens
         ["'medical_llm.retrieval': 2 passages of 40 words take about 120 tokens",
          "raise global_max_sequence_length to at least 240"]),
    Case("retrieval-renamed-key", spec_variant(_retrieval(passage_words=40)),
         ["'medical_llm.retrieval.passage_words' is not a retrieval setting (replaced by chunk_words"]),
    Case("retrieval-oracle-share", spec_variant(_retrieval(oracle_share=1.5)),
         ["'medical_llm.retrieval.oracle_share' is 1.5", "a number 0-1: the share of training rows"]),
    Case("retrieval-min-support", spec_variant(_retrieval(min_support="high")),
         ["'medical_llm.retrieval.min_support' is 'high'", "a number 0-1"]),
    Case("retrieval-lay-questions-half", spec_variant(_retrieval(lay_questions={
         "path": "data/retrieval/lay_questions.csv", "half": "all"})),
         ["'medical_llm.retrieval.lay_questions.half' is 'all'", "one of the file's halves build, report"]),
    Case("held-out-is-in-the-index", spec_variant(_retrieval(held_out={"path": "data/corpus.csv"})),
         ["'medical_llm.retrieval.held_out.path' 'data/corpus.csv' is one of the corpus files"]),
    Case("held-out-is-training-data", spec_variant(_retrieval(held_out={"path": "data/medical_flashcards.csv"})),
         ["'medical_llm.retrieval.held_out.path' 'data/medical_flashcards.csv' is part of medical_llm.data.path"]),
    Case("held-out-missing", spec_variant(_retrieval(held_out={"path": "data/nope.csv"})),
         ["'medical_llm.retrieval.held_out.path' 'data/nope.csv' not found", "question and answer columns"]),
    Case("against-missing", spec_variant(_retrieval(against="specs/nope.yaml")),
         ["'medical_llm.retrieval.against' 'specs/nope.yaml' not found", "whose newest run answers"]),
    Case("held-out-against-moved",
         spec_variant(_retrieval(held_out={"path": "data/held_out.csv", "against": "specs/smoke-tiny.yaml"})),
         ["'medical_llm.retrieval.held_out.against' is not a held-out setting", "against moved up"]),
    Case("held-out-unknown-key", spec_variant(_retrieval(held_out={"path": "data/held_out.csv", "samples": 5})),
         ["'medical_llm.retrieval.held_out.samples' is not a held-out setting", "path, max_words, max_samples"]),
    Case("retrieval-unknown-key", spec_variant(_retrieval(top_k=3)),
         ["'medical_llm.retrieval.top_k' is not a retrieval setting", "allowed: corpus, fields, k, chunk_words"]),
    Case("max-words-zero", spec_variant(_set_data(max_words={"answer": 0})),
         ["'medical_llm.data.max_words' is {'answer': 0}", "longer rows are dropped"]),
    # 10. required column missing; a column mapping to a misspelled source column
    Case("column-answer-missing", spec_variant(_set_data(path="data/no_answer.csv")),
         ["data/no_answer.csv", "column 'answer' (a model feature) not found",
          "columns are: area, question, response"]),
    Case("column-mapping-typo",
         spec_variant(_set_data(path="data/input_output.csv", columns={"question": "input", "answer": "ouput"})),
         ["data/input_output.csv", "column 'ouput' (mapped to 'answer') not found", "columns are: area, input, output",
          "did you mean 'output'?"]),
    # 11. nothing left after cleaning
    Case("empty-after-cleaning", spec_variant(_set_data(path="data/empty_answers.csv")),
         ["no usable rows in data/empty_answers.csv after cleaning", "empty=20", "need non-empty text"]),
    # 12. split fractions; the project block missing
    Case("split-sum", spec_variant(_set_data(split={"train": 0.5, "validation": 0.3, "test": 0.3})),
         ["'medical_llm.data.split' fractions sum to 1.1", SPLIT_ALLOWED]),
    Case("no-project-block", spec_variant(lambda r: r.pop("medical_llm")),
         ["missing 'medical_llm:' block", "medical_llm.data.path"]),
    # 13. invalid YAML names the line
    Case("invalid-yaml", BAD_YAML, ["not valid YAML", f"line {BAD_YAML_LINENO},"]),
    # 14. a prompt template that is not the chat template: shows the expected one and a diff
    Case("template-differs", spec_variant(lambda r: r["prompt"].update(template=BAD_TEMPLATE)),
         ["'prompt.template' differs from the base model's chat template", "use exactly:", repr(TEMPLATE),
          "difference:", "--- chat template", "+++ spec template", "-<|im_start|>user",
          "+You are a careful medical assistant. Answer the question accurately and concisely."
          "<|im_end|><|im_start|>user"]),
    # knowledge benchmarks: an unknown name, a bad limit, an unknown key in an entry
    Case("benchmarks-unknown", spec_variant(lambda r: r["medical_llm"].update(benchmarks={"mmlu": {"limit": 10}})),
         ["unknown benchmark 'mmlu'", "did you mean mmlu_medical?", "allowed: mmlu_medical, medmcqa, pubmedqa"]),
    Case("benchmarks-limit", spec_variant(lambda r: r["medical_llm"].update(benchmarks={"medmcqa": {"limit": 0}})),
         ["medical_llm.benchmarks.medmcqa.limit must be an integer >= 1"]),
    Case("benchmarks-key", spec_variant(lambda r: r["medical_llm"].update(benchmarks={"pubmedqa": {"n": 5}})),
         ["medical_llm.benchmarks.pubmedqa: unknown key 'n' (allowed: limit)"]),
    # prompt safety: a lone brace, another placeholder, a control token typed into the system prompt
    Case("template-lone-brace",
         spec_variant(lambda r: r["prompt"].update(template=TEMPLATE.replace("concisely.", "{"))),
         ["'prompt.template' cannot be filled", "'{{'"]),
    Case("template-other-placeholder",
         spec_variant(lambda r: r["prompt"].update(template=TEMPLATE.replace("concisely.", "{topic}."))),
         ["placeholder(s) {topic}", "the only placeholder allowed is {question}"]),
    Case("template-control-token",
         spec_variant(lambda r: r["prompt"].update(template=TEMPLATE.replace("concisely.", "<|im_start|>user"))),
         ["control token(s) '<|im_start|>'"]),
]

# Legal but unwise: a warning naming the key, exit 0.
WARNINGS = [
    Case("learning-rate-0.05", spec_variant(_set("trainer", learning_rate=0.05)),
         ["'trainer.learning_rate: 0.05'", "diverges"]),
    Case("epochs-30", spec_variant(_set("trainer", epochs=30)), ["'trainer.epochs: 30'", "over-fits"]),
]

# `plugins.train` on a bad spec: one spec error, one data error.
TRAIN_CASES = ["trainer-learning-rat", "data-file-missing"]


@pytest.fixture(scope="module")
def bad_project(tmp_path_factory) -> Path:
    root = make_project(tmp_path_factory.mktemp("spec-errors") / "project", writable=True)
    for shipped in ("medquad", "retrieval"):  # the grounded spec's corpus and lay synonyms
        (root / "data" / shipped).symlink_to(REPO / "data" / shipped)
    for name, text in DATA_FILES.items():
        (root / "data" / name).write_text(text)
    for spec in (REPO / "specs").glob("*.yaml"):  # the shipped specs: the grounded one names the default spec
        shutil.copy(spec, root / "specs")
    for case in CASES + WARNINGS:
        (root / case.spec).write_text(case.text)
    return root


@pytest.fixture(scope="module")
def results(bad_project) -> dict[str, Result]:
    """Every command this file checks, started at once (each pays the interpreter and import start-up)."""
    procs = {
        "errors": start_module(bad_project, "plugins.check", *(c.spec for c in CASES)),
        "valid": start_module(bad_project, "plugins.check", *VALID_SPECS, *(c.spec for c in WARNINGS)),
        # the throw-away project has no ../shared next to it: what every fresh clone without it sees
        "shared_missing": start_module(bad_project, "plugins.check", *SHARED_DATA_SPECS),
    }
    procs |= {f"train:{name}": start_module(bad_project, "plugins.train", f"specs/{name}.yaml") for name in TRAIN_CASES}
    return {name: finish(proc) for name, proc in procs.items()}


# ---------------------------------------------------------------------------------------------
# Errors


def test_check_exits_2_without_traceback(results):
    errors = results["errors"]
    assert errors.rc == 2, errors.stderr
    assert "Traceback" not in errors.stderr
    assert errors.stdout == ""  # no bad spec is reported ok


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_error_message(results, case):
    errors = results["errors"]
    messages = errors.messages(case.spec)
    assert messages, f"no error line for {case.spec}:\n{errors.stderr}"
    assert f"ok: {case.spec}" not in errors.stdout
    text = "\n".join(messages)
    for wanted in case.expect:
        assert wanted in text, f"{wanted!r} missing from:\n{text}"
    for unwanted in case.forbid:
        assert unwanted not in text, f"{unwanted!r} in:\n{text}"
    assert len(text) < MAX_MESSAGE, f"{len(text)} chars: a dump, not a message:\n{text[:500]} ..."


@pytest.mark.parametrize("name", TRAIN_CASES)
def test_train_refuses_bad_spec_like_check(results, name):
    train, check = results[f"train:{name}"], results["errors"]
    spec = f"specs/{name}.yaml"
    assert train.rc == 2, train.stderr
    assert "Traceback" not in train.stderr
    assert train.messages(spec) == check.messages(spec) != []
    assert len(train.stderr) < MAX_MESSAGE


def test_nothing_written_under_runs_or_prepared(results, bad_project):
    assert not (bad_project / "runs").exists()
    assert not (bad_project / "data" / "prepared").exists()


# ---------------------------------------------------------------------------------------------
# Valid specs and warnings


def test_valid_specs_and_warnings_pass(results):
    valid = results["valid"]
    assert valid.rc == 0, valid.stderr
    assert "Traceback" not in valid.stderr
    assert not any(line.startswith("error:") for line in valid.stderr.splitlines()), valid.stderr
    for spec in [*map(str, VALID_SPECS), *(c.spec for c in WARNINGS)]:
        assert f"ok: {spec} (" in valid.stdout, valid.stdout
        assert f"{spec}: on this machine, precision: " in valid.stdout, valid.stdout


def test_specs_on_shared_data_say_when_it_is_missing(results):
    assert SHARED_DATA_SPECS, "the MedQuAD spec reads ../shared/data"
    missing = results["shared_missing"]
    assert missing.rc == 2 and "Traceback" not in missing.stderr
    for spec in SHARED_DATA_SPECS:
        assert f"no data file matches {_data_path(spec)}" in "\n".join(missing.messages(str(spec))), missing.stderr


@pytest.mark.skipif(not (REPO.parent / "shared" / "data").is_dir(), reason="no ../shared/data on this machine")
def test_specs_on_shared_data_pass_where_it_exists():
    result = subprocess.run([sys.executable, "-m", "plugins.check", *map(str, SHARED_DATA_SPECS)], cwd=REPO,
                            env=offline_env(), capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    for spec in SHARED_DATA_SPECS:
        assert f"ok: {spec} (" in result.stdout


@pytest.mark.parametrize("case", WARNINGS, ids=lambda c: c.id)
def test_warning_names_the_key(results, case):
    warnings = results["valid"].messages(case.spec, kind="warning")
    assert warnings, results["valid"].stderr
    text = "\n".join(warnings)
    for wanted in case.expect:
        assert wanted in text, f"{wanted!r} missing from:\n{text}"

"""A grounded run measured where it matters, beside an ungrounded run on the same questions: `make compare`
answers three sets with both and reports the four measures of plugins/eval/grounding.py on each.

- **test split**: the run's own test questions, their NIH pages in the index (the realistic case: a user's
  question about a covered topic retrieves its page); the reference answers score completeness.
- **lay questions** (`retrieval.lay_questions`: a half of a file of lay questions labelled with the topics
  whose pages answer them): does the answer cite a labelled topic's page?
- **held-out collection** (`retrieval.held_out`): a collection neither trained on nor indexed: nothing answers
  it, so the run should decline or stay grounded.

The ungrounded run is the newest run of `retrieval.against`; its groundedness is measured against the passages
the grounded run was given for the same question.

    retrieval:
      against: specs/medical-smollm2-cpu.yaml
      held_out: {path: data/medquad/9_CDC_QA.csv.gz, max_words: {answer: 80}, max_samples: 60}
      lay_questions: {path: data/retrieval/lay_questions.csv, half: report}
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from plugins import data_source, dataset_format, runs
from plugins.eval import answering, grounding
from plugins.retrieval import evaluate as topics

HELD_OUT_DEFAULTS = {"max_words": {"answer": 80}, "max_samples": 60, "seed": 42}
SETS = {"test": "test split", "lay": "lay questions", "held_out": "held-out collection"}
SYSTEMS = ("grounded", "ungrounded")


def held_out_questions(block: dict, root: Path = Path(".")) -> pd.DataFrame:
    """The held-out questions with their reference answers: cleaned, capped like training data, a seeded sample."""
    cfg = {**HELD_OUT_DEFAULTS, **block}
    frame = data_source.load_source({"path": cfg["path"]}, root)
    frame = frame.dropna(subset=["question", "answer"])
    frame = frame[(frame["question"].str.strip() != "") & (frame["answer"].str.strip() != "")]
    frame = frame.assign(**{c: frame[c].map(dataset_format.normalize_text) for c in ("question", "answer")})
    frame = frame.drop_duplicates(subset=["question"])
    for column, limit in (cfg.get("max_words") or {}).items():
        frame = frame[frame[column].str.split().str.len() <= limit]
    if len(frame) > cfg["max_samples"]:
        frame = frame.sample(n=cfg["max_samples"], random_state=np.random.default_rng(cfg["seed"])).sort_index()
    return frame[["question", "answer"]].reset_index(drop=True)


def lay_questions(block: dict, root: Path = Path(".")) -> pd.DataFrame:
    """The labelled lay questions of the block's half (all of them when no half is named)."""
    frame = topics.read(Path(root) / block["path"])
    if "half" in block:
        frame = frame[frame["half"] == block["half"]]
    return frame[["question", "labels"]].reset_index(drop=True)


def against_run(spec_path: str, root: Path = runs.RUNS) -> runs.Run:
    """The newest run of the `against` spec (RunError naming the make command when there is none)."""
    try:
        return runs.Run(runs.resolve(None, root / Path(spec_path).stem))
    except runs.RunError:
        raise runs.RunError(f"retrieval.against names {spec_path}, which has no run yet: "
                            f"make train SPEC={spec_path}") from None


def question_sets(run: runs.Run, test: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Each declared set as {question, reference?, labels?}; the test split from the rows `make compare` answered."""
    block = answering.retrieval_block(run)
    found = {"test": pd.DataFrame({"question": test[run.input_name].tolist(),
                                   "reference": test[run.output_name].tolist()})}
    if "lay_questions" in block:
        found["lay"] = lay_questions(block["lay_questions"])
    if "held_out" in block:
        held = held_out_questions(block["held_out"])
        found["held_out"] = pd.DataFrame({"question": held["question"], "reference": held["answer"]})
    return found


def cites_labelled(cited: str, labels: list[str]) -> bool:
    return any(topics.same_topic(topic, label) for topic in json.loads(cited) for label in labels)


def score(name: str, questions: pd.DataFrame, answers: dict[str, pd.DataFrame], n_boot: int) -> dict:
    """One set's measures per system, and grounded minus ungrounded where both answered (paired)."""
    references = questions["reference"].tolist() if "reference" in questions else None
    grounded = answers["grounded"]
    passages = answering.given_passages(grounded)  # the ungrounded answers are judged on the same passages
    values = {}
    for system, frame in answers.items():
        labelled = ([cites_labelled(c, ls) for c, ls in zip(frame["cited_topics"], questions["labels"])]
                    if "labels" in questions and system == "grounded" else None)
        values[system] = answering.measured(frame, references, passages, labelled)
    result = {"name": SETS[name], "questions": len(questions),
              "with_passages": int(sum(p is not None for p in passages)),
              "measures": {s: grounding.summarize(v, n_boot) for s, v in values.items()}, "values": values}
    if len(values) == 2:
        result["grounded_minus_ungrounded"] = {
            m: grounding.paired(values["ungrounded"][c], values["grounded"][c], n_boot)
            for m, c in (("groundedness", "groundedness"), ("completeness", "completeness"))}
    return result


def evaluate(run: runs.Run, model, test_answers: pd.DataFrame, test: pd.DataFrame, out: Path,
             n_boot: int = 1000) -> dict:
    """Every set answered by the grounded run (its test answers are `test_answers`, from `make compare`) and by
    the `against` run, scored -> out/grounded.{json,md} and out/grounded_answers.csv."""
    from plugins.retrieval.index import Retriever

    block = answering.retrieval_block(run)
    retriever = Retriever(block)
    sets = question_sets(run, test)
    answers = {name: {"grounded": test_answers if name == "test" else None} for name in sets}
    for name, questions in sets.items():
        if answers[name]["grounded"] is None:
            print(f"{SETS[name]}: {len(questions)} questions; answering with {run.name} ...", flush=True)
            answers[name]["grounded"] = answering.grounded(run, model, questions["question"].tolist(), retriever)
    other, missing = None, None
    if block.get("against"):
        try:
            other = against_run(block["against"])
        except runs.RunError as e:  # the grounded run is still scored; the section says what to run
            missing = str(e)
            print(f"comparison with the ungrounded run skipped: {missing}", flush=True)
    if other is not None:
        print(f"... and with {other.name}/{other.label}, the ungrounded run it is compared with ...", flush=True)
        other_model = answering.load_model(other)
        for name, questions in sets.items():
            answers[name]["ungrounded"] = answering.ungrounded(other, other_model, questions["question"].tolist())
    results = {name: score(name, sets[name], answers[name], n_boot) for name in sets}
    rows = []
    for name, by_system in answers.items():
        values = results[name].pop("values")
        for system, frame in by_system.items():
            per = pd.DataFrame(values[system]).drop(columns=["declined"]).add_prefix("measure_")
            rows.append(pd.concat([frame.reset_index(drop=True).assign(set=name, system=system),
                                   sets[name].drop(columns=["question"]).reset_index(drop=True), per], axis=1))
    result = {"runs": {"grounded": "/".join(runs.identify(run.dir)),
                       **({"ungrounded": "/".join(runs.identify(other.dir))} if other else {})},
              "sets": results, "method": grounding.METHOD, "min_support": retriever.min_support,
              **({"against_missing": missing} if missing else {})}
    out.mkdir(parents=True, exist_ok=True)
    (out / "grounded.json").write_text(json.dumps(result, indent=2) + "\n")
    pd.concat(rows, ignore_index=True).to_csv(out / "grounded_answers.csv", index=False)
    text = markdown(result)
    (out / "grounded.md").write_text(text)
    return result


def _cell(m: dict, digits: int = 2, percent: bool = False) -> str:
    if m["value"] is None:
        return "–"
    if percent:
        return f"{m['value']:.0%} [{m['low']:.0%}, {m['high']:.0%}]"
    return f"{m['value']:.{digits}f} [{m['low']:.{digits}f}, {m['high']:.{digits}f}]"


def markdown(result: dict) -> str:
    """The measures table (sets × models) and the paired differences, for comparison.md, the report and docs."""
    lines = ["| set | model | questions | groundedness | completeness | declined | loops (shown / generated) | "
             "cites a labelled topic |", "|---|---|---|---|---|---|---|---|"]
    for s in result["sets"].values():
        for system, m in s["measures"].items():
            lines.append(f"| {s['name']} | {system} `{result['runs'][system]}` | {s['questions']} | "
                         f"{_cell(m['groundedness'])} | {_cell(m['completeness'])} | "
                         f"{_cell(m['decline_rate'], percent=True)} | {_cell(m['loop_rate'], percent=True)} / "
                         f"{_cell(m['loop_rate_generated'], percent=True)} | "
                         f"{_cell(m['cites_labelled'], percent=True)} |")
    diffs = []
    for s in result["sets"].values():
        if d := s.get("grounded_minus_ungrounded"):
            parts = [f"{m} {v['diff']:+.2f} [{v['low']:+.2f}, {v['high']:+.2f}]" for m, v in d.items()
                     if v["diff"] is not None]
            if parts:
                diffs.append(f"- {s['name']}: " + ", ".join(parts))
    text = "\n".join(lines) + "\n"
    if diffs:
        text += "\nGrounded minus ungrounded, paired by question (95 % CI):\n\n" + "\n".join(diffs) + "\n"
    if missing := result.get("against_missing"):
        text += f"\nNo ungrounded answers to compare with: {missing}, then `make compare` again.\n"
    return text + (f"\nEvery grounded answer is checked before it is shown (sentences below "
                   f"{result['min_support']:.0%} support removed, loops cut). The ungrounded run's groundedness is "
                   f"measured against the grounded run's passages. {result['method']}.\n")

"""A held-out collection: questions from NIH pages that are neither trained on nor in the index, so nobody can
retrieve the test answer itself. `make compare` on a grounded run answers them with the run (its own retrieval,
as the app answers) and with an ungrounded run (`against`, its newest run) and scores both on the same questions:
ROUGE-L against the collection's answers (paired interval) and groundedness against the passages the grounded
run was given.

    retrieval:
      held_out:
        path: data/medquad/9_CDC_QA.csv.gz       # question/answer CSV(.gz): not a corpus file, not training data
        max_words: {answer: 80}                  # as in the data block: longer pairs are dropped, never cut
        max_samples: 60                          # a seeded sample
        against: specs/medical-smollm2-cpu.yaml  # the ungrounded spec whose newest run answers the same questions
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from plugins import runs
from plugins.retrieval import sources

DEFAULTS = {"max_words": {"answer": 80}, "max_samples": 60, "seed": 42}
QUESTION, ANSWER = "question", "answer"  # the held-out file's columns (MedQuAD's)


def questions(block: dict, root: Path = Path(".")) -> pd.DataFrame:
    """The held-out questions with their reference answers: cleaned, capped like training data, a seeded sample."""
    from plugins import data

    cfg = {**DEFAULTS, **block}
    frame = data.load_source({"path": cfg["path"]}, root)
    frame = frame.dropna(subset=[QUESTION, ANSWER])
    frame = frame[(frame[QUESTION].str.strip() != "") & (frame[ANSWER].str.strip() != "")]
    frame = frame.assign(**{c: frame[c].map(data.normalize_text) for c in (QUESTION, ANSWER)})
    frame = frame.drop_duplicates(subset=[QUESTION])
    for column, limit in (cfg.get("max_words") or {}).items():
        frame = frame[frame[column].str.split().str.len() <= limit]
    if len(frame) > cfg["max_samples"]:
        frame = frame.sample(n=cfg["max_samples"], random_state=np.random.default_rng(cfg["seed"])).sort_index()
    return frame.reset_index(drop=True)


def against_run(spec_path: str, root: Path = runs.RUNS) -> runs.Run:
    """The newest run of the `against` spec (RunError naming the make command when there is none)."""
    name = Path(spec_path).stem
    try:
        return runs.Run(runs.resolve(None, root / name))
    except runs.RunError:
        raise runs.RunError(f"retrieval.held_out.against names {spec_path}, which has no run yet: "
                            f"make train SPEC={spec_path}") from None


def answer(run: runs.Run, questions: list[str]) -> tuple[list[str], list[str] | None]:
    """The run's fine-tuned answers through Ludwig's predict path, and the passages it was given (None for an
    ungrounded run). As in the app, a grounded run's question that retrieves nothing is answered "not covered"."""
    from plugins.eval import compare
    from plugins.retrieval.index import Retriever

    rows = pd.DataFrame({run.input_name: questions, "split": 2})
    covered, passages = list(range(len(rows))), None
    if block := (run.spec.get("medical_llm") or {}).get("retrieval"):
        retriever = Retriever(block)
        hits = [retriever.search(q) for q in questions]
        passages = [sources.render(h, retriever.source_format) for h in hits]
        rows[sources.COLUMN] = passages
        covered = [i for i, h in enumerate(hits) if h]
    out = [sources.NOT_COVERED] * len(rows)
    if covered:
        generated = compare.generate(compare.load_model(run), rows.iloc[covered], run.input_name, run.output_name,
                                     True, run.eval_batch_size)
        for i, text in zip(covered, generated):
            out[i] = text
    return out, passages


def evaluate(run: runs.Run, out: Path, n_boot: int = 1000) -> dict | None:
    """Both runs' answers to the held-out questions, scored -> out/held_out.{csv,json}; None without a block."""
    from plugins.eval import grounding, metrics

    block = ((run.spec.get("medical_llm") or {}).get("retrieval") or {}).get("held_out")
    if not block:
        return None
    frame = questions(block)
    print(f"held-out collection {block['path']}: {len(frame)} questions; answering with {run.name} ...", flush=True)
    frame["grounded"], frame[sources.COLUMN] = answer(run, frame[QUESTION].tolist())
    covered = (frame[sources.COLUMN] != sources.NOT_FOUND).to_numpy()
    other, missing = None, None
    if block.get("against"):
        try:
            other = against_run(block["against"])
        except runs.RunError as e:  # the grounded run is still scored; the comparison says what to run
            missing = str(e)
            print(f"held-out comparison skipped: {missing}", flush=True)
    systems = ["grounded"]
    if other is not None:
        print(f"... and with {other.name}/{other.label}, the run it is compared with ...", flush=True)
        frame["ungrounded"] = answer(other, frame[QUESTION].tolist())[0]
        systems.append("ungrounded")
    references = frame[ANSWER].tolist()
    result = {"collection": block["path"], "questions": len(frame), "with_passages": int(covered.sum()),
              "runs": {"grounded": "/".join(runs.identify(run.dir)),  # as reports and the leaderboard name runs
                       **({"ungrounded": "/".join(runs.identify(other.dir))} if other else {})},
              "rougeL": {s: metrics.summarize(frame[s].tolist(), references, n_boot=n_boot)["rougeL"]
                         for s in systems},
              "groundedness": {s: grounding.summarize(frame.loc[covered, s].tolist(),
                                                      frame.loc[covered, sources.COLUMN].tolist(), n_boot=n_boot)
                               for s in systems},
              "groundedness_method": grounding.METHOD, **({"against_missing": missing} if missing else {})}
    if other is not None:
        result["grounded_minus_ungrounded"] = {
            "rougeL": metrics.paired_bootstrap(frame["ungrounded"].tolist(), frame["grounded"].tolist(), references,
                                               n_boot=n_boot)["rougeL"],
            "groundedness": _paired_groundedness(frame[covered], n_boot)}
    for s in systems:
        frame[f"{s}_rougeL"] = metrics.per_sample(frame[s].tolist(), references)["rougeL"]
        frame[f"{s}_groundedness"] = [grounding.support(a, p) if c else None
                                      for a, p, c in zip(frame[s], frame[sources.COLUMN], covered)]
    out.mkdir(parents=True, exist_ok=True)
    frame.to_csv(out / "held_out.csv", index=False)
    (out / "held_out.json").write_text(json.dumps(result, indent=2) + "\n")
    return result


def _paired_groundedness(frame: pd.DataFrame, n_boot: int, seed: int = 0) -> dict:
    """Grounded minus ungrounded groundedness on the same questions, with a paired 95 % bootstrap interval."""
    from plugins.eval import grounding

    pairs = [(grounding.support(g, p), grounding.support(u, p))
             for g, u, p in zip(frame["grounded"], frame["ungrounded"], frame[sources.COLUMN])]
    diffs = np.array([g - u for g, u in pairs if g is not None and u is not None], dtype=float)
    if not len(diffs):
        return {"diff": None, "low": None, "high": None, "n": 0}
    rng = np.random.default_rng(seed)
    draws = [diffs[rng.integers(0, len(diffs), len(diffs))].mean() for _ in range(n_boot)]
    return {"diff": float(diffs.mean()), "low": float(np.percentile(draws, 2.5)),
            "high": float(np.percentile(draws, 97.5)), "n": int(len(diffs))}


def markdown(result: dict) -> str:
    """The held-out table for comparison.md, the report and the quality page."""
    systems = list(result["rougeL"])
    lines = [f"{result['questions']} questions of `{result['collection']}` (not trained on, not in the index), "
             f"{result['with_passages']} of them with passages found; both models answer the same questions, the "
             "grounded one from its passages (\"not covered\" when none are found).\n",
             "| model | run | ROUGE-L [95 % CI] | groundedness [95 % CI] |", "|---|---|---|---|"]
    for s in systems:
        r, g = result["rougeL"][s], result["groundedness"][s]
        grounded = f"{g['value']:.2f} [{g['low']:.2f}, {g['high']:.2f}]" if g["value"] is not None else "–"
        lines.append(f"| {s} | `{result['runs'][s]}` | {r['value']:.3f} [{r['low']:.3f}, {r['high']:.3f}] | "
                     f"{grounded} |")
    if missing := result.get("against_missing"):
        lines += ["", f"No ungrounded answers to compare with: {missing}, then `make compare` again."]
    if diff := result.get("grounded_minus_ungrounded"):
        r, g = diff["rougeL"], diff["groundedness"]
        grounded = (f", groundedness {g['diff']:+.2f} [{g['low']:+.2f}, {g['high']:+.2f}] on {g['n']} answers with "
                    "passages" if g["diff"] is not None else "")
        lines += ["", f"Grounded minus ungrounded, paired: ROUGE-L {r['diff']:+.3f} [{r['low']:+.3f}, "
                      f"{r['high']:+.3f}]{grounded}."]
    return "\n".join(lines) + ("\n\nGroundedness is measured against the grounded run's passages: "
                               f"{result['groundedness_method']}.\n")

"""ROUGE and BLEU on generated answers, with bootstrap confidence intervals (Ludwig 0.17 ships neither).

Reference implementations only: Google's `rouge_score` (F-measure, Porter stemming, its default
tokeniser) and sacreBLEU (corpus BLEU with its standard settings: 13a tokenisation, exponential
smoothing for sentence scores). BLEU is reported on a 0-1 scale, as the reference project did.
`evaluate.load` would fetch these metrics from the hub, so it is not used.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from rouge_score import rouge_scorer
from sacrebleu.metrics import BLEU

ROUGE_KEYS = ("rouge1", "rouge2", "rougeL")
BLEU_ORDERS = (1, 2, 3, 4)
METHOD = (
    "ROUGE-1/2/L: F-measure from Google's rouge_score with Porter stemming, averaged over answers. "
    "BLEU: sacreBLEU corpus BLEU (13a tokenisation, no smoothing, brevity penalty) on a 0-1 scale; "
    "BLEU-n uses n-grams up to n; per-answer BLEU is sacreBLEU's sentence BLEU (exponential smoothing). "
    "Length: words (whitespace-separated) per generated answer. "
    "Intervals: 95 % percentile bootstrap over answers (corpus BLEU recomputed per resample)."
)


def per_sample(predictions: list[str], references: list[str]) -> pd.DataFrame:
    """One row per answer: ROUGE F-measures, sentence BLEU (0-1) and length in words."""
    if len(predictions) != len(references):
        raise ValueError(f"{len(predictions)} predictions for {len(references)} references")
    scorer = rouge_scorer.RougeScorer(list(ROUGE_KEYS), use_stemmer=True)
    sentence = BLEU(effective_order=True)
    rows = []
    for prediction, reference in zip(predictions, references):
        scores = scorer.score(reference, prediction)
        row = {key: scores[key].fmeasure for key in ROUGE_KEYS}
        row["bleu"] = sentence.sentence_score(prediction, [reference]).score / 100
        row["length_words"] = len(prediction.split())
        rows.append(row)
    return pd.DataFrame(rows, columns=[*ROUGE_KEYS, "bleu", "length_words"])


def corpus_bleu(predictions: list[str], references: list[str], order: int = 4) -> float:
    """sacreBLEU corpus BLEU with n-grams up to `order`, on a 0-1 scale."""
    return BLEU(max_ngram_order=order).corpus_score(list(predictions), [list(references)]).score / 100


def _corpus_scores(predictions: np.ndarray, references: np.ndarray) -> dict[str, float]:
    return {("bleu" if n == 4 else f"bleu{n}"): corpus_bleu(predictions, references, n) for n in BLEU_ORDERS}


def summarize(predictions: list[str], references: list[str], n_boot: int = 1000, seed: int = 0) -> dict:
    """Every metric averaged (corpus BLEU for BLEU) with a 95 % bootstrap interval: {metric: {value, low, high}}."""
    samples = per_sample(predictions, references)
    preds, refs = np.asarray(predictions, dtype=object), np.asarray(references, dtype=object)
    point = {**{k: float(samples[k].mean()) for k in [*ROUGE_KEYS, "length_words"]}, **_corpus_scores(preds, refs)}
    rng = np.random.default_rng(seed)
    draws = {k: [] for k in point}
    for _ in range(n_boot):
        idx = rng.integers(0, len(samples), len(samples))
        for k in [*ROUGE_KEYS, "length_words"]:
            draws[k].append(samples[k].to_numpy()[idx].mean())
        for k, v in _corpus_scores(preds[idx], refs[idx]).items():
            draws[k].append(v)
    return {k: {"value": point[k], "low": float(np.percentile(draws[k], 2.5)),
                "high": float(np.percentile(draws[k], 97.5))} for k in point}


def paired_bootstrap(base: pd.DataFrame, tuned: pd.DataFrame, n_boot: int = 1000, seed: int = 0) -> dict:
    """Fine-tuned minus base per metric, resampling the same answers for both: {metric: {diff, low, high}}.

    The interval excluding zero says the gain is not noise from which questions were asked.
    """
    if len(base) != len(tuned):
        raise ValueError("paired bootstrap needs the same questions for both models")
    rng = np.random.default_rng(seed)
    out = {}
    for k in base.columns:
        diff = tuned[k].to_numpy() - base[k].to_numpy()
        boots = [diff[rng.integers(0, len(diff), len(diff))].mean() for _ in range(n_boot)]
        out[k] = {"diff": float(diff.mean()), "low": float(np.percentile(boots, 2.5)),
                  "high": float(np.percentile(boots, 97.5))}
    return out

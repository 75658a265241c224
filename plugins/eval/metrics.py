"""ROUGE and BLEU on generated answers, with bootstrap confidence intervals (Ludwig 0.17 ships neither).

Reference implementations only: Google's `rouge_score` (F-measure, Porter stemming, its default
tokeniser) and sacreBLEU (corpus BLEU with its standard settings: 13a tokenisation, exponential
smoothing for sentence scores). BLEU is reported on a 0-1 scale, as the reference project did.
`evaluate.load` would fetch these metrics from the hub, so it is not used.
"""

from __future__ import annotations

import functools

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
    "Intervals: 95 % percentile bootstrap over answers (corpus BLEU recomputed per resample); the "
    "fine-tuned minus base difference resamples the same questions for both models (paired)."
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


@functools.cache
def _bleu(order: int) -> BLEU:
    return BLEU(max_ngram_order=order)


def corpus_bleu(predictions: list[str], references: list[str], order: int = 4) -> float:
    """sacreBLEU corpus BLEU with n-grams up to `order`, on a 0-1 scale."""
    return _bleu(order).corpus_score(list(predictions), [list(references)]).score / 100


MEAN_KEYS = (*ROUGE_KEYS, "length_words")
REPORTED = (*ROUGE_KEYS, "bleu", "bleu1", "bleu2", "bleu3", "length_words")  # the order of every table


class _Answers:
    """One model's answers, reduced once to what every resample needs: per-answer scores and
    sacreBLEU's per-sentence sufficient statistics (summed per resample, as sacreBLEU's own
    significance tests do, instead of re-tokenising the corpus each time)."""

    def __init__(self, predictions: list[str], references: list[str]):
        self.samples = per_sample(predictions, references)
        self.bleu_stats = {n: np.array(_bleu(n)._extract_corpus_statistics(list(predictions), [list(references)]))
                           for n in BLEU_ORDERS}

    def scores(self, idx: np.ndarray) -> dict[str, float]:
        """Every reported metric over the answers `idx`: means of per-answer scores, corpus BLEU."""
        values = {k: float(self.samples[k].to_numpy()[idx].mean()) for k in MEAN_KEYS}
        for n in BLEU_ORDERS:
            score = _bleu(n)._compute_score_from_stats(self.bleu_stats[n][idx].sum(0)).score / 100
            values["bleu" if n == 4 else f"bleu{n}"] = score
        return {k: values[k] for k in REPORTED}


def _interval(point: dict, draws: list[dict], name: str) -> dict:
    return {k: {name: point[k], "low": float(np.percentile([d[k] for d in draws], 2.5)),
                "high": float(np.percentile([d[k] for d in draws], 97.5))} for k in point}


def summarize(predictions: list[str], references: list[str], n_boot: int = 1000, seed: int = 0) -> dict:
    """Every metric with a 95 % bootstrap interval: {metric: {value, low, high}}."""
    answers, n = _Answers(predictions, references), len(references)
    rng = np.random.default_rng(seed)
    draws = [answers.scores(rng.integers(0, n, n)) for _ in range(n_boot)]
    return _interval(answers.scores(np.arange(n)), draws, "value")


def paired_bootstrap(base: list[str], tuned: list[str], references: list[str], n_boot: int = 1000,
                     seed: int = 0) -> dict:
    """Fine-tuned minus base for every metric, each resample drawing the same questions for both:
    {metric: {diff, low, high}}. An interval that excludes zero says the gain is not noise from
    which questions happened to be asked."""
    if not len(base) == len(tuned) == len(references):
        raise ValueError("paired bootstrap needs both models' answers to the same questions")
    b, t, n = _Answers(base, references), _Answers(tuned, references), len(references)

    def diff(idx):
        tb, tt = b.scores(idx), t.scores(idx)
        return {k: tt[k] - tb[k] for k in tt}

    rng = np.random.default_rng(seed)
    draws = [diff(rng.integers(0, n, n)) for _ in range(n_boot)]
    return _interval(diff(np.arange(n)), draws, "diff")

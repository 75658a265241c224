"""Metrics equal the reference implementations called directly, including empty and identical answers."""

import math

import pytest
import sacrebleu
from rouge_score import rouge_scorer

from plugins.eval import metrics

REFS = ["Aspirin irreversibly inhibits cyclooxygenase, reducing thromboxane A2.",
        "The sinoatrial node is the heart's natural pacemaker.",
        "Insulin is produced by beta cells of the pancreatic islets.",
        "Loop diuretics act on the thick ascending limb of the loop of Henle."]
PREDS = ["Aspirin inhibits cyclooxygenase irreversibly.",
         "The sinoatrial node is the heart's natural pacemaker.",  # identical
         "",  # empty
         "They act on the loop of Henle."]


def test_rouge_matches_rouge_score():
    scorer = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeL"], use_stemmer=True)
    got = metrics.per_sample(PREDS, REFS)
    for i, (p, r) in enumerate(zip(PREDS, REFS)):
        want = scorer.score(r, p)
        for key in ("rouge1", "rouge2", "rougeL"):
            assert got.loc[i, key] == pytest.approx(want[key].fmeasure)
    assert got.loc[1, ["rouge1", "rouge2", "rougeL"]].tolist() == [1.0, 1.0, 1.0]
    assert got.loc[2, ["rouge1", "rouge2", "rougeL", "bleu", "length_words"]].tolist() == [0, 0, 0, 0, 0]


def test_bleu_matches_sacrebleu():
    assert metrics.corpus_bleu(PREDS, REFS) == pytest.approx(sacrebleu.corpus_bleu(PREDS, [REFS]).score / 100)
    assert metrics.corpus_bleu(REFS, REFS) == pytest.approx(1.0)
    bleu1 = sacrebleu.metrics.BLEU(max_ngram_order=1).corpus_score(PREDS, [REFS]).score / 100
    assert metrics.corpus_bleu(PREDS, REFS, order=1) == pytest.approx(bleu1)
    sentence = metrics.per_sample(PREDS, REFS)["bleu"]
    assert sentence[1] == pytest.approx(1.0)
    assert sentence[0] == pytest.approx(sacrebleu.sentence_bleu(PREDS[0], [REFS[0]]).score / 100)


def test_summary_is_deterministic_with_a_seed_and_brackets_the_value():
    a = metrics.summarize(PREDS, REFS, n_boot=200, seed=3)
    assert a == metrics.summarize(PREDS, REFS, n_boot=200, seed=3)
    assert a != metrics.summarize(PREDS, REFS, n_boot=200, seed=4)
    assert set(a) == {"rouge1", "rouge2", "rougeL", "length_words", "bleu", "bleu1", "bleu2", "bleu3"}
    for value in a.values():
        assert value["low"] <= value["value"] <= value["high"] or value["low"] == value["high"]
    assert a["rougeL"]["value"] == pytest.approx(metrics.per_sample(PREDS, REFS)["rougeL"].mean())
    for n, key in ((1, "bleu1"), (2, "bleu2"), (3, "bleu3"), (4, "bleu")):
        assert a[key]["value"] == pytest.approx(metrics.corpus_bleu(PREDS, REFS, order=n))


def test_paired_bootstrap_detects_a_real_gain_and_not_noise():
    refs, weak = REFS * 5, PREDS * 5
    gain = metrics.paired_bootstrap(weak, refs, refs, n_boot=300, seed=0)  # "fine-tuned" answers perfectly
    assert gain["rougeL"]["diff"] == pytest.approx(1 - metrics.per_sample(weak, refs)["rougeL"].mean())
    assert gain["rougeL"]["low"] > 0 and gain["bleu"]["low"] > 0
    same = metrics.paired_bootstrap(weak, weak, refs, n_boot=300, seed=0)
    assert all(v == {"diff": 0.0, "low": 0.0, "high": 0.0} for v in same.values())
    assert gain == metrics.paired_bootstrap(weak, refs, refs, n_boot=300, seed=0)


# Hand-computed values: rouge_score lower-cases, splits on non-alphanumerics and stems; sacreBLEU's 13a
# tokeniser leaves these plain words as they are.
CAT = "the cat sat on the mat"  # 6 words
RED_CAT = "the cat sat on the red mat"  # 7 words


def test_rouge_l_by_hand():
    # LCS of "the cat lay on the mat" and CAT is "the cat on the mat": 5 of 6 words each way
    got = metrics.per_sample(["the cat lay on the mat", "d c b a"], [CAT, "a b c d"])
    assert got.loc[0, "rougeL"] == pytest.approx(5 / 6)
    assert got.loc[0, "rouge1"] == pytest.approx(5 / 6) and got.loc[0, "rouge2"] == pytest.approx(3 / 5)
    # reversed order: one word in common subsequence, P = R = 1/4; unigrams all match
    assert got.loc[1, "rougeL"] == pytest.approx(1 / 4) and got.loc[1, "rouge1"] == pytest.approx(1.0)


def test_bleu_with_brevity_penalty_by_hand():
    # hypothesis CAT (6) against RED_CAT (7): clipped n-gram precisions 6/6, 4/5, 3/4, 2/3; shorter than
    # the reference, so the brevity penalty exp(1 - 7/6) applies
    precision = (1 * 4 / 5 * 3 / 4 * 2 / 3) ** (1 / 4)
    assert metrics.corpus_bleu([CAT], [RED_CAT]) == pytest.approx(math.exp(1 - 7 / 6) * precision, abs=1e-6)
    assert metrics.corpus_bleu([CAT], [RED_CAT], order=1) == pytest.approx(math.exp(1 - 7 / 6), abs=1e-6)


def test_bleu_without_brevity_penalty_and_swapped_roles_by_hand():
    # RED_CAT (7) against CAT (6): precisions 6/7, 4/6, 3/5, 2/4 and no penalty for a longer hypothesis
    swapped = metrics.corpus_bleu([RED_CAT], [CAT])
    assert swapped == pytest.approx((6 / 7 * 4 / 6 * 3 / 5 * 2 / 4) ** (1 / 4), abs=1e-6)
    assert swapped != pytest.approx(metrics.corpus_bleu([CAT], [RED_CAT]), abs=1e-3)

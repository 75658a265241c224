"""Training progress a person can read (plugins/ludwig/progress.py) and a perplexity that means something
(plugins/ludwig/fixes.py, PERPLEXITY), on real runs."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import pandas as pd
import pytest
import torch

from tests.conftest import SMOLLM2, make_project, run_module

SMOKE = "specs/smoke-tiny.yaml"
BLOCK = re.compile(r"answers to \d+ validation questions at step (\d+) \(greedy generation[^\n]*\n"
                   r"((?:  [QA]: [^\n]*\n)+)")


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    project = make_project(tmp_path_factory.mktemp("progress") / "project")
    result = run_module(project, "plugins.train", SMOKE)
    assert result.returncode == 0, result.stderr[-3000:]
    return project, (project / "runs" / "latest").resolve(), result.stdout + result.stderr


def printed_answers(console: str) -> list[list[tuple[str, str]]]:
    """Each evaluation's printed (question, answer) pairs, in order."""
    blocks = []
    for _, body in BLOCK.findall(console):
        lines = body.rstrip("\n").split("\n")
        blocks.append([(q[len("  Q: "):], a[len("  A: "):]) for q, a in zip(lines[::2], lines[1::2])])
    return blocks


def test_console_shows_real_answers_not_teacher_forced_tokens(trained):
    """At every evaluation the console shows two validation questions with what the model answers, and none of
    Ludwig's teacher-forced "Input:/Output:" lines; the printed answers of the evaluation that produced the saved
    model (the best validation loss) are exactly what `make predict` (the plugin-enabled `ludwig predict`)
    generates for those rows."""
    project, run, console = trained
    assert "Output: " not in console and "Input: " not in console
    blocks = printed_answers(console)
    losses = json.loads((run / "ludwig" / "training_statistics.json").read_text())["validation"]["combined"]["loss"]
    assert len(blocks) == len(losses) >= 2 and all(len(b) == 2 for b in blocks)
    data = pd.read_csv(run / "data" / "dataset.csv")
    validation = data[data["split"] == 1]
    assert [q for q, _ in blocks[0]] == validation["question"].tolist()[:2]
    best = blocks[losses.index(min(losses))]
    rows = run / "two_validation_rows.csv"
    validation.head(2).to_csv(rows, index=False)
    result = run_module(project, "plugins.ludwig.cli", "predict", "--model_path", str(run / "ludwig" / "model"),
                        "--dataset", str(rows), "--split", "full", "--output_directory", str(run / "two"),
                        "--skip_save_unprocessed_output")
    assert result.returncode == 0, result.stderr[-3000:]
    predicted = pd.read_parquet(run / "two" / "predictions.parquet")["answer_response"].tolist()
    assert [a for _, a in best] == [p.strip() or "(empty)" for p in predicted]


def _probabilities_and_targets():
    """SmolLM2's softmax over a real prompt + answer, targets -100 on the prompt (as Ludwig aligns them)."""
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tok = AutoTokenizer.from_pretrained(SMOLLM2)
    model = AutoModelForCausalLM.from_pretrained(SMOLLM2, torch_dtype=torch.float32)
    prompt = tok("<|im_start|>user\nWhat is hypertension?<|im_end|>\n<|im_start|>assistant\n")["input_ids"]
    answer = tok("High blood pressure: the force of blood against artery walls stays too high.<|im_end|>")["input_ids"]
    ids = torch.tensor([prompt + answer])
    with torch.no_grad():
        logits = model(ids).logits
    target = ids.clone()
    target[0, :len(prompt)] = -100
    cross_entropy = torch.nn.functional.cross_entropy(logits[0, :-1], target[0, 1:], ignore_index=-100)
    return logits.softmax(-1), target, float(cross_entropy)


def test_stock_perplexity_sits_near_the_vocabulary_size_and_the_fix_does_not():
    """Ludwig 0.17.10 softmaxes the probabilities again: its perplexity sits near the vocabulary size (49,152) however
    good the model; patched, exp of the cross-entropy. The stock half fails once the pinned Ludwig is fixed, and the
    patch can go."""
    from plugins.ludwig import fixes, patch

    fixes.apply()  # imports Ludwig's models first: its metric module cannot be imported alone
    from ludwig.modules.metric_modules import NextTokenPerplexityMetric, PerplexityMetric

    probabilities, target, cross_entropy = _probabilities_and_targets()
    for cls in (PerplexityMetric, NextTokenPerplexityMetric):
        metric = cls()
        patch.original(cls, "update")(metric, probabilities, target)
        stock = float(patch.original(cls, "compute")(metric))
        fixed = cls()
        fixed.update(probabilities, target)
        assert float(cls.compute(fixed)) == pytest.approx(math.exp(cross_entropy), rel=1e-4)
        assert math.exp(cross_entropy) < 100
        assert stock > 10_000  # the model's own perplexity on this answer is under 100


def test_perplexity_shown_is_exp_of_the_mean_token_cross_entropy(tmp_path):
    """A tiny real SmolLM2 run (LoRA, a few rows, one epoch): the perplexity Ludwig reports for the validation set
    equals exp of its loss, the mean next-token cross-entropy over the same tokens (one evaluation batch, so Ludwig's
    loss is that mean exactly); both perplexity figures agree."""
    from ludwig.api import LudwigModel

    from plugins.train import apply_plugins

    apply_plugins({})
    rows = pd.read_csv(Path(__file__).resolve().parents[1] / "data" / "medical_flashcards.csv").head(12)
    rows["split"] = [0] * 6 + [1] * 6
    config = {
        "model_type": "llm", "base_model": str(SMOLLM2),
        "input_features": [{"name": "question", "type": "text"}],
        "output_features": [{"name": "answer", "type": "text"}],
        "prompt": {"template": "<|im_start|>user\n{question}<|im_end|>\n<|im_start|>assistant\n"},
        "adapter": {"type": "lora"},
        "generation": {"max_new_tokens": 4, "do_sample": False},
        "trainer": {"type": "finetune", "epochs": 1, "batch_size": 2, "eval_batch_size": 8, "learning_rate": 1e-4},
        "preprocessing": {"global_max_sequence_length": 96, "split": {"type": "fixed", "column": "split"}},
    }
    model = LudwigModel(config)
    stats = model.train(dataset=rows, output_directory=str(tmp_path), skip_save_model=True, skip_save_log=True,
                        skip_save_progress=True, skip_save_processed_input=True).train_stats
    validation = stats["validation"]["answer"]
    loss = validation["loss"][-1]
    assert 0.5 < loss < 8  # a real model: far from log(49,152) = 10.8, where the stock figure sits
    assert validation["perplexity"][-1] == pytest.approx(math.exp(loss), rel=2e-3)
    assert validation["next_token_perplexity"][-1] == pytest.approx(math.exp(loss), rel=2e-3)

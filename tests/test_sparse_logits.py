"""Sparse logits (plugins/ludwig/sparse_logits.py): the same loss and the same trained adapter, fewer rows
through the output layer.

Why it exists: Ludwig computes [batch, length, vocabulary] logits for every training micro-batch, yet
its loss reads only the answer positions, so about a fifth of each token's FLOPs go to logits no one
reads.
"""

from __future__ import annotations

import logging

import pandas as pd
import pytest
import torch
import yaml

from plugins.ludwig import fixes, sparse_logits
from tests.conftest import REPO, TINY


def test_loss_on_counted_rows_equals_ludwigs_loss():
    sparse_logits.apply(enabled=False)  # imports Ludwig's models first: loss_modules alone is a circular import
    from ludwig.modules.loss_modules import NextTokenSoftmaxCrossEntropyLoss
    from ludwig.schema.features.loss.loss import NextTokenSoftmaxCrossEntropyLossConfig

    loss = NextTokenSoftmaxCrossEntropyLoss(NextTokenSoftmaxCrossEntropyLossConfig())
    torch.manual_seed(0)
    preds = torch.randn(3, 9, 50, requires_grad=True)
    target = torch.randint(0, 50, (3, 9))
    target[:, :4] = sparse_logits.IGNORE  # the prompt
    target[0, 7:] = sparse_logits.IGNORE  # right padding
    stock = loss(preds, target)
    (stock_grad,) = torch.autograd.grad(stock, preds)
    sparse_logits.apply(enabled=True)
    mine = loss(preds, target)
    (mine_grad,) = torch.autograd.grad(mine, preds)
    assert torch.allclose(stock, mine, atol=1e-6)
    assert torch.allclose(stock_grad, mine_grad, atol=1e-7)


def _train(tmp_path, enabled: bool):
    """Train the tiny model 2 epochs through Ludwig (4 micro-batches, 2 per optimizer step); returns
    its LoRA weights, Ludwig's training statistics and the row count of every training call of the
    output layer, next to the batch's sequence length."""
    fixes.apply()
    sparse_logits.apply(enabled=enabled)
    from ludwig.api import LudwigModel
    from ludwig.callbacks import Callback

    config = yaml.safe_load((REPO / "specs" / "smoke-tiny.yaml").read_text())
    config.pop("medical_llm")
    config["base_model"] = str(TINY)
    config["adapter"]["dropout"] = 0.0
    config["trainer"].update(epochs=2, batch_size=2, gradient_accumulation_steps=2, steps_per_checkpoint=2)
    data = pd.read_csv(REPO / "data" / "medical_flashcards.csv").head(12)
    data = data.rename(columns={"input": "question", "output": "answer"})[["question", "answer"]]
    data["split"] = [0] * 4 + [1] * 4 + [2] * 4
    calls: list[tuple[int, int]] = []

    class CountRows(Callback):
        def on_trainer_train_setup(self, trainer, save_path, is_coordinator):
            peft = trainer.model.model
            head = peft.get_base_model().lm_head
            sizes = {}
            peft.register_forward_pre_hook(lambda m, a, k: sizes.update(length=k["input_ids"].shape[1]),
                                           with_kwargs=True)
            head.register_forward_hook(
                lambda m, a, o: calls.append((a[0].shape[1], sizes["length"])) if torch.is_grad_enabled() else None)

    model = LudwigModel(config, callbacks=[CountRows()], logging_level=logging.WARNING)
    stats = model.train(dataset=data, output_directory=str(tmp_path / f"out-{enabled}"), random_seed=7,
                              skip_save_processed_input=True, skip_save_model=True, skip_save_progress=True,
                              skip_save_log=True).train_stats
    lora = {n: p.detach().clone() for n, p in model.model.model.named_parameters() if "lora_" in n}
    return lora, stats, calls


@pytest.fixture(scope="module")
def both_runs(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("sparse")
    try:
        return _train(tmp, enabled=False), _train(tmp, enabled=True)
    finally:
        sparse_logits.apply(enabled=False)


def test_sparse_logits_train_the_same_adapter(both_runs):
    (stock_lora, stock_stats, _), (mine_lora, mine_stats, _) = both_runs
    assert stock_lora.keys() == mine_lora.keys() and stock_lora
    for name in stock_lora:
        assert torch.allclose(stock_lora[name], mine_lora[name], rtol=1e-4, atol=1e-6), name
    # Ludwig's training and validation statistics (loss, perplexity, accuracy) are unchanged
    for split in ("training", "validation"):
        for metric, values in stock_stats[split]["answer"].items():
            assert values == pytest.approx(mine_stats[split]["answer"][metric], rel=1e-4), (split, metric)


def test_only_loss_only_micro_batches_skip_logits(both_runs):
    (_, _, stock_calls), (_, _, mine_calls) = both_runs
    assert len(stock_calls) == len(mine_calls) == 4
    assert all(rows == length for rows, length in stock_calls)
    # micro-batches 1 and 3 feed only the loss: fewer rows than positions; 2 and 4 step the optimizer
    # and feed Ludwig's training metrics: every position
    assert all(rows < length for rows, length in mine_calls[0::2]), mine_calls
    assert all(rows == length for rows, length in mine_calls[1::2]), mine_calls

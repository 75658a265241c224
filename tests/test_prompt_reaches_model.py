"""The question's tokens reach the model, in training and in generation, through Ludwig's real path.

Run twice: with the shipped pad token (`<|endoftext|>`) and with SmolLM2's original one (`<|im_end|>`,
which the ChatML template contains and which makes stock Ludwig 0.17.10 cut the prompt).
"""

from __future__ import annotations

import json
import logging
import shutil

import pandas as pd
import pytest
import yaml

from plugins.ludwig import fixes
from tests.conftest import REPO, TINY

QUESTION = "Which electrolyte disturbance causes peaked T waves on the ECG?"
ANSWER = "Hyperkalaemia causes tall, peaked T waves."


def tiny_model_with_pad(tmp_path, pad_token: str):
    model_dir = tmp_path / "model"
    shutil.copytree(TINY, model_dir)
    config = json.loads((model_dir / "tokenizer_config.json").read_text())
    config["pad_token"] = pad_token
    (model_dir / "tokenizer_config.json").write_text(json.dumps(config))
    return model_dir


@pytest.mark.parametrize("pad_token", ["<|endoftext|>", "<|im_end|>"])
def test_question_reaches_the_model(tmp_path, pad_token):
    fixes.apply()
    from ludwig.api import LudwigModel
    from ludwig.callbacks import Callback

    config = yaml.safe_load((REPO / "specs" / "smoke-tiny.yaml").read_text())
    config.pop("medical_llm")
    config["base_model"] = str(tiny_model_with_pad(tmp_path, pad_token))
    config["trainer"].update(epochs=1, batch_size=2)
    config["preprocessing"]["split"] = {"type": "fixed", "column": "split"}
    rows = [{"question": QUESTION, "answer": ANSWER, "split": s} for s in [0] * 4 + [1] * 3 + [2] * 3]
    dataset = pd.DataFrame(rows)

    seen: list = []

    class CaptureInputs(Callback):
        """Record every input_ids tensor the Hugging Face model's forward receives."""

        def on_trainer_train_setup(self, trainer, save_path, is_coordinator):
            base = trainer.model.model.get_base_model()
            base.register_forward_pre_hook(lambda m, args, kwargs: seen.append(kwargs["input_ids"].clone()),
                                           with_kwargs=True)

    model = LudwigModel(config, callbacks=[CaptureInputs()], logging_level=logging.WARNING)
    model.train(dataset=dataset, output_directory=str(tmp_path / "out"), skip_save_processed_input=True,
                skip_save_model=True, skip_save_progress=True, skip_save_log=True)
    tokenizer = model.model.tokenizer
    assert tokenizer.pad_token == pad_token
    prompt = config["prompt"]["template"].format(question=QUESTION)

    training_inputs = [tokenizer.decode(row) for batch in seen for row in batch]
    assert training_inputs, "the training forward pass was never seen"
    assert all(prompt in text and ANSWER in text for text in training_inputs[:2]), training_inputs[0]

    seen.clear()
    model.predict(pd.DataFrame([{"question": QUESTION}]), skip_save_predictions=True)
    prefill = tokenizer.decode(seen[0][0])  # the first generation step sees the whole prompt
    assert prefill.endswith(prompt), prefill

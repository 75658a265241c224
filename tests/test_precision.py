"""Precision (plugins/precision.py, plugins/ludwig/cpu_autocast.py): `auto` picks bf16 only where the CPU has
bf16 matrix units; bf16 training and prediction really run Ludwig's forwards in bf16, with finite losses,
while the LoRA weights, the optimizer state and the saved adapter stay fp32 and load and generate in fp32.
"""

from __future__ import annotations

import logging

import pandas as pd
import pytest
import torch
import yaml
from safetensors import safe_open

from plugins import models, precision
from plugins.ludwig import cpu_autocast, patch
from plugins.train import apply_plugins
from tests.conftest import REPO, TINY

SAPPHIRE_RAPIDS = {"avx2", "avx512f", "avx512_bf16", "amx_tile", "amx_bf16"}
ZEN4 = {"avx2", "avx512f", "avx512_bf16"}
SKYLAKE = {"avx2", "avx512f"}
GRAVITON3 = {"fp", "asimd", "sve", "bf16"}


@pytest.mark.parametrize("flags, dtype, named", [
    (SAPPHIRE_RAPIDS, "bf16", "amx_bf16"), (ZEN4, "bf16", "avx512_bf16"), (GRAVITON3, "bf16", "bf16"),
    (SKYLAKE, "fp32", "no bf16 matrix units"), (set(), "fp32", "no bf16 matrix units")])
def test_auto_picks_bf16_only_with_bf16_units(flags, dtype, named):
    decision = precision.decide("auto", flags)
    assert decision.dtype == dtype and named in decision.reason and decision.warning is None
    assert decision.describe().startswith(f"precision: {dtype} (auto: ")


def test_explicit_choices_and_the_emulation_warning():
    assert precision.decide("fp32", SAPPHIRE_RAPIDS).dtype == "fp32"
    assert precision.decide("bf16", ZEN4).warning is None
    emulated = precision.decide("bf16", SKYLAKE)
    assert emulated.dtype == "bf16" and "emulated" in emulated.reason
    assert "slower than fp32" in emulated.warning and "avx512f, avx2" in emulated.warning
    with pytest.raises(ValueError, match="allowed: auto"):
        precision.decide("fp16", ZEN4)
    assert precision.problems("half", "medical_llm.precision") == [
        f"'medical_llm.precision' is 'half'; allowed: {precision.ALLOWED}"]
    assert precision.problems("auto", "x") == []


def test_cpu_flags_read_from_x86_and_arm_cpuinfo(tmp_path):
    x86 = tmp_path / "x86"
    x86.write_text("processor\t: 0\nflags\t\t: fpu avx2 avx512f avx512_bf16\n\nprocessor\t: 1\nflags\t\t: fpu avx2\n")
    arm = tmp_path / "arm"
    arm.write_text("processor\t: 0\nFeatures\t: fp asimd sve bf16\n")
    assert precision.cpu_flags(x86) == {"fpu", "avx2", "avx512f", "avx512_bf16"}
    assert precision.cpu_flags(arm) == {"fp", "asimd", "sve", "bf16"}
    assert precision.cpu_flags(tmp_path / "missing") == frozenset()


def test_check_says_what_a_cpu_without_bf16_units_picks_and_warns_about_bf16(tmp_path, project):
    """`make check` on a machine without bf16 units (its cpuinfo through $MEDICAL_LLM_CPUINFO): fp32 and why; a spec
    that insists on bf16 is accepted with a warning that it is emulated there."""
    import subprocess
    import sys

    from tests.conftest import offline_env

    cpuinfo = tmp_path / "cpuinfo"
    cpuinfo.write_text("processor\t: 0\nflags\t\t: fpu sse2 avx2 avx512f\n")
    spec = yaml.safe_load((REPO / "specs" / "smoke-tiny.yaml").read_text())
    spec["medical_llm"]["precision"] = "bf16"
    (project / "bf16.yaml").write_text(yaml.safe_dump(spec))
    env = {**offline_env(), "MEDICAL_LLM_CPUINFO": str(cpuinfo)}
    out = subprocess.run([sys.executable, "-m", "plugins.check", "specs/smoke-tiny.yaml", "bf16.yaml"], cwd=project,
                         env=env, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert ("specs/smoke-tiny.yaml: on this machine, precision: fp32 (auto: this CPU has no bf16 matrix units (no "
            "amx_bf16, avx512_bf16 or Arm bf16 flag; flags seen: avx512f, avx2))") in out.stdout
    assert "bf16.yaml: on this machine, precision: bf16 (bf16: as the spec asks (emulated))" in out.stdout
    assert "warning: bf16.yaml: 'medical_llm.precision: bf16' on this machine: bf16 was asked for but" in out.stderr
    assert "usually slower than fp32" in out.stderr


def _train(tmp_path, choice: str):
    """The tiny model trained 2 epochs through Ludwig after `make train`'s plugins; records, for every forward
    of a LoRA-adapted projection, whether autocast was on and the output dtype, split by training/evaluation."""
    config = yaml.safe_load((REPO / "specs" / "smoke-tiny.yaml").read_text())
    project = config.pop("medical_llm")
    decision = apply_plugins({**project, "precision": choice})
    from ludwig.api import LudwigModel
    from ludwig.callbacks import Callback

    config["base_model"] = str(TINY)
    config["trainer"].update(epochs=2, batch_size=2, gradient_accumulation_steps=2, steps_per_checkpoint=2)
    data = pd.read_csv(REPO / "data" / "medical_flashcards.csv").head(12)
    data = data.rename(columns={"input": "question", "output": "answer"})[["question", "answer"]]
    data["split"] = [0] * 4 + [1] * 4 + [2] * 4
    seen = {"train": set(), "eval": set(), "optimizer": set()}

    class Watch(Callback):
        def on_trainer_train_setup(self, trainer, save_path, is_coordinator):
            proj = trainer.model.model.get_base_model().model.layers[0].self_attn.q_proj
            proj.register_forward_hook(lambda m, a, o: seen["train" if m.training else "eval"].add(
                (torch.is_autocast_enabled("cpu"), o.dtype)))

        def on_trainer_train_teardown(self, trainer, progress_tracker, save_path, is_coordinator):
            seen["optimizer"] = {t.dtype for state in trainer.optimizer.state.values() for t in state.values()
                                 if torch.is_tensor(t) and t.dim() > 0}

    model = LudwigModel(config, callbacks=[Watch()], logging_level=logging.WARNING)
    out = tmp_path / choice
    stats = model.train(dataset=data, output_directory=str(out), random_seed=7, skip_save_processed_input=True,
                        skip_save_progress=True, skip_save_log=True).train_stats
    return decision, model, stats, seen, out


@pytest.fixture(scope="module")
def bf16_run(tmp_path_factory):
    try:
        yield _train(tmp_path_factory.mktemp("bf16"), "bf16")
    finally:
        cpu_autocast.apply(precision.decide("fp32"))  # later tests in this process: Ludwig's stock forwards


def test_bf16_training_runs_ludwigs_forwards_in_bf16_with_finite_losses(bf16_run):
    decision, _, stats, seen, _ = bf16_run
    assert decision.bf16 and decision.requested == "bf16"
    assert seen["train"] == {(True, torch.bfloat16)}  # every training forward, under autocast
    assert seen["eval"] == {(True, torch.bfloat16)}  # Ludwig's validation/test evaluation too
    for split in ("training", "validation"):
        losses = stats[split]["combined"]["loss"]
        assert losses and all(torch.isfinite(torch.tensor(losses))), (split, losses)


def test_lora_weights_optimizer_state_and_saved_adapter_stay_fp32(bf16_run):
    _, model, _, seen, out = bf16_run
    assert seen["optimizer"] == {torch.float32}  # AdamW's moments
    peft = model.model.model
    assert {p.dtype for n, p in peft.named_parameters() if "lora_" in n} == {torch.float32}
    base = peft.get_base_model()
    # the frozen base's linear layers are stored in bf16 while training; embeddings (= the tied output layer) and
    # norms stay fp32
    assert base.model.layers[0].mlp.up_proj.weight.dtype == torch.bfloat16
    assert base.get_input_embeddings().weight.dtype == base.model.norm.weight.dtype == torch.float32
    adapter = next(out.rglob("adapter_model.safetensors"))
    with safe_open(str(adapter), "pt") as f:
        assert {f.get_tensor(k).dtype for k in f.keys()} == {torch.float32}
    # the adapter loads into a plain fp32 model, outside any autocast, and generates
    merged = models.merge_adapter(models.load_base(TINY), adapter.parent)
    assert not torch.is_autocast_enabled("cpu")
    ids = torch.tensor([[1, 2, 3, 4]])
    with torch.no_grad():
        logits = merged(input_ids=ids).logits
        generated = merged.generate(input_ids=ids, max_new_tokens=4, do_sample=False)
    assert logits.dtype == torch.float32 and torch.isfinite(logits).all() and generated.shape == (1, 8)


def test_fp32_puts_ludwigs_own_forwards_back(tmp_path, bf16_run):
    from ludwig.models.predictor import LlmPredictor, Predictor
    from ludwig.trainers.trainer_llm import FineTuneTrainer

    cpu_autocast.apply(precision.decide("bf16"))
    assert patch.is_installed(FineTuneTrainer, "_forward_pass")
    decision, _, _, seen, _ = _train(tmp_path, "fp32")
    assert decision.dtype == "fp32"
    assert not any(patch.is_installed(o, "_forward_pass") for o in (FineTuneTrainer,))
    assert not any(patch.is_installed(o, "_predict_on_inputs") for o in (Predictor, LlmPredictor))
    assert seen["train"] == seen["eval"] == {(False, torch.float32)}


def _run(root, dtype: str, loss: float, answers: list[str], correct: list[bool]):
    import json

    run = root / dtype
    (run / "eval").mkdir(parents=True)
    (run / "summary.json").write_text(json.dumps({"precision": {"dtype": dtype}, "train_wall_seconds": 1.0,
                                                  "validation_loss": {"fine_tuned": loss}}))
    references = ["gout is caused by uric acid crystals in the joints"] * len(answers)
    pd.DataFrame({"question": [f"q{i}" for i in range(len(answers))], "answer": references,
                  "fine_tuned": answers}).to_csv(run / "eval" / "answers.csv", index=False)
    questions = [{"benchmark": "medmcqa", "id": str(i), "fine_tuned": {"correct": c}} for i, c in enumerate(correct)]
    (run / "eval" / "knowledge.json").write_text(json.dumps({"questions": questions}))
    return run


def test_quality_verdicts_on_hand_made_runs(tmp_path):
    """benchmarks.precision.quality: loss within 1 %, the paired ROUGE-L interval, knowledge paired by question."""
    from benchmarks.precision import quality

    good = ["gout is caused by uric acid crystals", "uric acid crystals in the joints", "a joint disease"] * 4
    fp32 = _run(tmp_path / "a", "fp32", 2.00, good, [True, False] * 6)
    same = quality(_run(tmp_path / "b", "bf16", 2.01, good, [True, False] * 6), fp32, n_boot=200)
    assert same["loss_met"] and same["rougeL_met"] and same["identical_answers"] == 12
    assert same["knowledge"]["medmcqa"] == {"questions": 12, "bf16": 0.5, "fp32": 0.5, "diff": 0.0, "low": 0.0,
                                            "high": 0.0}
    worse = quality(_run(tmp_path / "c", "bf16", 2.05, ["headache"] * 12, [False] * 12), fp32, n_boot=200)
    assert not worse["loss_met"] and not worse["rougeL_met"] and worse["rougeL_difference"]["high"] < 0
    assert worse["knowledge"]["medmcqa"]["diff"] == -0.5
    with pytest.raises(SystemExit, match="trained in fp32, not bf16"):
        quality(fp32, fp32)

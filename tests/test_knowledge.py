"""plugins/eval/knowledge*.py: the benchmark loaders on fixture files in each real format, seeded sampling, the
spec-block checks, the statistics against hand computations, and lm-eval's scoring (real lm-eval on the tiny
model, base and base + a random LoRA) against log-likelihoods computed here with transformers alone."""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path

import pytest
import yaml

from plugins import runs
from plugins.eval import knowledge, knowledge_results, knowledge_sets
from plugins.eval.knowledge_sets import BENCHMARKS, KnowledgeError
from tests.conftest import TINY

# --- fixture files in the shared data's exact formats -------------------------------------------------------------

MMLU_ROWS = {  # subject -> rows (question, A, B, C, D, answer letter); the first field of anatomy spans lines
    "anatomy": [["Which bone is in the arm?\nChoose one.", "Humerus", "Femur", "Tibia", "Fibula", "A"],
                ["Where is the heart?", "Abdomen", "Thorax", "Pelvis", "Skull", "B"]],
    "clinical_knowledge": [["Normal adult resting heart rate?", "10", "30", "70", "200", "C"]],
    "college_biology": [["What carries oxygen in blood?", "Insulin", "Keratin", "Collagen", "Haemoglobin", "D"]],
    "college_medicine": [["Which vitamin is made in skin?", "D", "C", "B12", "K", "A"]],
    "medical_genetics": [["How many human chromosomes?", "23", "46", "44", "92", "B"]],
    "professional_medicine": [["First-line drug for anaphylaxis?", "Adrenaline", "Aspirin", "Insulin", "Heparin",
                               "A"]],
}
MEDMCQA_ROWS = [
    {"question": "Which nerve supplies the deltoid?", "opa": "Axillary nerve", "opb": "Radial nerve",
     "opc": "Ulnar nerve", "opd": "Median nerve", "cop": 1, "subject_name": "Anatomy", "id": "m1",
     "topic_name": None, "exp": None, "choice_type": "single"},
    {"question": "Drug of choice for absence seizures?", "opa": "Phenytoin", "opb": "Carbamazepine",
     "opc": "Ethosuximide", "opd": "Phenobarbital", "cop": 3, "subject_name": "Pharmacology", "id": "m2",
     "topic_name": "CNS", "exp": "Ans-c.", "choice_type": "single"},
    {"question": "Most common site of dental caries?", "opa": "Lingual", "opb": "Buccal", "opc": "Palatal",
     "opd": "Occlusal pits", "cop": 4, "subject_name": "Dental", "id": "m3", "topic_name": None, "exp": None,
     "choice_type": "single"},
]
PUBMEDQA = {
    "111": {"QUESTION": "Does exercise lower blood pressure?", "CONTEXTS": ["Background one.", "Results two."],
            "LABELS": ["BACKGROUND", "RESULTS"], "LONG_ANSWER": "Yes.", "final_decision": "yes"},
    "222": {"QUESTION": "Does coffee cause ulcers?", "CONTEXTS": ["We studied coffee."], "LABELS": ["METHODS"],
            "LONG_ANSWER": "No.", "final_decision": "no"},
    "333": {"QUESTION": "Is the new score useful?", "CONTEXTS": ["A small study.", "Mixed results."],
            "LABELS": ["METHODS", "RESULTS"], "LONG_ANSWER": "Unclear.", "final_decision": "maybe"},
}


def write_data(root: Path) -> Path:
    (root / "mmlu").mkdir(parents=True)
    for subject, rows in MMLU_ROWS.items():
        with (root / "mmlu" / f"{subject}_test.csv").open("w", newline="") as f:
            csv.writer(f).writerows(rows)  # no header, as MMLU's files
    (root / "medmcqa").mkdir()
    (root / "medmcqa" / "dev.jsonl").write_text("".join(json.dumps(r) + "\n" for r in MEDMCQA_ROWS))
    (root / "pubmedqa").mkdir()
    (root / "pubmedqa" / "test_set.json").write_text(json.dumps(PUBMEDQA))
    return root


@pytest.fixture(scope="module")
def data_root(tmp_path_factory) -> Path:
    return write_data(tmp_path_factory.mktemp("mcq"))


# --- loaders ------------------------------------------------------------------------------------------------------


def test_mmlu_loader_reads_headerless_csv_with_a_multiline_field(data_root):
    records = knowledge_sets.load_mmlu(data_root)
    assert len(records) == sum(len(rows) for rows in MMLU_ROWS.values())  # no header row swallowed
    first = records[0]
    assert first == {"id": "anatomy-0", "subject": "anatomy", "question": "Which bone is in the arm?\nChoose one.",
                     "choices": ["Humerus", "Femur", "Tibia", "Fibula"], "answer": 0}
    keyed = {r["id"]: r for r in records}
    assert keyed["anatomy-1"]["answer"] == 1 and keyed["anatomy-1"]["choices"][1] == "Thorax"
    assert keyed["clinical_knowledge-0"]["choices"][keyed["clinical_knowledge-0"]["answer"]] == "70"
    assert keyed["college_biology-0"]["choices"][keyed["college_biology-0"]["answer"]] == "Haemoglobin"
    assert {r["subject"] for r in records} == set(knowledge_sets.MMLU_SUBJECTS)


def test_medmcqa_cop_is_one_based(data_root):
    records = {r["id"]: r for r in knowledge_sets.load_medmcqa(data_root)}
    assert records["m1"]["answer"] == 0 and records["m1"]["choices"][0] == "Axillary nerve"  # cop 1 = opa
    assert records["m2"]["answer"] == 2 and records["m2"]["choices"][2] == "Ethosuximide"  # cop 3 = opc
    assert records["m3"]["answer"] == 3 and records["m3"]["choices"][3] == "Occlusal pits"  # cop 4 = opd
    assert records["m3"]["subject"] == "Dental"


def test_medmcqa_rejects_an_out_of_range_cop(tmp_path):
    (tmp_path / "medmcqa").mkdir()
    (tmp_path / "medmcqa" / "dev.jsonl").write_text(json.dumps({**MEDMCQA_ROWS[0], "cop": 0}) + "\n")
    with pytest.raises(KnowledgeError, match=r"dev.jsonl line 1: `cop` must be 1-4"):
        knowledge_sets.load_medmcqa(tmp_path)


def test_pubmedqa_loader_joins_the_abstract(data_root):
    records = {r["id"]: r for r in knowledge_sets.load_pubmedqa(data_root)}
    assert records["111"] == {"id": "111", "subject": "pubmedqa", "question": "Does exercise lower blood pressure?",
                              "context": "Background one.\nResults two.", "choices": ["yes", "no", "maybe"],
                              "answer": 0}
    assert records["222"]["answer"] == 1 and records["333"]["answer"] == 2


@pytest.mark.parametrize("name, missing", [("mmlu_medical", "mmlu"), ("medmcqa", "medmcqa/dev.jsonl"),
                                           ("pubmedqa", "pubmedqa/test_set.json")])
def test_missing_data_names_what_and_where(tmp_path, name, missing):
    with pytest.raises(KnowledgeError, match=f"{name}: {tmp_path / missing} is missing"):
        BENCHMARKS[name].load(tmp_path)


def test_one_missing_mmlu_subject_is_named(tmp_path):
    write_data(tmp_path)
    (tmp_path / "mmlu" / "medical_genetics_test.csv").unlink()
    with pytest.raises(KnowledgeError, match="medical_genetics_test.csv is missing"):
        knowledge_sets.load_mmlu(tmp_path)


# --- sampling -----------------------------------------------------------------------------------------------------


def test_sampling_is_seeded_and_simple_random():
    records = [{"id": str(i)} for i in range(200)]
    ids = lambda rs: [r["id"] for r in rs]
    a, b = knowledge_sets.sample(records, 20, seed=7), knowledge_sets.sample(records, 20, seed=7)
    assert ids(a) == ids(b) and len(a) == 20
    assert ids(knowledge_sets.sample(records, 20, seed=8)) != ids(a)
    assert ids(a) == sorted(ids(a), key=int)  # kept in file order
    assert set(ids(a)) <= set(ids(knowledge_sets.sample(records, 50, seed=7)))  # a larger limit only adds questions
    assert knowledge_sets.sample(records, None) == records and knowledge_sets.sample(records, 500) == records


# --- the spec block -----------------------------------------------------------------------------------------------


def test_problems_accepts_a_good_block(data_root):
    block = {"mmlu_medical": {"limit": 40}, "medmcqa": None, "pubmedqa": {}}
    assert knowledge_sets.problems(block, data_root) == ([], [])
    assert knowledge_sets.problems(None, data_root) == ([], [])


@pytest.mark.parametrize("block, message", [
    (["mmlu_medical"], "medical_llm.benchmarks must be a mapping"),
    ({"mmlu": {"limit": 5}}, "unknown benchmark 'mmlu' (did you mean mmlu_medical?); allowed: mmlu_medical, "
                             "medmcqa, pubmedqa"),
    ({"pubmed_qa": None}, "did you mean pubmedqa?"),
    ({"medmcqa": {"limit": 0}}, "medical_llm.benchmarks.medmcqa.limit must be an integer >= 1"),
    ({"medmcqa": {"limit": "40"}}, "limit must be an integer >= 1"),
    ({"medmcqa": {"limit": True}}, "limit must be an integer >= 1"),
    ({"medmcqa": {"limit": 4.5}}, "limit must be an integer >= 1"),
    ({"pubmedqa": {"limit": 5, "seed": 1}}, "medical_llm.benchmarks.pubmedqa: unknown key 'seed' (allowed: limit)"),
    ({"pubmedqa": 40}, "medical_llm.benchmarks.pubmedqa must be a mapping such as {limit: 60}"),
])
def test_problems_reports_bad_blocks(data_root, block, message):
    errors, warnings = knowledge_sets.problems(block, data_root)
    assert any(message in e for e in errors), errors
    assert warnings == []


def test_missing_data_is_only_a_warning(tmp_path):
    errors, warnings = knowledge_sets.problems({"medmcqa": {"limit": 5}}, tmp_path / "mcq")
    assert errors == []
    assert warnings == [f"benchmarks declared but {tmp_path / 'mcq'} is missing: make compare will skip them"]
    write_data(tmp_path / "mcq")
    (tmp_path / "mcq" / "pubmedqa" / "test_set.json").unlink()
    errors, warnings = knowledge_sets.problems({"medmcqa": None, "pubmedqa": None}, tmp_path / "mcq")
    assert errors == [] and warnings == [f"benchmarks declared but {tmp_path / 'mcq/pubmedqa/test_set.json'} is "
                                         "missing: make compare will skip pubmedqa"]


# --- statistics against hand computations -------------------------------------------------------------------------


def test_mcnemar_exact_p_from_discordant_counts():
    # 1 question only base gets right, 9 only fine-tuned: two-sided binomial, 2 * P(X <= 1 | 10, 1/2) = 2 * 11 / 1024
    assert knowledge_results.mcnemar_p(1, 9) == pytest.approx(22 / 1024)
    assert knowledge_results.mcnemar_p(9, 1) == pytest.approx(22 / 1024)
    assert knowledge_results.mcnemar_p(3, 3) == pytest.approx(1.0)
    assert knowledge_results.mcnemar_p(0, 0) == 1.0


def test_wilson_interval():
    low, high = knowledge_results.wilson(8, 10)  # Wilson's closed form for 8/10
    z = 1.959963984540054
    centre, half = (0.8 + z * z / 20) / (1 + z * z / 10), z / (1 + z * z / 10) * math.sqrt(0.016 + z * z / 400)
    assert (low, high) == pytest.approx((centre - half, centre + half))
    assert (low, high) == pytest.approx((0.4902, 0.9433), abs=1e-4)


def test_majority_and_macro_f1_by_hand():
    answers = [0, 0, 1, 2]  # yes, yes, no, maybe
    assert knowledge_results.majority(answers, knowledge_sets.PUBMEDQA_LABELS, "yes") == {"label": "yes", "index": 0,
                                                                                          "accuracy": 0.5}
    assert knowledge_results.majority([3, 1, 3, 0, 3], knowledge_sets.LETTERS)["label"] == "D"
    # a tie goes to the first letter
    assert knowledge_results.majority([3, 1, 3, 1], knowledge_sets.LETTERS)["label"] == "B"
    # predictions yes, no, no, yes: F1 yes = 1/2 (P 1/2, R 1/2), no = 2/3 (P 1/2, R 1), maybe = 0 -> 7/18
    assert knowledge_results.macro_f1(answers, [0, 1, 1, 0], 3) == pytest.approx(7 / 18)
    # always yes: F1 yes = 2/3 (P 1/2, R 1), the others 0 -> 2/9
    assert knowledge_results.macro_f1(answers, [0, 0, 0, 0], 3) == pytest.approx(2 / 9)


def _question(benchmark, subject, answer, base, fine_tuned):
    outcome = lambda c: {"choice": c, "correct": c == answer, "choice_norm": c, "correct_norm": c == answer}
    return {"benchmark": benchmark, "subject": subject, "answer": answer, "base": outcome(base),
            "fine_tuned": outcome(fine_tuned)}


def test_statistics_on_a_hand_made_result():
    # PubMedQA, 10 questions: answers 6 yes, 3 no, 1 maybe; base right on 4, fine-tuned on 7; discordant 1 vs 4
    pairs = [(0, 0, 0), (0, 0, 0), (1, 1, 1),  # (answer, base choice, fine-tuned choice): both right
             (0, 0, 1),  # base only
             (0, 1, 0), (0, 1, 0), (0, 2, 0), (1, 0, 1),  # fine-tuned only
             (1, 0, 0), (2, 0, 1)]  # both wrong
    questions = [_question("pubmedqa", "pubmedqa", *p) for p in pairs]
    questions += [_question("mmlu_medical", s, a, b, f) for s, a, b, f in
                  [("anatomy", 2, 2, 2), ("anatomy", 2, 1, 2), ("anatomy", 0, 0, 3), ("genetics", 1, 1, 1)]]
    stats = knowledge_results.statistics(questions, ["pubmedqa", "mmlu_medical"], n_boot=500)
    p = stats["pubmedqa"]
    assert p["n"] == 10 and p["base"]["accuracy"] == 0.4 and p["fine_tuned"]["accuracy"] == 0.7
    assert p["mcnemar"] == {"base_only": 1, "fine_tuned_only": 4, "p": pytest.approx(2 * 6 / 32)}
    assert p["difference"]["value"] == pytest.approx(0.3) and p["difference"]["low"] <= 0.3 <= p["difference"]["high"]
    assert p["chance"] == pytest.approx(1 / 3)
    assert p["majority"]["label"] == "yes" and p["majority"]["accuracy"] == 0.6
    assert p["base"]["macro_f1"] == pytest.approx(knowledge_results.macro_f1([a for a, _, _ in pairs],
                                                                             [b for _, b, _ in pairs], 3))
    assert "subjects" not in p
    m = stats["mmlu_medical"]
    assert m["chance"] == 0.25 and m["majority"] == {"label": "C", "index": 2, "accuracy": 0.5}
    assert "macro_f1" not in m["base"]
    assert m["subjects"]["anatomy"]["n"] == 3 and m["subjects"]["anatomy"]["base"]["accuracy"] == pytest.approx(2 / 3)
    assert m["subjects"]["anatomy"]["mcnemar"] == {"base_only": 1, "fine_tuned_only": 1, "p": 1.0}


# --- lm-eval on the tiny model, against an independent computation --------------------------------------------------

BLOCK = {"mmlu_medical": {"limit": 3}, "medmcqa": None, "pubmedqa": {"limit": 2}}


def make_run(root: Path, block: dict | None, precision: str = "fp32") -> Path:
    """A run directory as plugins.runs reads it: spec.yaml, Ludwig's saved config, a LoRA adapter (random, B != 0
    so that it changes the scores) trained on nothing."""
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    run = root / "runs" / "tiny" / "20250101-000000"
    (run / "ludwig" / "model").mkdir(parents=True)
    project = {"precision": precision, **({"benchmarks": block} if block else {})}
    spec = {"base_model": str(TINY), "medical_llm": project}
    (run / "spec.yaml").write_text(yaml.safe_dump(spec))
    config = {"trainer": {"eval_batch_size": 3}}
    (run / "ludwig" / "model" / "model_hyperparameters.json").write_text(json.dumps(config))
    torch.manual_seed(0)
    model = get_peft_model(AutoModelForCausalLM.from_pretrained(TINY, dtype="float32"),
                           LoraConfig(r=4, lora_alpha=16, target_modules=["q_proj", "v_proj", "o_proj"],
                                      init_lora_weights=False))
    model.save_pretrained(run / "ludwig" / "model" / "model_weights")
    return run


@pytest.fixture(scope="module")
def evaluated(tmp_path_factory, data_root):
    """`python -m plugins.eval.knowledge RUN` on the tiny model and the fixture data (in-process)."""
    run = make_run(tmp_path_factory.mktemp("project"), BLOCK)
    assert knowledge.main([str(run), "--data-root", str(data_root)]) == 0
    return run, json.loads((run / "eval" / "knowledge.json").read_text())


def _loglikelihoods(model, tokenizer, prompt: str, choices: list[str], dtype: str = "fp32") -> list[float]:
    """Sum of the log-probabilities of each option's tokens after the prompt, built as lm-eval builds them: the
    continuation is " " + option, its tokens are those of prompt + continuation after the prompt's own tokens.
    The forward runs in `dtype` (plugins/precision.py), the log-softmax in fp32, as lm-eval does."""
    import torch

    from plugins import precision

    context = tokenizer.encode(prompt)
    out = []
    for choice in choices:
        whole = tokenizer.encode(prompt + " " + choice)
        assert whole[:len(context)] == context
        continuation = whole[len(context):]
        with torch.no_grad(), precision.autocast(precision.decide(dtype)):
            logits = model(torch.tensor([whole])).logits[0]
        logits = logits.float()
        logprobs = torch.log_softmax(logits, dim=-1)
        out.append(sum(float(logprobs[len(context) - 1 + i, t]) for i, t in enumerate(continuation)))
    return out


def test_lm_eval_scores_match_an_independent_computation(evaluated, data_root):
    from peft import PeftModel
    from transformers import AutoModelForCausalLM, AutoTokenizer

    run, result = evaluated
    tokenizer = AutoTokenizer.from_pretrained(TINY)
    base = AutoModelForCausalLM.from_pretrained(TINY, dtype="float32").eval()
    base_lls = {}
    records = {(name, r["id"]): r for name in BLOCK for r in BENCHMARKS[name].load(data_root)}
    questions = result["questions"]
    assert len(questions) == 3 + 3 + 2
    for q in questions:
        record = records[(q["benchmark"], q["id"])]
        assert q["prompt"] == knowledge.PROMPTS[q["benchmark"]].format(**record)  # the context lm-eval scored
        base_lls[q["id"]] = lls = _loglikelihoods(base, tokenizer, q["prompt"], record["choices"])
        assert q["base"]["loglikelihoods"] == pytest.approx(lls, abs=1e-3)
        assert q["base"]["choice"] == max(range(len(lls)), key=lls.__getitem__)
    # fine-tuned: the adapter applied by peft, unmerged (lm-eval scored the merged weights)
    fine_tuned = PeftModel.from_pretrained(base, run / "ludwig" / "model" / "model_weights").eval()
    moved = 0.0
    for q in questions:
        record = records[(q["benchmark"], q["id"])]
        lls = _loglikelihoods(fine_tuned, tokenizer, q["prompt"], record["choices"])
        assert q["fine_tuned"]["loglikelihoods"] == pytest.approx(lls, abs=1e-3)
        assert q["fine_tuned"]["choice"] == max(range(len(lls)), key=lls.__getitem__)
        moved = max(moved, max(abs(a - b) for a, b in zip(lls, base_lls[q["id"]])))
    assert moved > 0.05, "the random adapter should change the scores"


def test_bf16_precision_reaches_lm_eval(tmp_path, data_root, evaluated):
    """A spec with `precision: bf16` scores with lm-eval's own autocast in bf16 (an outer autocast would be switched
    off inside lm-eval): the log-likelihoods are those of a bf16 forward, not the fp32 ones."""
    from transformers import AutoModelForCausalLM, AutoTokenizer

    block = {"mmlu_medical": {"limit": 3}}
    run = make_run(tmp_path, block, precision="bf16")
    result = knowledge.evaluate(runs.Run(run), block, run / "eval", data_root=data_root)
    assert result["precision"]["dtype"] == "bf16"
    fp32 = {q["id"]: q for q in evaluated[1]["questions"]}
    tokenizer = AutoTokenizer.from_pretrained(TINY)
    base = AutoModelForCausalLM.from_pretrained(TINY, dtype="float32").eval()
    records = {r["id"]: r for r in BENCHMARKS["mmlu_medical"].load(data_root)}
    moved = 0.0
    for q in result["questions"]:
        lls = q["base"]["loglikelihoods"]
        bf16_lls = _loglikelihoods(base, tokenizer, q["prompt"], records[q["id"]]["choices"], "bf16")
        assert lls == pytest.approx(bf16_lls, abs=0.05)
        moved = max(moved, max(abs(a - b) for a, b in zip(lls, fp32[q["id"]]["base"]["loglikelihoods"])))
    assert moved > 1e-3, "bf16 scores equal the fp32 ones: the precision did not reach lm-eval"


def test_lm_eval_aggregate_agrees_with_the_per_question_results(evaluated):
    _, result = evaluated
    for system in knowledge_results.SYSTEMS:
        for name, aggregate in result["lm_eval_results"][system].items():
            stats = result["statistics"][name][system]
            assert aggregate["acc"] == pytest.approx(stats["accuracy"])
            assert aggregate["acc_norm"] == pytest.approx(stats["acc_norm"])
            assert result["timing"][system][name]["questions"] == result["statistics"][name]["n"]


def test_outputs_files_and_table(evaluated):
    run, result = evaluated
    out = run / "eval"
    assert result["limits"] == {"mmlu_medical": 3, "medmcqa": None, "pubmedqa": 2}
    assert result["batch_size"] == 3  # the run's trainer.eval_batch_size
    with (out / "knowledge_answers.csv").open() as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0]) == ["benchmark", "subject", "id", "answer", "base_choice", "base_correct",
                             "fine_tuned_choice", "fine_tuned_correct"]
    assert len(rows) == 8
    by_id = {r["id"]: r for r in rows}
    assert by_id["m2"]["answer"] == "C" and by_id["m1"]["subject"] == "Anatomy"
    assert {r["answer"] for r in rows if r["benchmark"] == "pubmedqa"} <= {"yes", "no", "maybe"}
    for r in rows:
        assert r["base_correct"] == str(int(r["base_choice"] == r["answer"]))
    text = (out / "knowledge.md").read_text()
    assert text == knowledge_results.table(result) + "\n![knowledge](knowledge.png)\n"  # the plot beside it
    assert (out / "knowledge.png").stat().st_size > 10_000
    assert "| pubmedqa | 2 |" in text and "| medmcqa | Pharmacology | 1 |" in text
    assert "`Abstract: {context}\\nQuestion: {question}\\nAnswer:`" in text
    assert "log-likelihood of each option's text" in text
    tasks = out / "knowledge_tasks"
    task = yaml.safe_load((tasks / "medmcqa.yaml").read_text())
    assert task["task"] == "medllm_medmcqa" and task["output_type"] == "multiple_choice"
    assert task["doc_to_choice"] == "choices" and Path(task["dataset_kwargs"]["data_files"]["test"]).is_file()
    assert task["doc_to_text"] == "Question: {{question}}\nAnswer:"
    assert len((tasks / "medmcqa.jsonl").read_text().splitlines()) == 3


def test_main_exits_2_without_benchmarks_or_data(tmp_path, data_root, capsys):
    run = make_run(tmp_path / "a", None)
    assert knowledge.main([str(run), "--data-root", str(data_root)]) == 2
    assert "declares no benchmarks" in capsys.readouterr().err
    run = make_run(tmp_path / "b", {"pubmedqa": None})
    assert knowledge.main([str(run), "--data-root", str(tmp_path / "nowhere")]) == 2
    assert f"benchmark data missing: {tmp_path / 'nowhere'}" in capsys.readouterr().err
    run = make_run(tmp_path / "c", {"pubmedqa": {"limit": 0}})
    assert knowledge.main([str(run), "--data-root", str(data_root)]) == 2
    assert "limit must be an integer >= 1" in capsys.readouterr().err
    assert not (run / "eval").exists()

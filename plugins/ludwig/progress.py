"""Training progress a person can read: the model's real answers to two validation questions at each evaluation.

Why: at every evaluation Ludwig 0.17.10's fine-tuning trainer (`ludwig/trainers/trainer_llm.py`
`FineTuneTrainer.evaluation`) logs "Input:/Output:" pairs for a few validation rows, where the output is the
argmax of each position *given the reference answer so far* (teacher forcing): word salad that reads as the
model's answer and makes a sound run look broken. This drops those lines from the console and instead prints
what the model answers now to the first two validation rows, generated the way `make predict` generates
(Ludwig's LLM predictor, the spec's `generation:` settings, greedy when the spec says so). The training
statistics and Ludwig's metric tables are untouched; Ludwig still saves its examples under the run.
"""

from __future__ import annotations

import logging

from plugins.ludwig import patch

WHY = ("Ludwig 0.17.10 ludwig/trainers/trainer_llm.py FineTuneTrainer.evaluation logs teacher-forced argmax tokens "
       "of validation rows as 'Output:', which read as the model's answers")
ROWS = 2
_state: dict = {"questions": []}


class _TeacherForcedSamples(logging.Filter):
    """Drops Ludwig's "Input: / Output: / ----" sample lines; every other record passes."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        return not (message.startswith(("Input: ", "Output: ")) or message == "-" * 20)


def watch(questions: list[str]) -> None:
    """The question texts of the first validation rows, to print beside their answers (the rows' order in Ludwig's
    validation set is the prepared data's)."""
    _state["questions"] = list(questions)[:ROWS]


def answers(llm, dataset, rows: int = ROWS) -> list[str]:
    """The answers `llm` (Ludwig's LLM module) generates now for the first `rows` rows of a preprocessed Ludwig
    dataset: one batch through Ludwig's LLM predictor, decoded as Ludwig's text postprocessing decodes them."""
    from ludwig.models.predictor import LlmPredictor

    with dataset.initialize_batcher(rows, should_shuffle=False) as batcher:
        batch = batcher.next_batch()
    name = next(iter(llm.output_features))
    predictions = LlmPredictor(llm, batch_size=rows).predict_single(batch)[f"{name}_predictions"]
    return [llm.tokenizer.decode(list(ids), skip_special_tokens=True) for ids in predictions][:rows]


def evaluation(self, dataset, dataset_name, metrics_log, batch_size, progress_tracker):
    """FineTuneTrainer.evaluation without the teacher-forced sample lines; on the validation set, the real answers."""
    from ludwig.trainers.trainer_llm import FineTuneTrainer

    logger = logging.getLogger("ludwig.trainers.trainer_llm")
    quiet = _TeacherForcedSamples()
    logger.addFilter(quiet)
    try:
        result = patch.original(FineTuneTrainer, "evaluation")(
            self, dataset, dataset_name, metrics_log, batch_size, progress_tracker)
    finally:
        logger.removeFilter(quiet)
    if dataset_name == "validation" and self.is_coordinator() and len(dataset):
        said = answers(self.model, dataset)
        questions = _state["questions"] or [f"validation row {i + 1}" for i in range(len(said))]
        lines = [f"\nanswers to {len(said)} validation questions at step {progress_tracker.steps} "
                 "(greedy generation, as `make predict` answers):"]
        for question, answer in zip(questions, said):
            lines += [f"  Q: {question}", f"  A: {answer.strip() or '(empty)'}"]
        print("\n".join(lines) + "\n", flush=True)
    return result


def apply() -> None:
    from ludwig.trainers.trainer_llm import FineTuneTrainer

    patch.install(FineTuneTrainer, "evaluation", evaluation, WHY)

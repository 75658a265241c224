"""The model side of the app and the API: a trained run (or its export) ready to answer questions safely.

Every question is cleaned like the training data (`plugins.dataset_format.normalize_text`), triaged for emergencies
(`plugins.app.triage`), stripped of control tokens, cut to what training saw, and rendered by
`plugins.prompt.render` from the run's own spec; an engine (`plugins.app.engines`) then answers it:
`transformers` (the LoRA merged into the base model once at load) or `llama.cpp` (the run's newest
export, `make export`). The base model answers through the same engine for side-by-side comparisons.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from plugins import models, precision, prompt, runs
from plugins.app.engines import ENGINES, Engine, LlamaCppEngine, Settings, TransformersEngine
from plugins.dataset_format import normalize_text
from plugins.export.bundle import EXPORTS, Export
from plugins.retrieval import checker
from plugins.retrieval import sources as retrieved
from plugins.safety import second_opinion, triage
from plugins.spec import is_local_model

MAX_QUESTION_CHARS = 8000  # a cheap first cut, so a pasted book is not tokenised whole


class QuestionError(ValueError):
    """A question that cannot be answered; the message is meant for the user."""


@dataclass
class Question:
    """A question ready for the model, with what the user should be told about it."""

    question: str
    prompt: str
    notices: list[str]  # Markdown lines: truncation, neutralised control tokens
    triage: triage.Triage  # emergency, poisoning or self-harm (with its notice), or nothing
    sources: list | None = None  # a grounded run's retrieved passages (plugins.retrieval.index.Hit), else None

    @property
    def not_covered(self) -> bool:
        """A grounded run found no trusted passage: it says so instead of answering."""
        return self.sources is not None and not self.sources


def neutralise(text: str, tokens: list[str]) -> tuple[str, list[str]]:
    """`text` with each control token broken by a space after its first character (`<|im_end|>` ->
    `< |im_end|>`), so it tokenises as plain text; also the tokens that were found. Repeated until none
    is left, because breaking one occurrence may complete another (`<|im_<|im_end|>end|>`)."""
    found = []
    while hit := next((t for t in tokens if t in text), None):
        found.append(hit)
        text = text.replace(hit, hit[0] + " " + hit[1:])
    return text, list(dict.fromkeys(found))


def base_model_path(base_model: str, root: Path) -> str:
    """A local base model relative to the project root, or a hub id unchanged."""
    if not is_local_model(base_model):
        return base_model
    path = Path(base_model).expanduser()
    return str(path if path.is_absolute() else root / path)


class Assistant:
    """A run (or an export) ready to answer: its fine-tuned model on one engine and, on demand, its base model
    on the same engine. `source` is a run directory, an export directory, or a Run/Export. The transformers
    engine answers in the precision the run's spec picks here, or in `dtype` (fp32, bf16) when given."""

    def __init__(self, source, root: Path = Path("."), engine: str = "transformers", dtype: str | None = None):
        from transformers import AutoTokenizer

        if engine not in ENGINES:
            raise runs.RunError(f"unknown engine {engine!r}; choose one of: {', '.join(ENGINES)}")
        threading.Thread(target=second_opinion.model, daemon=True).start()  # the triage's, ready by the first question
        root = Path(root)
        if isinstance(source, (str, Path)):
            source = Export.find(source) if (Path(source) / "manifest.json").is_file() else runs.Run(Path(source))
        self.export = source if isinstance(source, Export) else None
        self.run = source if isinstance(source, runs.Run) else source.run()
        if engine == "llama.cpp" and self.export is None:
            self.export = Export.newest_for(self.run, root / EXPORTS)
        self.engine_name = engine
        self.precision = (precision.decide(dtype) if dtype else
                          precision.of_project((self.run.spec if self.run else {}).get("medical_llm")))
        described = self.export if engine == "llama.cpp" or self.run is None else self.run
        self.spec_name, self.template = described.name, described.template
        self.question_field = described.input_name
        self.run_dir = self.run.dir if self.run else None
        self.base_path = base_model_path(self.run.base_model if self.run else self.export.manifest["base_model"], root)
        self.tokenizer = AutoTokenizer.from_pretrained(self.export.hf_dir if self.run is None else self.base_path)
        self.defaults = Settings.from_generation(described.generation)
        self.n_ctx = described.max_sequence_length + max(512, self.defaults.max_new_tokens)
        self.engine = self._engine(base=False)
        self.control_tokens = prompt.control_tokens(self.tokenizer)
        self.retriever = self._retriever(root)
        template_tokens = len(self.tokenizer(prompt.render(self.template, self.question_field, "",
                                                           **self._columns(None))).input_ids)
        # the longest question training could have shown the model, in tokens
        self.max_question_tokens = max(16, described.max_sequence_length - template_tokens)
        self._base = None
        self._base_lock = threading.Lock()

    def _retriever(self, root: Path):
        """A grounded run's retrieval (its spec's `retrieval:` block, the same index training used), else None. An
        export carries the block and its corpus files' checksums: a corpus changed since is refused."""
        block = ((self.run.spec if self.run else {}).get("medical_llm") or {}).get("retrieval")
        if self.export is not None and self.export.grounded:
            block = self.export.manifest["retrieval"]["block"]
            if changed := self.export.corpus_changes(root):
                raise runs.RunError(f"export {self.export.dir} answers from passages of {', '.join(changed)}, which "
                                    "changed since it was exported: export the run again (make export)")
        if block is None:
            return None
        from plugins.retrieval.index import Retriever

        return Retriever(block, root)

    def _engine(self, base: bool) -> Engine:
        if self.engine_name == "llama.cpp":
            return LlamaCppEngine(self.export.gguf(base=base), n_ctx=self.n_ctx)
        if base:
            model = models.load_base(self.base_path)
        elif self.run is not None:
            model = models.merge_adapter(models.load_base(self.base_path), self.run.adapter_dir)
        else:
            model = models.load_base(self.export.hf_dir)
        return TransformersEngine(precision.for_answers(model, self.precision), self.tokenizer)

    @property
    def model(self):
        """The fine-tuned PyTorch model (transformers engine only)."""
        return self.engine.model

    def base_engine(self) -> Engine:
        """The base model without the adapter, on the same engine, loaded on the first comparison."""
        with self._base_lock:
            if self._base is None:
                self._base = self._engine(base=True)
        return self._base

    def base_model(self):
        """The base PyTorch model (transformers engine only)."""
        return self.base_engine().model

    def examples(self, count: int) -> list[str]:
        """The first test questions of the run's data (none when only an export is at hand)."""
        return self.run.rows("test")[self.question_field].head(count).tolist() if self.run else []

    def prepare(self, question: str) -> Question:
        """Clean, neutralise and bound a question and build its prompt; QuestionError when empty."""
        text = normalize_text(question or "")
        if not text:
            raise QuestionError("Please type a question first, for example: *What are the symptoms of anaemia?*")
        checked = triage.triage(question)  # the message as typed, before any cut: a miss is the dangerous failure
        notices = []
        text, found = neutralise(text[:MAX_QUESTION_CHARS], self.control_tokens)
        if found:
            notices.append("Control markers in your text were treated as plain text: "
                           + ", ".join(f"`{t}`" for t in found) + ".")
        encoded = self.tokenizer(text, add_special_tokens=False, return_offsets_mapping=True)
        if len(encoded.input_ids) > self.max_question_tokens:
            text = text[:encoded.offset_mapping[self.max_question_tokens - 1][1]]
            notices.append(f"Your question was too long for this model; only its first {self.max_question_tokens} "
                           f"tokens ({len(text)} characters) were used — the most it saw in training.")
        hits = self.retriever.search(text) if self.retriever else None
        return Question(text, prompt.render(self.template, self.question_field, text, **self._columns(hits)), notices,
                        checked, hits)

    def _columns(self, hits) -> dict:
        return retrieved.columns(self.template, hits, self.retriever)

    def stream(self, prepared: Question, settings: Settings, fine_tuned: bool = True,
               counted: list[int] | None = None) -> Iterator[str]:
        """The answer as it grows, one yield per decoded piece; generation stops when the caller stops iterating.
        `counted`, when given, holds the number of tokens generated so far in its first item."""
        engine = self.engine if fine_tuned else self.base_engine()
        text = ""
        for piece in engine.stream(prepared.prompt, settings):
            if counted is not None:
                counted[0] += 1
            if piece:
                text += piece
                yield text

    def replies(self, prepared: Question, settings: Settings, fine_tuned: bool = True) -> Iterator[checker.Checked]:
        """What the reader may see as the answer grows (the last one `final`, each with the tokens generated so
        far): a grounded run's answer checked sentence by sentence against its passages
        (plugins/retrieval/checker.py), generation stopped when it loops; an ungrounded run's as generated."""
        counted = [0]
        if self.retriever is None:
            text = ""
            for text in self.stream(prepared, settings, fine_tuned, counted):
                yield checker.Checked(text.strip(), generated=text, final=False, tokens=counted[0])
            yield checker.Checked(text.strip(), generated=text, tokens=counted[0])
            return
        check = checker.Checker(prepared.sources or [], prepared.question, self.retriever.min_support)
        if prepared.not_covered:  # nothing found: said plainly, nothing generated
            yield check.finish("")
            return
        for reply in checker.stream(self.stream(prepared, settings, fine_tuned, counted), check):
            reply.tokens = counted[0]
            yield reply

    def describe(self) -> str:
        """Which run and spec are loaded, for the page header."""
        if self.engine_name == "llama.cpp":
            return (f"Export `{self.export.dir}` · spec `{self.spec_name}` · llama.cpp on "
                    f"`{self.export.gguf().name}` (base model: `{self.export.gguf(base=True).name}`)")
        source = f"Run `{self.run_dir}`" if self.run else f"Export `{self.export.dir}`"
        grounded = (f" · answers from {len(self.retriever.corpus):,} trusted NIH passages (top {self.retriever.k})"
                    if self.retriever else "")
        return (f"{source} · spec `{self.spec_name}` · base model `{self.base_path}` + LoRA adapter (merged) "
                f"· transformers, {self.precision.dtype}{grounded}")

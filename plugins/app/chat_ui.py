"""The app's Chat tab (Gradio): the question box, the streamed answer with its triage notice and citations, the
generation settings, and loading the run it answers with.

Everything a person sees about one answer is decided here, in one handler (`answer`): the triage notice first, the
crisis text instead of an answer for self-harm, an emergency's answer collapsed behind its notice, a grounded run's
answer shown sentence by sentence with the NIH passage each cites, the base model's answer beside it on request.
The page (plugins/app/ui.py) places this tab beside Spec Studio (plugins/app/studio_ui.py), which may switch the
chat to another run.
"""

from __future__ import annotations

from pathlib import Path

import gradio as gr

from plugins import runs
from plugins import spec as spec_mod
from plugins.app.assistant import Assistant, QuestionError, Settings
from plugins.app.disclaimer import CAVEAT
from plugins.export.bundle import EXPORTS, Export
from plugins.retrieval import checker
from plugins.retrieval import sources as retrieved

CONCURRENT_ANSWERS = 2  # answers generated at once; further questions wait in the queue
ANSWER_LABEL = "Answer"
COLLAPSED_LABEL = "The model's answer (read the notice above first; it is not emergency advice)"


def load(run: str | None, root: Path = Path("."), engine: str = "auto") -> tuple[Assistant | None, str | None]:
    """The assistant for a run, or None and a message saying how to get one (never a traceback). Engine `auto`:
    llama.cpp on the run's newest export when there is one (several times faster), else transformers."""
    try:
        run_dir = runs.resolve(run, root / runs.RUNS)
        if engine == "auto":
            engine = "llama.cpp" if has_export(runs.Run(run_dir), root) else "transformers"
        return Assistant(run_dir, root, engine), None
    except runs.RunError as e:
        return None, str(e)
    except OSError as e:  # a run whose base model or adapter is missing
        return None, f"could not load the run: {str(e).splitlines()[0]}"


def has_export(run: runs.Run, root: Path) -> bool:
    try:
        Export.newest_for(run, root / EXPORTS)
    except runs.RunError:
        return False
    return True


def example_questions(assistant: Assistant, count: int = 3) -> list[str]:
    """A few of the run's own test questions (never trained on): informational, never a first-person emergency."""
    return assistant.examples(count)


def answer(assistant: Assistant, question: str, compare: bool, temperature: float, top_p: float, max_new_tokens: int,
           repetition_penalty: float):
    """Stream (notice, notes, answer box, fine-tuned answer, cited answer, base answer, citations, passages) for
    the page, growing as tokens come.

    The triage notice comes first. Self-harm: the crisis text replaces the answer, nothing is generated.
    Poisoning or another emergency: the model's answer is generated but collapsed behind the notice.
    A grounded run's answer is checked before it is shown (plugins/retrieval/checker.py): it appears sentence by
    sentence, each with the [n] of the NIH passage that supports it (hover: the passage; click: the page), in the
    cited answer instead of the plain text box; it says plainly when no passage covers the question."""
    grounded = assistant.retriever is not None
    plain = lambda text="": gr.update(value=text, visible=not grounded)  # noqa: E731
    cited_box = lambda text="": gr.update(value=text, visible=grounded)  # noqa: E731
    try:
        prepared = assistant.prepare(question)
    except QuestionError as e:
        yield (gr.update(visible=False), str(e), gr.update(visible=True, open=True, label=ANSWER_LABEL), plain(),
               cited_box(), "", "", "")
        return
    found = prepared.triage
    urgent = gr.update(value=found.notice or "", visible=found.notice is not None)  # an emergency, or help first
    notes = "\n\n".join(prepared.notices)
    if found.replaces_answer:
        yield urgent, notes, gr.update(visible=False), plain(), cited_box(), "", "", ""
        return
    box = gr.update(visible=True, open=not found.collapses_answer,
                    label=COLLAPSED_LABEL if found.collapses_answer else ANSWER_LABEL)
    hits = prepared.sources or []
    cited = ("**Sources** (NIH pages; each sentence of the answer cites the one that supports it):\n\n"
             + retrieved.citations(hits)) if hits else ""
    shown = retrieved.passages(hits) if hits else ""
    settings = Settings(temperature, top_p, int(max_new_tokens), repetition_penalty)

    def view(reply) -> tuple:
        if grounded:
            return plain(), cited_box(retrieved.cited_answer(reply.text, hits))
        return plain(reply.text), cited_box()

    tuned = view(checker.Checked(""))
    yield urgent, notes, box, *tuned, "", cited, shown
    for reply in assistant.replies(prepared, settings, fine_tuned=True):
        tuned = view(reply)
        yield urgent, notes, box, *tuned, "", cited, shown
    if compare:
        for reply in assistant.replies(prepared, settings, fine_tuned=False):
            yield urgent, notes, box, *tuned, reply.text, cited, shown


def chat_tab(held: dict) -> tuple:
    """The chat, on `held["assistant"]` (Spec Studio's sweep panel may switch it to another run). Returns the
    components that name the run: its description and the fine-tuned answer box."""
    assistant = held["assistant"]
    info = gr.Markdown(assistant.describe(), elem_id="run-info")
    d = assistant.defaults
    with gr.Row():
        question = gr.Textbox(label="Your question", placeholder="e.g. What are the symptoms of anaemia?", lines=2,
                              scale=5, elem_id="question")
        with gr.Column(scale=1, min_width=120):
            ask = gr.Button("Ask", variant="primary", elem_id="ask")
            stop = gr.Button("Stop")
    compare = gr.Checkbox(label="Compare with the base model (same question, same settings, adapter off)")
    urgent = gr.Markdown(visible=False, elem_id="urgent")
    notes = gr.Markdown(elem_id="notes")
    with gr.Accordion(ANSWER_LABEL, open=True, elem_id="answer-box") as answer_box:
        with gr.Row():
            fine_tuned = gr.Textbox(label=f"Fine-tuned ({assistant.spec_name})", lines=8, interactive=False,
                                    elem_id="answer", visible=assistant.retriever is None)
            cited_answer = gr.Markdown(label=f"Fine-tuned ({assistant.spec_name})", elem_id="cited-answer",
                                       visible=assistant.retriever is not None)
            base = gr.Textbox(label="Base model (no adapter)", lines=8, interactive=False, visible=False,
                              elem_id="base-answer")
        citations = gr.Markdown(elem_id="citations")
        with gr.Accordion("The passages the answer was given", open=False, elem_id="passages-box"):
            passages = gr.Markdown(elem_id="passages")
        gr.Markdown(CAVEAT, elem_id="caveat")
    with gr.Row():
        retry = gr.Button("Retry")
        clear = gr.Button("Clear")
    with gr.Accordion("Generation settings (defaults: the run's spec)", open=False):
        temp_max = spec_mod.ADVICE[("generation", "temperature")][0]
        temperature = gr.Slider(0, temp_max, value=d.temperature, step=0.05, label="Temperature",
                                info="0 = greedy: the same answer every time; higher = more varied")
        top_p = gr.Slider(0.05, 1, value=d.top_p, step=0.05, label="Top-p",
                          info="when sampling, choose among the most likely words covering this probability")
        tokens_max = spec_mod.ADVICE[("generation", "max_new_tokens")][0]
        max_new_tokens = gr.Slider(1, tokens_max, value=d.max_new_tokens, step=1, label="Max new tokens",
                                   info="the longest answer, in tokens (about 3/4 of a word each)")
        repetition_penalty = gr.Slider(1, 2, value=d.repetition_penalty, step=0.05, label="Repetition penalty",
                                       info="above 1 discourages repeating the same words")
    gr.Examples(example_questions(assistant), inputs=question, label="Example questions")

    inputs = [question, compare, temperature, top_p, max_new_tokens, repetition_penalty]
    outputs = [urgent, notes, answer_box, fine_tuned, cited_answer, base, citations, passages]

    def run(*args):
        yield from answer(held["assistant"], *args)

    events = [trigger(run, inputs, outputs, concurrency_limit=CONCURRENT_ANSWERS, concurrency_id="answer")
              for trigger in (ask.click, question.submit, retry.click)]
    stop.click(None, cancels=events)
    clear.click(lambda: ("", gr.update(value="", visible=False), "", gr.update(visible=True, open=True,
                                                                              label=ANSWER_LABEL), "", "", "", "", ""),
                None, [question] + outputs, cancels=events)
    compare.change(lambda on: gr.update(visible=on), compare, base)
    return info, fine_tuned

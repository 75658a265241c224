"""The Medical LLM Assistant app (Gradio): chat with a trained run, and Spec Studio to edit specs and train them.

    python -m plugins.app [--run RUN] [--host 127.0.0.1] [--port 7860]      (or: make app RUN=...)

The run is --run, else $MEDICAL_LLM_RUN, else the newest run (runs/latest). Without a trained run the
Chat tab explains how to train one. Binds to 127.0.0.1 unless told otherwise; never shares publicly.
"""

from __future__ import annotations

import argparse
import os
import threading
from pathlib import Path

import gradio as gr
import pandas as pd

from plugins import runs
from plugins import spec as spec_mod
from plugins.app import jobs, studio
from plugins.app.assistant import Assistant, QuestionError, Settings
from plugins.app.disclaimer import CAVEAT, DISCLAIMER
from plugins.app.engines import ENGINES
from plugins.export.bundle import EXPORTS, Export
from plugins.retrieval import checker
from plugins.retrieval import sources as retrieved

CONCURRENT_ANSWERS = 2  # answers generated at once; further questions wait in the queue
QUEUE_SIZE = 32
ANSWER_LABEL = "Answer"
COLLAPSED_LABEL = "The model's answer (read the notice above first; it is not emergency advice)"
# the triage notice must stand out above everything else on the page
CSS = "#urgent{border:3px solid #c0392b;background:#fdecea;border-radius:8px;padding:.6rem 1rem;font-size:1.1rem}"


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


NO_RUN = """### No trained model yet

The chat needs a fine-tuned run. Train the default spec (about 10 minutes on a 2-core CPU):

```bash
make train
make app
```

or pick and train a spec in the **Spec Studio** tab, then restart the app. `make app RUN=runs/<spec>/<timestamp>`
(or `python -m plugins.app --run ...`) opens a particular run.

Why: {reason}
"""


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


def stop_job(job: jobs.TrainingJob | None, idle: str, stopping: str) -> str:
    """Stop Spec Studio's running job (training or sweep); the message for the page."""
    if job is None or not job.running:
        return idle
    job.stop()
    return stopping


def studio_tab(root: Path, held: dict, chat: tuple | None, tabs: gr.Tabs):
    """Spec Studio: pick a spec, edit, see problems as you type, save as a new file, train or sweep it. Returns
    what the page's load event needs to open the first spec."""
    specs = studio.list_specs(root / studio.SPECS)
    state = gr.State({})  # the loaded spec: {"path": ..., "raw": {...}}
    job_holder: dict[str, jobs.TrainingJob] = {}
    job_lock = threading.Lock()
    gr.Markdown("Pick a spec, change what you want to try, save it under a new name, and train it. "
                "Every change is checked at once against Ludwig's schema and the project's rules.")
    chosen = gr.Dropdown(specs, value=specs[0] if specs else None, label="Spec", elem_id="spec-choice")
    fields = []
    with gr.Row():
        for f in studio.FIELDS:
            fields.append(gr.Number(label=f.label, info=f.info, minimum=f.minimum, maximum=f.maximum, step=f.step,
                                    min_width=220))
    system = gr.Textbox(label="System prompt (inside prompt.template; how the assistant is told to behave)",
                        lines=2, info="One or two sentences. The template is re-rendered with the base model's "
                                      "chat template, so it stays what the model expects.")
    problems = gr.Markdown(elem_id="spec-problems")
    with gr.Row():
        name = gr.Textbox(label="Save as (new name in specs/)", placeholder="my-experiment", scale=3)
        save = gr.Button("Save as new spec", scale=1)
    saved = gr.Markdown()
    with gr.Row():
        train = gr.Button("Train the selected spec", variant="primary")
        stop_training = gr.Button("Stop training")
    train_status = gr.Markdown(elem_id="train-status")
    progress = gr.HTML()
    curve = gr.LinePlot(pd.DataFrame({"step": [], "loss": [], "series": []}), x="step", y="loss", color="series",
                        title="Loss while training", height=280)
    log = gr.Textbox(label="Training log (tail)", lines=12, max_lines=12, autoscroll=True, interactive=False)
    timer = gr.Timer(2.0, active=False)

    def open_spec(path):
        if not path:
            return [{}] + [None] * len(fields) + [gr.update(value="", interactive=False), "Pick a spec."]
        try:
            raw = studio.read(path)
        except spec_mod.SpecError as e:
            return [{}] + [None] * len(fields) + [gr.update(value="", interactive=False),
                                                  "**Cannot open:** " + "; ".join(e.problems)]
        current = studio.values(raw)
        prompt_text = studio.system_prompt(raw)
        sys_update = (gr.update(value=prompt_text, interactive=True) if prompt_text is not None else
                      gr.update(value="(not editable here: the base model is not a local model directory, or "
                                      "the template does not follow its chat template)", interactive=False))
        return ([{"path": path, "raw": raw}] + [current[f"{f.section}.{f.key}"] for f in studio.FIELDS]
                + [sys_update, check(raw)])

    def edited(loaded, system_text, *numbers):
        return studio.edit_from_page(loaded["raw"], system_text, numbers) if loaded else None

    def check(raw) -> str:
        found, warnings = studio.validate(raw)
        if found:
            return "**Problems (fix before saving):**\n\n" + "\n".join(f"- {p}" for p in found)
        return "**Valid spec.**" + "".join(f"\n\n- warning: {w}" for w in warnings)

    def on_edit(loaded, system_text, *numbers):
        raw = edited(loaded, system_text, *numbers)
        return check(raw) if raw else ""

    def on_save(loaded, new_name, system_text, *numbers):
        raw = edited(loaded, system_text, *numbers)
        if not raw:
            return "Pick a spec first.", gr.update()
        found, _ = studio.validate(raw)
        if found:
            return "Not saved: fix the problems listed above first.", gr.update()
        try:
            path = studio.save_new(raw, new_name or "", loaded["path"], root / studio.SPECS)
        except ValueError as e:
            return f"Not saved: {e}", gr.update()
        shown = str(path.relative_to(root)) if path.is_relative_to(root) else str(path)
        return (f"Saved `{shown}`. Train it below, or run `make train SPEC={shown}`.",
                gr.update(choices=studio.list_specs(root / studio.SPECS), value=shown))

    def on_train(path):
        with job_lock:
            job = job_holder.get("job")
            if job is not None and job.running:
                return "A training job is already running; wait for it or stop it.", gr.update()
            if not path:
                return "Pick a spec first.", gr.update()
            job_holder["job"] = jobs.TrainingJob(path, root)
        return f"Started training `{path}` ...", gr.Timer(active=True)

    def on_stop():
        return stop_job(job_holder.get("job"), "No training is running.", "Stopping the training job ...")

    def poll():
        job = job_holder.get("job")
        if job is None:
            return gr.update(), gr.update(), gr.update(), gr.update(), gr.Timer(active=False)
        bar = (f'<progress value="{job.step}" max="{job.total}" style="width:100%"></progress> '
               f"{job.step}/{job.total} steps" if job.total else "")
        rows = [("training step loss", s, loss) for s, loss in job.step_losses]
        rows += [(f"{split} loss (evaluation)", s, loss) for split, s, loss in job.evaluation_losses()]
        frame = pd.DataFrame(rows, columns=["series", "step", "loss"])
        return job.status(), bar, frame, "\n".join(job.lines), gr.Timer(active=job.running)

    chosen.change(open_spec, chosen, [state] + fields + [system, problems])
    for component in fields + [system]:
        component.change(on_edit, [state, system] + fields, problems, trigger_mode="always_last")
    save.click(on_save, [state, name, system] + fields, [saved, chosen])
    train.click(on_train, chosen, [train_status, timer])
    stop_training.click(on_stop, None, train_status)
    timer.tick(poll, None, [train_status, progress, curve, log, timer])
    sweep_panel(root, held, chat, tabs, state, system, fields)
    return open_spec, chosen, [state] + fields + [system, problems]


def chat_with_best(held: dict, job: jobs.SweepJob | None, root: Path) -> tuple[str, Assistant | None]:
    """Load the sweep's best trial and make it the model the chat answers with (`held["assistant"]`)."""
    target = job.best if job else None
    if target is None:
        return "No finished trial yet.", None
    assistant, reason = load(str(target), root)
    if assistant is None:
        return f"Could not open {target}: {reason}", None
    held["assistant"] = assistant
    return f"The chat now answers with `{target}`.", assistant


def sweep_panel(root: Path, held: dict, chat: tuple | None, tabs: gr.Tabs, state, system, fields) -> None:
    """Try several values at once: ranges for some training settings (bounded like the fields above), a number
    of trials, saved as a new sweep spec and run by `make sweep`'s code; progress, the results table and plot,
    and the best trial opened in the chat."""
    holder: dict[str, jobs.SweepJob] = {}
    lock = threading.Lock()
    with gr.Accordion("Sweep: try several values at once (Ludwig hyperopt on Ray Tune)", open=False):
        gr.Markdown("Tick the settings to vary and give each a range; every trial trains the spec above (with your "
                    "edits) with values picked in those ranges, and the one with the lowest validation loss wins.")
        rows = []
        for f in studio.SWEEPABLE:
            with gr.Row():
                vary = gr.Checkbox(label=f"Vary {f.label.lower()}", value=f.key == "learning_rate", min_width=200)
                low = gr.Number(label="from", minimum=f.minimum, maximum=f.maximum, step=f.step, min_width=120,
                                value=1e-4 if f.key == "learning_rate" else None)
                high = gr.Number(label="to", minimum=f.minimum, maximum=f.maximum, step=f.step, min_width=120,
                                 value=1e-3 if f.key == "learning_rate" else None)
            rows += [vary, low, high]
        with gr.Row():
            trials = gr.Number(label="Trials", value=4, minimum=1, maximum=50, step=1, precision=0, min_width=120)
            name = gr.Textbox(label="Save the sweep as (new name in specs/)", placeholder="my-sweep", scale=3)
        with gr.Row():
            start = gr.Button("Save and start the sweep", variant="primary", elem_id="sweep-start")
            stop = gr.Button("Stop the sweep (finished trials are kept)")
            best = gr.Button("Chat with the best trial", elem_id="sweep-best")
        status = gr.Markdown(elem_id="sweep-status")
        table = gr.Dataframe(label="Finished trials", interactive=False, elem_id="sweep-results")
        plot = gr.Image(label="Validation loss per trial and against each setting", type="filepath", height=320)
        log = gr.Textbox(label="Sweep log (tail)", lines=10, max_lines=10, autoscroll=True, interactive=False)
        timer = gr.Timer(3.0, active=False)

    def on_start(loaded, system_text, new_name, n, *values):
        if not loaded:
            return "Pick a spec first.", gr.update()
        raw = studio.edit_from_page(loaded["raw"], system_text, values[len(rows):])
        ranges = {}
        for f, (vary, low, high) in zip(studio.SWEEPABLE, zip(*[iter(values[:len(rows)])] * 3)):
            if vary:
                if low is None or high is None or low >= high:
                    return f"Give {f.label.lower()} a range: 'from' below 'to'.", gr.update()
                ranges[f"{f.section}.{f.key}"] = (low, high)
        if not ranges:
            return "Tick at least one setting to vary.", gr.update()
        swept = studio.sweep_spec(raw, ranges, int(n or 1))
        found, _ = studio.validate(swept)
        if found:
            return "**Not started:**\n\n" + "\n".join(f"- {p}" for p in found), gr.update()
        with lock:
            if holder.get("job") is not None and holder["job"].running:
                return "A sweep is already running; wait for it or stop it.", gr.update()
            try:
                path = studio.save_new(swept, new_name or "", loaded["path"], root / studio.SPECS)
            except ValueError as e:
                return f"Not started: {e}", gr.update()
            holder["job"] = jobs.SweepJob(path.relative_to(root) if path.is_relative_to(root) else path, root)
        return f"Saved `{path.name}`; starting the sweep ...", gr.Timer(active=True)

    def on_stop():
        return stop_job(holder.get("job"), "No sweep is running.",
                        "Stopping the sweep; the finished trials stay in its directory ...")

    def poll():
        job = holder.get("job")
        if job is None:
            return gr.update(), gr.update(), gr.update(), gr.update(), gr.Timer(active=False)
        image = job.sweep_dir / "results.png" if job.sweep_dir else None
        return (job.status(), job.results(), str(image) if image and image.is_file() else None,
                "\n".join(job.lines), gr.Timer(active=job.running))

    def on_best():
        """(status, tabs, *chat components): the chat switched to the best trial, when the page has a chat."""
        job = holder.get("job")
        unchanged = [gr.update()] * (1 + len(chat or ()))
        if chat is None:
            target = job.best if job else None
            return (f"Restart the app on it: `make app RUN={target}`." if target else "No finished trial yet.",
                    *unchanged)
        message, assistant = chat_with_best(held, job, root)
        if assistant is None:
            return message, *unchanged
        return (message, gr.Tabs(selected="chat"), assistant.describe(),
                gr.update(label=f"Fine-tuned ({assistant.spec_name}, best trial)"))

    start.click(on_start, [state, system, name, trials] + rows + fields, [status, timer])
    stop.click(on_stop, None, status)
    timer.tick(poll, None, [status, table, plot, log, timer])
    best.click(on_best, None, [status, tabs, *(chat or ())])


def build(assistant: Assistant | None, reason: str | None, root: Path = Path(".")) -> gr.Blocks:
    """The whole page: disclaimer on top, then the Chat and Spec Studio tabs."""
    with gr.Blocks(title="Medical LLM Assistant") as demo:
        gr.Markdown("# Medical LLM Assistant")
        gr.Markdown(DISCLAIMER, elem_id="disclaimer")
        held = {"assistant": assistant}
        with gr.Tabs() as tabs:
            with gr.Tab("Chat", id="chat"):
                if assistant is None:
                    gr.Markdown(NO_RUN.format(reason=reason), elem_id="no-run")
                    chat = None
                else:
                    chat = chat_tab(held)
            with gr.Tab("Spec Studio", id="studio"):
                open_spec, chosen, outputs = studio_tab(root, held, chat, tabs)
        demo.load(open_spec, chosen, outputs)
    demo.queue(max_size=QUEUE_SIZE, default_concurrency_limit=CONCURRENT_ANSWERS)
    return demo


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--run", default=os.environ.get("MEDICAL_LLM_RUN") or None,
                        help="run directory (default: $MEDICAL_LLM_RUN, else the newest run)")
    parser.add_argument("--engine", choices=("auto", *ENGINES), default=os.environ.get("MEDICAL_LLM_ENGINE") or "auto",
                        help="auto (default): llama.cpp on the run's newest export when it has one, else transformers")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1: this machine only)")
    parser.add_argument("--port", type=int, default=7860)
    args = parser.parse_args(argv)
    print(f"loading {'run ' + args.run if args.run else 'the newest run'} ...", flush=True)
    assistant, reason = load(args.run, engine=args.engine)
    print(assistant.describe() if assistant else f"no run: {reason}", flush=True)
    build(assistant, reason).launch(server_name=args.host, server_port=args.port, share=False, show_error=False,
                                    css=CSS)


if __name__ == "__main__":
    main()

"""The app's Spec Studio tab (Gradio): pick a spec, edit it with its problems shown as you type, save it, train or
sweep it, and chat with a sweep's best trial.

The spec logic (fields, validation, saving, sweep specs) is plugins/app/studio.py's and the training and sweep
processes are plugins/app/jobs.py's; this module only lays them out on the page and wires their events: the buttons,
the timers that poll a running job for its progress, loss curve, log and results, and the switch of the chat
(plugins/app/chat_ui.py) to the best trial.
"""

from __future__ import annotations

import threading
from pathlib import Path

import gradio as gr
import pandas as pd

from plugins import spec as spec_mod
from plugins.app import jobs, studio
from plugins.app.assistant import Assistant
from plugins.app.chat_ui import load


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

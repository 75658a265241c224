"""The app's page (Gradio): the disclaimer, then the Chat and Spec Studio tabs (chat_ui.py, studio_ui.py).

The command that serves it is the top-level `app.py` (`python app.py`, `make app`); tests build the page here.
"""

from __future__ import annotations

from pathlib import Path

import gradio as gr

from plugins.app.assistant import Assistant
from plugins.app.chat_ui import CONCURRENT_ANSWERS, chat_tab
from plugins.app.disclaimer import DISCLAIMER
from plugins.app.studio_ui import studio_tab

QUEUE_SIZE = 32
# the triage notice must stand out above everything else on the page
CSS = "#urgent{border:3px solid #c0392b;background:#fdecea;border-radius:8px;padding:.6rem 1rem;font-size:1.1rem}"

NO_RUN = """### No trained model yet

The chat needs a fine-tuned run. Train the default spec (about 10 minutes on a 2-core CPU):

```bash
make train
make app
```

or pick and train a spec in the **Spec Studio** tab, then restart the app. `make app RUN=runs/<spec>/<timestamp>`
(or `python app.py --run ...`) opens a particular run.

Why: {reason}
"""


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

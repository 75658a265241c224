"""Medical LLM Assistant: chat with a fine-tuned run, and Spec Studio to edit specs and train them.

    python app.py [--run RUN] [--engine auto|transformers|llama.cpp] [--host HOST] [--port PORT]   (or: make app)

The run is --run, else $MEDICAL_LLM_RUN, else the newest run (runs/latest); without one the Chat tab says how to
train one. Host and port follow Gradio's own settings (GRADIO_SERVER_NAME, GRADIO_SERVER_PORT; default
127.0.0.1:7860, this machine only), so a Gradio Space runs this file as it is. Never shared publicly.
The page itself is built in plugins/app/ (ui.py: the page; chat_ui.py, studio_ui.py: its tabs).
"""

from __future__ import annotations

import argparse
import os

from plugins.app.chat_ui import load
from plugins.app.engines import ENGINES
from plugins.app.ui import CSS, build


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--run", default=os.environ.get("MEDICAL_LLM_RUN") or None,
                        help="run directory (default: $MEDICAL_LLM_RUN, else the newest run)")
    parser.add_argument("--engine", choices=("auto", *ENGINES), default=os.environ.get("MEDICAL_LLM_ENGINE") or "auto",
                        help="auto (default): llama.cpp on the run's newest export when it has one, else transformers")
    parser.add_argument("--host", help="address to bind (default: $GRADIO_SERVER_NAME, else 127.0.0.1)")
    parser.add_argument("--port", type=int, help="port (default: $GRADIO_SERVER_PORT, else 7860)")
    args = parser.parse_args(argv)
    print(f"loading {'run ' + args.run if args.run else 'the newest run'} ...", flush=True)
    assistant, reason = load(args.run, engine=args.engine)
    print(assistant.describe() if assistant else f"no run: {reason}", flush=True)
    build(assistant, reason).launch(server_name=args.host, server_port=args.port, share=False, show_error=False,
                                    css=CSS)


if __name__ == "__main__":
    main()

"""`make serve`: an OpenAI-compatible HTTP API for a run or an export, with the app's safety rules.

`POST /v1/chat/completions` (streamed or not), `GET /v1/models`, `GET /health`, on 127.0.0.1 unless told
otherwise. Every answer goes through `Assistant.prepare` like the app's: triage first (self-harm gets the
crisis text instead of an answer; other emergencies get their notice before it), the disclaimer after it,
and the triage result in the response's `medical_llm` field. One answer is generated at a time; other
requests wait in a bounded queue (429 when it is full). Bad requests get OpenAI-style 4xx JSON errors.
"""

from __future__ import annotations

import argparse
import asyncio
import ipaddress
import json
import os
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, StreamingResponse
from starlette.exceptions import HTTPException

from plugins import runs
from plugins.app.assistant import MAX_QUESTION_CHARS, Assistant, QuestionError
from plugins.app.disclaimer import CAVEAT
from plugins.app.engines import ENGINES, Settings
from plugins.retrieval.sources import NOT_COVERED

MAX_BODY_BYTES = 256 * 1024
MAX_TOKENS = 512        # the most new tokens one request may ask for
QUEUE_LIMIT = 64        # requests waiting for the model; more get 429
ROLES = ("system", "developer", "user", "assistant")
UNSUPPORTED = {"tools": None, "tool_choice": None, "functions": None, "logprobs": False, "top_logprobs": None}


class APIError(Exception):
    """A request the API refuses, as OpenAI reports it: HTTP status, message, type, param and code."""

    def __init__(self, status: int, message: str, param: str | None = None, code: str | None = None,
                 kind: str = "invalid_request_error"):
        super().__init__(message)
        self.status, self.message, self.param, self.code, self.kind = status, message, param, code, kind

    def body(self) -> dict:
        return {"error": {"message": self.message, "type": self.kind, "param": self.param, "code": self.code}}


@dataclass
class ChatRequest:
    """A validated chat request: which engine, the question, the settings, and what to tell the client."""

    model: str
    base: bool
    question: str
    settings: Settings
    stream: bool
    include_usage: bool
    notices: list[str] = field(default_factory=list)


def _number(body: dict, name: str, low: float, high: float, default, integer: bool = False, low_open: bool = False):
    value = body.get(name)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int if integer else (int, float)):
        raise APIError(400, f"'{name}' must be {'an integer' if integer else 'a number'}, got {value!r}", name,
                       "invalid_type")
    if value < low or value > high or (low_open and value == low):
        interval = f"{'(' if low_open else '['}{low:g}, {high:g}]"
        raise APIError(400, f"'{name}' must be in {interval}, got {value!r}", name, "out_of_range")
    return value


def _text(content, where: str) -> str:
    """A message's text: a string, or a list of text parts (OpenAI's content parts)."""
    if isinstance(content, str):
        return content
    if isinstance(content, list) and all(isinstance(p, dict) and p.get("type") == "text"
                                         and isinstance(p.get("text"), str) for p in content):
        return "".join(p["text"] for p in content)
    raise APIError(400, f"'{where}' must be a string or a list of text parts", where, "invalid_content")


def parse(raw: bytes, assistant: Assistant, model_ids: dict[str, bool]) -> ChatRequest:
    """Validate a chat-completions body; APIError names the field and what is allowed."""
    if len(raw) > MAX_BODY_BYTES:
        raise APIError(413, f"request body of {len(raw)} bytes is over the limit of {MAX_BODY_BYTES}", None,
                       "body_too_large")
    try:
        body = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise APIError(400, f"the request body is not valid JSON: {e}", None, "invalid_json") from None
    if not isinstance(body, dict):
        raise APIError(400, "the request body must be a JSON object", None, "invalid_json")
    model = body.get("model")
    if not isinstance(model, str) or not model:
        raise APIError(400, "'model' is required: one of " + ", ".join(model_ids), "model", "missing_model")
    if model not in model_ids:
        raise APIError(404, f"the model {model!r} does not exist here; available: {', '.join(model_ids)}", "model",
                       "model_not_found")
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        raise APIError(400, "'messages' must be a non-empty list of {role, content} objects", "messages",
                       "invalid_messages")
    texts = []
    for i, m in enumerate(messages):
        if not isinstance(m, dict) or m.get("role") not in ROLES:
            raise APIError(400, f"'messages[{i}].role' must be one of {', '.join(ROLES)}", f"messages[{i}].role",
                           "invalid_role")
        texts.append((m["role"], _text(m.get("content"), f"messages[{i}].content"), i))
    users = [t for t in texts if t[0] == "user"]
    if not users:
        raise APIError(400, "'messages' has no user message to answer", "messages", "no_user_message")
    _, question, index = users[-1]
    where = f"messages[{index}].content"
    if len(question) > MAX_QUESTION_CHARS:
        raise APIError(400, f"'{where}' has {len(question)} characters; the most is {MAX_QUESTION_CHARS}", where,
                       "message_too_long")
    found = [t for t in assistant.control_tokens if t in question]
    if found:
        raise APIError(400, f"'{where}' contains the model's control token(s) {', '.join(found)}; they mark turns "
                       "and cannot be part of a question", where, "control_tokens")
    for name, allowed in UNSUPPORTED.items():
        if body.get(name) not in (None, allowed):
            raise APIError(400, f"'{name}' is not supported by this server", name, "unsupported_parameter")
    _number(body, "n", 1, 1, 1, integer=True)  # one answer per request
    defaults = assistant.defaults
    limit = body.get("max_completion_tokens", body.get("max_tokens"))
    tokens_name = "max_completion_tokens" if "max_completion_tokens" in body else "max_tokens"
    settings = Settings(
        temperature=_number(body, "temperature", 0, 2, defaults.temperature),
        top_p=_number(body, "top_p", 0, 1, defaults.top_p, low_open=True),
        max_new_tokens=_number({tokens_name: limit}, tokens_name, 1, MAX_TOKENS, defaults.max_new_tokens, integer=True),
        repetition_penalty=_number(body, "repetition_penalty", 0, 2, defaults.repetition_penalty, low_open=True))
    for name in ("frequency_penalty", "presence_penalty"):
        if _number(body, name, -2, 2, 0) != 0:
            raise APIError(400, f"'{name}' is not supported (use 'repetition_penalty', in (0, 2])", name,
                           "unsupported_parameter")
    stream = body.get("stream", False)
    if not isinstance(stream, bool):
        raise APIError(400, "'stream' must be true or false", "stream", "invalid_type")
    options = body.get("stream_options") or {}
    notices = []
    if any(r in ("system", "developer") for r, _, _ in texts):
        notices.append("System messages are not used: the model answers with the system prompt it was trained with.")
    if len(users) > 1 or any(r == "assistant" for r, _, _ in texts):
        notices.append("Only the last user message was answered: the model was trained on single questions.")
    return ChatRequest(model, model_ids[model], question, settings, stream, bool(options.get("include_usage")), notices)


class Server:
    """The API's state: one assistant, its model ids, and the queue in front of the model."""

    def __init__(self, assistant: Assistant, queue_limit: int = QUEUE_LIMIT):
        self.assistant = assistant
        self.model_ids = {assistant.spec_name: False, f"{assistant.spec_name}-base": True}
        self.turn = asyncio.Lock()
        self.waiting = 0
        self.queue_limit = queue_limit
        self.created = int(time.time())

    def app(self):
        app = FastAPI(title="Medical LLM Assistant API", docs_url=None, redoc_url=None)

        @app.exception_handler(APIError)
        async def api_error(_, e: APIError):
            return JSONResponse(e.body(), status_code=e.status)

        @app.exception_handler(HTTPException)
        async def http_error(_, e: HTTPException):
            return JSONResponse(APIError(e.status_code, str(e.detail), None, None).body(), status_code=e.status_code)

        @app.exception_handler(RequestValidationError)
        async def validation_error(_, e):
            return JSONResponse(APIError(400, str(e), None, "invalid_request").body(), status_code=400)

        @app.get("/health")
        async def health():
            a = self.assistant
            return {"status": "ok", "engine": a.engine_name, "models": list(self.model_ids),
                    "precision": a.precision.dtype if a.engine_name == "transformers" else None,
                    "source": str(a.export.dir if a.engine_name == "llama.cpp" else a.run_dir or a.export.dir),
                    "waiting": self.waiting}

        @app.get("/v1/models")
        async def list_models():
            return {"object": "list", "data": [{"id": m, "object": "model", "created": self.created,
                                                "owned_by": "medical-llm"} for m in self.model_ids]}

        @app.post("/v1/chat/completions")
        async def chat(http: Request):
            request = parse(await http.body(), self.assistant, self.model_ids)
            try:
                prepared = self.assistant.prepare(request.question)
            except QuestionError as e:
                raise APIError(400, str(e), "messages", "empty_question") from None
            if self.waiting >= self.queue_limit:
                raise APIError(429, f"{self.waiting} requests are waiting for the model; retry shortly", None,
                               "queue_full", "rate_limit_error")
            completion = Completion(self, request, prepared)
            if request.stream:
                return StreamingResponse(completion.events(), media_type="text/event-stream")
            return await completion.whole()

        return app


class Completion:
    """One answer: generated in a worker thread while holding the server's turn, sent whole or as SSE chunks."""

    def __init__(self, server: Server, request: ChatRequest, prepared):
        self.server, self.request, self.prepared = server, request, prepared
        self.id = f"chatcmpl-{uuid.uuid4().hex[:24]}"
        self.created = int(time.time())
        self.tokens = 0
        self.reply = None  # the last checked reply (plugins.retrieval.checker.Checked)

    def extra(self) -> dict:
        cited = self.prepared.sources
        return {"triage": self.prepared.triage.as_dict(), "disclaimer": CAVEAT,
                "notices": self.request.notices + self.prepared.notices,
                "engine": self.server.assistant.engine_name,
                "sources": [h.as_dict() for h in cited] if cited is not None else None}

    def checked(self) -> dict:
        """After the answer: what the model generated and, for a grounded run, each sentence's attribution (the
        passage it cites, its support, kept or removed and why)."""
        reply = self.reply
        if reply is None:
            return {}
        found = {"answer": reply.text, "generated": reply.generated.strip()}
        if self.server.assistant.retriever is not None:
            found.update(attribution=reply.attribution(), removed=reply.removed, quoted=reply.quoted,
                         declined=reply.declined, stopped=reply.stopped)
        return found

    def head(self) -> str:
        """What comes before the model's answer: the triage notice (or, for self-harm, only it)."""
        notice = self.prepared.triage.notice
        return notice + ("" if self.prepared.triage.replaces_answer else "\n\n") if notice else ""

    def tail(self) -> str:
        """After the answer: a grounded run's numbered NIH sources, then the caveat."""
        cited = self.prepared.sources
        listed = "\n\nSources:\n" + "\n".join(f"[{h.rank}] {h.focus} ({h.source}): {h.url}" for h in cited) \
            if cited else ""
        return f"{listed}\n\n---\n*{CAVEAT}*"

    def usage(self) -> dict:
        prompt_tokens = len(self.server.assistant.tokenizer(self.prepared.prompt).input_ids)
        return {"prompt_tokens": prompt_tokens, "completion_tokens": self.tokens,
                "total_tokens": prompt_tokens + self.tokens}

    def finish_reason(self) -> str:
        return "length" if self.tokens >= self.request.settings.max_new_tokens else "stop"

    async def pieces(self):
        """The answer as the reader may see it, piece by piece (a grounded run's sentence by sentence once each is
        checked), generated in a worker thread while this request holds the turn."""
        if self.prepared.triage.replaces_answer:
            return
        if self.prepared.not_covered:  # a grounded run with no trusted passage: said plainly, nothing generated
            self.reply = next(self.server.assistant.replies(self.prepared, self.request.settings))
            yield NOT_COVERED
            return
        server = self.server
        server.waiting += 1
        try:
            await server.turn.acquire()
        finally:
            server.waiting -= 1
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue = asyncio.Queue()
        stop = threading.Event()
        done = object()
        a = server.assistant

        def work():
            gen = a.replies(self.prepared, self.request.settings, fine_tuned=not self.request.base)
            sent = ""
            try:
                for reply in gen:
                    if stop.is_set():
                        break
                    self.reply, self.tokens = reply, reply.tokens
                    piece, sent = reply.text[len(sent):], reply.text  # a checked answer only grows
                    if piece:
                        loop.call_soon_threadsafe(queue.put_nowait, piece)
            except Exception as e:  # noqa: BLE001 - handed to the request below
                loop.call_soon_threadsafe(queue.put_nowait, e)
            finally:
                gen.close()
                loop.call_soon_threadsafe(queue.put_nowait, done)

        worker = loop.run_in_executor(None, work)
        # the turn passes on when the worker has stopped, not when this generator ends: a client that goes away
        # cancels this generator (anyio cancels every later await in it), and the model must not be left held
        worker.add_done_callback(lambda _: server.turn.release())
        try:
            while (item := await queue.get()) is not done:
                if isinstance(item, Exception):
                    raise item
                yield item
        finally:
            stop.set()  # the worker stops at its next token

    async def whole(self) -> dict:
        answer = "".join([p async for p in self.pieces()])
        content = self.head() + (answer.strip() + self.tail() if not self.prepared.triage.replaces_answer else "")
        return {"id": self.id, "object": "chat.completion", "created": self.created, "model": self.request.model,
                "choices": [{"index": 0, "message": {"role": "assistant", "content": content},
                             "finish_reason": self.finish_reason(), "logprobs": None}],
                "usage": self.usage(), "medical_llm": {**self.extra(), "answer": answer.strip(), **self.checked()}}

    def chunk(self, delta: dict, finish: str | None = None, **more) -> str:
        body = {"id": self.id, "object": "chat.completion.chunk", "created": self.created,
                "model": self.request.model, "choices": [{"index": 0, "delta": delta, "finish_reason": finish,
                                                          "logprobs": None}], **more}
        return f"data: {json.dumps(body)}\n\n"

    async def events(self):
        yield self.chunk({"role": "assistant", "content": self.head()}, medical_llm=self.extra())
        if not self.prepared.triage.replaces_answer:
            started = False
            async for piece in self.pieces():
                if not started:  # answers start after the prompt's newline; strip like the whole answer
                    piece = piece.lstrip()
                    started = bool(piece)
                if piece:
                    yield self.chunk({"content": piece})
            yield self.chunk({"content": self.tail()})
        yield self.chunk({}, self.finish_reason(), medical_llm=self.checked())
        if self.request.include_usage:
            body = {"id": self.id, "object": "chat.completion.chunk", "created": self.created,
                    "model": self.request.model, "choices": [], "usage": self.usage()}
            yield f"data: {json.dumps(body)}\n\n"
        yield "data: [DONE]\n\n"


def is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--run", help="a run directory (default: the newest run)")
    source.add_argument("--export", help="an export directory (exports/<spec>/<timestamp>)")
    parser.add_argument("--engine", choices=ENGINES, default="llama.cpp",
                        help="llama.cpp (default; the run's newest export) or transformers (PyTorch)")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1: this machine only)")
    parser.add_argument("--port", type=int, default=8000)
    args = parser.parse_args(argv)
    if not is_loopback(args.host):
        print(f"warning: listening on {args.host}: other machines can reach this API; it has no authentication",
              file=sys.stderr)
    try:
        source = args.export or runs.resolve(args.run)
        assistant = Assistant(source, engine=args.engine)
    except (runs.RunError, FileNotFoundError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    import uvicorn

    print(f"serving {assistant.describe()}\n  models: {assistant.spec_name}, {assistant.spec_name}-base\n"
          f"  http://{args.host}:{args.port}/v1/chat/completions", flush=True)
    uvicorn.run(Server(assistant).app(), host=args.host, port=args.port, log_level=os.environ.get("LOG_LEVEL", "info"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

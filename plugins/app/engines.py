"""Engines: what turns a rendered prompt into answer text, one token at a time.

Two engines answer the same prompt (built by `plugins.prompt.render`) with the same settings:
`transformers` (PyTorch, the run's LoRA merged in; the reference) and `llama.cpp` (an exported GGUF file
through `llama-cpp-python`; several times faster on a CPU). Each yields one text piece per generated
token, so callers count tokens and time the first one the same way for both.
"""

from __future__ import annotations

import contextlib
import functools
import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ENGINES = ("transformers", "llama.cpp")


@dataclass
class Settings:
    """Generation controls; temperature 0 means greedy decoding."""

    temperature: float
    top_p: float
    max_new_tokens: int
    repetition_penalty: float

    def generate_kwargs(self) -> dict:
        """As transformers' `generate` takes them."""
        kwargs = {"max_new_tokens": int(self.max_new_tokens), "repetition_penalty": float(self.repetition_penalty)}
        if self.temperature > 0:
            kwargs.update(do_sample=True, temperature=float(self.temperature), top_p=float(self.top_p))
        else:
            kwargs["do_sample"] = False
        return kwargs

    @classmethod
    def from_generation(cls, gen: dict) -> Settings:
        """A run's generation settings as Ludwig resolved them (its saved config)."""
        return cls(temperature=float(gen.get("temperature") or 0) if gen.get("do_sample") else 0.0,
                   top_p=float(gen.get("top_p") or 1.0), max_new_tokens=int(gen.get("max_new_tokens") or 96),
                   repetition_penalty=float(gen.get("repetition_penalty") or 1.0))


class Engine:
    """Answer text from a prompt. Subclasses yield the generated token ids (end of turn excluded);
    `stream` turns them into text pieces, one per token."""

    name = ""

    def tokens(self, prompt: str, settings: Settings) -> Iterator[int]:
        raise NotImplementedError

    def decode(self, ids: list[int]) -> str:
        raise NotImplementedError

    def stream(self, prompt: str, settings: Settings) -> Iterator[str]:
        """One text piece per generated token (empty while a multi-token character is incomplete)."""
        ids, sent = [], ""
        for token in self.tokens(prompt, settings):
            ids.append(token)
            text = self.decode(ids)
            if text.endswith("\ufffd"):  # half a UTF-8 character: wait for the rest
                yield ""
                continue
            piece, sent = text[len(sent):], text
            yield piece


class TransformersEngine(Engine):
    """PyTorch generation on a loaded model; generation runs in a thread and stops as soon as the
    caller stops iterating (a user pressed Stop, or a client went away)."""

    name = "transformers"

    def __init__(self, model, tokenizer):
        self.model, self.tokenizer = model, tokenizer

    def decode(self, ids: list[int]) -> str:
        return self.tokenizer.decode(ids, skip_special_tokens=True)

    def tokens(self, prompt: str, settings: Settings) -> Iterator[int]:
        import torch
        from transformers import StoppingCriteria, StoppingCriteriaList
        from transformers.generation.streamers import BaseStreamer

        inputs = self.tokenizer(prompt, return_tensors="pt")
        eos = set(_as_list(self.model.generation_config.eos_token_id)) | {self.tokenizer.eos_token_id}
        queue: list = []
        ready = threading.Condition()
        state = {"done": False, "error": None}
        stop = threading.Event()

        class _Collect(BaseStreamer):
            prompt_seen = False

            def put(self, value):
                if not self.prompt_seen:  # generate() hands the prompt over first
                    self.prompt_seen = True
                    return
                with ready:
                    queue.extend(value.reshape(-1).tolist())
                    ready.notify()

            def end(self):
                pass

        class _Stop(StoppingCriteria):
            def __call__(self, input_ids, scores, **kwargs):
                return stop.is_set()

        def generate():
            try:
                with torch.inference_mode():
                    self.model.generate(**inputs, streamer=_Collect(), pad_token_id=self.tokenizer.pad_token_id,
                                        stopping_criteria=StoppingCriteriaList([_Stop()]), **settings.generate_kwargs())
            except Exception as e:  # noqa: BLE001 - re-raised in the caller's thread below
                state["error"] = e
            finally:
                with ready:
                    state["done"] = True
                    ready.notify()

        thread = threading.Thread(target=generate, daemon=True)
        thread.start()
        try:
            while True:
                with ready:
                    ready.wait_for(lambda: queue or state["done"])
                    new = queue[:]
                    queue.clear()
                    if not new and state["done"]:
                        break
                for token in new:
                    if token in eos:
                        return
                    yield token
        finally:
            stop.set()
            thread.join()
        if state["error"] is not None:
            raise state["error"]


def _as_list(value) -> list:
    return [] if value is None else list(value) if isinstance(value, (list, tuple)) else [value]


class LlamaCppEngine(Engine):
    """A GGUF file through llama.cpp (`llama-cpp-python`). One model answers one request at a time."""

    name = "llama.cpp"

    def __init__(self, gguf: Path, n_ctx: int, threads: int | None = None):
        import llama_cpp

        if not Path(gguf).is_file():
            raise FileNotFoundError(f"no GGUF file at {gguf}")
        self.path = Path(gguf)
        self._is_eog = lambda token: llama_cpp.llama_vocab_is_eog(self.llm._model.vocab, token)
        # the repetition penalty looks back over the whole context, prompt included, as transformers' does
        with _without_amx_repacking():
            self.llm = _hf_penalty_llama()(model_path=str(gguf), n_ctx=n_ctx, last_n_tokens_size=n_ctx,
                                           n_threads=threads or os.cpu_count(), seed=0, verbose=False)
        self.n_ctx = n_ctx
        self.lock = threading.Lock()

    def tokenize(self, prompt: str) -> list[int]:
        """The prompt's tokens; control tokens in the template are parsed as such (user text was neutralised)."""
        return self.llm.tokenize(prompt.encode("utf-8"), add_bos=self.llm._model.add_bos_token(), special=True)

    def decode(self, ids: list[int]) -> str:
        return self.llm.detokenize(ids).decode("utf-8", errors="replace")

    def tokens(self, prompt: str, settings: Settings) -> Iterator[int]:
        ids = self.tokenize(prompt)
        budget = min(int(settings.max_new_tokens), self.n_ctx - len(ids))
        sampling = ({"temp": float(settings.temperature), "top_p": float(settings.top_p)}
                    if settings.temperature > 0 else {"temp": 0.0})
        with self.lock:
            self.llm.penalty_prompt = ids
            generated = 0
            for token in self.llm.generate(ids, top_k=0, min_p=0.0, repeat_penalty=float(settings.repetition_penalty),
                                           **sampling):
                if self._is_eog(token) or generated >= budget:
                    return
                generated += 1
                yield token


def cpu_has_amx() -> bool:
    """Whether llama.cpp was built for, and runs on, a CPU with AMX int8 tiles (Sapphire Rapids and later)."""
    import llama_cpp

    return b"AMX_INT8 = 1" in llama_cpp.llama_print_system_info()


@contextlib.contextmanager
def _without_amx_repacking():
    """Load weights without llama.cpp's extra buffer types on AMX CPUs: the AMX buffer repacks q8_0 weights and
    the first decode then segfaults in `ggml_backend_amx_mul_mat` (upstream ggml-org/llama.cpp#20824, closed
    without a fix; reproduced here with llama-cpp-python 0.3.36 on SmolLM2 and the tiny model). The plain CPU
    path is what every other machine runs. `Llama()` takes no such argument, so its defaults are wrapped
    while it loads; nothing changes on CPUs without AMX."""
    import llama_cpp.llama as module

    if not cpu_has_amx():
        yield
        return
    defaults = module.llama_cpp.llama_model_default_params

    def without_extra_buffers():
        params = defaults()
        params.use_extra_bufts = False
        return params

    module.llama_cpp.llama_model_default_params = without_extra_buffers
    try:
        yield
    finally:
        module.llama_cpp.llama_model_default_params = defaults


@functools.cache
def _hf_penalty_llama():
    """`llama_cpp.Llama` whose repetition penalty also counts the prompt's tokens, as transformers' does
    (`RepetitionPenaltyLogitsProcessor` looks at every input id): llama.cpp's sampler only sees the tokens
    it generated, so greedy answers drift apart at the first question word the model repeats."""
    from llama_cpp import Llama

    class HFPenaltyLlama(Llama):
        penalty_prompt: list[int] = []

        def _init_sampler(self, *args, **kwargs):
            sampler = super()._init_sampler(*args, **kwargs)
            for token in self.penalty_prompt:
                sampler.accept(token)
            return sampler

    return HFPenaltyLlama

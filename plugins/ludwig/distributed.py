"""Scale-out: the same spec trains data-parallel on several processes and machines (torchrun + Ludwig's DDP).

`make train SPEC=... NPROC=2` runs `torchrun --nproc_per_node 2 -m plugins.train SPEC` (with NNODES,
NODE_RANK, MASTER_ADDR and MASTER_PORT for several machines). Every process is one rank: it builds
the same model, trains on its own share of the training rows (Ludwig's DistributedSampler), and DDP
averages the gradients, so the adapters stay identical; rank 0 alone writes the run directory.

The distributed engine is Ludwig's own accelerate strategy (`ludwig.distributed`,
`init_dist_strategy("accelerate")`: DDP through HF accelerate; gloo on CPU, NCCL on GPU, as accelerate
picks). What this module adds is the glue Ludwig 0.17.10 lacks, each piece with the reason:

- Ludwig's local backend always uses its single-process strategy and has no config key for another
  (`trainer.strategy` is accepted and dropped), so `torchrun ... ludwig train` trains independent
  copies that each write a model. `DataParallelBackend` is the local backend with the accelerate
  strategy handed to its trainer and `is_coordinator()` true on rank 0 only; `setup()` registers it
  as Ludwig's `local` backend, in this process only, and only when torchrun started several ranks.
- On CPU accelerate reports no distribution unless `ACCELERATE_USE_CPU=true` (the ranks then train
  independently): `setup()` sets it when there is no GPU.
- The LLM fine-tune trainer's evaluation reads `dist_model.tokenizer`, which DDP does not forward:
  the trainer's DDP wrapper gets the model's tokenizer.
- Every rank would preprocess and write the same cache files next to the dataset at the same time:
  the distributed backend never writes the preprocessing cache (each rank preprocesses in memory).
- `trainer.batch_size` is per rank, and Ludwig's default `learning_rate_scaling: linear` multiplies
  the learning rate by the number of ranks. `make train` keeps the spec's effective batch and learning
  rate instead (`per_rank_batch`): see the README's scale-out section.
"""

from __future__ import annotations

import hashlib
import io
import logging
import math
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from plugins.ludwig import patch

ACCELERATE_USE_CPU = "ACCELERATE_USE_CPU"
NO_STRATEGY_KEY = ("Ludwig 0.17.10 ludwig/backend/base.py LocalBackend always trains with the single-process "
                   "strategy; no config key selects another")


class ScaleOutError(Exception):
    """A spec or launch that cannot run data-parallel as asked; the message says what to change."""


@dataclass(frozen=True)
class World:
    """This process's place in a torchrun launch (from torchrun's environment; one rank without it)."""

    size: int = 1
    rank: int = 0
    local_rank: int = 0
    local_size: int = 1

    @property
    def active(self) -> bool:
        return self.size > 1

    @property
    def coordinator(self) -> bool:
        return self.rank == 0

    @property
    def nodes(self) -> int:
        return max(1, self.size // max(1, self.local_size))

    @property
    def prefix(self) -> str:
        return f"[rank {self.rank}/{self.size}] "


def world(env: dict | None = None) -> World:
    env = os.environ if env is None else env
    size = int(env.get("WORLD_SIZE", 1))
    return World(size=size, rank=int(env.get("RANK", 0)), local_rank=int(env.get("LOCAL_RANK", 0)),
                 local_size=int(env.get("LOCAL_WORLD_SIZE", size)))


def per_rank_batch(batch_size: int, accumulation: int, ranks: int) -> tuple[int, int]:
    """(per-rank batch size, gradient accumulation steps) that keep the spec's effective batch
    `batch_size x accumulation` on `ranks` ranks: accumulation is divided first, then the batch."""
    if ranks == 1:
        return batch_size, accumulation
    effective = batch_size * accumulation
    if effective % ranks:
        raise ScaleOutError(
            f"the spec's effective batch ({batch_size} x {accumulation} accumulation = {effective}) cannot be "
            f"split over {ranks} ranks: make trainer.batch_size x trainer.gradient_accumulation_steps a "
            f"multiple of {ranks}, or launch a number of processes that divides {effective}")
    shared = math.gcd(accumulation, ranks)
    return batch_size // (ranks // shared), accumulation // shared


class _RankPrefixed(io.TextIOBase):
    """A text stream that starts every line with the rank, so interleaved logs say who wrote them."""

    def __init__(self, stream, prefix: str):
        self._stream, self._prefix, self._line_start = stream, prefix, True

    def write(self, text: str) -> int:
        out = []
        for piece in re.split(r"(?<=\n)(?=.)", text, flags=re.S):
            if self._line_start:
                out.append(self._prefix)
            out.append(re.sub(r"\r(?=[^\n])", "\r" + self._prefix, piece))  # progress bars redraw the line
            self._line_start = piece.endswith("\n")
        self._stream.write("".join(out))
        return len(text)

    def flush(self) -> None:
        self._stream.flush()

    def fileno(self) -> int:
        return self._stream.fileno()

    def isatty(self) -> bool:
        return False

    @property
    def encoding(self):
        return getattr(self._stream, "encoding", "utf-8")


def _prefix_output(prefix: str) -> None:
    """stdout, stderr and the logging handlers already writing to them start each line with `prefix`."""
    if isinstance(sys.stdout, _RankPrefixed):
        return
    wrapped = {id(stream): _RankPrefixed(stream, prefix) for stream in (sys.stdout, sys.stderr)}
    loggers = [logging.getLogger()] + [v for v in logging.Logger.manager.loggerDict.values()
                                       if isinstance(v, logging.Logger)]
    for handler in (h for log in loggers for h in log.handlers):
        if isinstance(handler, logging.StreamHandler) and id(handler.stream) in wrapped:
            try:
                handler.setStream(wrapped[id(handler.stream)])
            except AttributeError:  # logging's last-resort handler: it follows sys.stderr by itself
                pass
    sys.stdout, sys.stderr = wrapped[id(sys.stdout)], wrapped[id(sys.stderr)]


def _backend_class():
    from ludwig.backend.base import LocalBackend
    from ludwig.distributed import get_current_dist_strategy

    class NoSharedCache:
        """Never write the preprocessing cache: every rank would write the same files at once."""

        def __init__(self, cache):
            self._cache = cache

        def can_cache(self, skip_save_processed_input: bool) -> bool:
            return False

        def __getattr__(self, name):
            return getattr(self._cache, name)

    class DataParallelBackend(LocalBackend):
        """Ludwig's local backend, training through the accelerate (DDP) strategy `setup()` started."""

        BACKEND_TYPE = "local"

        def initialize(self):
            self.strategy = get_current_dist_strategy()

        def is_coordinator(self) -> bool:
            return self.strategy.rank() == 0

        @property
        def num_nodes(self) -> int:
            return max(1, self.strategy.size() // max(1, self.strategy.local_size()))

        @property
        def num_training_workers(self) -> int:
            return self.strategy.size()

        @property
        def cache(self):
            return NoSharedCache(self._cache_manager)

        def create_trainer(self, config, model, **kwargs):
            trainer = super().create_trainer(config, model, distributed=self.strategy, **kwargs)
            dist_model = getattr(trainer, "dist_model", None)
            if dist_model is not None and hasattr(model, "tokenizer") and not hasattr(dist_model, "tokenizer"):
                dist_model.tokenizer = model.tokenizer  # DDP does not forward it; LLM evaluation reads it
            return trainer

    return DataParallelBackend


def setup(this: World | None = None):
    """Make this process one rank of a data-parallel run; a no-op for a single process.

    Prefixes this process's output with its rank, picks gloo on CPU (`ACCELERATE_USE_CPU=true` when
    there is no GPU; NCCL on GPU is accelerate's own choice), starts Ludwig's accelerate strategy (it
    joins torchrun's rendezvous) and registers `DataParallelBackend` as Ludwig's local backend.
    Returns the strategy, or None for a single process.
    """
    this = this or world()
    if not this.active:
        return None
    _prefix_output(this.prefix)
    import torch

    if not torch.cuda.is_available():
        os.environ.setdefault(ACCELERATE_USE_CPU, "true")
    import ludwig.backend
    from ludwig.distributed import init_dist_strategy

    strategy = init_dist_strategy("accelerate")
    if strategy.size() != this.size:
        raise ScaleOutError(
            f"torchrun started {this.size} ranks but accelerate sees {strategy.size()} "
            f"({strategy.accelerator.distributed_type}); on a CPU machine set {ACCELERATE_USE_CPU}=true")
    backend = _backend_class()
    for name in (ludwig.backend.LOCAL, None):
        patch.install(ludwig.backend.backend_registry, name, backend, NO_STRATEGY_KEY)
    print(f"data-parallel: rank {strategy.rank()} of {strategy.size()} on {this.nodes} node(s), "
          f"{strategy.accelerator.distributed_type} on {strategy.accelerator.device}", flush=True)
    return strategy


def all_gather(value):
    """Every rank's `value`, in rank order (just [value] for a single process)."""
    import torch.distributed as dist

    if not (dist.is_available() and dist.is_initialized()):
        return [value]
    out = [None] * dist.get_world_size()
    dist.all_gather_object(out, value)
    return out


def finish() -> None:
    """Wait for every rank, then leave the process group (a clean exit for torchrun)."""
    import torch.distributed as dist

    if dist.is_available() and dist.is_initialized():
        dist.barrier()
        dist.destroy_process_group()


def scale_out(config: dict, this: World) -> dict:
    """Set the per-rank trainer settings of `config` for `this` launch; returns what summary.json records.

    The spec's effective batch (batch_size x gradient_accumulation_steps) and learning rate are kept on
    any number of ranks: accumulation, then the per-rank batch, are divided by the ranks, and Ludwig's
    `learning_rate_scaling` (default `linear`: learning rate x ranks) is set to `constant`.
    """
    trainer = config.setdefault("trainer", {})
    batch, accumulation = trainer.get("batch_size", 1), trainer.get("gradient_accumulation_steps", 1)
    record = {"ranks": this.size, "nodes": this.nodes, "batch_size_per_rank": batch,
              "gradient_accumulation_steps": accumulation, "effective_batch_size": None,
              "learning_rate_scaling": trainer.get("learning_rate_scaling", "linear")}
    numeric = all(isinstance(v, int) and not isinstance(v, bool) for v in (batch, accumulation))
    if this.active:
        if not numeric:
            raise ScaleOutError(
                f"trainer.batch_size ({batch}) and trainer.gradient_accumulation_steps ({accumulation}) must be "
                "numbers to train on several ranks (the effective batch is split over them)")
        batch, accumulation = per_rank_batch(batch, accumulation, this.size)
        trainer.update(batch_size=batch, gradient_accumulation_steps=accumulation, learning_rate_scaling="constant")
        record.update(batch_size_per_rank=batch, gradient_accumulation_steps=accumulation,
                      learning_rate_scaling="constant")
    if numeric:
        record["effective_batch_size"] = batch * this.size * accumulation
    return record


def same_data_on_every_rank(dataset: Path) -> str:
    """Every rank prepares the data itself; all must get rank 0's bytes (the same data file everywhere)."""
    digest = hashlib.sha256(dataset.read_bytes()).hexdigest()
    digests = all_gather(digest)
    if len(set(digests)) > 1:
        differing = [r for r, d in enumerate(digests) if d != digests[0]]
        raise ScaleOutError(
            f"the prepared data of rank(s) {differing} differs from rank 0's: every machine needs the same "
            f"data file (and spec) at the same path")
    return digest

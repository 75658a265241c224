"""Length-aware training batches for Ludwig 0.17.10: rows of similar token length share a batch.

Ludwig's LLM trainer pads every batch to its longest row (`generate_merged_ids`), and its batcher
draws rows in a plain random order (`DistributedSampler`), so a short flashcard paired with a long
one is computed at the long one's length. Ludwig has no setting for this (`trainer.bucketing_field`
exists for ECD models only). This keeps Ludwig's seeded shuffle, then, like Hugging Face's
`group_by_length`, sorts each "megabatch" of `MEGABATCH` batches by length, cuts it into batches and
shuffles the batch order again, so every epoch is still a random order of every row, once each.
Single-process training only: a distributed sampler is left as it is.
"""

from __future__ import annotations

import contextlib
import functools

import numpy as np

from plugins.ludwig import patch

MEGABATCH = 64  # batches per sorting window (Hugging Face uses 50): wide enough to pair lengths well


def row_lengths(columns: dict) -> np.ndarray:
    """Tokens per row summed over Ludwig's left-padded token-id columns (2-D int arrays). The pad id
    is what the shortest rows start with: the most common first token of a column."""
    total = None
    for values in columns.values():
        if not (isinstance(values, np.ndarray) and values.ndim == 2 and values.dtype.kind in "iu" and len(values)):
            continue
        first = values[:, 0]
        pad = np.bincount(first - first.min()).argmax() + first.min()
        leading = np.argmax(values != pad, axis=1)
        leading[(values == pad).all(axis=1)] = values.shape[1]
        lengths = values.shape[1] - leading
        total = lengths if total is None else total + lengths
    return total


def grouped_order(order: list[int], lengths: np.ndarray, batch_size: int, seed: int) -> list[int]:
    """`order` (a shuffled permutation) regrouped so each batch holds rows of similar length."""
    rng = np.random.RandomState(seed)
    window = batch_size * MEGABATCH
    batches = []
    for start in range(0, len(order), window):
        chunk = sorted(order[start:start + window], key=lambda i: -lengths[i])
        batches += [chunk[i:i + batch_size] for i in range(0, len(chunk), batch_size)]
    full = [b for b in batches if len(b) == batch_size]
    short = [b for b in batches if len(b) < batch_size]  # at most one: it stays last, as Ludwig's would
    return [i for j in rng.permutation(len(full)) for i in full[j]] + [i for b in short for i in b]


@functools.cache
def _sampler_class():
    from ludwig.data.sampler import DistributedSampler

    class LengthGroupedSampler(DistributedSampler):
        def __init__(self, lengths: np.ndarray, batch_size: int, shuffle: bool, random_seed: int):
            super().__init__(len(lengths), shuffle=shuffle, random_seed=random_seed)
            self.lengths, self.batch_size = lengths, batch_size

        def __iter__(self):
            order = list(super().__iter__())
            return iter(grouped_order(order, self.lengths, self.batch_size, self.random_seed + self.epoch))

    return LengthGroupedSampler


WHY = "speed: Ludwig 0.17.10 pads every LLM training batch to its longest row and has no length grouping"


@contextlib.contextmanager
def initialize_batcher(self, batch_size=128, should_shuffle=True, random_seed=0, ignore_last=False,
                       distributed=None, *args, **kwargs):
    """PandasDataset.initialize_batcher with the length-grouped sampler on shuffled, single-process batches."""
    from ludwig.data.dataset.pandas import PandasDataset

    stock = patch.original(PandasDataset, "initialize_batcher")
    with stock(self, batch_size, should_shuffle, random_seed, ignore_last, distributed, *args, **kwargs) as batcher:
        lengths = row_lengths(self.dataset) if should_shuffle else None
        if (lengths is not None and batcher.sampler.num_replicas == 1 and batcher._prefetch_size == 0
                and batch_size > 1):
            batcher.sampler = _sampler_class()(lengths, batch_size, True, random_seed)
            batcher.sample_it = iter(batcher.sampler)
        yield batcher


def apply(enabled: bool = True) -> None:
    """From now on, shuffled single-process training batches are grouped by length (or, with
    `enabled=False`, no longer: the benchmark alternates both in one process)."""
    from ludwig.data.dataset.pandas import PandasDataset

    if enabled:
        patch.install(PandasDataset, "initialize_batcher", initialize_batcher, WHY)
    else:
        patch.undo(PandasDataset, "initialize_batcher")

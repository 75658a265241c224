"""Length-aware batches (plugins/ludwig/length_batching.py) through Ludwig's own batcher.

Why it exists: Ludwig pads each training batch to its longest row and draws rows in random order, so
on flashcard lengths (45-148 tokens) a batch of two wastes about an eighth of its compute on padding.
"""

import numpy as np
import pandas as pd
import pytest
from ludwig.data.dataset.pandas import PandasDataset

from plugins.ludwig import length_batching

# token counts of the default spec's training rows range over about 45-148 (prompt + answer)
LENGTHS = np.random.default_rng(0).integers(45, 149, size=168)


def dataset(lengths=LENGTHS, width=160) -> PandasDataset:
    """A Ludwig dataset of left-padded token ids (pad id 0), as Ludwig's preprocessing stores text."""
    rng = np.random.default_rng(1)

    def row(n):
        ids = np.zeros(width, dtype=np.int32)
        ids[width - n:] = rng.integers(1, 1000, n)
        return ids

    return PandasDataset(pd.DataFrame({"question": [row(int(n) // 3) for n in lengths],
                                       "answer": [row(int(n) - int(n) // 3) for n in lengths]}),
                         {"question": {}, "answer": {}}, None)


def epoch_batches(data: PandasDataset, epoch: int = 0, batch_size: int = 2) -> list[list[int]]:
    """Row indices of each batch of one epoch, as the Ludwig trainer draws them."""
    with data.initialize_batcher(batch_size=batch_size, should_shuffle=True, random_seed=42, ignore_last=True) as b:
        b.set_epoch(epoch, batch_size)
        batches = []
        while not b.last_batch():
            batch = b.next_batch()
            batches.append([int(np.flatnonzero((data.dataset["answer"] == row).all(axis=1))[0])
                            for row in batch["answer"]])
        return batches


def padding_waste(batches: list[list[int]]) -> float:
    used = sum(LENGTHS[i] for b in batches for i in b)
    padded = sum(max(LENGTHS[i] for i in b) * len(b) for b in batches)
    return 1 - used / padded


@pytest.fixture
def grouped():
    length_batching.apply()
    yield
    length_batching.apply(enabled=False)


def test_row_lengths_read_ludwigs_left_padded_columns():
    assert (length_batching.row_lengths(dataset().dataset) == LENGTHS).all()


def test_stock_batches_waste_padding():
    length_batching.apply(enabled=False)
    assert padding_waste(epoch_batches(dataset())) > 0.08  # ~12 % of the tokens computed are padding


def test_grouped_batches_hardly_pad_and_keep_every_row_once(grouped):
    data = dataset()
    first, second = epoch_batches(data, 0), epoch_batches(data, 1)
    assert padding_waste(first) < 0.02
    for batches in (first, second):
        assert sorted(i for b in batches for i in b) == list(range(len(LENGTHS)))  # each row once an epoch
    assert first != second  # a new order every epoch
    assert epoch_batches(data, 0) == first  # and the same order for the same seed and epoch
    # batches are not served shortest- or longest-first: the order of lengths is shuffled
    longest = [max(LENGTHS[i] for i in b) for b in first]
    assert longest != sorted(longest) and longest != sorted(longest, reverse=True)


def test_unshuffled_batching_is_left_alone(grouped):
    data = dataset()
    with data.initialize_batcher(batch_size=2, should_shuffle=False) as b:
        assert type(b.sampler).__name__ == "DistributedSampler"

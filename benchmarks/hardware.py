"""The machine's own ceilings, measured by the benchmark: fp32 matmul peak and memory copy bandwidth.

MFU and the generation bandwidth bound are fractions of these, measured in the same run on the same
threads, so they mean something on a shared, noisy machine.
"""

from __future__ import annotations

import statistics
import time

import torch


def _best_seconds(fn, repeats: int) -> list[float]:
    fn()  # warm-up: first touch of the memory, thread pool start
    seconds = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        seconds.append(time.perf_counter() - start)
    return seconds


def matmul_peak(size: int = 2048, repeats: int = 10, dtype: torch.dtype = torch.float32) -> dict:
    """GFLOP/s of torch.matmul on two random size x size matrices of `dtype` (2·n³ FLOPs each); the best
    repeat is the peak (what the hardware can do when nothing else gets in the way)."""
    a, b = torch.randn(size, size, dtype=dtype), torch.randn(size, size, dtype=dtype)
    out = torch.empty(size, size, dtype=dtype)
    seconds = _best_seconds(lambda: torch.matmul(a, b, out=out), repeats)
    flops = 2 * size**3
    return {"size": size, "repeats": repeats, "threads": torch.get_num_threads(), "dtype": str(dtype),
            "gflops_peak": flops / min(seconds) / 1e9, "gflops_median": flops / statistics.median(seconds) / 1e9}


def copy_bandwidth(megabytes: int = 512, repeats: int = 10) -> dict:
    """GB/s of a large fp32 tensor copy (counts bytes read + bytes written), far larger than the caches:
    the rate at which generation can stream a model's weights."""
    n = megabytes * 2**20 // 4
    src, dst = torch.randn(n), torch.empty(n)
    seconds = _best_seconds(lambda: dst.copy_(src), repeats)
    moved = 2 * n * 4
    return {"megabytes": megabytes, "repeats": repeats, "threads": torch.get_num_threads(),
            "gb_per_s_peak": moved / min(seconds) / 1e9, "gb_per_s_median": moved / statistics.median(seconds) / 1e9}


def measure(quick: bool = False) -> dict:
    return {"matmul": matmul_peak(1024 if quick else 2048, 3 if quick else 10),
            "copy": copy_bandwidth(64 if quick else 512, 3 if quick else 10)}

"""Measurement helpers of the benchmark tools: run a function in a fresh process (so that
its peak RSS is its own) and read that peak."""

from __future__ import annotations

import multiprocessing
import resource


def peak_rss_mb() -> float:
    """Peak resident set size of this process so far, in MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def in_child(target, *args) -> dict:
    """Run target(*args, queue) in a spawned process and return what it puts on the queue."""
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    process = context.Process(target=target, args=(*args, queue))
    process.start()
    result = queue.get()
    process.join()
    return result

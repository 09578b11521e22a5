"""The map step in worker processes on this machine: each loads the model once, at start.

Documents go out in batches (`kg.pipeline.batches`: one model call each) and come back as
DocResults, batch by batch, as workers finish them; at most two batches per worker are in flight,
so memory does not grow with the corpus. The reduce does not care in which order they come.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import replace
from typing import Any

from kg.types import DocResult, Document

# the worker process's pipeline, set once by `_start` (a pool initializer has nowhere else to put it)
_WORKER: dict[str, Any] = {}


def _start(config: Any, tagger: Any) -> None:
    from kg.pipeline import Pipeline

    if tagger is None:
        import torch

        torch.set_num_threads(config.threads or 1)  # one thread per worker: N workers on N cores, no contention
    _WORKER["pipeline"] = Pipeline(replace(config, workers=1, threads=config.threads or 1), tagger=tagger)


def _map(batch: list[Document]) -> list[DocResult]:
    return _WORKER["pipeline"].map_documents(batch)


def map_in_processes(docs: Iterable[Document], config: Any, tagger: Any = None) -> Iterator[DocResult]:
    """DocResults of `docs` mapped by `config.workers` processes (spawned: no forked torch state).

    `tagger`: a picklable tagger to use instead of loading `config.model` (tests' stubs)."""
    from kg.pipeline import batches

    ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(config.workers, mp_context=ctx, initializer=_start, initargs=(config, tagger)) as pool:
        pending: set[Future] = set()
        for batch in batches(docs, config.batch_docs, config.part_chars):
            if len(pending) >= 2 * config.workers:
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                for f in done:
                    yield from f.result()
            pending.add(pool.submit(_map, batch))
        while pending:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for f in done:
                yield from f.result()

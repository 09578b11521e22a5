"""The map step in worker processes on this machine: each loads the model once, at start.

Documents go out in batches (`batches`: one model call each) and come back as
DocResults, batch by batch, as workers finish them; at most two batches per worker are in flight,
so memory does not grow with the corpus. The reduce does not care in which order they come.
Workers end with the process that started them, even when it is killed (`_die_with`).
"""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing
import multiprocessing.connection
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from kg.config import BuildConfig
from kg.types import DocResult, Document

if TYPE_CHECKING:
    from kg.ner.engine import Tagger
    from kg.stages import Stage

PR_SET_PDEATHSIG = 1  # <linux/prctl.h>
# the worker process's pipeline, set once by `_start` (a pool initializer has nowhere else to put it)
_WORKER: dict[str, Any] = {}


def _die_with(parent: int) -> None:
    """End this worker when its parent ends, however it ends (SIGKILL, SIGTERM from `timeout`, `docker
    stop` or systemd): a worker holds a model (≈ 500 MB) and has nothing to save. On Linux the kernel
    kills it (PR_SET_PDEATHSIG); everywhere a thread waits on the parent's sentinel and exits then."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:  # the parent died before the line above: no signal will come
        os._exit(1)
    watched = multiprocessing.parent_process()
    if watched is not None:
        def watch() -> None:
            multiprocessing.connection.wait([watched.sentinel])
            os._exit(1)

        threading.Thread(target=watch, name="kg-parent-watch", daemon=True).start()


def _start(make: Callable[..., Any], config: BuildConfig, tagger: Tagger | None, stages: dict[str, Stage],
           factories: dict[str, Callable[..., Stage]], parent: int | None = None) -> None:
    """A worker's pipeline: `make` (`kg.pipeline.Pipeline`, passed in: this module imports no pipeline).
    `factories`: the registered stages of `config.stages` (unpickling them imports the modules that
    register a user's stages)."""
    from kg.stages import REGISTRY

    REGISTRY.update(factories)
    if parent is not None:
        _die_with(parent)

    if tagger is None:
        import torch

        torch.set_num_threads(config.threads or 1)  # one thread per worker: N workers on N cores, no contention
    _WORKER["pipeline"] = make(replace(config, workers=1, threads=config.threads or 1), tagger=tagger, stages=stages)


def _map(batch: list[Document]) -> list[DocResult]:
    return _WORKER["pipeline"].map_documents(batch)


def batches(docs: Iterable[Document], size: int, chars: int) -> Iterator[list[Document]]:
    """Runs of at most `size` documents and about `chars` characters: what one model call tags."""
    batch: list[Document] = []
    total = 0
    for doc in docs:
        if batch and (len(batch) >= size or total + len(doc.text) > chars):
            yield batch
            batch, total = [], 0
        batch.append(doc)
        total += len(doc.text)
    if batch:
        yield batch


def map_in_processes(docs: Iterable[Document], config: BuildConfig, make: Callable[..., Any],
                     tagger: Tagger | None = None, stages: dict[str, Stage] | None = None,
                     factories: dict[str, Callable[..., Stage]] | None = None) -> Iterator[DocResult]:
    """DocResults of `docs` mapped by `config.workers` processes (spawned: no forked torch state),
    each with the pipeline `make(config, tagger=tagger, stages=stages)`.

    `tagger`: a picklable tagger to use instead of loading `config.model` (tests' stubs); `stages`:
    stage objects by name, used instead of the registry's (`Pipeline.add_stage` was given them);
    `factories`: the registry's stages the pipeline names."""
    ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(config.workers, mp_context=ctx, initializer=_start,
                             initargs=(make, config, tagger, stages or {}, factories or {}, os.getpid())) as pool:  # (spawned from this thread)
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

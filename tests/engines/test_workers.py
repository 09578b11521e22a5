"""Worker processes end with the build that started them, however it ends.

A real `kg build`-like process with two workers (the model stubbed by a slow tagger) is killed
with SIGKILL and with SIGTERM (what `timeout`, `docker stop` and systemd send) while its workers
are busy; within seconds no worker is left (before: two orphans of ≈ 500 MB each, every time).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BUILD = """
from kg.pipeline import BuildConfig, Pipeline
from kg.types import Document
from tests.engines.test_workers import SlowTagger

if __name__ == "__main__":
    docs = [Document(id=f"{k}.txt", path=f"{k}.txt", text="民警张三在广场执勤。\\n") for k in range(200)]
    Pipeline(BuildConfig(workers=2, batch_docs=1), tagger=SlowTagger()).build_documents(docs)
"""

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads processes from /proc")


class SlowTagger:
    """Finds nothing, slowly: workers stay busy while the test kills their parent."""

    def tag(self, texts, batch_size=64):
        time.sleep(0.5)
        return [[] for _ in texts]


def _children(pid: int) -> set[int]:
    out = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid and fields[0] != "Z":
            out.add(int(stat.parent.name))
    return out


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _workers(parent: int, timeout: float = 60) -> set[int]:
    """The parent's two worker processes (spawned python processes; the resource tracker is not one)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = {c for c in _children(parent)
                 if "spawn_main" in Path(f"/proc/{c}/cmdline").read_bytes().decode(errors="replace")}
        if len(found) == 2:
            return found
        time.sleep(0.2)
    raise AssertionError(f"no two workers under {parent}: {_children(parent)}")


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM])
def test_workers_die_with_their_parent(sig):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    build = subprocess.Popen([sys.executable, "-c", BUILD], cwd=ROOT, env=env)
    workers: set[int] = set()
    try:
        workers |= _workers(build.pid)
        time.sleep(1.0)  # busy tagging
        os.kill(build.pid, sig)
        build.wait(timeout=30)
        deadline = time.monotonic() + 10
        while any(_alive(w) for w in workers) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not [w for w in workers if _alive(w)], "workers outlived their parent"
    finally:
        build.kill()
        for w in workers | _children(build.pid):  # (orphans, had the test failed)
            if _alive(w):
                os.kill(w, signal.SIGKILL)

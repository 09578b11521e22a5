"""Every shell command the README shows runs in a test (issue 25): the cheap ones here, as written
(paths under a temporary folder, one seed for the seeds), the others where a named test runs them.

A command added to the README that no test runs fails `test_every_readme_command_is_run_by_a_test`.
Nothing here uses the network.
"""

from __future__ import annotations

import csv
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from kg.cli import main
from tests.fixtures_build import ROOT, SEEDS

README = ROOT / "README.md"
SEED = "001_f7a5ec10d2a4ddd0.txt"  # the smallest seed (8 KB) stands for seeds/ and ~/news/
FIRST_WORDS = ("kg", ".venv/bin/kg", "make", "python", "python3", "pip", ".venv/bin/pip", "mkdocs")

# commands a test of this file runs, as the README writes them (comment and spacing aside)
RUN_HERE = {
    "make setup": "test_make_targets_exist",
    "make run": "test_make_targets_exist",
    "make test": "test_make_targets_exist",
    ".venv/bin/kg build ~/news/ --out ~/news-kg/ --threads 1": "test_quick_start_runs_as_written",
    ".venv/bin/kg render ~/news-kg/ -o ~/news-kg/graph.html": "test_quick_start_runs_as_written",
    ".venv/bin/kg export ~/news-kg/ --format xlsx --lang zh": "test_quick_start_runs_as_written",
    ".venv/bin/kg query": "test_quick_start_runs_as_written",
    ".venv/bin/kg serve ~/news-kg/": "test_quick_start_runs_as_written",
    "kg build seeds/ --out out/": "test_what_a_build_writes_runs_as_written",
    "python3 -m venv .venv": "test_cpu_torch_install",
    ".venv/bin/pip install torch==2.5.1 --index-url https://download.pytorch.org/whl/cpu": "test_cpu_torch_install",
    "kg build seeds/ --out out/ --html out/graph.html --neo4j": "test_build_with_neo4j_runs_as_written",
}


def readme_commands() -> list[str]:
    """The shell commands of the README's indented code blocks, without their comments."""
    lines = README.read_text(encoding="utf-8").splitlines()
    out, in_block = [], False
    for prev, line in zip(["", *lines[:-1]], lines, strict=True):
        in_block = line.startswith("    ") and (in_block or not prev.strip())
        if in_block and line.split() and line.split()[0] in FIRST_WORDS:
            out.append(" ".join(shlex.split(line, comments=True)))
    return out


def _cli(command: str) -> int:
    """Run a README `kg` command in this process, with the shell's `~` expansion."""
    args = [os.path.expanduser(a) for a in shlex.split(command)]
    assert args[0] in ("kg", ".venv/bin/kg"), command
    return main(args[1:])


@pytest.fixture
def home(tmp_path, monkeypatch):
    """A working folder as the README's user has it: ~ with news/ in it, seeds/ holding one seed."""
    for folder in (tmp_path / "home" / "news", tmp_path / "seeds"):
        folder.mkdir(parents=True)
        (folder / SEED).write_bytes((SEEDS / SEED).read_bytes())
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.chdir(tmp_path)
    import torch

    threads = torch.get_num_threads()
    yield tmp_path
    torch.set_num_threads(threads)  # --threads 1 sets it for the process


def test_every_readme_command_is_run_by_a_test():
    commands = readme_commands()
    assert len(commands) >= 10 and "make run" in commands  # the extraction finds the blocks
    assert [c for c in commands if c not in RUN_HERE] == [], "README commands that no test runs"
    assert set(RUN_HERE) <= set(commands), "RUN_HERE names commands the README no longer shows"
    here = Path(__file__).read_text(encoding="utf-8")
    assert all(f"def {name}(" in here for name in RUN_HERE.values())


def test_quick_start_runs_as_written(home, monkeypatch, capsys):
    served = []
    monkeypatch.setattr("kg.serve.app.run", lambda out, host, port, echo: served.append((out, host, port)))
    quick = [c for c in readme_commands() if RUN_HERE.get(c) == "test_quick_start_runs_as_written"]
    assert len(quick) == 5
    for command in quick:
        assert _cli(command) == 0, command
    news = home / "home" / "news-kg"
    assert (news / "entities.csv").stat().st_size > 100 and (news / "graph.html").exists()
    assert list((news / "export-xlsx").glob("*.xlsx"))
    assert "officers_of_unit" in capsys.readouterr().out  # kg query: the cookbook
    assert served == [(news, "127.0.0.1", 8765)]  # serving itself: tests/serve/test_serve.py


def test_what_a_build_writes_runs_as_written(home):
    assert _cli("kg build seeds/ --out out/") == 0
    assert {p.name for p in (home / "out").iterdir()} >= {"entities.csv", "relations.csv", "mentions.csv",
                                                           "sentences.csv", "documents.csv", "graph.json",
                                                           "manifest.json", "store"}


@pytest.mark.neo4j
def test_build_with_neo4j_runs_as_written(home, neo4j_clean, monkeypatch):
    monkeypatch.setenv("NEO4J_URI", neo4j_clean.uri)
    monkeypatch.setenv("NEO4J_USER", neo4j_clean.user)
    monkeypatch.setenv("NEO4J_PASSWORD", neo4j_clean.password or "")
    monkeypatch.delenv("NEO4J_DATABASE", raising=False)
    assert _cli("kg build seeds/ --out out/ --html out/graph.html --neo4j") == 0
    assert (home / "out" / "graph.html").exists()
    import neo4j

    with neo4j.GraphDatabase.driver(neo4j_clean.uri, auth=(neo4j_clean.user, neo4j_clean.password)) as driver:
        loaded = driver.execute_query("MATCH (e:Entity) RETURN count(e) AS n").records[0]["n"]
    with open(home / "out" / "entities.csv", encoding="utf-8", newline="") as f:
        assert loaded == len(list(csv.DictReader(f))) > 0  # every entity of the build, in the database


def test_make_targets_exist():
    """`make setup`, `make run` and `make test` as a dry run (make -n): the targets are there, and
    `make run` builds seeds/ into out/ as the README says (that command runs above)."""
    if subprocess.run(["which", "make"], capture_output=True).returncode:
        pytest.skip("no make")
    for target in ("setup", "run", "test"):
        run = subprocess.run(["make", "-n", target], cwd=ROOT, capture_output=True, text=True, timeout=60)
        assert run.returncode == 0, run.stderr
        if target == "run":
            assert "/bin/kg build seeds/ --out out/" in run.stdout
        if target == "test":
            assert "pytest" in run.stdout and "ruff check kg tests bench" in run.stdout


def test_cpu_torch_install(tmp_path):
    """The venv command runs; the torch wheel it installs (from the network, not run here) is the
    version pyproject pins, from PyTorch's CPU index."""
    venv = tmp_path / ".venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    assert (venv / "bin" / "python").exists()
    pin = re.search(r'"torch==([^"]+)"', (ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    install = next(c for c in readme_commands() if c.startswith(".venv/bin/pip install torch"))
    assert pin and f"torch=={pin.group(1)} " in install + " " and "/whl/cpu" in install

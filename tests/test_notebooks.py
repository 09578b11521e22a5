"""Both notebooks run top to bottom in a fresh kernel without errors, on the seeds' build output.

The kernel is this interpreter (a throw-away kernelspec on JUPYTER_PATH), so the notebooks see the
same `kg` and libraries as the tests, whatever kernels the machine has installed. The notebooks
are copied out of the repository before they run (they must not rely on its layout) and read the
build from `KG_OUT` (environment variable or parameter cell) instead of running the model again.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import nbformat
import pytest

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
NAMES = ("explore.ipynb", "cypher.ipynb")


@pytest.fixture
def kernel(tmp_path, monkeypatch) -> str:
    """Name of a kernelspec that runs `sys.executable`; nbclient finds it through JUPYTER_PATH."""
    spec = tmp_path / "jupyter" / "kernels" / "kg-tests"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "kg (tests)", "language": "python"}), encoding="utf-8")
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    monkeypatch.setenv("PYDEVD_DISABLE_FILE_VALIDATION", "1")  # quiet the debugger's start-up note
    return "kg-tests"


def run_notebook(name: str, kernel: str, where: Path, params: dict | None = None) -> nbformat.NotebookNode:
    """Execute a copy of a notebook from notebooks/ in the folder `where` (outside the repository);
    `params` replace the parameter cell's values, as papermill would. A failing cell raises."""
    from nbclient import NotebookClient

    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    if params:
        cell = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
        cell.source += "\n" + "\n".join(f"{k} = {v!r}" for k, v in params.items())
    where.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, where / name)
    NotebookClient(nb, kernel_name=kernel, timeout=300, resources={"metadata": {"path": str(where)}}).execute()
    return nb


def output_text(nb: nbformat.NotebookNode) -> str:
    """Everything the cells printed or returned, as text."""
    parts = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            if out.output_type == "stream":
                parts.append(out.text)
            elif out.output_type in ("execute_result", "display_data"):
                parts.append(out.data.get("text/plain", ""))
    return "\n".join(parts)


def output_types(nb: nbformat.NotebookNode) -> set[str]:
    return {mime for cell in nb.cells for out in cell.get("outputs", []) for mime in out.get("data", {})}


def count(text: str, label: str) -> int:
    m = re.search(rf"^{label}: (\d+)", text, re.MULTILINE)
    assert m, f"no '{label}: N' line in the notebook output"
    return int(m.group(1))


@pytest.mark.parametrize("name", NAMES)
def test_notebooks_stored_without_outputs(name):
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    nbformat.validate(nb)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, "clear outputs before committing"


@pytest.mark.parametrize("name", NAMES)
def test_notebooks_have_a_parameter_cell(name):
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    cells = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(cells) == 1 and "KG_OUT = " in cells[0].source
    assert not any("seeds" in c.source and "Path.cwd()" in c.source for c in nb.cells)  # no repo-layout search


def test_explore_notebook_without_a_build_says_so(kernel, tmp_path, monkeypatch):
    from nbclient.exceptions import CellExecutionError

    monkeypatch.delenv("KG_OUT", raising=False)
    with pytest.raises(CellExecutionError, match="no `kg build` output here"):
        run_notebook("explore.ipynb", kernel, tmp_path / "elsewhere")


@pytest.mark.slow
def test_explore_notebook(kernel, seeds_out, monkeypatch, tmp_path):
    from kg.sinks.tables import read_tables

    monkeypatch.setenv("KG_OUT", str(seeds_out))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))  # the SC face is copied here
    nb = run_notebook("explore.ipynb", kernel, tmp_path / "copied")
    text = output_text(nb)
    res = read_tables(seeds_out)
    iso = {e.id: e.attrs.get("iso", "") for e in res.entities}
    dated = sorted(r.properties.get("iso_date") or iso.get(r.source_id, "") for r in res.relations
                   if r.relation == "EVENT_AT")
    dated = [d for d in dated if d]
    if dated:  # the timeline is on ISO dates, years included
        assert f"timeline: {dated[0][:10]} … {dated[-1][:10]}" in text
    from matplotlib import font_manager

    if any("NotoSansCJK" in f for f in font_manager.findSystemFonts()):
        assert "CJK font: Noto Sans CJK SC" in text  # the Simplified-Chinese face, not the collection's JP one
    assert count(text, "entities") > 0 and count(text, "relations") > 0
    assert count(text, "documents") == len(list((Path(__file__).resolve().parents[1] / "seeds").glob("*.txt")))
    assert "units with officers:" in text and "events:" in text
    assert "image/png" in output_types(nb)  # the plots
    assert any("<iframe srcdoc=" in out.get("data", {}).get("text/html", "")
               for cell in nb.cells for out in cell.get("outputs", []))  # the pyvis view, inline


@pytest.mark.slow
@pytest.mark.neo4j
def test_cypher_notebook(kernel, seeds_out, neo4j_clean, monkeypatch, tmp_path):
    monkeypatch.delenv("KG_OUT", raising=False)  # the build comes from the parameter cell this time
    monkeypatch.setenv("NEO4J_URI", neo4j_clean.uri)
    monkeypatch.setenv("NEO4J_USER", neo4j_clean.user)
    monkeypatch.setenv("NEO4J_PASSWORD", neo4j_clean.password or "")
    monkeypatch.delenv("NEO4J_DATABASE", raising=False)
    nb = run_notebook("cypher.ipynb", kernel, tmp_path / "copied", params={"KG_OUT": str(seeds_out)})
    text = output_text(nb)
    assert count(text, "entities in Neo4j") > 0
    from kg.cypher import QUERIES

    for name in QUERIES:
        assert re.search(rf"^{name}: \d+ row", text, re.MULTILINE), f"cookbook query {name} did not run"
    assert count(text, "units_with_most_officers") > 0
    assert count(text, "mentions_in_document") > 0

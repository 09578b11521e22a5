"""The explorer page is byte-for-byte what it was before its template moved out of a Python string.

The hashes were taken from pages rendered by the code before the move (commit 94b87e3); the
vis-network bundle inlined from pyvis is cut out first, so a pyvis upgrade alone does not fail them.
The focus pages' hashes were taken after their node order was made deterministic (same nodes,
edges and data as before; only their order had followed Python's string hashing).
"""

from __future__ import annotations

import fnmatch
import hashlib
from pathlib import Path

import pytest

from kg.sinks.html import VIS_DIR, render_html
from kg.sinks.tables import read_tables
from kg.types import BuildResult
from tests.test_html import big_result, make_result

SEEDS_TABLES = Path(__file__).parent / "data" / "seeds_tables"

GOLDEN = {
    "small": "4162052d88a86fec78683608b6de0d41cb9e3268fcf133181b1fa24735093dcf",
    "injected": "0680b90a4d23d4d86227828b37de2e77981c74ad9f3ca6c8e7630ca08ee5daf8",
    "big": "e6a13f966877b74966837e14cde4467e5c08c86f5c220546a8b99e92281aaa9f",
    "focus": "291cb044f9a9776cfc0d7e1b9b1e9fd52076eea5173b99ae881ef46edda419fb",
    "empty": "f1fe5664bbd657b30ad8eb99cd15a4182cb573a910a39e7295528f4e94b2a309",
    "seeds": "f0c412a39df46a4df8769a81b911331505abb8ae84724c0748edb10ee997d0e7",
    "seeds-focus": "cc44a7956b709ce6bbda20ee1b7cc358270f00ec010af303655a0d7ddf19bf69",
}


def _digest(path: Path) -> str:
    page = path.read_text(encoding="utf-8")
    for asset in ("vis-network.min.js", "vis-network.css"):
        bundle = (VIS_DIR / asset).read_text(encoding="utf-8")
        assert bundle in page
        page = page.replace(bundle, "")
    return hashlib.sha256(page.encode("utf-8")).hexdigest()


def _render(case: str, path: Path) -> Path:
    if case == "small":
        return render_html(make_result(), path)
    if case == "injected":
        return render_html(make_result(inject=True), path)
    if case == "focus":
        return render_html(make_result(), path, focus="周佰发", hops=2)
    if case == "seeds-focus":
        return render_html(read_tables(SEEDS_TABLES), path, focus="杭锦后旗公安局党委", hops=2)
    if case == "big":
        return render_html(big_result(250), path)
    if case == "empty":
        return render_html(BuildResult(), path)
    return render_html(read_tables(SEEDS_TABLES), path)  # the seeds' tables, as `kg render` reads them


@pytest.mark.parametrize("case", sorted(GOLDEN))
def test_page_bytes_unchanged(tmp_path, case):
    assert _digest(_render(case, tmp_path / f"{case}.html")) == GOLDEN[case]


def test_templates_are_package_data():
    """An installed kg has its page templates: pyproject's package-data globs cover every file."""
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+

    root = Path(__file__).parent.parent
    globs = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"][
        "package-data"]["kg"]
    files = [p.relative_to(root / "kg").as_posix() for p in (root / "kg" / "sinks" / "templates").iterdir()]
    assert files and all(any(fnmatch.fnmatch(f, g) for g in globs) for f in files), files

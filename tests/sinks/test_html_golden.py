"""The explorer page is byte-for-byte what it was before its template moved out of a Python string.

The hashes were taken from pages rendered by the code before the move (commit 94b87e3); the
vis-network bundle inlined from pyvis is cut out first, so a pyvis upgrade alone does not fail them.
The focus pages' hashes were taken after their node order was made deterministic (same nodes,
edges and data as before; only their order had followed Python's string hashing). They were
re-taken once when the INVOLVED_IN relation (event participants) got its style and filter entry:
the pages rendered by the string-template code with that entry gave the same hashes; and "big"
once more when the precomputed layout stopped following the hash seed (kg.sinks.html_layout).
"""

from __future__ import annotations

import fnmatch
import hashlib
from pathlib import Path

import pytest

from kg.sinks.html import VIS_DIR, render_html
from kg.sinks.tables import read_tables
from kg.types import BuildResult
from tests.sinks.test_html import big_result, make_result

SEEDS_TABLES = Path(__file__).parents[1] / "data" / "seeds_tables"

GOLDEN = {
    "small": "7d6d445d3f031b4fa9b8af8a7c06a8ab9000ddec5a1aadf8d81ef886ec97add6",
    "injected": "f478c5486f174bbf6edb48171051f9e4db7ae7b7e679555854f9c5ab3819544c",
    "big": "b0358f631ea20ccc011959f97b89f8aed7e5eeffc501365d23a5ba672fc8fb42",
    "focus": "1d214f387865488e1807079dc7176a59d28ea8b3ddb1cd3a770e8a195fce4a05",
    "empty": "4e5669b35edcdba13ae34857f427174ab484ac2490613d6cdc28e188276374d4",
    "seeds": "09496d6cf0a1e6da32fb139112c1d8d69d28fe2131b23bed279acc715eb8d19f",
    "seeds-focus": "a910747367c94ac4bd3531914223d9818487becd9e528738d84d7cbce97b852b",
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

    root = Path(__file__).parents[2]
    globs = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"][
        "package-data"]["kg"]
    files = [p.relative_to(root / "kg").as_posix() for p in (root / "kg" / "sinks" / "templates").iterdir()]
    assert files and all(any(fnmatch.fnmatch(f, g) for g in globs) for f in files), files

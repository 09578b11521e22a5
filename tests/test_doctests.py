"""The docstring examples of the public API run, on a small build, without the NER model.

Examples that use `result` get the two-document 洮南 build of `tests.sinks.test_html.make_result`, and
`kg` is imported; each module's examples run in an empty folder, so `out/` is theirs to write.
Examples that need the model, a Neo4j server or a download stay `+SKIP`.
"""

from __future__ import annotations

import doctest
import importlib
import io

import pytest

import kg
from tests.sinks.test_html import make_result

MODULES = [
    "kg.api",
    "kg.atomic",
    "kg.graph",
    "kg.schema",
    "kg.sinks.export",
    "kg.sinks.geo",
    "kg.sinks.html",
    "kg.sinks.html_layout",
    "kg.sinks.labels",
    "kg.sources",
    "kg.stages",
    "kg.text.clean",
    "kg.text.read",
    "kg.text.script",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_run(name, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    module = importlib.import_module(name)
    finder = doctest.DocTestFinder(exclude_empty=True)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    out = io.StringIO()
    for test in finder.find(module, name, globs=vars(module), extraglobs={"kg": kg, "result": make_result()}):
        runner.run(test, out=out.write)
    counts = runner.summarize(verbose=False)
    assert counts.failed == 0, out.getvalue()
    assert counts.attempted > 0, f"{name}: no example ran"

"""Stages by name: the docs' example runs; a stage is inserted, replaced or dropped by name, and
the build shows it; the store's key follows the stage list; kg has no import cycle."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

import kg
from kg.cli import cli
from kg.config import STAGES, BuildConfig
from kg.pipeline import Pipeline
from kg.sources import pair_document
from kg.stages import REGISTRY, DocRecord
from tests.fixtures_build import NoEntities

ROOT = Path(__file__).resolve().parent.parent
TEXT = "4月1日，蓝天救援队队员在白城市洮北区团结广场救起一名落水儿童。"


class Hotline:
    """Every 110 in a sentence as an ORG of source "hotline" (a module-level class: it pickles)."""

    name = "hotline"
    version = "1"
    scope = "sentences"

    def __call__(self, record: DocRecord) -> None:
        for sentence, spans in zip(record.sentences, record.spans, strict=True):
            spans += [(m.start(), m.end(), "ORG", "hotline") for m in re.finditer("110", sentence.text)]


def _example() -> str:
    text = (ROOT / "docs" / "stages.md").read_text(encoding="utf-8")
    return "\n".join(re.findall(r"```python\n(.*?)```", text, re.DOTALL))


@pytest.fixture
def real_model(pipeline, monkeypatch):
    """`Pipeline()` gets the session's model instead of loading it again."""
    monkeypatch.setattr("kg.pipeline.load_tagger", lambda model: pipeline.tagger)
    yield
    REGISTRY.pop("known_names", None)


def test_the_docs_example_inserts_a_stage_by_name_and_drops_one(real_model, pipeline):
    default = kg.build([("a", TEXT)], pipeline=pipeline)
    assert "蓝天救援队" not in {s.text for s in default.docs["a"].ents}  # what the example adds
    assert any(e.type == "EVENT" for e in default.entities)
    assert any(r.relation == "EVENT_AT" for r in default.relations)
    names = {}
    exec(compile(_example(), "docs/stages.md", "exec"), names)  # noqa: S102  (the manual's own example)
    with_known, without_events, pipe = names["with_known"], names["without_events"], names["pipe"]
    assert [(m.norm, m.type, m.source) for m in with_known.mentions if m.norm == "蓝天救援队"] == \
           [("蓝天救援队", "ORG", "known")]
    assert [e.name for e in with_known.entities if e.type == "ORG"] == ["蓝天救援队"]
    assert pipe.stage_names.index("known_names") == pipe.stage_names.index("dates") + 1
    assert "event_at" not in pipe.stage_names and "event_at" not in pipe.config.stages
    assert not [e for e in without_events.entities if e.type == "EVENT"]
    assert not [r for r in without_events.relations if r.relation == "EVENT_AT"]
    assert any(r.relation == "EVENT_AT" for r in with_known.relations)  # built before the drop
    assert pipeline.stage_names == list(STAGES)  # another pipeline's list is its own


def test_add_replace_remove_by_name_and_the_store_key_follows():
    pipe = Pipeline(BuildConfig(), tagger=NoEntities())
    version = pipe.version()
    assert pipe.stage_names == list(STAGES) and pipe.version() == version
    pipe.add_stage(Hotline(), before="merge")
    assert pipe.stage_names[pipe.stage_names.index("merge") - 1] == "hotline"
    assert pipe.config.stages == tuple(pipe.stage_names)
    with_hotline = pipe.version()
    assert with_hotline != version
    result = pipe.build_documents([pair_document("a", "接到110报警后，民警赶到现场。")])
    assert [(m.norm, m.type, m.source) for m in result.mentions] == [("110", "ORG", "hotline")]
    old = pipe.stages["dates"]
    new = pipe.replace_stage("dates", "dates")  # a new one from the registry, in its place
    assert new is pipe.stages["dates"] and new is not old and pipe.version() == with_hotline
    assert pipe.remove_stage("hotline").name == "hotline"
    assert pipe.stage_names == list(STAGES) and pipe.version() == version


def test_a_stage_list_that_cannot_run_is_refused_and_left_as_it_was():
    pipe = Pipeline(BuildConfig(), tagger=NoEntities())
    with pytest.raises(ValueError, match="sentence stage.*hotline.*after a document stage"):
        pipe.add_stage(Hotline(), after="link")
    with pytest.raises(KeyError, match="no stage 'nothing'"):
        pipe.add_stage("nothing")
    with pytest.raises(KeyError, match="no stage 'nothing' in the pipeline"):
        pipe.remove_stage("nothing")
    with pytest.raises(ValueError, match="in the pipeline already"):
        pipe.add_stage("dates")
    with pytest.raises(TypeError, match="needs a str 'version'"):
        pipe.add_stage(type("NoVersion", (), {"name": "no_version", "scope": "sentences"})())
    with pytest.raises(ValueError, match="scope must be one of"):
        pipe.add_stage(type("Odd", (), {"name": "odd", "version": "1", "scope": "corpus"})())
    with pytest.raises(KeyError, match="no stage 'nothing'"):
        Pipeline(BuildConfig(stages=(*STAGES, "nothing")), tagger=NoEntities())
    assert pipe.stage_names == list(STAGES) == list(pipe.config.stages)


def test_a_stage_given_as_an_object_goes_to_the_workers(tmp_path):
    """workers=2: the spawned workers make their pipeline from the parent's stage list and objects."""
    text = "接到110报警后，民警赶到现场。"
    for k in range(3):
        (tmp_path / f"{k}.txt").write_text(text + "\n", encoding="utf-8")
    pipe = Pipeline(BuildConfig(workers=2, batch_docs=1), tagger=NoEntities())
    pipe.add_stage(Hotline(), before="merge")
    result = pipe.build([tmp_path])
    assert sorted((m.doc_id, m.norm, m.source) for m in result.mentions) == \
           [(f"{k}.txt", "110", "hotline") for k in range(3)]


def test_kg_stages_lists_the_pipeline_in_order():
    run = CliRunner().invoke(cli, ["stages"])
    assert run.exit_code == 0, run.output
    assert [line.split()[0] for line in run.output.splitlines()] == list(STAGES)
    assert all(f" v{REGISTRY[n].version} " in line for n, line in zip(STAGES, run.output.splitlines(), strict=True))


def _imports() -> dict[str, set[str]]:
    """Module → the kg modules it imports (anywhere in it: a function's import is a cycle too)."""
    package = ROOT / "kg"
    files = {".".join(f.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__"): f
             for f in package.rglob("*.py")}
    graph = {}
    for name, f in files.items():
        deps = set()
        for node in ast.walk(ast.parse(f.read_text(encoding="utf-8"))):
            targets = [node.module or ""] if isinstance(node, ast.ImportFrom) else \
                [a.name for a in node.names] if isinstance(node, ast.Import) else []
            for t in targets:
                while t and t not in files:
                    t = t.rpartition(".")[0]
                if t and t != name:
                    deps.add(t)
        graph[name] = deps
    return graph


def test_kg_has_no_import_cycle():
    graph = _imports()
    assert "kg.pipeline" not in graph["kg.engines.local"] and "kg.pipeline" not in graph["kg.stages"]

    def reaches(start: str) -> set[str]:
        seen, todo = set(), [start]
        while todo:
            for d in graph[todo.pop()] - seen:
                seen.add(d)
                todo.append(d)
        return seen

    cycles = sorted(m for m in graph if m in reaches(m))
    assert cycles == []

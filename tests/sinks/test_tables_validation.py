"""Damaged build folders: every reader (render, export, load) fails with one line naming the file,
the row and the problem; never a traceback, never an exit 0 with data silently missing.

The folder is the real seeds' output (rules only, model stubbed); each case damages one thing,
with the manifest in place (it detects truncation and mixed sets) and without it (a folder from
before manifests: the tables' own checks must still catch it).
"""

from __future__ import annotations

import csv
import json
import shutil
import socket
from pathlib import Path

import pytest

from kg.cli import main
from kg.pipeline import BuildConfig, Pipeline
from kg.sinks.tables import MANIFEST, TableError, join_list, read_tables, split_list, write_tables
from kg.types import Entity
from tests.fixtures_build import SEEDS, NoEntities

SEED_A, SEED_B = "000_99624c91e82d4847.txt", "002_2f746a77c42e5b51.txt"


@pytest.fixture(scope="module")
def builds(tmp_path_factory) -> tuple[Path, Path]:
    """Two good output folders of two different seeds."""
    pipeline = Pipeline(BuildConfig(), tagger=NoEntities())
    a, b = tmp_path_factory.mktemp("a"), tmp_path_factory.mktemp("b")
    write_tables(pipeline.build([SEEDS / SEED_A]), a)
    write_tables(pipeline.build([SEEDS / SEED_B]), b)
    return a, b


def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines(keepends=True)


def _edit_csv(path: Path, edit) -> None:
    with open(path, encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    rows = edit(rows)
    with open(path, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)


def _set(table: str, column: str, value: str, row: int = 1):
    def edit(rows):
        rows[row][rows[0].index(column)] = value
        return rows
    return lambda out, other: _edit_csv(out / table, edit)


# name → (damage(out, other_build), file named in the error, words the error holds [with manifest, without])
CASES = {
    "missing relations.csv": (lambda out, other: (out / "relations.csv").unlink(), "relations.csv",
                              ["missing, but manifest.json lists it", "missing; is this a complete"]),
    "truncated entities.csv": (lambda out, other: (out / "entities.csv").write_bytes(
        (out / "entities.csv").read_bytes()[:700]), "entities.csv", ["does not match manifest.json", "row "]),
    "header-only entities.csv": (lambda out, other: (out / "entities.csv").write_text(
        _lines(out / "entities.csv")[0], encoding="utf-8"), "entities.csv|mentions.csv",
        ["does not match manifest.json", "is not in entities.csv"]),
    "empty mentions.csv": (lambda out, other: (out / "mentions.csv").write_bytes(b""), "mentions.csv",
                           ["does not match manifest.json", "empty file (no header row)"]),
    "renamed column": (lambda out, other: (out / "entities.csv").write_text(
        (out / "entities.csv").read_text(encoding="utf-8").replace("id,name,type", "ident,name,type", 1),
        encoding="utf-8"), "entities.csv", ["does not match manifest.json", "header lacks column(s) id"]),
    "GBK csv": (lambda out, other: (out / "sentences.csv").write_bytes(
        (out / "sentences.csv").read_text(encoding="utf-8").encode("gb18030")), "sentences.csv",
        ["does not match manifest.json", "not UTF-8"]),
    "bad JSON properties": (_set("relations.csv", "properties", "{role: 局长"), "relations.csv",
                            ["does not match manifest.json", "row 1: properties is not JSON"]),
    "dangling relation target": (_set("relations.csv", "target_id", "org-000000000000", row=2), "relations.csv",
                                 ["does not match manifest.json", "row 2: target 'org-000000000000' is neither"]),
    "not a number": (_set("mentions.csv", "start", "12a", row=3), "mentions.csv",
                     ["does not match manifest.json", "row 3: column start: '12a' is not a whole number"]),
    "unknown document": (_set("mentions.csv", "document", "nope.txt"), "mentions.csv",
                         ["does not match manifest.json", "row 1: document 'nope.txt' is not in documents.csv"]),
    "unterminated quote": (lambda out, other: (out / "sentences.csv").write_text(
        _lines(out / "sentences.csv")[0] + 'x.txt,0,0,5,0,body,"never closed\n', encoding="utf-8"),
        "sentences.csv", ["does not match manifest.json", "not valid CSV"]),
    "mixed builds": (lambda out, other: shutil.copy(other / "entities.csv", out / "entities.csv"),
                     "entities.csv|mentions.csv",
                     ["does not match manifest.json", "is not in entities.csv"]),
}


def _damaged(builds, tmp_path, case: str, manifest: bool) -> Path:
    good, other = builds
    out = tmp_path / "out"
    shutil.copytree(good, out)
    if not manifest:
        (out / MANIFEST).unlink()
    CASES[case][0](out, other)
    return out


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


READERS = {
    "render": lambda out, tmp: ["render", str(out), "-o", str(tmp / "g.html")],
    "export": lambda out, tmp: ["export", str(out), "--format", "csv", "-o", str(tmp / "exp")],
    "load": lambda out, tmp: ["load", str(out), "--uri", f"bolt://127.0.0.1:{_closed_port()}", "--password", "x"],
}


@pytest.mark.parametrize("manifest", [True, False], ids=["manifest", "no-manifest"])
@pytest.mark.parametrize("case", sorted(CASES))
def test_damaged_folder_is_one_line_naming_file_and_problem(builds, tmp_path, capsys, case, manifest):
    out = _damaged(builds, tmp_path, case, manifest)
    _, files, words = CASES[case]
    if manifest:
        words = words[0]
    else:
        words = words[1]
    for reader, args in READERS.items():
        assert main(args(out, tmp_path)) == 1, (reader, capsys.readouterr())
        err = capsys.readouterr().err
        assert len(err.strip().splitlines()) == 1 and "Traceback" not in err, (reader, err)
        assert any(err.startswith(f"kg: error: {out / f}") for f in files.split("|")), (reader, err)
        assert words in err, (reader, err)
    assert not (tmp_path / "g.html").exists() and not (tmp_path / "exp").exists()


def test_good_folders_read_with_and_without_manifest(builds, tmp_path):
    good, _ = builds
    with_manifest = read_tables(good)
    shutil.copytree(good, tmp_path / "old")
    (tmp_path / "old" / MANIFEST).unlink()
    old = read_tables(tmp_path / "old")
    assert len(old.entities) == len(with_manifest.entities) > 20
    assert len(old.relations) == len(with_manifest.relations) > 20
    manifest = json.loads((good / MANIFEST).read_text(encoding="utf-8"))
    assert manifest["files"]["entities.csv"]["rows"] == len(with_manifest.entities)


def test_bad_manifest_and_not_a_build_folder(builds, tmp_path):
    good, _ = builds
    shutil.copytree(good, tmp_path / "out")
    (tmp_path / "out" / MANIFEST).write_text("{not json", encoding="utf-8")
    with pytest.raises(TableError, match=r"manifest.json: not a kg manifest"):
        read_tables(tmp_path / "out")
    (tmp_path / "empty").mkdir()
    with pytest.raises(TableError, match=r"no entities.csv here"):
        read_tables(tmp_path / "empty")


def test_manifest_is_renamed_into_place_last(builds, tmp_path, monkeypatch):
    """A build killed between renames leaves the old manifest beside new tables: a mixed set, detected."""
    import os

    import kg.atomic as atomic

    good, _ = builds
    out = tmp_path / "out"
    shutil.copytree(good, out)
    order = []
    real = os.replace
    monkeypatch.setattr(atomic.os, "replace", lambda a, b: (order.append(Path(b).name), real(a, b)))
    write_tables(read_tables(good), out)
    assert order[-1] == MANIFEST and set(order) >= {"entities.csv", "relations.csv", "graph.json"}


@pytest.mark.parametrize("aliases", [["A|B", "白城"], ["a\\", "|"], ["x\\|y", "\\\\"], ["福州公安"]])
def test_aliases_with_any_character_round_trip(builds, tmp_path, aliases):
    good, _ = builds
    result = read_tables(good)
    e = result.entities[0]
    result.entities[0] = Entity(id=e.id, name=e.name, type=e.type, aliases=aliases, mentions=e.mentions,
                                attrs=e.attrs)
    write_tables(result, tmp_path / "out")
    assert read_tables(tmp_path / "out").entities[0].aliases == aliases
    assert split_list(join_list(aliases)) == aliases


def test_old_bar_joined_aliases_still_read():
    assert split_list("白城|白城市公安局") == ["白城", "白城市公安局"]
    assert split_list("a\\b|c") == ["a\\b", "c"]  # a lone backslash is kept as written
    assert split_list("") == []


def test_a_place_named_in_thousands_of_documents_round_trips(tmp_path):
    """Its `documents` cell is past csv's default 128 KB field limit: written, counted and read back."""
    from kg.types import BuildResult, Document

    docs = [Document(id=f"corpus/{i:05d}.txt", path=f"corpus/{i:05d}.txt", text="北京") for i in range(8000)]
    place = Entity(id="loc-0000000000000001", name="北京市", type="LOC", attrs={"documents": [d.id for d in docs]})
    write_tables(BuildResult(documents=docs, entities=[place]), tmp_path)
    assert len((tmp_path / "entities.csv").read_text(encoding="utf-8")) > 131072
    assert read_tables(tmp_path).entities[0].documents == [d.id for d in docs]

"""The build's output folder as CSV tables plus a node-link graph.json, and reading it back.

Files (UTF-8, header row):
    entities.csv   id, name, type, aliases (|-joined), mention_count, documents (|-joined),
                   anonymized, iso, description
    relations.csv  source_id, relation, target_id, properties (JSON), source_name, target_name,
                   role, date, document, sentence, start, end, evidence, inferred
    mentions.csv   document, sentence, start, end, text, type, source, entity_id, article
    sentences.csv  document, sentence, start, end, article, kind, text
    documents.csv  id, path, encoding, sha256, chars
    graph.json     networkx node-link data of `kg.graph.to_networkx(result)`

Offsets are into the original decoded file. Example:

    >>> write_tables(result, "out")          # doctest: +SKIP
    >>> read_tables("out").entities[0].name  # doctest: +SKIP
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

from kg.atomic import atomic_open, staged_folder
from kg.types import BuildResult, Document, Entity, Evidence, Mention, Relation, Sentence

ENTITY_COLUMNS = ["id", "name", "type", "aliases", "mention_count", "documents", "anonymized", "iso", "description"]
RELATION_COLUMNS = ["source_id", "relation", "target_id", "properties", "source_name", "target_name", "role",
                    "date", "document", "sentence", "start", "end", "evidence", "inferred"]
MENTION_COLUMNS = ["document", "sentence", "start", "end", "text", "norm", "type", "source", "entity_id", "article"]
SENTENCE_COLUMNS = ["document", "sentence", "start", "end", "article", "kind", "text"]
DOCUMENT_COLUMNS = ["id", "path", "encoding", "sha256", "chars"]


def _write_csv(path: Path, columns: list[str], rows) -> None:
    with atomic_open(path, newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=columns)
        w.writeheader()
        for row in rows:
            w.writerow(row)


def entity_row(e: Entity) -> dict:
    return {
        "id": e.id, "name": e.name, "type": e.type, "aliases": "|".join(e.aliases),
        "mention_count": len(e.mentions) or e.attrs.get("mention_count", 0), "documents": "|".join(e.documents),
        "anonymized": "true" if e.attrs.get("anonymized") else "",
        "iso": e.attrs.get("iso", ""), "description": e.attrs.get("description", ""),
    }


def relation_row(r: Relation, names: dict[str, str]) -> dict:
    ev = r.evidence
    return {
        "source_id": r.source_id, "relation": r.relation, "target_id": r.target_id,
        "properties": json.dumps(r.properties, ensure_ascii=False, sort_keys=True),
        "source_name": names.get(r.source_id, ""), "target_name": names.get(r.target_id, r.target_id),
        "role": r.properties.get("role", ""), "date": r.properties.get("date", ""),
        "document": ev.doc_id if ev else "", "sentence": ev.sentence if ev else "",
        "start": ev.start if ev else "", "end": ev.end if ev else "", "evidence": ev.text if ev else "",
        "inferred": "true" if r.properties.get("inferred") else "",
    }


def write_tables(result: BuildResult, out_dir: str | Path) -> None:
    """Write every table and graph.json into `out_dir`, all or nothing.

    Everything is written into a hidden staging folder inside `out_dir` first (the slow part), then
    renamed over the previous files: a run that fails or is killed while writing leaves the previous
    output as it was, and its leftovers are removed by the next run (see `kg.atomic.staged_folder`).
    """
    from kg.graph import to_networkx, write_node_link  # graph import kept local: tables need no networkx

    names = {e.id: e.name for e in result.entities}
    with staged_folder(out_dir) as out:
        _write_csv(out / "documents.csv", DOCUMENT_COLUMNS,
                   ({"id": d.id, "path": d.path, "encoding": d.encoding, "sha256": d.sha256, "chars": len(d.text)}
                    for d in result.documents))
        _write_csv(out / "sentences.csv", SENTENCE_COLUMNS,
                   ({"document": s.doc_id, "sentence": s.index, "start": s.start, "end": s.end,
                     "article": s.article, "kind": s.kind, "text": s.text} for s in result.sentences))
        _write_csv(out / "mentions.csv", MENTION_COLUMNS,
                   ({"document": m.doc_id, "sentence": m.sentence, "start": m.start, "end": m.end, "text": m.text,
                     "norm": m.norm, "type": m.type, "source": m.source, "entity_id": m.entity_id,
                     "article": m.article} for m in result.mentions))
        _write_csv(out / "entities.csv", ENTITY_COLUMNS, (entity_row(e) for e in result.entities))
        _write_csv(out / "relations.csv", RELATION_COLUMNS, (relation_row(r, names) for r in result.relations))
        write_node_link(to_networkx(result), out / "graph.json")


def _read_csv(path: Path) -> list[dict]:
    if not path.exists():
        return []
    with open(path, newline="", encoding="utf-8-sig") as fh:
        return list(csv.DictReader(fh))


def _int(v: str, default: int = 0) -> int:
    return int(v) if v not in ("", None) else default


def read_tables(out_dir: str | Path) -> BuildResult:
    """Read an output folder back into a BuildResult (document texts are not stored, so empty)."""
    out = Path(out_dir)
    if not (out / "entities.csv").exists():
        raise FileNotFoundError(f"{out}: no entities.csv here; is this a `kg build` output folder?")
    res = BuildResult()
    for r in _read_csv(out / "documents.csv"):
        res.documents.append(Document(id=r["id"], path=r["path"], text="", encoding=r["encoding"], sha256=r["sha256"]))
    for r in _read_csv(out / "sentences.csv"):
        start, end = _int(r["start"]), _int(r["end"])
        res.sentences.append(Sentence(doc_id=r["document"], index=_int(r["sentence"]), text=r["text"],
                                      offsets=[start, end - 1] if end > start else [], article=_int(r["article"]),
                                      kind=r["kind"]))
    by_entity: dict[str, list[Mention]] = {}
    for r in _read_csv(out / "mentions.csv"):
        m = Mention(doc_id=r["document"], sentence=_int(r["sentence"]), start=_int(r["start"]), end=_int(r["end"]),
                    text=r["text"], norm=r.get("norm", ""), type=r["type"], source=r["source"], entity_id=r["entity_id"],
                    article=_int(r["article"]))
        res.mentions.append(m)
        by_entity.setdefault(m.entity_id, []).append(m)
    for r in _read_csv(out / "entities.csv"):
        attrs: dict = {"mention_count": _int(r.get("mention_count", "")),
                       "documents": [d for d in r.get("documents", "").split("|") if d]}
        if r.get("anonymized") == "true":
            attrs["anonymized"] = True
        for k in ("iso", "description"):
            if r.get(k):
                attrs[k] = r[k]
        res.entities.append(Entity(id=r["id"], name=r["name"], type=r["type"],
                                   aliases=[a for a in r["aliases"].split("|") if a],
                                   mentions=by_entity.get(r["id"], []), attrs=attrs))
    for r in _read_csv(out / "relations.csv"):
        ev = None
        if r.get("document"):
            ev = Evidence(doc_id=r["document"], sentence=_int(r["sentence"]), start=_int(r["start"]),
                          end=_int(r["end"]), text=r["evidence"])
        res.relations.append(Relation(source_id=r["source_id"], relation=r["relation"], target_id=r["target_id"],
                                      properties=json.loads(r["properties"] or "{}"), evidence=ev))
    return res

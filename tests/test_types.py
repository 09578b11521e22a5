"""The linker's containment edges are a typed field (`Entity.parents`), never a private key of `attrs`:
`attrs` is what the tables write, so a `_` key there is a hidden schema every reader must know to skip."""

from __future__ import annotations

from kg.store import Store
from kg.types import Evidence
from tests.fixtures_build import SEEDS


def _edges(entities) -> dict[str, set[tuple[str, str]]]:
    return {e.id: {(p, rel) for p, rel, *_ in e.parents} for e in entities if e.parents}


def test_no_private_key_in_the_attrs_of_a_real_build(seeds_result):
    private = sorted({(e.type, k) for e in seeds_result.entities for k in e.attrs if k.startswith("_")})
    assert private == []
    # the containment the linker read is there, on its own field: 海口市 LOCATED_IN 海南省 and the like
    edges = _edges(seeds_result.entities)
    assert any(rel == "LOCATED_IN" for es in edges.values() for _, rel in es)
    assert any(rel == "PART_OF" for es in edges.values() for _, rel in es)


def test_the_store_keeps_parents_apart_and_gives_them_back(pipeline, seeds_result, tmp_path):
    store = Store(tmp_path / "store", pipeline.version())
    live = pipeline.map_paths([SEEDS], store).live
    stored = list(store.read(live))
    assert len(stored) == len(seeds_result.documents)
    for r in stored:
        assert not [k for e in r.entities for k in e.attrs if k.startswith("_")], r.document.id
        for e in r.entities:
            assert all(isinstance(ev, Evidence) and ev.doc_id == r.document.id for _, _, ev, _ in e.parents)
    # the documents' edges, pooled, are the build's: none lost on the way through the Parquet shards
    pooled: dict[str, set[tuple[str, str]]] = {}
    for r in stored:
        for eid, es in _edges(r.entities).items():
            pooled.setdefault(eid, set()).update(es)
    assert pooled and pooled == _edges(seeds_result.entities)

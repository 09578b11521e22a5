"""Who is who across documents: evidence (local units) and the user's alias table."""

from __future__ import annotations

import pytest

from kg.errors import InputError
from kg.link.linker import entity_id
from kg.relations.people import AliasTable, merge_people, read_aliases
from kg.types import BuildResult, Entity, Evidence, Mention, Relation

PLACES = {"长春市": None, "白城市": None}
UNITS = {"长春市公安局": ("LOCATED_IN", "长春市"), "白城市公安局": ("LOCATED_IN", "白城市"),
         "洮北分局": ("PART_OF", "白城市公安局"), "城西派出所": ("PART_OF", "白城市公安局"), "国务院": None}


def nid(kind: str, name: str) -> str:
    return entity_id(kind, (kind, name))


def build(people: list[tuple[str, str, str | None]], anonymized: tuple[str, ...] = ()) -> tuple[BuildResult, list[Relation]]:
    """A linked build: one PERSON node per (document, name), BELONGS_TO its unit where given."""
    ents = [Entity(nid("LOC", n), n, "LOC") for n in PLACES] + [Entity(nid("ORG", n), n, "ORG") for n in UNITS]
    rels = [Relation(nid("ORG", n), rel, nid("LOC" if rel == "LOCATED_IN" else "ORG", parent))
            for n, link in UNITS.items() if link for rel, parent in [link]]
    result = BuildResult(entities=ents)
    for doc, name, unit in people:
        pid = entity_id("PERSON", ("PERSON", doc, name))
        m = Mention(doc, 0, 0, len(name), name, "PERSON", norm=name, entity_id=pid)
        e = Entity(pid, name, "PERSON", mentions=[m], attrs={"anonymized": True} if name in anonymized else {})
        result.entities.append(e)
        result.mentions.append(m)
        if unit:
            rels.append(Relation(pid, "BELONGS_TO", nid("ORG", unit), {"role": "民警"},
                                 Evidence(doc, 0, 0, 10, f"{unit}民警{name}")))
    return result, rels


def people(result: BuildResult) -> dict[str, list[list[str]]]:
    """name → the documents of each of its nodes."""
    out: dict[str, list[list[str]]] = {}
    for e in result.entities:
        if e.type == "PERSON":
            out.setdefault(e.name, []).append(e.documents)
    return {k: sorted(v) for k, v in out.items()}


def test_two_people_of_one_name_in_two_cities_stay_two():
    result, rels = build([("a.txt", "张凯", "长春市公安局"), ("b.txt", "张凯", "白城市公安局")])
    merge_people(result, rels)
    assert people(result) == {"张凯": [["a.txt"], ["b.txt"]]}


def test_two_police_stations_of_one_city_are_two_people():
    result, rels = build([("a.txt", "张凯", "洮北分局"), ("b.txt", "张凯", "城西派出所")])
    merge_people(result, rels)
    assert len(people(result)["张凯"]) == 2


def test_a_name_with_nothing_in_conflict_is_one_node():
    result, rels = build([("a.txt", "周立波", None), ("b.txt", "周立波", "国务院"), ("c.txt", "周立波", None)])
    rels = merge_people(result, rels)
    assert people(result) == {"周立波": [["a.txt", "b.txt", "c.txt"]]}
    person = nid("PERSON", "周立波")
    assert {m.entity_id for m in result.mentions} == {person}
    assert [r.source_id for r in rels if r.relation == "BELONGS_TO"] == [person]


def test_a_unit_and_the_bureau_it_is_part_of_agree():
    result, rels = build([("a.txt", "张凯", "洮北分局"), ("b.txt", "张凯", "白城市公安局")])
    rels = merge_people(result, rels)
    assert people(result) == {"张凯": [["a.txt", "b.txt"]]}
    assert len([r for r in rels if r.relation == "BELONGS_TO"]) == 2


def test_people_without_evidence_do_not_pick_between_two_people():
    result, rels = build([("a.txt", "张凯", "长春市公安局"), ("b.txt", "张凯", "白城市公安局"), ("c.txt", "张凯", None),
                          ("d.txt", "张凯", None)])
    merge_people(result, rels)
    assert people(result) == {"张凯": [["a.txt"], ["b.txt"], ["c.txt", "d.txt"]]}


def test_anonymised_people_are_never_merged():
    result, rels = build([("a.txt", "白某", None), ("b.txt", "白某", None)], anonymized=("白某",))
    merge_people(result, rels)
    assert people(result) == {"白某": [["a.txt"], ["b.txt"]]}


def test_duplicate_relations_keep_the_first_evidence_by_document():
    result, rels = build([("b.txt", "周立波", "国务院"), ("a.txt", "周立波", "国务院")])
    rels = merge_people(result, rels)
    belongs = [r for r in rels if r.relation == "BELONGS_TO"]
    assert len(belongs) == 1 and belongs[0].evidence.doc_id == "a.txt"


def snapshot(result: BuildResult, rels: list[Relation]) -> tuple:
    ents = sorted((e.id, e.name, tuple(e.aliases), tuple((m.doc_id, m.start) for m in e.mentions))
                  for e in result.entities)
    return tuple(ents), tuple(sorted((r.key, r.evidence.doc_id if r.evidence else "") for r in rels))


def test_document_order_does_not_change_the_output():
    rows = [("a.txt", "张凯", "长春市公安局"), ("b.txt", "张凯", "洮北分局"), ("c.txt", "张凯", "白城市公安局"),
            ("d.txt", "张凯", None), ("e.txt", "周立波", None), ("f.txt", "周立波", "国务院"), ("g.txt", "张凯", "城西派出所")]
    outputs = set()
    for order in (rows, rows[::-1], rows[3:] + rows[:3]):
        result, rels = build(order)
        rels = merge_people(result, rels)
        outputs.add(snapshot(result, rels))
    assert len(outputs) == 1


def test_alias_table_merges_forms_and_keeps_people_apart(tmp_path):
    table = tmp_path / "aliases.csv"
    table.write_text("form,canonical,type\n周总,周立波,PERSON\n张凯,,person\n", encoding="utf-8")
    aliases = read_aliases(table)
    assert aliases == AliasTable({("PERSON", "周总"): "周立波"}, frozenset({"张凯"}))
    result, rels = build([("a.txt", "周总", None), ("b.txt", "周立波", "国务院"), ("c.txt", "张凯", None),
                          ("d.txt", "张凯", None)])
    merge_people(result, rels, aliases)
    assert people(result) == {"周立波": [["a.txt", "b.txt"]], "张凯": [["c.txt"], ["d.txt"]]}
    merged = next(e for e in result.entities if e.name == "周立波")
    assert merged.id == nid("PERSON", "周立波") and "周总" in merged.aliases


def test_alias_table_overrides_conflicting_evidence(tmp_path):
    table = tmp_path / "aliases.csv"
    table.write_text("张凯,张凯,PERSON\n", encoding="utf-8")
    result, rels = build([("a.txt", "张凯", "长春市公安局"), ("b.txt", "张凯", "白城市公安局")])
    merge_people(result, rels, read_aliases(table))
    assert people(result) == {"张凯": [["a.txt", "b.txt"]]}


@pytest.mark.parametrize("text, problem", [("张凯,张凯\n", "line 1: expected form,canonical,type"),
                                           ("张凯,张凯,PEOPLE\n", "line 1: type 'PEOPLE'"),
                                           ("\n公安局,,ORG\n", "line 2: an empty canonical")])
def test_bad_alias_tables_are_one_line_errors(tmp_path, text, problem):
    table = tmp_path / "aliases.csv"
    table.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match=problem) as err:
        read_aliases(table)
    assert str(table) in str(err.value) and "\n" not in str(err.value)


def test_build_merges_across_documents_whatever_their_order(pipeline, tmp_path):
    """End to end with the shipped model: people of one name, in files given in either order."""
    texts = {"a.txt": "长春市公安局朝阳分局民警张凯在人民广场救助一名晕倒的老人。王建国来到长春市考察春运工作。",
             "b.txt": "白城市公安局洮北分局民警张凯在检查站连续执勤十二小时。王建国在白城市召开座谈会。",
             "c.txt": "白城市公安局民警张凯说，今年春运平稳。"}
    for name, text in texts.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    files = [tmp_path / n for n in sorted(texts)]
    forward, backward = pipeline.build(files), pipeline.build(files[::-1])
    assert people(forward) == {"张凯": [["a.txt"], ["b.txt", "c.txt"]], "王建国": [["a.txt", "b.txt"]]}
    assert snapshot(forward, forward.relations)[0] == snapshot(backward, backward.relations)[0]
    # which document's sentence evidences a unit's place is the linker's (first read); the facts agree
    assert sorted(r.key for r in forward.relations) == sorted(r.key for r in backward.relations)


def test_cli_takes_an_alias_table_and_a_document_date(tmp_path):
    import csv

    from kg.cli import main

    (tmp_path / "a.txt").write_text("王建国昨天来到长春市考察春运工作。", encoding="utf-8")
    (tmp_path / "b.txt").write_text("王总在白城市召开座谈会。", encoding="utf-8")
    (tmp_path / "aliases.csv").write_text("王总,王建国,PERSON\n", encoding="utf-8")
    assert main(["build", str(tmp_path / "a.txt"), str(tmp_path / "b.txt"), "--out", str(tmp_path / "o"),
                 "--aliases", str(tmp_path / "aliases.csv"), "--doc-date", "2011-03-01", "--threads", "1"]) == 0
    with open(tmp_path / "o" / "entities.csv", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert [(r["name"], r["documents"]) for r in rows if r["type"] == "PERSON"] == [("王建国", "a.txt|b.txt")]
    assert [(r["name"], r["iso"]) for r in rows if r["type"] == "DATE"] == [("昨天", "2011-02-28")]
    assert main(["build", str(tmp_path / "a.txt"), "--out", str(tmp_path / "p"), "--doc-date", "2011-02-30"]) != 0


STREAM_TEXTS = {  # same-name people whose units agree or conflict, and a form only the alias table ties
    "a.txt": "长春市公安局朝阳分局民警张凯在人民广场救助一名晕倒的老人。王总来到长春市考察春运工作。",
    "b.txt": "白城市公安局洮北分局民警张凯在检查站连续执勤十二小时。王建国在白城市召开座谈会。",
    "c.txt": "白城市公安局民警张凯说，今年春运平稳。",
    "d.txt": "长春市公安局民警张凯和白城市公安局城西派出所民警李明一起走访。",
    "e.txt": "吉林市公安局民警李明说，张凯昨天到了吉林市。",
}


@pytest.mark.parametrize("aliases", [None, "王总,王建国,PERSON\n李明,,PERSON\n"])
def test_people_merged_name_by_name_from_the_store_equal_the_in_memory_merge(pipeline, tmp_path, aliases):
    """Past memory the people are merged one name at a time from tables on disk (`kg.stream`):
    the same ids, names and bytes as the merge of the whole build in memory, alias table or not."""
    from kg.reduce import corpus_steps, reduce_documents
    from kg.sinks.tables import write_tables
    from kg.store import Store, pipeline_version
    from kg.stream import people_renamed, write_tables_from_store
    from kg.types import Document

    table = None
    if aliases:
        (tmp_path / "aliases.csv").write_text(aliases, encoding="utf-8")
        table = read_aliases(tmp_path / "aliases.csv")
    docs = [Document(id=k, path=k, text=v) for k, v in STREAM_TEXTS.items()]
    store = Store(tmp_path / "store", pipeline_version(pipeline.config.model))
    stored = pipeline.map_to_store(docs, store)
    steps = corpus_steps(table)
    if table is None:
        assert people_renamed(store, stored.live) == people_renamed(store, stored.live, keep_all=True)
    whole = reduce_documents(store.read(stored.live), steps=steps)
    assert len({e.id for e in whole.entities if e.name == "张凯"}) == 3  # 长春, 白城 (a conflict), and no unit
    write_tables(whole, tmp_path / "memory")
    write_tables_from_store(store, stored.live, tmp_path / "stream", steps, keep_all=table is not None)
    for name in ("entities.csv", "relations.csv", "mentions.csv"):
        assert (tmp_path / "stream" / name).read_bytes() == (tmp_path / "memory" / name).read_bytes(), name

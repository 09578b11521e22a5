"""Neo4j fixtures: one real server per test session, wiped for each test that asks for it.

The server is tools/neo4j-server (Neo4j 5.26 Community from Maven Central), started by
`tests.neo4j_server.Neo4jServer`; tests marked `neo4j` are skipped only when Java or Maven is missing.
"""

from __future__ import annotations

import shutil

import pytest

from kg.types import BuildResult, Document, Entity, Evidence, Mention, Relation, Sentence
from tests.neo4j_server import JAR, Neo4jServer

__all__ = ["neo4j_server", "neo4j_clean", "wipe_neo4j", "seed_facts", "seed_facts_result", "dump_graph",
           "synthetic_result"]


def _quote(name: str) -> str:
    """A schema name as a Cypher identifier (names cannot be parameters)."""
    return "`" + name.replace("`", "``") + "`"


def wipe_neo4j(server, schema: bool = False) -> None:
    """Delete every node; with `schema`, every constraint and index too (but the built-in lookups)."""
    import neo4j

    with neo4j.GraphDatabase.driver(server.uri, auth=(server.user, server.password),
                                    notifications_min_severity="OFF") as driver:
        with driver.session() as session:  # CALL IN TRANSACTIONS needs an auto-commit transaction
            session.run("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS").consume()
        if not schema:
            return
        for (name,) in driver.execute_query("SHOW CONSTRAINTS YIELD name RETURN name").records:
            driver.execute_query(f"DROP CONSTRAINT {_quote(name)} IF EXISTS")
        for (name,) in driver.execute_query("SHOW INDEXES YIELD name, type WHERE type <> 'LOOKUP' "
                                            "RETURN name").records:
            driver.execute_query(f"DROP INDEX {_quote(name)} IF EXISTS")


@pytest.fixture(scope="session")
def neo4j_server(tmp_path_factory):
    """A running server with `.uri`, `.user`, `.password`; `kill()`/`start()` restart it on the same store."""
    if not JAR.exists() and (shutil.which("java") is None or shutil.which("mvn") is None):
        pytest.skip("Neo4j tests need Java 17+ and Maven (make system-deps)")
    server = Neo4jServer(tmp_path_factory.mktemp("neo4j-store"))
    server.start()
    yield server
    server.close()


@pytest.fixture
def neo4j_clean(neo4j_server):
    """The session server, emptied (and restarted if an earlier test killed it)."""
    if neo4j_server.proc is None or neo4j_server.proc.poll() is not None:
        neo4j_server.start()
    wipe_neo4j(neo4j_server)
    return neo4j_server


# --- A small graph of real seed facts (seeds/000_*.txt), built as kg.types records ----------------

ENTITIES = {  # name: (id, type, aliases)
    "秦立恒": ("person-qinliheng", "PERSON", []),
    "周佰发": ("person-zhoubaifa", "PERSON", []),
    "翟明宇": ("person-zhaimingyu", "PERSON", []),
    "王强": ("person-wangqiang", "PERSON", []),
    "白城市公安局": ("org-bcsgaj", "ORG", ["市公安局"]),
    "白城市公安局园区分局": ("org-yqfj", "ORG", ["园区分局"]),
    "洮南市公安局": ("org-tnsgaj", "ORG", []),
    "洮南市公安局交巡警大队": ("org-jxjdd", "ORG", ["交巡警大队"]),
    "白城市": ("loc-bcs", "LOC", []),
    "洮南市": ("loc-tns", "LOC", []),
    "洮南市团结广场": ("loc-tjgc", "LOC", ["团结广场"]),
    "白城东疫情防控服务站": ("loc-fwz", "LOC", []),
    "3月19日": ("date-0319", "DATE", []),
    "拒不配合疫情防控": ("event-jbph", "EVENT", []),
    "开辟绿色通道": ("event-lstd", "EVENT", []),
}

SEED_DOCS = {
    "000_99624c91e82d4847.txt": [
        ("4月1日，白城东疫情防控服务站为白某一家人开辟绿色通道。",
         ["白城东疫情防控服务站", "开辟绿色通道"], [("开辟绿色通道", "EVENT_AT", "白城东疫情防控服务站", {})]),
        ("正在现场统筹调度的白城市公安局园区分局局长秦立恒了解情况后立即表态。",
         ["白城市公安局园区分局", "秦立恒"], [("秦立恒", "BELONGS_TO", "白城市公安局园区分局", {"role": "局长"}),
                                   ("白城市公安局园区分局", "PART_OF", "白城市公安局", {})]),
        ("执勤民警翟明宇驾驶警车开道。", ["翟明宇"], [("翟明宇", "BELONGS_TO", "白城市公安局", {"role": "民警"})]),
        ("洮南市公安局交巡警大队民警周佰发还有50天退休。",
         ["洮南市公安局交巡警大队", "周佰发"], [("周佰发", "BELONGS_TO", "洮南市公安局交巡警大队", {"role": "民警"}),
                                     ("洮南市公安局交巡警大队", "PART_OF", "洮南市公安局", {})]),
        ("3月19日，洮南市团结广场有人拒不配合疫情防控。",
         ["3月19日", "洮南市团结广场", "拒不配合疫情防控"],
         [("拒不配合疫情防控", "EVENT_AT", "洮南市团结广场", {"date": "3月19日"}),
          ("洮南市团结广场", "LOCATED_IN", "洮南市", {})]),
        ("白城市公安局承办", ["白城市公安局"], []),
    ],
    "001_f7a5ec10d2a4ddd0.txt": [
        ("洮南市公安局交巡警大队民警王强在团结广场执勤。",
         ["洮南市公安局交巡警大队", "王强", "团结广场"],
         [("王强", "BELONGS_TO", "洮南市公安局交巡警大队", {"role": "民警"})]),
    ],
}

INFERRED = [("洮南市公安局", "PART_OF", "白城市公安局"), ("洮南市", "LOCATED_IN", "白城市"),
            ("白城东疫情防控服务站", "LOCATED_IN", "白城市"), ("白城市公安局", "LOCATED_IN", "白城市")]


def seed_facts_result(docs: tuple[str, ...] = tuple(SEED_DOCS)) -> BuildResult:
    """Documents, sentences, mentions, entities and relations for `docs`, offsets into the real text."""
    res = BuildResult()
    entities: dict[str, Entity] = {}

    def entity(form: str) -> Entity:
        name = next(n for n, (_, _, aliases) in ENTITIES.items() if form == n or form in aliases)
        if name not in entities:
            eid, etype, aliases = ENTITIES[name]
            entities[name] = Entity(id=eid, name=name, type=etype, aliases=list(aliases))
        return entities[name]

    for doc_id in docs:
        text = "\n".join(s for s, _, _ in SEED_DOCS[doc_id])
        res.documents.append(Document(id=doc_id, path=f"seeds/{doc_id}", text=text))
        at = 0
        for index, (sent, forms, facts) in enumerate(SEED_DOCS[doc_id]):
            res.sentences.append(Sentence(doc_id=doc_id, index=index, text=sent,
                                          offsets=list(range(at, at + len(sent)))))
            for form in forms:
                i = sent.index(form)
                e = entity(form)
                m = Mention(doc_id=doc_id, sentence=index, start=at + i, end=at + i + len(form), text=form,
                            type=e.type, sent_start=i, entity_id=e.id)
                e.mentions.append(m)
                res.mentions.append(m)
            for src, rel, dst, props in facts:
                ev = Evidence(doc_id, index, at, at + len(sent), sent)
                res.relations.append(Relation(entity(src).id, rel, entity(dst).id, dict(props), ev))
            at += len(sent) + 1
    for src, rel, dst in INFERRED:
        if src in entities or dst in entities:
            res.relations.append(Relation(entity(src).id, rel, entity(dst).id, {"inferred": True}))
    res.entities = sorted(entities.values(), key=lambda e: e.id)
    return res


@pytest.fixture
def seed_facts() -> BuildResult:
    return seed_facts_result()


def dump_graph(server, database: str | None = None) -> tuple[list, list]:
    """Every node (labels, properties) and relationship (type, ends, properties), sorted: a comparable graph."""
    import neo4j

    with neo4j.GraphDatabase.driver(server.uri, auth=(server.user, server.password)) as driver:
        nodes = driver.execute_query("MATCH (n) RETURN labels(n) AS l, properties(n) AS p",
                                     database_=database).records
        rels = driver.execute_query("MATCH (a)-[r]->(b) RETURN type(r) AS t, a.id AS a, b.id AS b, "
                                    "properties(r) AS p", database_=database).records
    return (sorted((sorted(r["l"]), sorted(r["p"].items())) for r in nodes),
            sorted((r["t"], r["a"], r["b"], sorted(r["p"].items())) for r in rels))


def synthetic_result(people: int, seed: int = 7) -> BuildResult:
    """A police-news-shaped graph: units in a PART_OF tree, officers, places, events, documents.

    About 2.5 relationships per person: `synthetic_result(40_000)` has ~102k relationships.
    """
    import random

    rnd = random.Random(seed)
    orgs, locs, events, docs = people // 20 or 1, people // 20 or 1, people // 7 or 1, people // 50 or 1
    res = BuildResult(documents=[Document(id=f"{i:05d}_synthetic.txt", path=f"synthetic/{i:05d}.txt", text="")
                                 for i in range(docs)])
    doc_ids = [d.id for d in res.documents]

    def add(prefix: str, etype: str, n: int, name) -> list[str]:
        ids = [f"{prefix}-{i}" for i in range(n)]
        res.entities += [Entity(id=ids[i], name=name(i), type=etype,
                                attrs={"documents": [rnd.choice(doc_ids)]}) for i in range(n)]
        return ids

    o = add("org", "ORG", orgs, lambda i: f"第{i}公安分局")
    loc = add("loc", "LOC", locs, lambda i: f"第{i}街道")
    p = add("person", "PERSON", people, lambda i: f"民警{i}号")
    ev = add("event", "EVENT", events, lambda i: f"第{i}号警情")
    rels = res.relations
    rels += [Relation(o[i], "PART_OF", o[rnd.randrange(i)], {}) for i in range(1, orgs)]
    rels += [Relation(o[i], "LOCATED_IN", rnd.choice(loc), {}) for i in range(orgs)]
    rels += [Relation(loc[i], "LOCATED_IN", loc[rnd.randrange(i)], {}) for i in range(1, locs)]
    rels += [Relation(x, "BELONGS_TO", rnd.choice(o), {"role": rnd.choice(("民警", "辅警", "局长", "大队长"))})
             for x in p]
    rels += [Relation(x, "EVENT_AT", rnd.choice(loc), {"date": f"{rnd.randint(1, 12)}月{rnd.randint(1, 28)}日"})
             for x in ev]
    return res

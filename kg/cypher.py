"""Every Cypher statement kg sends: the loaders' writes and the analyst's cookbook.

The writes (`kg.sinks.neo4j.load_graph`, `kg load`'s mirroring `kg.sinks.neo4j_sync`) take their
rows as the parameter `$rows`; labels and relationship types are written into the text only from
the fixed tables (`kg.schema.TYPE_LABELS`, `RELATION_TYPES`), checked here.

The cookbook (`QUERIES`): the analyst's questions as named, parameterised queries over `kg load`'s
graph. Every query takes its inputs as parameters (never pasted into the text), matches a name or
an alias, and returns rows in a fixed order so that results can be compared and tested.

    >>> with neo4j.GraphDatabase.driver(uri, auth=(user, password)) as driver:   # doctest: +SKIP
    ...     run_query(driver, "officers_of_unit", unit="白城市公安局")
    [{'officer': '秦立恒', 'role': '局长', 'unit': '白城市公安局园区分局'}, ...]
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kg.schema import TYPE_LABELS
from kg.types import RELATION_TYPES

# ---- the loaders' writes ------------------------------------------------------------------------------

FULLTEXT_INDEX = "entity_names"
MARKER_LABEL = "KgLoad"  # the node naming the ledger a database was last loaded from (kg.sinks.neo4j_ledger)
SCHEMA = (
    "CREATE CONSTRAINT entity_id IF NOT EXISTS FOR (n:Entity) REQUIRE n.id IS UNIQUE",
    "CREATE CONSTRAINT document_id IF NOT EXISTS FOR (n:Document) REQUIRE n.id IS UNIQUE",
    "CREATE CONSTRAINT sentence_id IF NOT EXISTS FOR (n:Sentence) REQUIRE n.id IS UNIQUE",
    # `cjk` splits Han text into bigrams, so 白城 finds 白城市公安局.
    f"CREATE FULLTEXT INDEX {FULLTEXT_INDEX} IF NOT EXISTS FOR (n:Entity) ON EACH [n.name, n.aliases] "
    "OPTIONS {indexConfig: {`fulltext.analyzer`: 'cjk'}}",
)
PING = "RETURN 1"
AWAIT_INDEXES = "CALL db.awaitIndexes($seconds)"
COUNTS_QUERY = ("CALL { MATCH (n) RETURN count(n) AS nodes } "
                "CALL { MATCH ()-[r]->() RETURN count(r) AS relationships } RETURN nodes, relationships")
# Mention counts follow the mention edges, which grow as documents are added.
MENTION_COUNT_QUERY = ("UNWIND $rows AS id MATCH (x:Entity {id: id}) "
                       "WITH x, COUNT { (x)-[:MENTIONED_IN]->(:Sentence) } AS n "
                       "WHERE n > 0 AND (x.mention_count IS NULL OR x.mention_count <> n) SET x.mention_count = n")

# `load_graph` (add only) writes only what differs: a reload of unchanged data reports zero properties set.
_CHANGED = "WITH x, r WHERE any(k IN keys(r.props) WHERE x[k] IS NULL OR x[k] <> r.props[k]) SET x += r.props"
_UNION = ("FOREACH (v IN CASE WHEN r.{k} IS NULL THEN [] ELSE [coalesce(x.{k}, []) + "
          "[a IN r.{k} WHERE NOT a IN coalesce(x.{k}, [])]] END | "
          "FOREACH (_ IN CASE WHEN x.{k} IS NULL OR x.{k} <> v THEN [1] ELSE [] END | SET x.{k} = v))")


def _entity_label(type_label: str) -> str:
    assert type_label in ("", *TYPE_LABELS.values())
    return f" SET x:{type_label}" if type_label else ""


def _relation_part(part) -> tuple[str, str]:
    """(relation type, target label), both checked: they are written into the Cypher."""
    rel, target = part
    assert rel in RELATION_TYPES and target in ("Entity", "Document")
    return rel, target


def node_query(label: str, extra_label: str = "") -> str:
    set_label = f" SET x:{extra_label}" if extra_label else ""
    return f"UNWIND $rows AS r MERGE (x:{label} {{id: r.id}}){set_label} {_CHANGED}"


def entity_query(type_label: str) -> str:
    """Entities: aliases and documents are unions of what the database has and the rows say."""
    return (f"UNWIND $rows AS r MERGE (x:Entity {{id: r.id}}) ON CREATE SET x.mention_count = r.mention_count"
            f"{_entity_label(type_label)} WITH x, r {_UNION.format(k='aliases')} {_UNION.format(k='documents')} "
            f"{_CHANGED}")


def relation_query(rel: str, target: str) -> str:
    rel, target = _relation_part((rel, target))
    return (f"UNWIND $rows AS r MATCH (a:Entity {{id: r.source}}) MATCH (b:{target} {{id: r.target}}) "
            f"MERGE (a)-[x:{rel} {{role: r.role}}]->(b) {_CHANGED}")


SENTENCE_QUERY = ("UNWIND $rows AS r MATCH (d:Document {id: r.document}) MERGE (x:Sentence {id: r.id}) "
                  "MERGE (x)-[:IN]->(d) " + _CHANGED)
MENTION_QUERY = ("UNWIND $rows AS r MATCH (e:Entity {id: r.entity}) MATCH (s:Sentence {id: r.sentence}) "
                 "MERGE (e)-[x:MENTIONED_IN {start: r.start}]->(s) " + _CHANGED)

# `kg load` (mirror) sets a node or relationship to exactly its row's `all` when it differs.
_SET_IF_DIFFERENT = "WITH x, r WHERE properties(x) <> r.all SET x = r.all"
MARKERS_QUERY = f"MATCH (m:{MARKER_LABEL}) RETURN m.ledger AS ledger, m.generation AS generation"
MARKER_WRITE = f"MERGE (m:{MARKER_LABEL} {{ledger: $ledger}}) SET m.generation = $generation"
OTHER_MARKERS_DELETE = f"MATCH (m:{MARKER_LABEL}) WHERE m.ledger <> $ledger DELETE m"


def mirror_query(kind: str, part) -> str:
    """The mirroring write of one kind of row: D(ocument), S(entence), E(ntity; `part` its type
    label), R(elation; `part` its (type, target label)), else a mention."""
    if kind == "D":
        return f"UNWIND $rows AS r MERGE (x:Document {{id: r.id}}) {_SET_IF_DIFFERENT}"
    if kind == "S":
        return ("UNWIND $rows AS r MATCH (d:Document {id: r.document}) MERGE (x:Sentence {id: r.id}) "
                f"MERGE (x)-[:IN]->(d) {_SET_IF_DIFFERENT}")
    if kind == "E":
        return f"UNWIND $rows AS r MERGE (x:Entity {{id: r.id}}){_entity_label(part)} {_SET_IF_DIFFERENT}"
    if kind == "R":
        rel, target = _relation_part(part)
        return (f"UNWIND $rows AS r MATCH (a:Entity {{id: r.source}}) MATCH (b:{target} {{id: r.target}}) "
                f"MERGE (a)-[x:{rel} {{role: r.role}}]->(b) {_SET_IF_DIFFERENT}")
    return ("UNWIND $rows AS r MATCH (e:Entity {id: r.entity}) MATCH (s:Sentence {id: r.sentence}) "
            f"MERGE (e)-[x:MENTIONED_IN {{start: r.start}}]->(s) {_SET_IF_DIFFERENT}")


def mirror_delete_query(kind: str, part) -> str:
    """The delete of one kind of row that the output no longer has (kinds as `mirror_query`)."""
    if kind in ("D", "S", "E"):
        label = {"D": "Document", "S": "Sentence", "E": "Entity"}[kind]
        return f"UNWIND $rows AS r MATCH (x:{label} {{id: r.id}}) DETACH DELETE x"
    if kind == "R":
        rel, target = _relation_part(part)
        return (f"UNWIND $rows AS r MATCH (a:Entity {{id: r.source}})-[x:{rel} {{role: r.role}}]->"
                f"(b:{target} {{id: r.target}}) DELETE x")
    return ("UNWIND $rows AS r MATCH (e:Entity {id: r.entity})-[x:MENTIONED_IN {start: r.start}]->"
            "(s:Sentence {id: r.sentence}) DELETE x")


# ---- the cookbook -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Query:
    name: str
    question: str
    cypher: str
    params: tuple[str, ...]


_NAMED = "({var}.name = ${param} OR ${param} IN coalesce({var}.aliases, []))"

QUERIES = {q.name: q for q in (
    Query("officers_of_unit", "Who works in this unit, including all its sub-units (PART_OF*)?",
          f"""MATCH (top:Org) WHERE {_NAMED.format(var='top', param='unit')}
MATCH (u:Org)-[:PART_OF*0..]->(top)
MATCH (p:Person)-[b:BELONGS_TO]->(u)
RETURN DISTINCT p.name AS officer, b.role AS role, u.name AS unit
ORDER BY unit, officer, role""", ("unit",)),
    Query("events_at_place", "What happened at this place and at the places inside it (LOCATED_IN*)?",
          f"""MATCH (top:Loc) WHERE {_NAMED.format(var='top', param='place')}
MATCH (l:Loc)-[:LOCATED_IN*0..]->(top)
MATCH (e:Event)-[x:EVENT_AT]->(l)
RETURN DISTINCT e.name AS event, l.name AS place, x.date AS date, x.document AS document, x.evidence AS evidence
ORDER BY place, event, document""", ("place",)),
    Query("shortest_path", "How are these two people connected (facts only, up to 10 hops)?",
          f"""MATCH (a:Person) WHERE {_NAMED.format(var='a', param='a')}
MATCH (b:Person) WHERE {_NAMED.format(var='b', param='b')}
MATCH p = shortestPath((a)-[:BELONGS_TO|PART_OF|LOCATED_IN|EVENT_AT|INVOLVED_IN*..10]-(b))
RETURN [n IN nodes(p) | n.name] AS names, [r IN relationships(p) | type(r)] AS relations, length(p) AS hops
ORDER BY hops, names LIMIT 1""", ("a", "b")),
    Query("units_with_most_officers", "Which units have the most officers (directly, and with sub-units)?",
          """MATCH (u:Org)
OPTIONAL MATCH (p:Person)-[:BELONGS_TO]->(:Org)-[:PART_OF*0..]->(u)
WITH u, count(DISTINCT p) AS officers WHERE officers > 0
RETURN u.name AS unit, officers, COUNT { (:Person)-[:BELONGS_TO]->(u) } AS direct
ORDER BY officers DESC, unit LIMIT $limit""", ("limit",)),
    Query("mentions_in_document", "Which entities does this document mention, and in which sentences?",
          """MATCH (d:Document) WHERE d.name = $document OR d.id = $document
MATCH (e:Entity)-[m:MENTIONED_IN]->(s:Sentence)-[:IN]->(d)
RETURN e.name AS entity, e.type AS type, s.index AS sentence, m.start AS start, s.text AS text
ORDER BY sentence, start, entity""", ("document",)),
    Query("search", "Which entities have a name or alias like this (full-text, cjk bigrams)?",
          f"""CALL db.index.fulltext.queryNodes('{FULLTEXT_INDEX}', $text) YIELD node, score
RETURN node.name AS name, node.type AS type, node.id AS id, score
ORDER BY score DESC, name LIMIT $limit""", ("text", "limit")),
)}

_LUCENE_SPECIAL = set('+-&|!(){}[]^"~*?:\\/')
_LUCENE_WORDS = re.compile(r"\b(AND|OR|NOT|TO)\b")
SEARCH_MAX_CHARS = 200  # a name is short; a cjk bigram per character, and Lucene allows 1024 clauses


def lucene_escape(text: str) -> str:
    """Free text as a literal full-text query: special characters escaped, the operator words
    (AND, OR, NOT) lower-cased, which the analyzer does anyway, and at most SEARCH_MAX_CHARS
    characters, so no input is a syntax error or too many clauses."""
    text = " ".join(text.split())[:SEARCH_MAX_CHARS]
    text = _LUCENE_WORDS.sub(lambda m: m.group().lower(), text)
    return "".join("\\" + c if c in _LUCENE_SPECIAL else c for c in text)


def _query(cypher: str, timeout: float | None):
    """The statement, with a server-side time limit (seconds) when one is given."""
    from neo4j import Query

    return cypher if timeout is None else Query(cypher, timeout=timeout)


def run_query(driver, name: str, database: str | None = None, timeout: float | None = None, **params) -> list[dict]:
    """Run cookbook query `name` with `params`; rows as dicts. `search` escapes its text."""
    query = QUERIES[name]
    if name in ("units_with_most_officers", "search"):
        params.setdefault("limit", 10)
    if name == "search":
        params["text"] = lucene_escape(params["text"])
        if not params["text"]:
            return []  # nothing to look for (Lucene refuses an empty query)
    missing = set(query.params) - params.keys()
    if missing:
        raise TypeError(f"{name} needs {', '.join(sorted(missing))}")
    records, _, _ = driver.execute_query(_query(query.cypher, timeout), {k: params[k] for k in query.params},
                                         database_=database, routing_="r")
    return [r.data() for r in records]


def run_cypher(driver, cypher: str, database: str | None = None, timeout: float | None = None,
               **params) -> list[dict]:
    """Run any Cypher with `params` (as `kg query --cypher`); rows as dicts."""
    records, _, _ = driver.execute_query(_query(cypher, timeout), params, database_=database)
    return [r.data() for r in records]

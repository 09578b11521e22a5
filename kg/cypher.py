"""The Cypher cookbook: the analyst's questions as named, parameterised queries over `kg load`'s graph.

Every query takes its inputs as parameters (never pasted into the text), matches a name or an
alias, and returns rows in a fixed order so that results can be compared and tested.

    >>> with neo4j.GraphDatabase.driver(uri, auth=(user, password)) as driver:   # doctest: +SKIP
    ...     run_query(driver, "officers_of_unit", unit="白城市公安局")
    [{'officer': '秦立恒', 'role': '局长', 'unit': '白城市公安局园区分局'}, ...]
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kg.sinks.neo4j import FULLTEXT_INDEX


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

"""Every option of kg and its default, once: building, reading, the stages, outputs, Neo4j, the environment.

The CLI (`kg.cli`), the API (`kg.api`) and the engines (`kg.engines`) read their defaults here,
so a default changes in one line. This module imports nothing of the pipeline: any module may
import it without an import cycle.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from kg.ner.models import DEFAULT_MODEL

if TYPE_CHECKING:
    from kg.relations.people import AliasTable

# -- reading ---------------------------------------------------------------------------------------
MAX_BYTES = 200 * 1024 * 1024  # larger input files are refused, not read into memory (--max-bytes)


@dataclass(frozen=True)
class Columns:
    """Columns of a table of documents. `id` and `date` default to columns named so, where present."""

    text: str = "text"
    id: str | None = None
    date: str | None = None


DEFAULT_COLUMNS = Columns()

# -- the stages ------------------------------------------------------------------------------------
# The pipeline, in order: each name is a stage of `kg.stages.REGISTRY`. The sentence stages run on
# each document (a part of a long one at a time) up to its mentions; the document stages link
# them and find the relations. `Pipeline.add_stage/replace_stage/remove_stage` edit a copy.
STAGES: tuple[str, ...] = (
    # sentences → spans (start, end, type, source) per sentence
    "segment", "model", "vet", "outlets", "rules", "dates", "merge", "lists", "propagate",
    # mentions → entities and relations of the document
    "link", "structure", "belongs_to", "event_at", "mentioned_in", "restore_names",
)


# -- building --------------------------------------------------------------------------------------
@dataclass
class BuildConfig:
    """What a build does, the same from `kg build`, `kg.build` and every engine."""

    model: str = DEFAULT_MODEL  # a shipped-model path, a HanLP pretrained identifier, or a model dir
    strict: bool = False  # any bad input file is an error instead of a skipped file
    max_bytes: int = MAX_BYTES  # larger files are refused, not read into memory
    batch_size: int = 64  # sentences per NER call
    part_chars: int = 200_000  # longer documents are processed in parts, in bounded memory
    threads: int | None = None  # torch CPU threads for the model; None: torch's default here, 1 in a worker
    workers: int = 1  # processes that map documents; 1 maps them here (>1: spawned, so a script needs `if __name__`)
    batch_docs: int = 32  # documents whose sentences share one model call
    encoding: str | None = None  # force this input encoding instead of detecting it
    columns: Columns = DEFAULT_COLUMNS  # tables of articles (.csv/.jsonl/.parquet): text, id and date columns
    doc_date: str = ""  # ISO date of documents whose own date is unknown (--doc-date)
    aliases: AliasTable | None = None  # the user's alias/merge table (--aliases), see kg.relations.people
    stages: tuple[str, ...] = field(default=STAGES)  # the pipeline: names of `kg.stages.REGISTRY`


def cli_workers() -> int:
    """`kg build --workers` default: one process per core (the API's default is 1: no spawning)."""
    return os.cpu_count() or 1


# -- outputs ---------------------------------------------------------------------------------------
GRAPH_DOCS = 10_000  # past this many documents, graph.json (the whole graph in memory, ≈ 65 KB an article) only on request
LANGS = ("en", "zh")  # table headers and relation/type names: English, or Chinese (--lang zh)


# -- Neo4j -----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Neo4jConfig:
    """Where and how `kg load`, `kg query`, `kg build --neo4j` and `KnowledgeGraph.to_neo4j` connect."""

    uri: str = "bolt://127.0.0.1:7687"
    user: str = "neo4j"
    password: str | None = None
    database: str | None = None  # None: the server's default
    batch_size: int = 1000  # rows per transaction
    connect_timeout: float = 5.0  # seconds to connect and finish the Bolt handshake (a port that never answers)
    query_timeout: float = 300.0  # seconds one batch's transaction may run on the server


NEO4J = Neo4jConfig()
# the environment variables that set Neo4jConfig's fields, with what each is for (`kg --help`)
NEO4J_ENV = {
    "uri": ("NEO4J_URI", f"server for load, query, build --neo4j (default {NEO4J.uri})"),
    "user": ("NEO4J_USER", f"user (default {NEO4J.user})"),
    "password": ("NEO4J_PASSWORD", "password"),
    "database": ("NEO4J_DATABASE", "database (default: the server's default)"),
    "connect_timeout": ("NEO4J_CONNECT_TIMEOUT", "seconds to connect and handshake with Neo4j"),
    "query_timeout": ("NEO4J_QUERY_TIMEOUT", "seconds one batch may run on the server"),
}


def neo4j_config(**given: object) -> Neo4jConfig:
    """A Neo4jConfig: each field as `given` (None: not given), else its environment variable, else the default."""
    values: dict[str, object] = {}
    for name, value in given.items():
        if value is None and name in NEO4J_ENV:
            value = os.environ.get(NEO4J_ENV[name][0])
            if value is not None and name.endswith("_timeout"):
                value = float(value)
        if value is not None:
            values[name] = value
    return Neo4jConfig(**values)


# -- other environment variables -------------------------------------------------------------------
ENVIRONMENT = {
    "KG_SPARK_DRIVER_MEMORY": "the Spark driver's memory with a local master (default 2g)",
    "KG_WORDS": "a folder of your own word lists, added to kg/resources' files of the same names (docs/word-lists.md)",
    "XDG_CACHE_HOME": "where kg caches fonts and the ledgers of graphs loaded into Neo4j without a folder",
}
SPARK_DRIVER_MEMORY = "2g"

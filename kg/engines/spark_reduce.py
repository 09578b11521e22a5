"""The streamed reduce on Spark: the CSV tables of a build folded by Spark SQL group-bys over the store.

What `kg.stream.write_tables_from_store` does with a sort on disk, done by Spark over the store's
Parquet shards (`store/<table>/<shard>.parquet`), so a cluster's executors hold the fold:

- the live rows: per document, the newest shard among the rows of this pipeline version (shards
  are numbered, so the newest has the greatest name); every table is joined on (doc, shard);
- the corpus-level identity (`kg.stream.write_renamed`: old → new id, and an alias table's name,
  as a Parquet file beside the shards) is a join on entities, relations (both ends) and mentions;
- entities: grouped by id with the fold rules of `kg.reduce` (name, type and attributes of the
  smallest document's row; aliases the sorted union of aliases and names less the name; documents
  and mention counts from the MENTIONED_IN relations); relations: one per key, the smallest
  evidence rank (stated before inferred, evidence document, sentence, start, properties);
- the driver writes each table from a sorted DataFrame (`toLocalIterator`: one partition at a
  time) with the row functions of `kg.sinks.tables`, so the bytes are the local build's.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from kg.atomic import staged_folder
from kg.reduce import CORPUS_STEPS
from kg.sinks.tables import (
    DOCUMENT_COLUMNS,
    ENTITY_COLUMNS,
    MANIFEST,
    MENTION_COLUMNS,
    RELATION_COLUMNS,
    SENTENCE_COLUMNS,
    document_row,
    entity_row,
    mention_row,
    relation_row,
    seal,
    sentence_row,
    table_writer,
)
from kg.store import Store
from kg.stream import write_renamed
from kg.types import RELATION_TYPES, Document, Entity, Evidence, Mention, Relation, Sentence

BROADCAST_ROWS = 1_000_000  # document ids or renamed ids: up to ≈ 100 MB to each executor


def _shards(spark: Any, store: Store, table: str) -> Any:
    """One table of the store, every shard, with the shard's name as a column."""
    from pyspark.sql import functions as F

    df = spark.read.parquet(str(store.folder / table / "*.parquet"))
    return df.withColumn("shard", F.regexp_extract(F.col("_metadata.file_path"), r"([^/]+)\.parquet$", 1))


def _small(df: Any, rows: int) -> Any:
    """A table made on the driver, sent whole to every executor for its joins while it is small."""
    from pyspark.sql import functions as F

    return F.broadcast(df) if rows <= BROADCAST_ROWS else df


def live_tables(spark: Any, store: Store, live: list[str], renamed: Path, renamed_rows: int) -> dict[str, Any]:
    """The live rows of each table (the newest shard of each live document of this version), ids (and
    names an alias table gave) renamed by the Parquet file `renamed` (`kg.stream.write_renamed`)."""
    from pyspark.sql import functions as F

    docs = _shards(spark, store, "documents").where(F.col("version") == store.version)
    wanted = spark.createDataFrame([(d,) for d in live], "doc string")
    newest = docs.join(_small(wanted, len(live)), "doc").groupBy("doc").agg(F.max("shard").alias("shard"))
    tables = {"documents": docs.join(newest, ["doc", "shard"])}
    for table in ("sentences", "mentions", "entities", "relations"):
        tables[table] = _shards(spark, store, table).join(newest, ["doc", "shard"])
    names = _small(spark.read.parquet(str(renamed)).select(
        F.col("old").alias("_old"), F.col("new").alias("_new"), F.col("name").alias("_name")), renamed_rows)

    def rename(df: Any, column: str) -> Any:
        joined = df.join(names, F.col(column) == F.col("_old"), "left")
        if column == "id":  # a renamed entity's own name stays an alias; an alias table's name replaces it
            joined = joined.withColumn("aliases", F.when(F.col("_old").isNull(), F.col("aliases"))
                                       .otherwise(F.concat("aliases", F.array("name")))) \
                .withColumn("name", F.coalesce("_name", "name"))
        return joined.withColumn(column, F.coalesce("_new", column)).drop("_old", "_new", "_name")

    tables["entities"] = rename(tables["entities"], "id")
    tables["mentions"] = rename(tables["mentions"], "entity_id")
    tables["relations"] = rename(rename(tables["relations"], "source_id"), "target_id")
    return tables


def reduced_entities(entities: Any, relations: Any) -> Any:
    """One row per entity id: the head row (smallest document), aliases, documents, anonymized,
    the mention count; attributes are finished per row by `_entity`."""
    from pyspark.sql import functions as F

    rows = entities.select(
        "id", "aliases",
        F.struct("doc", "name", "type", "attrs").alias("head"),
        F.col("name"),
        F.from_json(F.get_json_object("attrs", "$.documents"), "array<string>").alias("docs"),
        (F.get_json_object("attrs", "$.anonymized") == "true").alias("anonymized"))
    folded = rows.groupBy("id").agg(  # sets, not lists: a place in every document repeats the same few arrays
        F.min("head").alias("head"),
        F.array_distinct(F.concat(F.flatten(F.collect_set("aliases")), F.collect_set("name"))).alias("names"),
        F.array_distinct(F.flatten(F.collect_set(F.coalesce("docs", F.array().cast("array<string>"))))).alias("docs"),
        F.max(F.coalesce("anonymized", F.lit(False))).alias("anonymized"))
    mentioned = relations.where(F.col("relation") == "MENTIONED_IN").groupBy(F.col("source_id").alias("id")).agg(
        F.sum(F.get_json_object("properties", "$.count").cast("long")).alias("mention_count"),
        F.collect_set(F.expr("substring(target_id, 5)")).alias("mentioned"),
        F.lit(True).alias("is_mentioned"))
    return folded.join(mentioned, "id", "left").select(
        "id", F.col("head.name").alias("name"), F.col("head.type").alias("type"), F.col("head.attrs").alias("attrs"),
        F.array_sort(F.array_remove("names", F.col("head.name"))).alias("aliases"),
        F.array_sort(F.array_union("docs", F.coalesce("mentioned", F.array().cast("array<string>")))).alias("documents"),
        "anonymized", "mention_count", F.coalesce("is_mentioned", F.lit(False)).alias("is_mentioned"))


def _entity(row: Any) -> Entity:
    """The folded row as an Entity: the head's attributes less the fold's own (`_…`), then the fold's."""
    attrs = {k: v for k, v in json.loads(row["attrs"]).items() if not k.startswith("_")}
    if row["anonymized"]:
        attrs["anonymized"] = True
    if row["documents"]:
        attrs["documents"] = row["documents"]
    if row["is_mentioned"]:
        attrs["mention_count"] = row["mention_count"]
    return Entity(id=row["id"], name=row["name"], type=row["type"], aliases=row["aliases"], attrs=attrs)


def reduced_relations(relations: Any, entities: Any) -> Any:
    """One row per relation key, the smallest evidence rank's, in table order, with both ends' names."""
    from pyspark.sql import functions as F

    kinds = F.lit(len(RELATION_TYPES))
    for i, kind in reversed(list(enumerate(RELATION_TYPES))):
        kinds = F.when(F.col("relation") == kind, i).otherwise(kinds)
    ev = F.col("evidence")
    rows = relations.select(
        kinds.alias("kind"), "source_id", "relation", "target_id",
        F.coalesce(F.get_json_object("properties", "$.role"), F.lit("")).alias("role"),
        F.struct((F.get_json_object("properties", "$.inferred") == "true").alias("inferred"),
                 F.coalesce(F.get_json_object(ev, "$[0]"), F.lit("")).alias("ev_doc"),
                 F.coalesce(F.get_json_object(ev, "$[1]").cast("long"), F.lit(-1)).alias("ev_sentence"),
                 F.coalesce(F.get_json_object(ev, "$[2]").cast("long"), F.lit(-1)).alias("ev_start"),
                 F.col("properties"), ev).alias("rank"))
    kept = rows.groupBy("kind", "source_id", "relation", "target_id", "role").agg(F.min("rank").alias("rank"))
    names = entities.select("id", "name")
    s, t = names.alias("s"), names.alias("t")
    return (kept.join(s, F.col("source_id") == F.col("s.id"), "left")
            .join(t, F.col("target_id") == F.col("t.id"), "left")
            .select("kind", "source_id", "relation", "target_id", "role", F.col("rank.properties").alias("properties"),
                    F.col("rank.evidence").alias("evidence"), F.col("s.name").alias("source_name"),
                    F.col("t.name").alias("target_name"))
            .orderBy("kind", "source_id", "target_id", "role"))


def _relation(row: Any) -> tuple[Relation, dict[str, str]]:
    ev = json.loads(row["evidence"]) if row["evidence"] is not None else None
    r = Relation(row["source_id"], row["relation"], row["target_id"], json.loads(row["properties"]),
                 None if ev is None else Evidence(*ev))
    names = {k: v for k, v in ((r.source_id, row["source_name"]), (r.target_id, row["target_name"])) if v is not None}
    return r, names



def write_tables_with_spark(spark: Any, store: Store, live: Iterable[str], out_dir: str | Path,
                            steps: tuple = CORPUS_STEPS, keep_all: bool = False, bom: bool = False,
                            lang: str = "en") -> dict[str, int]:
    """`kg.stream.write_tables_from_store` with the fold on Spark: every CSV table of the documents
    `live` into `out_dir`, all or nothing (no graph.json); row counts. `bom`, `lang`: as
    `kg.sinks.tables.write_tables` writes them (the same row functions and writer)."""
    from pyspark.sql import functions as F

    live = sorted(set(live))
    renamed = store.folder / "renamed" / "renamed.parquet"  # beside the shards: where the executors read
    t = live_tables(spark, store, live, renamed, write_renamed(store, live, renamed, steps, keep_all))
    entities = reduced_entities(t["entities"], t["relations"]).cache()
    counts = {"documents": 0, "entities": 0, "relations": 0, "mentions": 0}
    try:
        with staged_folder(out_dir, last=MANIFEST) as out:
            with table_writer(out / "documents.csv", DOCUMENT_COLUMNS, bom, lang) as write:
                docs = t["documents"].select("doc", "path", "encoding", "sha256", "date", "source_format", "replaced",
                                             F.length("text").alias("chars"))
                for row in docs.orderBy("doc").toLocalIterator():
                    write(document_row(Document(id=row["doc"], path=row["path"], text="", encoding=row["encoding"],
                                                sha256=row["sha256"], date=row["date"] or "",
                                                source_format=row["source_format"], replaced=row["replaced"] or 0),
                                       chars=row["chars"]))
                    counts["documents"] += 1
            with table_writer(out / "sentences.csv", SENTENCE_COLUMNS, bom, lang) as write:
                ends = F.when(F.size("offsets") > 0, F.array(F.element_at("offsets", 1), F.element_at("offsets", -1)))
                sentences = t["sentences"].select("doc", "sentence", "text", "article", "kind",
                                                  F.coalesce(ends, F.array().cast("array<long>")).alias("offsets"))
                for row in sentences.orderBy("doc", "sentence").toLocalIterator():
                    write(sentence_row(Sentence(doc_id=row["doc"], index=row["sentence"], text=row["text"],
                                                offsets=list(row["offsets"]), article=row["article"], kind=row["kind"])))
            with table_writer(out / "mentions.csv", MENTION_COLUMNS, bom, lang) as write:
                order = ("doc", "sentence", "start", "end", "type", "source", "norm", "entity_id")
                for row in t["mentions"].orderBy(*order).toLocalIterator():
                    write(mention_row(Mention(doc_id=row["doc"], sentence=row["sentence"], start=row["start"],
                                              end=row["end"], text=row["text"], type=row["type"], norm=row["norm"],
                                              source=row["source"], article=row["article"],
                                              entity_id=row["entity_id"])))
                    counts["mentions"] += 1
            with table_writer(out / "entities.csv", ENTITY_COLUMNS, bom, lang) as write:
                for row in entities.orderBy("id").toLocalIterator():
                    write(entity_row(_entity(row)))
                    counts["entities"] += 1
            with table_writer(out / "relations.csv", RELATION_COLUMNS, bom, lang) as write:
                for row in reduced_relations(t["relations"], entities).toLocalIterator():
                    write(relation_row(*_relation(row)))
                    counts["relations"] += 1
            (out / "graph.json").unlink(missing_ok=True)
            seal(out, out_dir)
    finally:
        entities.unpersist()
    (Path(out_dir) / "graph.json").unlink(missing_ok=True)  # a previous build's, out of step with these tables
    return counts

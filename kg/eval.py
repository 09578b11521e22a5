"""`kg eval`: build each gold document on its own and score it the way ../shared/eval/score.py does.

The scorer below follows score.py rule for rule (a user's clone has no ../shared): predicted and
gold entities match on any shared surface form of the same type, one to one; a second match is
a duplicate, a node hitting two gold entities an over-merge; relations match when both ends map
to the gold ends (EVENT_AT: the place, and the date where the gold gives one). It reads the
same CSV files `kg build` writes, so what is scored is what users get.
"""

from __future__ import annotations

import csv
import json
import re
import tempfile
import unicodedata
from collections import defaultdict
from pathlib import Path

from kg.errors import KgError
from kg.gold import load_gold

TYPES = {"PERSON": "PERSON", "PER": "PERSON", "NR": "PERSON", "NAME": "PERSON",
         "ORG": "ORG", "ORGANIZATION": "ORG", "NT": "ORG", "ORGANISATION": "ORG",
         "LOC": "LOC", "LOCATION": "LOC", "GPE": "LOC", "NS": "LOC", "PLACE": "LOC",
         "DATE": "DATE", "TIME": "DATE", "T": "DATE"}
RELS = ("BELONGS_TO", "PART_OF", "LOCATED_IN", "EVENT_AT")
ENTITY_TYPES = ("PERSON", "ORG", "LOC", "DATE", "ALL")


def _norm(s) -> str:
    """Spaces removed and NFKC-folded (as score.py): full-width １月９日 and 1月9日 are one form."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", s or ""))


def _counts(tp: int, n_pred: int, n_gold: int) -> dict:
    return {"tp": tp, "pred": n_pred, "gold": n_gold}


def prf(c: dict) -> dict:
    p = c["tp"] / c["pred"] if c["pred"] else 0.0
    r = c["tp"] / c["gold"] if c["gold"] else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"p": round(p, 4), "r": round(r, 4), "f1": round(f, 4), **c}


def _load_pred(out_dir: Path):
    from kg.sinks.tables import split_list
    ents, names = {}, {}
    with open(out_dir / "entities.csv", newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            names[row["id"]] = row.get("name") or row["id"]  # events too, for the report
            t = TYPES.get((row.get("type") or "").strip().upper())
            if not t:
                continue
            forms = {_norm(row.get("name"))} | {_norm(a) for a in split_list(row.get("aliases"))}
            forms.discard("")
            ents[row["id"]] = {"type": t, "forms": forms, "name": row.get("name")}
    rels = []
    with open(out_dir / "relations.csv", newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            try:
                props = json.loads(row.get("properties") or "{}")
            except ValueError:
                props = {}
            rels.append({"s": row.get("source_id"), "t": row.get("target_id"),
                         "type": (row.get("relation") or "").strip().upper(), "props": props})
    return ents, rels, names


def score(gold: dict, out_dir: Path) -> dict:
    """Counts and details for one document (see module docstring)."""
    gents = [{"name": e["name"], "type": e["type"], "forms": {_norm(e["name"])} | {_norm(a) for a in e.get("aliases", [])}}
             for e in gold["entities"]]
    form_index = defaultdict(list)
    for i, g in enumerate(gents):
        for f in g["forms"]:
            form_index[(g["type"], f)].append(i)
    pents, prels, names = _load_pred(out_dir)
    pred_to_gold, taken, dups, overmerge, fps = {}, set(), [], [], []
    order = sorted(pents.items(), key=lambda kv: 0 if (kv[1]["type"], _norm(kv[1]["name"])) in form_index else 1)
    for pid, p in order:
        hits = {i for f in p["forms"] for i in form_index.get((p["type"], f), [])}
        if len(hits) > 1:
            overmerge.append(p["name"])
        free = [i for i in hits if i not in taken]
        if free:
            free.sort(key=lambda i: 0 if _norm(gents[i]["name"]) == _norm(p["name"]) else 1)
            pred_to_gold[pid] = free[0]
            taken.add(free[0])
            for i in hits:
                pred_to_gold.setdefault(pid, i)
        elif hits:
            dups.append(p["name"])
            pred_to_gold[pid] = sorted(hits)[0]
        else:
            fps.append(f'{p["type"]}:{p["name"]}')
    res: dict = {"doc": gold["doc"], "entities": {}, "relations": {}}
    for t in ENTITY_TYPES:
        gi = [i for i, g in enumerate(gents) if t == "ALL" or g["type"] == t]
        pi = [pid for pid, p in pents.items() if t == "ALL" or p["type"] == t]
        res["entities"][t] = _counts(len([i for i in gi if i in taken]), len(pi), len(gi))
    res["duplicates"], res["over_merged"], res["false_entities"] = dups, overmerge, fps
    res["missed_entities"] = [f'{g["type"]}:{g["name"]}' for i, g in enumerate(gents) if i not in taken]
    gidx = {_norm(g["name"]): i for i, g in enumerate(gents)}
    gold_rels = defaultdict(set)
    for r in gold.get("relations", []):
        t = r["type"].upper()
        if t == "EVENT_AT":
            gold_rels[t].add((gidx.get(_norm(r["tail"])), _norm(r.get("date", ""))))
        else:
            hi, ti = gidx.get(_norm(r["head"])), gidx.get(_norm(r["tail"]))
            if hi is not None and ti is not None:
                gold_rels[t].add((hi, ti))
    pred_rels = defaultdict(set)
    for r in prels:
        if r["type"] not in RELS:
            continue
        if r["type"] == "EVENT_AT":
            ti = pred_to_gold.get(r["t"])
            date = _norm(str(r["props"].get("date", "")))
            # the gold events this one matches, in a fixed order (not the set's, which follows the hash
            # seed): one not matched yet, then the same date, then one that gives a date, then by date
            fits = sorted((g for g in gold_rels["EVENT_AT"]
                           if g[0] == ti and (not g[1] or g[1] in date or (date and date in g[1]))),
                          key=lambda g: (g in pred_rels["EVENT_AT"], g[1] != date, not g[1], g[1]))
            pred_rels["EVENT_AT"].add(fits[0] if fits else ("x", r["s"], r["t"], date))
        else:
            hi, ti = pred_to_gold.get(r["s"]), pred_to_gold.get(r["t"])
            pred_rels[r["type"]].add((hi, ti) if hi is not None and ti is not None else ("x", r["s"], r["t"]))
    for t in RELS:
        res["relations"][t] = _counts(len(pred_rels[t] & gold_rels[t]), len(pred_rels[t]), len(gold_rels[t]))

    def gold_name(i) -> str:
        return gents[i]["name"] if isinstance(i, int) else "?"

    def pred_name(pid) -> str:
        name = names.get(pid, pid)
        return name if len(name) <= 30 else name[:30] + "…"

    def show(t: str, key: tuple) -> str:
        if key[0] == "x":  # a predicted relation with no gold twin: its own names
            return f"{pred_name(key[1])} -{t}-> {pred_name(key[2])}" + (f" ({key[3]})" if len(key) > 3 and key[3] else "")
        if t == "EVENT_AT":
            return f"-{t}-> {gold_name(key[0])}" + (f" ({key[1]})" if key[1] else "")
        return f"{gold_name(key[0])} -{t}-> {gold_name(key[1])}"

    res["missed_relations"] = sorted(show(t, k) for t in RELS for k in gold_rels[t] - pred_rels[t])
    res["false_relations"] = sorted(show(t, k) for t in RELS for k in pred_rels[t] - gold_rels[t])
    res["relations"]["ALL"] = {k: sum(res["relations"][t][k] for t in RELS) for k in ("tp", "pred", "gold")}
    return res


def _find_document(name: str, gold_dir: Path, seeds_dir: Path | None, docs_dir: Path | None = None) -> Path:
    """The gold document's text: among the seeds (given, or seeds/ near the gold) or in the docs folder
    (given, or docs/ beside the gold folder: tests/data/docs beside tests/data/gold)."""
    candidates = [seeds_dir / name] if seeds_dir else []
    candidates += [docs_dir / name] if docs_dir else [gold_dir.parent / "docs" / name]
    candidates += [gold_dir.parent / "seeds" / name, gold_dir.parent.parent / "seeds" / name, Path("seeds") / name]
    for c in candidates:
        if c.is_file():
            return c
    raise KgError(f"{gold_dir}: gold for {name}, but the document is not in " + ", ".join(map(str, candidates)))


def evaluate(gold_dir: Path, seeds_dir: Path | None = None, model: str | None = None,
             docs_dir: Path | None = None, pattern: str = "*.json") -> dict:
    """Build each gold document alone, score it, and sum the counts (micro-average).

    `pattern` picks gold files of a folder (`pd_*.json`: the People's Daily articles only)."""
    from kg.config import BuildConfig
    from kg.pipeline import Pipeline
    from kg.sinks.tables import write_tables

    gold_dir = Path(gold_dir)
    gold_files = sorted(gold_dir.glob(pattern)) if gold_dir.is_dir() else [gold_dir]
    if not gold_files:
        raise KgError(f"{gold_dir}: no gold {pattern} files")
    for gf in gold_files:
        load_gold(gf)  # every gold file checked before the model loads
    config = BuildConfig()
    if model:
        config.model = model
    pipeline = Pipeline(config)
    docs = []
    for gf in gold_files:
        gold = load_gold(gf)  # malformed gold, or a doc with path components: one line naming the file
        path = _find_document(gold["doc"], gold_dir if gold_dir.is_dir() else gold_dir.parent, seeds_dir, docs_dir)
        with tempfile.TemporaryDirectory() as tmp:
            write_tables(pipeline.build([path]), tmp)
            docs.append(score(gold, Path(tmp)))
    total: dict = {"entities": {}, "relations": {}}
    for part, keys in (("entities", ENTITY_TYPES), ("relations", (*RELS, "ALL"))):
        for t in keys:
            total[part][t] = prf({k: sum(d[part][t][k] for d in docs) for k in ("tp", "pred", "gold")})
        for d in docs:
            d[part] = {t: prf(c) for t, c in d[part].items()}
    total["duplicates"] = sum(len(d["duplicates"]) for d in docs)
    total["over_merged"] = sum(len(d["over_merged"]) for d in docs)
    return {"documents": docs, "total": total}


def format_report(report: dict) -> str:
    lines = []
    rows = [(d["doc"], d) for d in report["documents"]] + [("ALL DOCUMENTS (micro)", report["total"])]
    for name, d in rows:
        lines.append(name)
        for part in ("entities", "relations"):
            for t, v in d[part].items():
                lines.append(f"  {part[:3]} {t:11s} P={v['p']:.3f} R={v['r']:.3f} F1={v['f1']:.3f}"
                             f"  (tp {v['tp']}, pred {v['pred']}, gold {v['gold']})")
        dup = d["duplicates"] if isinstance(d["duplicates"], int) else len(d["duplicates"])
        om = d["over_merged"] if isinstance(d["over_merged"], int) else len(d["over_merged"])
        lines.append(f"  duplicates={dup} over_merged={om}")
        for key in ("missed_entities", "false_entities", "missed_relations", "false_relations"):
            if d.get(key):
                lines.append(f"  {key.replace('_', ' ')}: " + "; ".join(d[key]))
    return "\n".join(lines)

"""Events on CEC (Chinese Emergency Corpus): are the places and days where things happened found?

    python bench/cec_events.py [--cec ../shared/corpora/cec-emergency-events/CEC-Corpus.tar.xz]
                               [--limit N] [--threads 1] [--misses FILE] [--errors]

CEC annotates 5 kinds of emergency reports (traffic, fire, earthquake, food poisoning, terror)
with every event's trigger, time, location and participants, and each report's ReportTime. Each
report is built alone (title line, then one paragraph a line; the document's date is the
ReportTime's day) and scored:

- place recall: of the annotated events with a Location and a Time, the share whose Location
  holds (or is held by) the name or an alias of one of the document's EVENT_AT targets;
- place precision: of the distinct (document, EVENT_AT target) pairs, the share whose name or an
  alias lies in (or holds) some annotated Location of that document;
- date right: of the place-recalled events of a report with a known day, the share whose EVENT_AT
  edge to that place carries the day the annotated Time means (read by the project's date
  resolver against the ReportTime: the Time annotation gives the words, not the day), or, where
  that Time names no day (当天, 事发时), a date whose words overlap the annotated ones;
- events per document: EVENT nodes made against events annotated (all, and with place and time).

CEC annotates each dateline as an event too (新华网 昆明 8月20日 电, a "statement"): those are the
report's filing, not an incident (see kg.ner.dateline), and are left out of every figure.

Locations CEC writes as a description (闹市区的一栋老式别墅) name no place a graph could hold; the
figures are also given for the events whose Location holds a name the build found (a LOC entity
of that document). `--errors` lists, one a line, MISS (an event's place no EVENT_AT edge reaches,
with the sentence naming it and the document's places), FALSE (an edge to a target no Location
holds) and DATE (the place found, at another day). Research use only (see the corpus README).
"""

from __future__ import annotations

import argparse
import io
import re
import sys
import tarfile
import time
import unicodedata
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
REPORTS = {"电", "专电", "讯", "消息", "报道"}  # a dateline's or a source's "event": the report itself
DEFAULT = ROOT.parent / "shared" / "corpora" / "cec-emergency-events" / "CEC-Corpus.tar.xz"


@dataclass
class Gold:
    name: str
    text: str
    date: str  # ISO day of the ReportTime, "" when it is not one
    events: list[dict] = field(default_factory=list)  # {"time", "location", "trigger"}


def _norm(s: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", s or ""))


def read_cec(archive: Path) -> list[Gold]:
    """The annotated reports of the corpus archive, in name order."""
    out = []
    with tarfile.open(archive) as tar:
        for member in sorted(tar.getmembers(), key=lambda m: m.name):
            if not (member.isfile() and member.name.endswith(".xml") and "/CEC/" in "/" + member.name):
                continue
            raw = tar.extractfile(member).read()
            try:
                body = ET.parse(io.BytesIO(raw)).getroot()
            except ET.ParseError as e:
                raise SystemExit(f"{archive}:{member.name}: not XML ({e})") from e
            title = _norm("".join(body.findtext("Title") or ""))
            report = (body.findtext("ReportTime") or "").strip()
            m = re.match(r"\s*(\d{4})\s*[-年/.]\s*(\d{1,2})\s*[-月/.]\s*(\d{1,2})", report)
            day = f"{int(m.group(1)):04d}-{int(m.group(2)):02d}-{int(m.group(3)):02d}" if m else ""
            paragraphs = [_norm("".join(p.itertext())) for p in body.iter("Paragraph")]
            events = []
            for ev in body.iter("Event"):
                loc, tim, den = ev.find("Location"), ev.find("Time"), ev.find("Denoter")
                if den is not None and _norm("".join(den.itertext())) in REPORTS:
                    continue  # 新华网昆明8月20日电: CEC marks the dateline as an event; it is the report's filing
                events.append({"location": _norm("".join(loc.itertext())) if loc is not None else "",
                               "time": _norm("".join(tim.itertext())) if tim is not None else "",
                               "trigger": _norm("".join(den.itertext())) if den is not None else ""})
            text = "\n".join([title, *[p for p in paragraphs if p]]) + "\n"
            out.append(Gold(Path(member.name).stem, text, day, events))
    return out


def _holds(a: str, b: str) -> bool:
    return bool(a) and bool(b) and (a in b or b in a)


def score(golds: list[Gold], result, resolver, misses: list | None = None, spurious: list | None = None) -> dict:
    """The figures of the module's docstring, from one build of all the reports; `misses` gets
    (document, time, location, trigger) of each event whose place was not found (trigger "DATE want …
    got …" where the place was found at another day), `spurious` the
    (document, relation) of each EVENT_AT edge to a target no annotated Location holds."""
    from kg.ner.dates import DateBase, parse_iso_day

    names = {e.id: {_norm(e.name), *(_norm(a) for a in e.aliases)} - {""} for e in result.entities}
    edges: dict[str, list] = {}
    locs: dict[str, set[str]] = {}
    events_made: dict[str, int] = {}
    for e in result.entities:
        for d in e.documents:
            if e.type == "LOC":
                locs.setdefault(d, set()).update(names[e.id])
            elif e.type == "EVENT":
                events_made[d] = events_made.get(d, 0) + 1
    for r in result.relations:
        if r.relation == "EVENT_AT" and r.evidence is not None:
            edges.setdefault(r.evidence.doc_id, []).append(r)
    c = {k: 0 for k in ("events", "timed_placed", "recalled", "named", "named_recalled", "dated", "date_right",
                        "pred_places", "pred_right", "made")}
    for g in golds:
        doc = g.name + ".txt"
        c["events"] += len(g.events)
        c["made"] += events_made.get(doc, 0)
        gold_places = [e["location"] for e in g.events if e["location"]]
        targets = {(r.target_id) for r in edges.get(doc, [])}
        c["pred_places"] += len(targets)
        right = {t for t in targets if any(_holds(n, p) for n in names.get(t, ()) for p in gold_places)}
        c["pred_right"] += len(right)
        if spurious is not None:
            spurious += [(doc, r) for r in edges.get(doc, []) if r.target_id not in right]
        base = DateBase(parse_iso_day(g.date)) if g.date else None
        for e in g.events:
            if not (e["location"] and e["time"]):
                continue
            c["timed_placed"] += 1
            named = any(_holds(n, e["location"]) for n in locs.get(doc, ()))
            c["named"] += named
            hits = [r for r in edges.get(doc, []) if any(_holds(n, e["location"]) for n in names.get(r.target_id, ()))]
            if not hits:
                if misses is not None:
                    misses.append((doc, e["time"], e["location"], e["trigger"]))
                continue
            c["recalled"] += 1
            c["named_recalled"] += named
            if base is None:
                continue
            c["dated"] += 1
            want = resolver.to_iso(e["time"], base) or ""
            day = want if re.fullmatch(r"\d{4}-\d{2}-\d{2}", want) else ""
            for r in hits:
                got = str(r.properties.get("iso_date", ""))
                surface = _norm(str(r.properties.get("date", "")))
                if (day and got[:10] == day) or (not day and _holds(surface, e["time"])):
                    c["date_right"] += 1
                    break
            else:
                if misses is not None:
                    misses.append((doc, e["time"], e["location"],
                                   f"DATE want {day or e['time']} got {hits[0].properties.get('date', '')}"
                                   f" ({hits[0].properties.get('iso_date', '')})"))
    return c


def _print_errors(golds: list[Gold], result, misses: list, spurious: list) -> None:
    """MISS: an annotated event's place no EVENT_AT edge reaches, the sentence naming it and the
    document's places; FALSE: an EVENT_AT edge to a target no annotated Location holds."""
    texts = {g.name + ".txt": g.text for g in golds}
    names = {e.id: e.name for e in result.entities}
    places: dict[str, set[str]] = {}
    for e in result.entities:
        if e.type == "LOC":
            for d in e.documents:
                places.setdefault(d, set()).add(e.name)
    for doc, when, where, trigger in misses:
        if trigger.startswith("DATE "):  # a place found, at another day
            print(f"DATE\t{doc}\t{where}\t{when}\t{trigger[5:]}")
            continue
        said = next((s for s in re.split(r"(?<=[。！？\n])", texts[doc]) if where in s), "").strip()
        print(f"MISS\t{doc}\t{where}\t{when}\t{trigger}\t{said[:120]}\tLOC: {'、'.join(sorted(places.get(doc, ())))}")
    for doc, r in spurious:
        print(f"FALSE\t{doc}\t{names.get(r.target_id, r.target_id)}\t{r.properties.get('date', '')}\t"
              f"{r.properties.get('trigger', '')}\t{names.get(r.source_id, '')[:80]}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cec", type=Path, default=DEFAULT, help="CEC-Corpus.tar.xz (or the folder it came from)")
    ap.add_argument("--limit", type=int, default=0, help="only the first N reports (0: all)")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--misses", type=Path, help="write the events whose place was not found to this file")
    ap.add_argument("--errors", action="store_true",
                    help="list the missed events (with the sentence naming the place) and the spurious EVENT_AT edges")
    args = ap.parse_args()
    if not args.cec.exists():
        print(f"{args.cec}: no CEC archive (see ../shared/corpora/cec-emergency-events)", file=sys.stderr)
        return 2
    from kg.ner.dates import DateResolver
    from kg.pipeline import BuildConfig, Pipeline
    from kg.types import Document

    golds = read_cec(args.cec)
    if args.limit:
        golds = golds[: args.limit]
    docs = [Document(id=g.name + ".txt", path=g.name + ".txt", text=g.text, date=g.date) for g in golds]
    pipeline = Pipeline(BuildConfig(threads=args.threads))
    started = time.perf_counter()
    result = pipeline.build_documents(docs)
    seconds = time.perf_counter() - started
    misses: list = []
    spurious: list = []
    c = score(golds, result, DateResolver(), misses, spurious)
    if args.misses:
        args.misses.write_text("".join(f"{d}\t{t}\t{loc}\n" for d, t, loc, what in misses
                                       if not what.startswith("DATE ")), encoding="utf-8")
    if args.errors:
        _print_errors(golds, result, misses, spurious)
    chars = sum(len(g.text) for g in golds)

    def share(a: int, b: int) -> str:
        return f"{a / b:.3f} ({a}/{b})" if b else "-"

    print(f"CEC: {len(golds)} reports, {chars:,} characters, built in {seconds:.1f} s ({chars / seconds:,.0f} chars/s)")
    print(f"place recall (events with place and time)      {share(c['recalled'], c['timed_placed'])}")
    print(f"  … whose Location holds a name the build found  {share(c['named_recalled'], c['named'])}")
    print(f"place precision (EVENT_AT targets)              {share(c['pred_right'], c['pred_places'])}")
    print(f"date right (recalled, report day known)         {share(c['date_right'], c['dated'])}")
    print(f"events per report: made {c['made'] / len(golds):.2f}, annotated {c['events'] / len(golds):.2f} "
          f"(with place and time {c['timed_placed'] / len(golds):.2f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Commands only: parse arguments, call the pipeline or a sink, print results."""

from __future__ import annotations

import logging
import os
import signal
import sys
from pathlib import Path

import click

from kg.config import LANGS, MAX_BYTES, NEO4J, NEO4J_ENV, STAGES, BuildConfig, Columns, cli_workers
from kg.errors import KgError, printable

NEO4J_OPTIONS = [
    click.option("--uri", envvar=NEO4J_ENV["uri"][0], default=NEO4J.uri, show_default=True, show_envvar=True),
    click.option("--user", envvar=NEO4J_ENV["user"][0], default=NEO4J.user, show_default=True, show_envvar=True),
    click.option("--password", envvar=NEO4J_ENV["password"][0], default=NEO4J.password, show_envvar=True),
    click.option("--database", envvar=NEO4J_ENV["database"][0], default=NEO4J.database, show_envvar=True,
                 help="default: the server's default"),
    BATCH_OPTION := click.option("--batch-size", default=NEO4J.batch_size, show_default=True, type=click.IntRange(1)),
    click.option("--connect-timeout", envvar=NEO4J_ENV["connect_timeout"][0], default=NEO4J.connect_timeout,
                 show_default=True, type=click.FloatRange(0, min_open=True),
                 help="seconds to connect and handshake with Neo4j"),
    click.option("--query-timeout", envvar=NEO4J_ENV["query_timeout"][0], default=NEO4J.query_timeout,
                 show_default=True, type=click.FloatRange(0, min_open=True),
                 help="seconds one batch may run on the server (kg load gives up 30 s later on a server that stops answering)"),
]
ENVIRONMENT = "\b\nEnvironment:\n" + "\n".join(f"  {var:<15} {what}" for var, what in list(NEO4J_ENV.values())[:4])


def neo4j_options(f, batch: bool = True):
    options = NEO4J_OPTIONS if batch else [o for o in NEO4J_OPTIONS if o is not BATCH_OPTION]
    for opt in reversed(options):
        f = opt(f)
    return f


def neo4j_options_no_batch(f):
    return neo4j_options(f, batch=False)


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("kg")
    except PackageNotFoundError:  # run from a checkout that was never installed
        return "unknown (not installed)"


@click.group(epilog=ENVIRONMENT)
@click.version_option(_version(), "--version", prog_name="kg", message="%(prog)s %(version)s")
@click.option("--debug", is_flag=True, help="show tracebacks")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """kg: Chinese news → knowledge graph (entities, relations, provenance)."""
    ctx.obj = {"debug": debug}
    if debug:  # the Neo4j driver's retries and dropped connections, which kg holds back otherwise
        log = logging.getLogger("neo4j")
        level = log.level
        log.setLevel(logging.WARNING)
        ctx.call_on_close(lambda: log.setLevel(level))


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--out", "out_dir", required=True, type=click.Path(path_type=Path), help="output folder")
@click.option("--model", default=None, help="shipped model (default), a HanLP pretrained name, or a model dir")
@click.option("--strict", is_flag=True, help="any bad input file is an error (nothing is written)")
@click.option("--max-bytes", default=MAX_BYTES, show_default=True, type=click.IntRange(1),
              help="larger input files are refused")
@click.option("--html", "html_path", default=None, type=click.Path(path_type=Path), help="also render HTML")
@click.option("--neo4j", "to_neo4j", is_flag=True, help="also load into Neo4j")
@click.option("--threads", default=None, type=click.IntRange(1),
              help="CPU threads for the NER model in each worker (default: 1 with --workers, else torch's)")
@click.option("--workers", default=cli_workers(), show_default="the cores", type=click.IntRange(1),
              help="processes that tag and link documents, each loading the model once (≈ 600 MB each)")
@click.option("--engine", default="local", show_default=True, type=click.Choice(["local", "spark"]),
              help="spark: map documents on a Spark cluster (pip install pyspark)")
@click.option("--master", default="local[2]", show_default=True, help="Spark master: local[N], spark://HOST:PORT, yarn")
@click.option("--rebuild", is_flag=True, help="map every document again, ignoring OUT/store's stored results")
@click.option("--graph", "graph", default="auto", show_default=True, type=click.Choice(["auto", "yes", "no"]),
              help="write graph.json (auto: up to 10,000 documents; past that the tables are written "
                   "straight from OUT/store, in about flat memory)")
@click.option("--encoding", default=None, help="read every input in this encoding (default: detect)")
@click.option("--text-column", default="text", show_default=True, help="tables (.csv/.jsonl/.parquet): the text")
@click.option("--id-column", default=None, help="tables: document ids (default: a column `id`, else FILE#ROW)")
@click.option("--date-column", default=None, help="tables: document dates (default: a column `date`, if any)")
@click.option("--doc-date", default=None, type=click.DateTime(formats=["%Y-%m-%d"]),
              help="date (YYYY-MM-DD) of documents whose own date (dateline, file name) is unknown")
@click.option("--aliases", "aliases_path", default=None, type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="CSV of form,canonical,type: names that are one entity (empty canonical: keep people apart)")
@click.option("--bom", is_flag=True, help="CSV tables in UTF-8 with BOM, for Excel")
@click.option("--lang", type=click.Choice(LANGS), default="en", show_default=True,
              help="zh: Chinese CSV headers and relation/type names (kg render/load read both)")
@neo4j_options
def build(paths, out_dir, model, strict, max_bytes, html_path, to_neo4j, threads, workers, engine, master, rebuild,
          graph, encoding, text_column, id_column, date_column, doc_date, aliases_path, uri, user, password, database,
          batch_size, connect_timeout, query_timeout, bom, lang):
    """Build entity, relation and mention tables from files or folders.

    Text files, HTML pages (main text), tables of articles (.csv/.jsonl/.parquet, one document per
    row), .docx and .pdf with a text layer. Files that cannot be read (binary, scanned PDF, empty,
    undecodable) are skipped and listed on stderr, as are the bad lines or rows of a table (the rest
    of it is built); with --strict any of them is an error.
    Outputs are replaced atomically. Each document's result is kept in OUT/store (Parquet): a
    re-build maps only new and changed documents.
    """
    from tqdm import tqdm

    from kg.atomic import check_writable, output_lock
    from kg.engines.folder import build_folder
    from kg.relations.people import read_aliases
    from kg.text.read import find_inputs

    # a missing path, an id clash, a bad alias table or an unwritable output fails here, before the model loads
    inputs, skipped = find_inputs(paths, exclude=out_dir)  # not a previous build's own tables
    check_writable(out_dir)
    if to_neo4j:  # a server that is down or refuses us: say so now, not after the tagging
        from kg.sinks.neo4j import check_server

        check_server(uri, user, password, database, connect_timeout=connect_timeout)
    if strict and skipped:
        raise KgError(f"{len(skipped)} bad input file(s), none built (--strict): " + "; ".join(skipped))
    config = BuildConfig(strict=strict, max_bytes=max_bytes, threads=threads, workers=min(workers, len(inputs) or 1),
                         encoding=encoding, columns=Columns(text_column, id_column, date_column),
                         doc_date=doc_date.date().isoformat() if doc_date else "",
                         aliases=read_aliases(aliases_path) if aliases_path else None)
    if model:
        config.model = model
    click.get_current_context().with_resource(output_lock(out_dir))  # held until the command ends
    built = build_folder(inputs, config, out_dir, engine=engine, master=master, rebuild=rebuild, graph=graph,
                         progress=lambda total: tqdm(total=total, desc="building", unit="B", unit_scale=True,
                                                     disable=None), bom=bom, lang=lang)
    stored, result = built.stored, built.result
    stored.problems[:0] = skipped
    if not stored.live:
        raise KgError("no readable input: " + "; ".join(stored.problems or [str(p) for p in paths]))
    reused = f" ({stored.reused} unchanged, from {out_dir / 'store'})" if stored.reused else ""
    click.echo(f"built {len(stored.live)} documents{reused}: {built.counts['entities']} entities, "
               f"{built.counts['relations']} relations, {built.counts['mentions']} mentions → {printable(str(out_dir))}")
    from kg.sinks.tables import TableReader

    for d in TableReader(out_dir).documents():  # every reduce writes them: the warnings are the same from each
        if d.replaced:
            click.echo(f"kg: warning: {printable(d.path)}: {d.replaced} byte(s) did not decode as {d.encoding}; "
                       "replaced by U+FFFD", err=True)
    from kg.sources import PARTIAL

    parts = [p for p in stored.problems if p.endswith(PARTIAL)]  # a bad row or line; the file is built
    files = [p for p in stored.problems if not p.endswith(PARTIAL)]
    if files:
        click.echo(f"kg: skipped {len(files)} of {len(inputs) + len(skipped)} input files (use --strict to fail):",
                   err=True)
        for p in files:
            click.echo(f"  {printable(p)}", err=True)
    if parts:
        click.echo(f"kg: {len(parts)} part(s) of input files left out or replaced (use --strict to fail):", err=True)
        for p in parts:
            click.echo(f"  {printable(p)}", err=True)
    if html_path and result is None:
        from kg.sinks.tables import read_tables

        result = read_tables(out_dir)
    if html_path:
        from kg.sinks.html import render_html

        render_html(result, html_path, serve_dir=out_dir, note=_note)
        click.echo(f"html → {printable(str(html_path))}")
    if to_neo4j:
        _load(out_dir, uri, user, password, database, batch_size, connect_timeout, query_timeout)


def _note(message: str) -> None:
    click.echo(f"kg: note: {printable(message)}", err=True)


def _load(out_dir, uri, user, password, database, batch_size, connect_timeout, query_timeout, full=False,
          force=False) -> None:
    from kg.sinks.neo4j_rows import StreamedRows
    from kg.sinks.neo4j_sync import sync_graph

    rows = StreamedRows(out_dir)  # a damaged folder fails here, before any connection
    report = sync_graph(rows, Path(out_dir), uri=uri, user=user, password=password, database=database,
                        batch_size=batch_size, full=full, connect_timeout=connect_timeout,
                        query_timeout=query_timeout, force=force)
    mode, why = report.pop("mode"), report.pop("why")
    click.echo(f"neo4j: {mode} load ({why}): " + ", ".join(f"{k}={v}" for k, v in report.items()))


@cli.command()
@click.argument("out_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@neo4j_options
@click.option("--full", is_flag=True, help="send every row, not only what changed since the last load")
@click.option("--force", is_flag=True, help="load into a database that holds another output folder's load")
def load(out_dir, uri, user, password, database, batch_size, connect_timeout, query_timeout, full, force):
    """Make Neo4j mirror a build's output folder: the first load sends everything, later loads send
    only new and changed rows and delete what the output no longer has (ledger: OUT/neo4j-ledger.sqlite).
    A database holding another folder's load is refused unless --force."""
    _load(out_dir, uri, user, password, database, batch_size, connect_timeout, query_timeout, full=full,
          force=force)


@cli.command()
@click.argument("out_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("-o", "--output", required=True, type=click.Path(path_type=Path))
@click.option("--focus", default=None, help="draw only the neighbourhood of this name or alias")
@click.option("--hops", default=1, show_default=True, type=click.IntRange(0))
def render(out_dir, output, focus, hops):
    """Render an output folder as an interactive, offline HTML page."""
    from kg.sinks.html import render_html
    from kg.sinks.tables import read_tables

    render_html(read_tables(out_dir), output, focus=focus, hops=hops, serve_dir=out_dir, note=_note)
    click.echo(f"html → {output}")


@cli.command()
@click.argument("out_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--host", default="127.0.0.1", show_default=True, help="address to listen on (loopback: this machine only)")
@click.option("--port", default=8765, show_default=True, type=click.IntRange(0, 65535))
def serve(out_dir, host, port):
    """Explore an output folder in the browser: search, neighbourhoods, paths, the source text (read-only)."""
    from kg.serve.app import is_loopback, run

    if not is_loopback(host):
        click.echo(f"warning: --host {host} makes the graph and its source texts readable by anyone who can reach "
                   "this machine; kg serve has no login", err=True)
    run(out_dir, host=host, port=port, echo=click.echo)


EXPORT_FORMATS = ["csv", "xlsx", "parquet", "graphml", "gexf", "node-link", "neo4j-import"]


@cli.command()
@click.argument("out_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--format", "fmt", required=True, type=click.Choice(EXPORT_FORMATS))
@click.option("-o", "--output", default=None, type=click.Path(path_type=Path),
              help="target folder (default: OUT_DIR/export-FORMAT)")
@click.option("--bom", is_flag=True, help="CSV: UTF-8 with BOM, for Excel")
@click.option("--lang", type=click.Choice(LANGS), default="en", show_default=True,
              help="tables: zh gives Chinese headers, sheet names and relation/type names")
def export(out_dir, fmt, output, bom, lang):
    """Export relation tables and graph formats for spreadsheets, Gephi, Cytoscape, neo4j-admin."""
    from kg.sinks.tables import read_tables

    target = output or Path(out_dir) / f"export-{fmt}"
    if target.exists() and target.resolve() == Path(out_dir).resolve():
        raise KgError(f"{target}: is the build folder itself; exporting into it would replace or mix with the "
                      f"build's own tables: give another -o (default {out_dir}/export-{fmt})")
    if fmt == "neo4j-import":  # streamed from the tables, never the whole graph in memory
        from kg.sinks.neo4j_import import export_for_import

        files = export_for_import(out_dir, target)
    else:
        from kg.sinks.export import export as export_result

        notes: list[str] = []
        files = export_result(read_tables(out_dir), target, fmt, bom=bom, lang=lang, notes=notes)
        for note in notes:
            click.echo(f"kg: warning: {printable(note)}", err=True)
    for f in files:
        click.echo(str(f))


@cli.command()
@click.option("--gold", "gold_dir", required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--seeds", "seeds_dir", default=None, type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="where the gold documents are (default: seeds/ beside the gold, then ./seeds)")
@click.option("--docs", "docs_dir", default=None, type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="other gold documents' texts (default: docs/ beside the gold folder)")
@click.option("--only", "pattern", default="*.json", show_default=True, help="gold files to score (e.g. 'pd_*')")
@click.option("--model", default=None)
@click.option("--json", "as_json", is_flag=True)
def eval(gold_dir, seeds_dir, docs_dir, pattern, model, as_json):  # noqa: A001  (the command is named eval)
    """Build each gold document on its own and score it against its gold graph."""
    from kg.eval import evaluate, format_report

    report = evaluate(gold_dir, seeds_dir=seeds_dir, model=model, docs_dir=docs_dir, pattern=pattern)
    if as_json:
        import json

        click.echo(json.dumps(report, ensure_ascii=False, indent=1))
    else:
        click.echo(format_report(report))


@cli.command()
@click.option("--corpora", required=True, type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="folder with msra-ner/, pku-peoples-daily-1998/ (e.g. ../shared/corpora)")
@click.option("--out", "out_dir", default=None, type=click.Path(path_type=Path),
              help="model folder (default: the package's shipped model folder)")
@click.option("--epochs", default=None, type=int, help="stage-1 epochs (default: the shipped model's recipe)")
@click.option("--init-from", default=None, type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="the model of the stage before --from-stage: training starts from it")
@click.option("--from-stage", default=None, type=click.IntRange(1, 3),
              help="first stage to run (default: 1, or 2 with --init-from)")
@click.option("--threads", default=1, show_default=True, type=click.IntRange(1), help="torch CPU threads")
def train(corpora, out_dir, epochs, init_from, from_stage, threads):
    """Train the NER model from the public corpora (reproduces the shipped model).

    Stage 1 trains the bigram BiLSTM-CRF; stage 2 adds lexicon features and fine-tunes it; stage 3
    fine-tunes stage 2's best model again at half the lr."""
    from kg.ner.train import train_model

    if from_stage and from_stage > 1 and init_from is None:
        raise click.UsageError(f"--from-stage {from_stage} needs --init-from (the stage-{from_stage - 1} model)")
    scores = train_model(corpora, out_dir, epochs=epochs, init_from=init_from, from_stage=from_stage,
                         threads=threads)
    for k, v in scores.items():
        click.echo(f"{k}: {v}")


@cli.command()
def stages():
    """List the stages that map each document, in order: name, version, scope, what it does.

    The pipeline is kg.config.STAGES; a stage of your own goes in by name (docs: Adding a stage)."""
    from kg.stages import REGISTRY

    for name in STAGES:
        stage = REGISTRY[name]
        what = (stage.__doc__ or "").strip().splitlines()[0] if stage.__doc__ else ""
        click.echo(f"{name:14s} v{stage.version:3s} {stage.scope:10s} {what}")


INT64 = 2 ** 63  # Bolt's integers are 64-bit


def _param(text: str) -> tuple[str, object]:
    key, sep, val = text.partition("=")
    if not sep or not key:
        raise click.BadParameter(f"{text!r}: expected KEY=VALUE", param_hint="--param")
    try:
        number = int(val)  # limit=5
    except ValueError:
        number = None
    if key == "limit" and (number is None or number < 0):
        raise click.BadParameter(f"limit={val!r}: expected a whole number, 0 or more", param_hint="--param")
    if number is None:
        return key, val
    if not -INT64 <= number < INT64:
        raise click.BadParameter(f"{key}={val}: out of the 64-bit integer range Neo4j holds", param_hint="--param")
    return key, number


@cli.command()
@click.argument("name", required=False)
@click.option("--param", "params", multiple=True, metavar="KEY=VALUE", help="a query parameter (repeat for more)")
@click.option("--cypher", default=None, help="run this Cypher instead of a cookbook query ($params from --param)")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True)
@neo4j_options_no_batch
def query(name, params, cypher, fmt, uri, user, password, database, connect_timeout, query_timeout):
    """Run a cookbook query (kg.cypher) or any Cypher against the Neo4j server; print the rows.

    Without NAME or --cypher, list the cookbook's queries and their parameters.
    """
    import neo4j.exceptions as neo4j_exc

    from kg.cypher import QUERIES, run_cypher, run_query
    from kg.sinks.neo4j import neo4j_error, open_driver

    if name is None and cypher is None:
        for q in QUERIES.values():
            click.echo(f"{q.name}  ({', '.join(q.params)})  {q.question}")
        return
    if name is not None and cypher is not None:
        raise click.UsageError("give a cookbook NAME or --cypher, not both")
    if name is not None and name not in QUERIES:
        raise click.UsageError(f"no cookbook query {name!r}; choose one of {', '.join(QUERIES)}")
    values = dict(_param(p) for p in params)
    driver = open_driver(uri, user, password, database, connect_timeout=connect_timeout)
    try:
        if cypher is not None:
            rows = run_cypher(driver, cypher, database=database, timeout=query_timeout, **values)
        else:
            try:
                rows = run_query(driver, name, database=database, timeout=query_timeout, **values)
            except TypeError as err:  # a missing parameter
                raise click.UsageError(f"{err} (--param KEY=VALUE)") from err
    except (neo4j_exc.Neo4jError, neo4j_exc.DriverError) as err:  # a syntax error, a bad value
        raise neo4j_error(err, uri, user, database) from err
    finally:
        driver.close()
    click.echo(_format_rows(rows, fmt), nl=False)


def _format_rows(rows: list[dict], fmt: str) -> str:
    import json

    if fmt == "json":
        return json.dumps(rows, ensure_ascii=False, indent=1, default=str) + "\n"
    import pandas as pd

    frame = pd.DataFrame(rows)
    if fmt == "csv":
        return frame.to_csv(index=False)
    if frame.empty:
        return "(no rows)\n"
    with pd.option_context("display.unicode.east_asian_width", True, "display.max_colwidth", 60,
                           "display.width", 200, "display.max_rows", None):
        return frame.to_string(index=False) + f"\n({len(frame)} rows)\n"


EXAMPLES = {
    "build": "kg build seeds/ --out out/ --threads 1 --html out/graph.html",
    "load": "NEO4J_PASSWORD=secret kg load out/",
    "render": "kg render out/ -o zhang.html --focus 张三 --hops 2",
    "export": "kg export out/ --format xlsx --lang zh",
    "eval": "kg eval --gold tests/data/gold",
    "train": "kg train --corpora ../shared/corpora --out models/new",
    "query": "kg query officers_of_unit --param unit=某市公安局 --format csv",
    "serve": "kg serve out/ --port 8765   # then open http://127.0.0.1:8765/",
    "stages": "kg stages",
}
for _name, _example in EXAMPLES.items():
    if _name in cli.commands:
        _cmd = cli.commands[_name]
        _env = ENVIRONMENT if any(p.name == "uri" for p in _cmd.params) else ""
        _cmd.epilog = "\b\nExample:\n  " + _example + ("\n\n" + _env if _env else "")


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; one line on stderr and a status for every way it can end (130: interrupted)."""
    code = _run(argv)
    if argv is None and code != 130:
        # `kg` itself: a Ctrl-C while the interpreter shuts down (torch's threads, atexit handlers)
        # is the same one line and 130, not an exit by signal with no word
        signal.signal(signal.SIGINT, _interrupted_at_exit)
    return code


def _interrupted_at_exit(_signum, _frame) -> None:
    sys.stdout.flush()
    click.echo("kg: interrupted; nothing was half-written (outputs keep their previous contents)", err=True)
    sys.stderr.flush()
    os._exit(130)


def _run(argv: list[str] | None) -> int:
    debug = "--debug" in (argv if argv is not None else sys.argv[1:])
    try:
        try:
            cli.main(args=argv, prog_name="kg", standalone_mode=False)
        except (click.exceptions.Abort, KeyboardInterrupt):
            return _interrupted(argv is None)
        except click.ClickException as err:
            err.show()
            return err.exit_code
        except KgError as err:
            if debug:
                raise
            click.echo(f"kg: error: {printable(str(err))}", err=True)
            return 1
        except OSError as err:  # disk full, permissions, a folder where a file should be: the user's to fix
            if debug:
                raise
            click.echo(f"kg: error: {printable(_os_error(err))}", err=True)
            return 1
        except Exception as err:  # a bug or a library's surprise: still one line; --debug shows the traceback
            if debug:
                raise
            first = (str(err).strip().splitlines() or [""])[0]
            click.echo(f"kg: error: {printable(f'{type(err).__name__}: {first}')} (kg --debug shows the traceback)",
                       err=True)
            return 1
    except KeyboardInterrupt:  # a second Ctrl-C while reporting the first
        return _interrupted(argv is None)
    return 0


def _interrupted(as_command: bool) -> int:
    """Ctrl-C: one line and status 130; outputs are replaced atomically, so none is half-written."""
    if as_command:  # `kg` itself (not a caller's main([...])): a second Ctrl-C now must not cut the exit short
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    click.echo("kg: interrupted; nothing was half-written (outputs keep their previous contents)", err=True)
    return 130


def _os_error(err: OSError) -> str:
    """'path: cause' (kg.atomic names the file of an OSError raised without one, a full disk in a flush)."""
    return f"{err.filename}: {err.strerror or err}" if err.filename else str(err.strerror or err)


if __name__ == "__main__":
    sys.exit(main())

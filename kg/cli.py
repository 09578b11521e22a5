"""Commands only: parse arguments, call the pipeline or a sink, print results."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from kg.errors import KgError

NEO4J_OPTIONS = [
    click.option("--uri", envvar="NEO4J_URI", default="bolt://127.0.0.1:7687", show_default=True),
    click.option("--user", envvar="NEO4J_USER", default="neo4j", show_default=True),
    click.option("--password", envvar="NEO4J_PASSWORD", default=None),
    click.option("--database", envvar="NEO4J_DATABASE", default=None, help="default: the server's default"),
    click.option("--batch-size", default=1000, show_default=True, type=click.IntRange(1)),
]


def neo4j_options(f):
    for opt in reversed(NEO4J_OPTIONS):
        f = opt(f)
    return f


@click.group()
@click.option("--debug", is_flag=True, help="show tracebacks")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """kg: Chinese news → knowledge graph (entities, relations, provenance)."""
    ctx.obj = {"debug": debug}


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--out", "out_dir", required=True, type=click.Path(path_type=Path), help="output folder")
@click.option("--model", default=None, help="shipped model (default), a HanLP pretrained name, or a model dir")
@click.option("--strict", is_flag=True, help="any bad input file is an error (nothing is written)")
@click.option("--max-bytes", default=200 * 1024 * 1024, show_default=True, type=click.IntRange(1),
              help="larger input files are refused")
@click.option("--html", "html_path", default=None, type=click.Path(path_type=Path), help="also render HTML")
@click.option("--neo4j", "to_neo4j", is_flag=True, help="also load into Neo4j")
@click.option("--threads", default=None, type=click.IntRange(1),
              help="CPU threads for the NER model in each worker (default: 1 with --workers, else torch's)")
@click.option("--workers", default=os.cpu_count() or 1, show_default="the cores", type=click.IntRange(1),
              help="processes that tag and link documents, each loading the model once (≈ 600 MB each)")
@click.option("--engine", default="local", show_default=True, type=click.Choice(["local", "spark"]),
              help="spark: map documents on a Spark cluster (pip install pyspark)")
@click.option("--master", default="local[2]", show_default=True, help="Spark master: local[N], spark://HOST:PORT, yarn")
@click.option("--rebuild", is_flag=True, help="map every document again, ignoring OUT/store's stored results")
@click.option("--graph", "graph", default="auto", show_default=True, type=click.Choice(["auto", "yes", "no"]),
              help="write graph.json (auto: up to 10,000 documents; past that the tables are written "
                   "straight from OUT/store, in about flat memory)")
@neo4j_options
def build(paths, out_dir, model, strict, max_bytes, html_path, to_neo4j, threads, workers, engine, master, rebuild,
          graph, uri, user, password, database, batch_size):
    """Build entity, relation and mention tables from text files or folders.

    Files that are not text (binary, PDF, empty, undecodable) are skipped and listed on stderr;
    with --strict any of them is an error. Outputs are replaced atomically. Each document's result
    is kept in OUT/store (Parquet): a re-build maps only new and changed documents.
    """
    from tqdm import tqdm

    from kg.atomic import check_writable
    from kg.engines.folder import build_folder
    from kg.pipeline import BuildConfig
    from kg.text.read import iter_input_files

    files = list(iter_input_files(paths))  # a missing path fails here, before the model loads
    out_abs = out_dir.resolve()
    files = [f for f in files if out_abs not in f.resolve().parents]  # not a previous build's own tables
    check_writable(out_dir)  # likewise an unwritable output folder: fail now, not after the tagging
    config = BuildConfig(strict=strict, max_bytes=max_bytes, threads=threads, workers=min(workers, len(files) or 1))
    if model:
        config.model = model
    built = build_folder(files, config, out_dir, engine=engine, master=master, rebuild=rebuild, graph=graph,
                         progress=lambda total: tqdm(total=total, desc="building", unit="B", unit_scale=True,
                                                     disable=None))
    stored, result = built.stored, built.result
    if not stored.live:
        raise KgError("no readable input: " + "; ".join(stored.problems or [str(p) for p in paths]))
    reused = f" ({stored.reused} unchanged, from {out_dir / 'store'})" if stored.reused else ""
    click.echo(f"built {len(stored.live)} documents{reused}: {built.counts['entities']} entities, "
               f"{built.counts['relations']} relations, {built.counts['mentions']} mentions → {out_dir}")
    if stored.problems:
        n = len(stored.problems)
        click.echo(f"kg: skipped {n} of {n + len(stored.live)} input files (use --strict to fail):",
                   err=True)
        for p in stored.problems:
            click.echo(f"  {p}", err=True)
    if (html_path or to_neo4j) and result is None:
        from kg.sinks.tables import read_tables

        result = read_tables(out_dir)
    if html_path:
        from kg.sinks.html import render_html

        render_html(result, html_path)
        click.echo(f"html → {html_path}")
    if to_neo4j:
        _load(result, uri, user, password, database, batch_size)


def _load(result, uri, user, password, database, batch_size) -> None:
    from kg.sinks.neo4j import load_graph

    report = load_graph(result, uri=uri, user=user, password=password, database=database, batch_size=batch_size)
    click.echo("neo4j: " + ", ".join(f"{k}={v}" for k, v in report.items()))


@cli.command()
@click.argument("out_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@neo4j_options
def load(out_dir, uri, user, password, database, batch_size):
    """Load a build's output folder into Neo4j (idempotent, batched)."""
    from kg.sinks.tables import read_tables

    _load(read_tables(out_dir), uri, user, password, database, batch_size)


@cli.command()
@click.argument("out_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("-o", "--output", required=True, type=click.Path(path_type=Path))
@click.option("--focus", default=None, help="draw only the neighbourhood of this name or alias")
@click.option("--hops", default=1, show_default=True, type=click.IntRange(0))
def render(out_dir, output, focus, hops):
    """Render an output folder as an interactive, offline HTML page."""
    from kg.sinks.html import render_html
    from kg.sinks.tables import read_tables

    render_html(read_tables(out_dir), output, focus=focus, hops=hops)
    click.echo(f"html → {output}")


EXPORT_FORMATS = ["csv", "xlsx", "parquet", "graphml", "node-link", "neo4j-import"]


@cli.command()
@click.argument("out_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--format", "fmt", required=True, type=click.Choice(EXPORT_FORMATS))
@click.option("-o", "--output", default=None, type=click.Path(path_type=Path),
              help="target folder (default: OUT_DIR/export-FORMAT)")
@click.option("--bom", is_flag=True, help="CSV: UTF-8 with BOM, for Excel")
def export(out_dir, fmt, output, bom):
    """Export relation tables and graph formats for spreadsheets, Gephi, Cytoscape, neo4j-admin."""
    from kg.sinks.tables import read_tables

    result = read_tables(out_dir)
    target = output or Path(out_dir) / f"export-{fmt}"
    if fmt == "neo4j-import":
        from kg.sinks.neo4j_import import write_import_csv

        files = write_import_csv(result, target)
    else:
        from kg.sinks.export import export as export_result

        files = export_result(result, target, fmt, bom=bom)
    for f in files:
        click.echo(str(f))


@cli.command()
@click.option("--gold", "gold_dir", required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--seeds", "seeds_dir", default=None, type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="where the gold documents are (default: seeds/ beside the gold, then ./seeds)")
@click.option("--model", default=None)
@click.option("--json", "as_json", is_flag=True)
def eval(gold_dir, seeds_dir, model, as_json):  # noqa: A001  (the command is named eval)
    """Build each gold document on its own and score it against its gold graph."""
    from kg.eval import evaluate, format_report

    report = evaluate(gold_dir, seeds_dir=seeds_dir, model=model)
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


def main(argv: list[str] | None = None) -> int:
    debug = "--debug" in (argv if argv is not None else sys.argv[1:])
    try:
        cli.main(args=argv, prog_name="kg", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("kg: aborted", err=True)
        return 130
    except click.ClickException as err:
        err.show()
        return err.exit_code
    except KgError as err:
        if debug:
            raise
        click.echo(f"kg: error: {err}", err=True)
        return 1
    except OSError as err:  # disk full, permissions, a folder where a file should be: the user's to fix
        if debug:
            raise
        where = f"{err.filename}: " if err.filename else ""
        click.echo(f"kg: error: {where}{err.strerror or err}", err=True)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

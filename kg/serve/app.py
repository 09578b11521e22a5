"""The Starlette app of `kg serve`: one page, its static files, a read-only JSON API.

Only GET (and HEAD) routes exist; the database is opened read-only (`mode=ro`), one connection
per worker thread; ids in requests are looked up in it, never used as paths. Errors are one-line
JSON messages with a 4xx status.
"""

from __future__ import annotations

import contextlib
import socket
import sqlite3
import threading
from pathlib import Path

import pyvis
from jinja2 import Environment, FileSystemLoader
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from kg.serve import queries
from kg.serve.index import ensure_index
from kg.serve.paths import FactGraph
from kg.serve.queries import Filters, QueryError
from kg.serve.source import document
from kg.sinks.html_assets import FONT_FACE, RELATION_COLOUR, TYPE_STYLE
from kg.sinks.labels import bilingual_relation, bilingual_type

HERE = Path(__file__).parent
VIS_DIR = Path(pyvis.__file__).parent / "templates" / "lib" / "vis-9.1.2"
STATIC = {  # the only files served: name -> (path, media type)
    "vis-network.min.js": (VIS_DIR / "vis-network.min.js", "text/javascript"),
    "vis-network.css": (VIS_DIR / "vis-network.css", "text/css"),
    "serve.js": (HERE / "static" / "serve.js", "text/javascript"),
    "serve.css": (HERE / "static" / "serve.css", "text/css"),
}
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; "
                               "object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}
MAX_LIMIT = 1000


def _int(params, name: str, default: int, lo: int = 0, hi: int = MAX_LIMIT) -> int:
    raw = params.get(name)
    if raw in (None, ""):
        return default
    try:
        v = int(raw)
    except ValueError:
        raise QueryError(f"{name}: {raw[:40]!r} is not a whole number") from None
    if not lo <= v <= hi:
        raise QueryError(f"{name}: {v} is not in {lo}..{hi}")
    return v


def create_app(out_dir: str | Path, progress=None) -> Starlette:
    """The app over `out_dir` (its index is built first if needed)."""
    out = Path(out_dir)
    db = ensure_index(out, progress)
    local = threading.local()

    def con() -> sqlite3.Connection:
        c = getattr(local, "con", None)
        if c is None:
            c = sqlite3.connect(f"file:{db}?mode=ro", uri=True, check_same_thread=False)
            c.row_factory = sqlite3.Row
            c.execute("PRAGMA query_only = ON")
            local.con = c
        return c

    def api(fn):
        def endpoint(request: Request) -> Response:
            try:
                body = fn(request, request.query_params)
            except QueryError as err:
                return JSONResponse({"error": str(err)}, status_code=err.status, headers=SECURITY_HEADERS)
            return JSONResponse(body, headers=SECURITY_HEADERS)
        return endpoint

    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as c:
        facts = FactGraph(c)  # the fact graph's structure for path searches (≈ 20 MB at 157k articles)
    page = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=True).get_template("page.html")
    meta_cache: dict = {}

    def meta(request, params):
        if not meta_cache:
            m = queries.meta(con(), out)
            m["type_style"] = {t: {"colour": c, "shape": s, "label": bilingual_type(t)} for t, (c, s, _) in
                               TYPE_STYLE.items()}
            m["relation_style"] = {r: {"colour": RELATION_COLOUR.get(r, "#999999"), "label": bilingual_relation(r)}
                                   for r in m["relations"]}
            meta_cache.update(m)
        return meta_cache

    def timeline(request, params):
        f = Filters.from_params(params)
        return {"dated": queries.timeline(con(), f.lo, f.hi)}

    def search(request, params):
        return {"hits": queries.search(con(), params.get("q", ""), _int(params, "limit", 20, 1, 200),
                                       Filters.from_params(params).types)}

    def node(request, params):
        return queries.node(con(), request.path_params["entity"], _int(params, "mentions", 50))

    def neighbours(request, params):
        ids = [i for i in params.get("ids", "").split(",") if i]
        if not ids:
            raise QueryError("ids: give one or more entity ids")
        if len(ids) > 200:
            raise QueryError("ids: at most 200 entities at a time")
        return queries.neighbours(con(), ids, Filters.from_params(params), _int(params, "limit", 200, 1)).as_json()

    def path(request, params):
        if not params.get("from_id") or not params.get("to_id"):
            raise QueryError("from_id and to_id: give two entity ids")
        return queries.paths(con(), params["from_id"], params["to_id"], Filters.from_params(params),
                             _int(params, "max_hops", 6, 1, 12), _int(params, "k", 5, 1, 50), graph=facts)

    def edge(request, params):
        return queries.edge(con(), request.path_params["eid"])

    def doc(request, params):
        sentence = _int(params, "sentence", -1, -1, 10**9)
        start = _int(params, "start", -1, -1, 10**12)
        end = _int(params, "end", -1, -1, 10**12)
        entities = tuple(i for i in params.get("entities", "").split(",") if i)[:20]
        return document(con(), out, request.path_params["doc"], None if sentence < 0 else sentence,
                        None if start < 0 else start, None if end < 0 else end, entities)

    def index(request: Request) -> Response:
        return HTMLResponse(page.render(title=f"kg serve · {out.name}", font_face=FONT_FACE),
                            headers=SECURITY_HEADERS)

    def static(request: Request) -> Response:
        name = request.path_params["name"]
        if name not in STATIC:
            return JSONResponse({"error": "not found"}, status_code=404, headers=SECURITY_HEADERS)
        path_, media = STATIC[name]
        return FileResponse(path_, media_type=media, headers=SECURITY_HEADERS)

    def favicon(request: Request) -> Response:
        return Response(status_code=204)

    routes = [
        Route("/", index), Route("/static/{name}", static), Route("/favicon.ico", favicon),
        Route("/api/meta", api(meta)), Route("/api/search", api(search)),
        Route("/api/node/{entity:path}", api(node)), Route("/api/neighbours", api(neighbours)),
        Route("/api/path", api(path)), Route("/api/timeline", api(timeline)), Route("/api/edge/{eid:int}", api(edge)),
        Route("/api/document/{doc:path}", api(doc)),
    ]
    return Starlette(routes=routes)


def is_loopback(host: str) -> bool:
    return host in ("localhost", "::1") or host.startswith("127.")


def run(out_dir: str | Path, host: str = "127.0.0.1", port: int = 8765, echo=print) -> None:
    """Serve until interrupted (uvicorn), after building the index if needed."""
    import uvicorn

    app = create_app(out_dir, progress=lambda step: echo(f"indexing {out_dir}: {step}"))
    shown = f"[{host}]" if ":" in host else host
    echo(f"kg serve: http://{shown}:{port}/  (read-only; Ctrl-C stops)")
    uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False)


class BackgroundServer:
    """`kg serve` in a thread on a free loopback port, for tests and benchmarks:

        with BackgroundServer(out) as url: ...
    """

    def __init__(self, out_dir: str | Path, host: str = "127.0.0.1") -> None:
        self.app = create_app(out_dir)
        self.host = host
        self.url = ""

    def __enter__(self) -> str:
        import uvicorn

        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind((self.host, 0))
        port = self.sock.getsockname()[1]
        self.server = uvicorn.Server(uvicorn.Config(self.app, log_level="warning", access_log=False))
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True)
        self.thread.start()
        for _ in range(500):
            if self.server.started:
                break
            threading.Event().wait(0.01)
        self.url = f"http://{self.host}:{port}"
        return self.url

    def __exit__(self, *exc) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
        with contextlib.suppress(OSError):
            self.sock.close()

"""`kg serve OUT`: a local, read-only web app over a build folder, for corpora too big for one page.

The folder's tables are indexed once into SQLite (`kg.serve.index`); the page asks the JSON API
(`kg.serve.app`, `kg.serve.queries`) for what it shows: search hits, a neighbourhood, shortest
paths, the source text of a fact (`kg.serve.source`). Nothing loads the whole graph.
"""

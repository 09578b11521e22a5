"""kg: Chinese news → a knowledge graph of people, units, places, dates and events.

    >>> import kg
    >>> g = kg.build(["seeds/"])          # files, folders, (doc_id, text) pairs, DataFrames  # doctest: +SKIP
    >>> g.relations_df().head()           # doctest: +SKIP
    >>> g.save("out/")                    # what `kg build seeds/ --out out/` writes           # doctest: +SKIP

The model loads only when `build` is called, so `import kg` is quick.
"""

from kg.api import Doc, KnowledgeGraph, Span, build, read

__all__ = ["Doc", "KnowledgeGraph", "Span", "build", "read"]

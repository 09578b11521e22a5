"""Shared fixtures. Each family lives in its own module and is re-exported here."""

import os

from hypothesis import settings

from tests.fixtures_browser import *  # noqa: F401,F403  (browser_context, open_page)
from tests.fixtures_build import *  # noqa: F401,F403  (pipeline, seeds_result, seeds_out)
from tests.fixtures_neo4j import *  # noqa: F401,F403  (neo4j_server, neo4j_clean)
from tests.fixtures_recorded import *  # noqa: F401,F403  (replayed_pipeline)

# CI runs the property tests on a fixed sequence of examples, so a run passes or fails for what
# changed in the code; runs elsewhere draw new examples each time (and keep finding new cases).
settings.register_profile("ci", derandomize=True, database=None)
if os.environ.get("CI"):
    settings.load_profile("ci")

"""Shared fixtures. Each family lives in its own module and is re-exported here."""

from tests.fixtures_browser import *  # noqa: F401,F403  (browser_context, open_page)
from tests.fixtures_build import *  # noqa: F401,F403  (pipeline, seeds_result, seeds_out)
from tests.fixtures_neo4j import *  # noqa: F401,F403  (neo4j_server, neo4j_clean)

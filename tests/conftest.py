"""Shared fixtures. Each family lives in its own module and is re-exported here."""

from tests.fixtures_build import *  # noqa: F401,F403  (seeds_result, seeds_out, ...)

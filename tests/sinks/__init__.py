"""Tests of kg.sinks, one file per module."""

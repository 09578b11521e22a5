"""Tests of kg.relations, one file per module."""

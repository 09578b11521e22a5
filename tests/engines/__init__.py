"""Tests of kg.engines, one file per module."""

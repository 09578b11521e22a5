"""Tests of kg.serve, one file per module."""

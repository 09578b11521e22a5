"""Tests of kg.ner, one file per module."""

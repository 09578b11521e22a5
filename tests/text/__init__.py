"""Tests of kg.text, one file per module."""

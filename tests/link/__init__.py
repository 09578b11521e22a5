"""Tests of kg.link, one file per module."""

"""Word lists as data: the manual's example (docs/word-lists.md) of a genre's words added from the
user's own folder (`KG_WORDS`), and what a bad folder or file is told."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from kg.store import pipeline_version

ROOT = Path(__file__).resolve().parents[2]
PAGE = (ROOT / "docs" / "word-lists.md").read_text(encoding="utf-8")


def _block(lang: str) -> str:
    return re.search(rf"```{lang}\n(.*?)```", PAGE, re.S).group(1)


def _run(script: Path, words: Path | None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "KG_WORDS"}
    if words is not None:
        env["KG_WORDS"] = str(words)
    return subprocess.run([sys.executable, str(script)], cwd=ROOT, env={**env, "PYTHONPATH": str(ROOT)},
                          capture_output=True, text=True, timeout=600)


def test_the_manuals_arbitrators_belong_to_their_commission_only_with_the_users_words(tmp_path):
    script = tmp_path / "example.py"
    script.write_text(_block("python"), encoding="utf-8")
    words = tmp_path / "my-words"
    words.mkdir()
    (words / "unit_titles.tsv").write_text(_block("tsv"), encoding="utf-8")
    without = _run(script, None)
    assert without.returncode == 0, without.stderr
    assert without.stdout.strip() == "[]"
    with_words = _run(script, words)
    assert with_words.returncode == 0, with_words.stderr
    assert with_words.stdout.strip() == "[('王立平', '首席仲裁员', '北京仲裁委员会')]"


def test_the_users_words_are_in_the_store_key(tmp_path, monkeypatch):
    """New words change results: the store maps every document again."""
    model = str(tmp_path)
    monkeypatch.delenv("KG_WORDS", raising=False)
    before = pipeline_version(model)
    words = tmp_path / "w"
    words.mkdir()
    (words / "unit_titles.tsv").write_text(_block("tsv"), encoding="utf-8")
    monkeypatch.setenv("KG_WORDS", str(words))
    assert pipeline_version(model) != before


@pytest.mark.parametrize("case, message", [
    ("no folder", "KG_WORDS names no folder"),
    ("other header", "the header must be 'title\\tunits'"),
    ("no source", "opens with a '# source: …' line"),
])
def test_a_bad_folder_or_file_is_one_line_naming_it(tmp_path, case, message):
    words = tmp_path / "w"
    if case != "no folder":
        words.mkdir()
        text = {"other header": "# source: mine\nposition\tunit\n仲裁员\t仲裁委员会\n",
                "no source": "title\tunits\n仲裁员\t仲裁委员会\n"}[case]
        (words / "unit_titles.tsv").write_text(text, encoding="utf-8")
    script = tmp_path / "load.py"
    script.write_text("from kg.resources import load_rows\nload_rows('unit_titles')\n", encoding="utf-8")
    done = _run(script, words)
    assert done.returncode != 0
    last = done.stderr.strip().splitlines()[-1]
    assert message in last and (str(words) in last)

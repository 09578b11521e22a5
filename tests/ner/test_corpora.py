"""The corpus converters on small inline samples (no ../shared needed)."""

from __future__ import annotations

import lzma

from kg.ner.corpora import (
    normalize_text,
    pd_paragraph,
    read_bio,
    read_pd_lines,
    spans,
    split_pd,
    write_bio,
)

PD_LINE = ("19980101-01-001-002/m  [中央/n  人民/n  广播/vn  电台/n]nt  记者/n  江/nr  泽民/nr  "
           "在/p  北京/ns  [香港/ns  特别/a  行政区/n]ns  １２月/t  ３１日/t  [京九/j  铁路/n]nz  李鹏/nr  ")


def entities(chars, tags):
    return sorted(("".join(chars[b:e]), t) for b, e, t in spans(tags))


def test_bracket_compounds_nr_merge_and_dates_left_out():
    pid, (chars, tags) = pd_paragraph(PD_LINE)
    assert pid == "19980101-01-001-002"
    assert entities(chars, tags) == sorted([
        ("中央人民广播电台", "ORG"),  # bracketed nt hides the inner tags
        ("江泽民", "PER"),  # surname + given name merged
        ("北京", "LOC"),
        ("香港特别行政区", "LOC"),  # bracketed ns includes its inner ns as one LOC
        ("李鹏", "PER"),
    ])
    text = "".join(chars)
    assert "12月31日" in text  # full-width digits normalised, dates stay O
    assert tags[text.index("12月")] == "O"
    assert "京九铁路" in text and tags[text.index("京九")] == "O"  # nz bracket: words, no entity


def test_adjacent_person_names_with_other_tokens_between_stay_apart():
    _, (chars, tags) = pd_paragraph("19980102-01-001-001/m  王/nr  刚/nr  、/w  李/nr  明/nr  ")
    assert entities(chars, tags) == [("李明", "PER"), ("王刚", "PER")]


def test_gbk_xz_file_and_day_split(tmp_path):
    lines = [PD_LINE, "", "19980110-01-001-001/m  上海/ns  ", "19980111-02-003-004/m  南京/ns  "]
    path = tmp_path / "199801.txt.xz"
    path.write_bytes(lzma.compress("\r\n".join(lines).encode("gbk")))
    read = read_pd_lines(path)
    assert len(read) == 3 and read[0].startswith("19980101") and "[中央/n" in read[0]  # blank line dropped
    train, test = split_pd(read)
    assert ["".join(c) for c, _ in test] == ["上海"]  # the 10th is a held-out day
    assert len(train) == 2


def test_bio_round_trip_and_normalisation(tmp_path):
    sents = [(normalize_text("新华社北京１２月电"), ["B-ORG", "I-ORG", "I-ORG", "B-LOC", "I-LOC", "O", "O", "O", "O"]),
             (list("张三 去"), ["B-PER", "I-PER", "O", "O"])]
    path = tmp_path / "x.tsv"
    assert write_bio([(normalize_text("".join(c)), t) for c, t in sents], path) == 2
    with open(path, encoding="utf-8") as f:
        back = list(read_bio(f))
    assert "".join(back[0][0]) == "新华社北京12月电"
    assert "".join(back[1][0]) == "张三_去"  # whitespace becomes a visible one-char placeholder
    assert entities(*back[0]) == [("北京", "LOC"), ("新华社", "ORG")]


def test_spans_treat_orphan_i_as_start():
    assert spans(["I-PER", "I-PER", "O", "B-LOC", "I-ORG"]) == {(0, 2, "PER"), (3, 4, "LOC"), (4, 5, "ORG")}

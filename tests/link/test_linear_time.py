"""Linear-time linking on pathological text (issue 15): `白城市 + 公安局×800` took 64 s, cubic in the
line's length, in `Linker._org_aliases` → `_fuller_name` → `_is_subsequence`.

No test here is timed. Speed is `bench/pathological.py`; these tests assert (1) that the fast
alias search gives what the old pairwise one gave, on generated unit chains and name sets, and
(2) that the work done, counted in characters handed to the name helpers and steps of the rule
walk, grows linearly with the input: four times the text, at most about four times the work.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import kg.link.linker as linker
import kg.ner.rules as rules
from kg.link.linker import Linker, _fuller_name, _fuller_place
from kg.link.names import PARTY, POLICE_BRANCH, POLICE_KINDS, UnitNames, leading_place, split_units
from kg.ner.lexicon import PLACE_ORGS, UNIT_SUFFIX_RE
from kg.pipeline import BuildConfig, Pipeline
from tests.fixtures_build import NoEntities

PLACES = ["白城市", "福州市", "洮北区", "仓山", "昆明", "深圳", "吉林省", "东风乡"]
PARTS = ["三义街", "小坝", "沙埔头社区", "抗疫", "交警", "治安", "东风", "园区"]
SUFFIXES = ["公安局", "分局", "派出所", "突击队", "中院", "大队", "支队", "党委", "检查站", "服务站"]


# -- the old implementations, kept as the oracle ----------------------------------------------------

def _slow_is_subsequence(short: str, long: str) -> bool:
    it = iter(long)
    return all(c in it for c in short)


def _slow_fuller(name, names, prefix, words):
    word = words.search(name)
    if word is None or len(word.group()) < 2:
        return None
    cands = sorted((m for m in names if len(m) > len(name) and m.startswith(prefix) and m.endswith(word.group())
                    and _slow_is_subsequence(name, m)), key=lambda m: (len(m), m))
    if cands and all(_slow_is_subsequence(c, cands[-1]) for c in cands):
        return cands[-1]
    return None


def _slow_fuller_name(name, names):
    head = split_units(name)
    return _slow_fuller(name, names, head[-2], linker.UNIT_WORD_RE) if len(head) >= 2 else None


def _in_order(short: str, long: str) -> bool:
    it = iter(long)
    return all(c in it for c in short)


def _slow_same_place_unit(name, names, gaz):
    """The pairwise search `UnitNames.fuller` replaced: every name of the document, for each name."""
    if PARTY + name in names:
        return PARTY + name
    tails = {n for n in names if len(n) > len(name) and n.endswith(name) and len(name) >= 4 and
             ((head := n[: -len(name)]) in split_units(n) or (lead := leading_place(head, gaz)) and lead[0] == head)}
    if len(tails) == 1:
        return tails.pop()
    lead = leading_place(name, gaz)
    word = name[len(lead[0]):] if lead else ""
    if lead and word in POLICE_KINDS:
        cands = {n for n in names if n.startswith((lead[0], lead[1])) and POLICE_BRANCH.search(n)
                 and POLICE_BRANCH.search(n).group().startswith(word) and POLICE_BRANCH.search(n).end() == len(n)}
    elif lead and len(word) >= 2 and (UNIT_SUFFIX_RE.search(word) or word.endswith("法院")):
        cands = {n for n in names if n != name and len(n) > len(name) and n.endswith(word)
                 and n.startswith((lead[0], lead[1])) and len(split_units(n)) == 1}
    else:
        suffix = UNIT_SUFFIX_RE.search(name)
        if suffix is None or suffix.end() != len(name) or suffix.start() < 2 or len(split_units(name)) > 1:
            return None
        cands = {n for n in names if len(n) > len(name) and n.startswith(name[:2]) and n.endswith(suffix.group())
                 and len(split_units(n)) == 1 and _in_order(name, n)}
    return cands.pop() if len(cands) == 1 else None


def _slow_org_aliases(lk: Linker, names: set[str]) -> dict[str, str]:
    out = {}
    for n in sorted(names):
        stem = n
        lead = leading_place(n, lk.gazetteer)
        if lead and n[len(lead[0]):] and not n[len(lead[0]):].startswith(PLACE_ORGS):
            stem = n[len(lead[0]):]
        cands = [m for m in sorted(names) if m != n and len(m) > len(stem) and m.endswith(stem)
                 and m[: len(m) - len(stem)] in split_units(m) and len(stem) >= 4
                 and (stem == n or lead[0] in m or lead[1] in m or lk.gazetteer.level(lead[1]) <= 2)
                 and not linker.UNIT_WORD_RE.fullmatch(stem)]
        if cands:
            out[n] = max(cands, key=lambda c: (len(c), c))
            continue
        for suffix in PLACE_ORGS:
            if n.endswith(suffix) and lead and n == lead[0] + suffix:
                target = lead[1] + "公安局"
                if target in names:
                    out[n] = target
        if n not in out and (longer := _slow_fuller_name(n, names) or _slow_same_place_unit(n, names, lk.gazetteer)):
            out[n] = longer
    return out


@pytest.fixture(scope="module")
def lk() -> Linker:
    return Pipeline(BuildConfig(), tagger=NoEntities()).linker


segment = st.sampled_from(PLACES + PARTS) .flatmap(lambda head: st.sampled_from(SUFFIXES).map(lambda s: head + s))
unit_name = st.lists(st.one_of(segment, st.sampled_from(SUFFIXES)), min_size=1, max_size=5).map("".join)
name_sets = st.lists(unit_name, min_size=1, max_size=25).map(lambda ns: {u for n in ns for u in split_units(n)})
place_sets = st.lists(st.lists(st.sampled_from(PLACES + PARTS + ["出口", "疫情防控", "南", "北"]), min_size=1, max_size=4)
                      .flatmap(lambda ps: st.sampled_from(["检查站", "服务站", "收费站", "小区", "街道"])
                               .map(lambda s: "".join(ps) + s)), min_size=1, max_size=25).map(set)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(names=name_sets)
def test_org_aliases_are_those_of_the_pairwise_search(lk, names):
    assert lk._org_aliases(names) == _slow_org_aliases(lk, names)


@settings(max_examples=300, deadline=None)
@given(names=name_sets)
def test_fuller_name_is_that_of_the_pairwise_search(names):
    for n in sorted(names):
        assert _fuller_name(n, names) == _slow_fuller_name(n, names)


@settings(max_examples=300, deadline=None)
@given(places=place_sets)
def test_fuller_place_is_that_of_the_pairwise_search(places):
    for n in sorted(places):
        assert _fuller_place(n, places) == _slow_fuller(n, places, n[:2], linker.PLACE_WORD_RE)


# names that reach every branch of `UnitNames.fuller`: 中共 + a body, a tail after a chain or a place,
# a city's police kind (济南交警), a place + a unit word, a short unit holding a longer one's characters
HEADS = ["白城市", "白城", "深圳", "深圳市", "湖南省", "湖南", "济南", "济南市", "绥北", "道里区", "衡阳市", "中共湖南省"]
WORDS = ["交警", "治安", "交警支队", "治安大队", "交巡警大队", "派出所", "公安边防派出所", "中级人民法院", "法院", "省委",
         "支队", "尚志派出所", "公安局", "东风派出所", "东派出所"]


def _with_chains(ns: list[str]) -> set[str]:
    return {u for n in ns for u in split_units(n)}


wide_name = st.tuples(st.sampled_from(["", *HEADS]), st.sampled_from(["", *PARTS[:4]]), st.sampled_from(WORDS))
wide_names = st.lists(wide_name.map("".join), min_size=1, max_size=30).map(_with_chains)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(names=st.one_of(name_sets, wide_names))
def test_fuller_unit_is_that_of_the_pairwise_search(lk, names):
    units = UnitNames(names, lk.gazetteer)
    for n in sorted(names):
        assert units.fuller(n) == _slow_same_place_unit(n, names, lk.gazetteer), n


def test_fuller_unit_finds_the_documented_examples(lk):
    names = {"深圳市中级人民法院", "中共湖南省委", "绥北公安边防派出所", "武警湖南总队衡阳市支队", "济南市公安局交警支队",
             "道里区尚志派出所"}
    units = UnitNames(names, lk.gazetteer)
    assert {n: units.fuller(n) for n in ("深圳法院", "湖南省委", "绥北派出所", "衡阳市支队", "济南交警", "尚志派出所")} == {
        "深圳法院": "深圳市中级人民法院", "湖南省委": "中共湖南省委", "绥北派出所": "绥北公安边防派出所",
        "衡阳市支队": "武警湖南总队衡阳市支队", "济南交警": "济南市公安局交警支队", "尚志派出所": "道里区尚志派出所"}
    assert UnitNames(names | {"绥北边防派出所"}, lk.gazetteer).fuller("绥北派出所") is None  # two fuller names


class _CountingSet(set):
    """A set that counts the names read from it: the alias search's work on a document's names."""

    def __init__(self, data, counter):
        super().__init__(data)
        self.counter = counter

    def __iter__(self):
        for x in super().__iter__():
            self.counter[0] += 1
            yield x

    def __contains__(self, x):
        self.counter[0] += 1
        return super().__contains__(x)


POOL = "甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉戌亥"


def _distinct_units(n: int) -> list[str]:
    """n different units of one city (白城市甲乙丙派出所, …): a document listing a city's stations."""
    return [f"白城市{POOL[i % 22]}{POOL[i // 22 % 22]}{POOL[i // 484 % 22]}派出所" for i in range(n)]


def test_alias_search_reads_each_name_a_bounded_number_of_times(lk):
    """Each short unit name once compared itself with every name of the document (issue 23: 10x the
    work for 4x the text). Four times the names, about four times the names read."""
    def work(n):
        counter = [0]
        lk._org_aliases(_CountingSet(_distinct_units(n), counter))
        return counter[0]
    small, large = work(200), work(800)
    assert large <= 5 * small, f"4x the names took {large / small:.1f}x the reads"


def test_names_are_propagated_in_one_pass_per_sentence():
    """Every name the document found was looked for in every sentence, one `find` per name and
    sentence (quadratic); now one pass of all names over each sentence."""
    from kg.ner.merge import propagate_names

    calls = [0]

    class Text(str):
        def find(self, *args):
            calls[0] += 1
            return super().find(*args)

    class Sent:
        def __init__(self, text):
            self.text = Text(text)

    def work(n):
        calls[0] = 0
        units = _distinct_units(n)
        sents = [Sent(f"{u}民警执勤。") for u in units]
        out = propagate_names(sents, [[(0, len(u), "ORG", "rule")] for u in units])
        assert out == [[(0, len(u), "ORG", "rule")] for u in units]
        return calls[0] + n
    small, large = work(200), work(800)
    assert large <= 5 * small, f"4x the sentences took {large / small:.1f}x the work"


def test_the_issue_example_is_linked(lk):
    """`白城市公安局` + `公安局`×k: the chain's names alias as before, and the fast search agrees."""
    names = set(split_units("白城市" + "公安局" * 30))
    assert lk._org_aliases(names) == _slow_org_aliases(lk, names)


# -- work grows linearly --------------------------------------------------------------------------------

SHAPES = {
    "unit chain": lambda n: "白城市" + "公安局" * n + "。\n",
    "varied unit chain": lambda n: "福州市公安局" + "仓山分局三义街派出所" * (n // 3) + "。\n",
    "place chain": lambda n: "吉林省白城市" + "洮北区东风乡" * (n // 2) + "。\n",
    "name run": lambda n: "民警" + "周佰发李峻葵王丙乾" * (n // 3) + "。\n",
    "long line": lambda n: "白城市公安局洮北分局民警周佰发在东风乡检查站，" * (n // 8) + "。\n",
    "list": lambda n: "联盟街道" + "王旗营小区、万宏国际、" * (n // 3) + "。\n",
    # found by the generated repetitions below (100 vs 400 times: 10x the work); from 200 times on,
    # when every place a 300-character cut can fall in the unit has come, the work is linear
    "units and places": lambda n: "公安局仓山公安局白城市白城市" * n + "。\n",
    "distinct units": lambda n: "".join(f"{u}民警周佰发执勤。" for u in _distinct_units(n // 4)) + "\n",
}


@pytest.fixture(scope="module")
def stub() -> Pipeline:
    return Pipeline(BuildConfig(), tagger=NoEntities())


def _work(stub: Pipeline, text: str, tmp_path, monkeypatch, found: list | None = None) -> int:
    """Characters handed to the linker's name helpers, steps of the rule tagger's walks and the
    unit names the alias search reads.

    `found`, if given, gets the characters of the mentions found (the linker's work follows them)."""
    total = [0]

    def counting(fn, attr=None):
        def wrapper(*args, **kwargs):
            total[0] += sum(len(a) for a in args if isinstance(a, str | set | list)) if attr is None else 1
            return fn(*args, **kwargs)
        return wrapper

    with monkeypatch.context() as m:
        for name in ("split_units", "leading_place", "_is_subsequence", "expand_org", "split_places"):
            m.setattr(linker, name, counting(getattr(linker, name)))
        for name in ("_place_ending_at", "_suffix_ending_at"):
            m.setattr(rules.RuleTagger, name, counting(getattr(rules.RuleTagger, name), attr="calls"))
        aliases = Linker._org_aliases  # …plus the names the alias search reads, each time it reads one
        m.setattr(Linker, "_org_aliases", lambda self, names: aliases(self, _CountingSet(names, total)))
        path = tmp_path / f"{len(text)}.txt"
        path.write_text(text, encoding="utf-8")
        result = stub.build([path])
    for mention in result.mentions:
        assert text[mention.start:mention.end] == mention.text
    if found is not None:
        found.append(sum(len(m.norm) for m in result.mentions))
    return total[0]


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_work_grows_linearly_with_the_text(stub, tmp_path, monkeypatch, shape):
    small, large = (_work(stub, SHAPES[shape](n), tmp_path, monkeypatch) for n in (200, 800))
    assert large <= 5 * small, f"{shape}: 4x the text took {large / small:.1f}x the work"


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(units=st.lists(st.sampled_from(PLACES + PARTS + SUFFIXES + ["民警", "周佰发", "、", "，"]), min_size=3,
                      max_size=8))
def test_work_grows_linearly_on_generated_repetitions(stub, tmp_path_factory, units):
    unit = "".join(units)
    tmp = tmp_path_factory.mktemp("w")
    found: list[int] = []
    with pytest.MonkeyPatch.context() as monkeypatch:
        # A line with no comma is cut every 300 characters, at a place in the unit that moves by 300 each
        # time: 300 repetitions give every such place (100 did not: 公安局仓山公安局白城市白城市 was cut
        # after 白城市公安 only from 107 on, a name then found in every repetition, 10x the work)
        small, large = (_work(stub, unit * n + "。\n", tmp, monkeypatch, found) for n in (300, 1200))
    # A long line is cut into 300-character sentences, and a cut inside a word can make a longer name
    # that is then found everywhere: the linker's work follows the names found, so allow for them.
    grown = max(1.0, found[1] / max(found[0], 1) / 4)
    assert large <= 5 * small * grown + 200, f"{unit!r}: 4x the text took {large / max(small, 1):.1f}x the work"


# -- the caps change nothing on names of real length -------------------------------------------------

clause = st.lists(st.sampled_from(PLACES + PARTS + SUFFIXES + ["民警", "周佰发", "李峻葵", "王丙乾", "在", "的"]),
                  min_size=1, max_size=4).map("".join)
line = st.lists(clause, min_size=1, max_size=12).map(lambda cs: "，".join(cs) + "。")


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=line)
def test_bounded_rule_walk_tags_what_the_unbounded_one_did(stub, monkeypatch, text):
    """Clauses of at most four words (runs of names, units, places): a walk of 10 steps suffices."""
    bounded = stub.rules.tag(text, "body", [])
    monkeypatch.setattr(rules, "MAX_CHAIN_STEPS", 10**9)
    assert stub.rules.tag(text, "body", []) == bounded


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(lines=st.lists(line, min_size=1, max_size=6))
def test_documents_link_as_with_the_pairwise_alias_search(stub, tmp_path_factory, lines):
    path = tmp_path_factory.mktemp("d") / "doc.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")

    def graph():
        r = stub.build([path])
        return (sorted((e.id, e.name, tuple(sorted(e.aliases))) for e in r.entities),
                sorted((x.source_id, x.relation, x.target_id) for x in r.relations))

    fast = graph()
    with pytest.MonkeyPatch.context() as m:
        m.setattr(Linker, "_org_aliases", _slow_org_aliases)
        assert graph() == fast


def test_a_place_read_as_a_fuller_name_at_a_sentence_end_links(stub, tmp_path):
    """A long line cut into sentences can end one on a place that a fuller name of the document
    stands for: its outer parts are not in the text, and no offset is taken from past the end
    (was an IndexError that lost the whole build; found by the generated repetitions above)."""
    text = "白城市检查站洮北区" * 400 + "。\n"
    path = tmp_path / "places.txt"
    path.write_text(text, encoding="utf-8")
    result = stub.build([path])
    assert result.mentions and all(text[m.start:m.end] == m.text for m in result.mentions)


# -- relations: work per document, not per pair of mentions (issue 23, item 3) ----------------------

class _Counting(dict):
    """A dict that counts its lookups: the relation families read mentions and entities through it."""

    def __init__(self, data, counter):
        super().__init__(data)
        self.counter = counter

    def __getitem__(self, key):
        self.counter[0] += 1
        return super().__getitem__(key)

    def get(self, key, default=None):
        self.counter[0] += 1
        return super().get(key, default)


def _relation_work(stub: Pipeline, text: str) -> tuple[int, list]:
    """Lookups of mentions and entities that BELONGS_TO and EVENT_AT make on one document."""
    from kg.relations.belongs_to import belongs_to
    from kg.relations.event_at import event_at
    from kg.relations.index import BuildIndex
    from kg.types import Document

    result = stub.build_documents([Document(id="d", path="d", text=text)])
    result.entities = [e for e in result.entities if e.type != "EVENT"]
    counter = [0]
    idx = BuildIndex(result)
    idx.entity = _Counting(idx.entity, counter)
    idx.in_sentence = _Counting(idx.in_sentence, counter)
    idx.entities_in = _Counting(idx.entities_in, counter)
    rels = belongs_to(result, idx)
    rels += event_at(result, stub.linker.gazetteer, rels, idx=idx)
    return counter[0], rels


@pytest.mark.parametrize("unit", ["长春市公安局召开会议，同事周佰发参加。民警李峻葵讲话。",
                                  "3月19日，长春市公安局民警周佰发在洮北区东风乡执勤。同事李峻葵讲话。"])
def test_relation_work_grows_linearly(stub, unit):
    """同事X once rescanned every earlier sentence, and each role every unit of the article: the
    lookups grew with the square of the document. Four times the text, about four times the lookups."""
    (small, rels), (large, _) = (_relation_work(stub, unit * n) for n in (50, 200))
    assert any(r.relation == "BELONGS_TO" and r.properties.get("role") == "同事" for r in rels)
    assert large <= 4.5 * small, f"4x the text took {large / small:.1f}x the lookups"

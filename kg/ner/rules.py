"""A rule layer beside the statistical model, for what news about police units is full of.

The model sees characters; these rules see how units and places are *named*: a chain of
place names and name parts each closed by a unit suffix (福州市 / 公安局 / 仓山 分局 / 三义街 派出所),
people introduced by a role (民警周佰发), bylines, and partly anonymised people (白某, 熊女士).
Rules find long nested unit names the model truncates; the model finds names no rule knows.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass, field
from functools import cached_property, lru_cache

from kg.link.places import Gazetteer
from kg.ner.dateline import outlet_spans, reporter_spans
from kg.ner.gazetteer import FILE as LEXICON_FILE
from kg.ner.gazetteer import common_words
from kg.ner.lexicon import (
    ANON_SUFFIXES,
    AREA_WORDS,
    BEAT_SUFFIXES,
    DIRECTIONS,
    GENERIC_PARTS,
    IDIOMS,
    INTERNAL_UNIT_RE,
    LOC_SUFFIX_RE,
    LOC_SUFFIXES,
    NAME_BREAKERS,
    ORG_SUFFIXES,
    PLACE_ORGS,
    ROLE_RE,
    STOP_CHARS,
    STRONG_ORG,
    SURNAMES,
    TEXT_OUTLET_SUFFIXES,
    UNIT_SUFFIX_RE,
    UNIT_SUFFIXES,
    word_class,
)
from kg.ner.lists import SEPARATORS
from kg.ner.models import MODEL_DIR
from kg.ner.names import split_name_run
from kg.ner.segmenter import NAME_TAGS, after, before, between, boundaries, is_common_word, tag, words
from kg.ner.segmenter import load as load_segmenter
from kg.ner.vet import Words
from kg.resources import alternatives, load_rows, load_words
from kg.text.clean import is_cjk

Span = tuple[int, int, str]
# a unit the article names by its level alone (市公安局政治部, 县委, 中院; kg/resources/pattern_words.tsv)
SHORT_UNITS = re.compile(f"(?:{alternatives('short_level')})(?:公安)?局(?:{alternatives('bureau_part')})?"
                         f"|{alternatives('short_unit')}")
BYLINE_ROLES = re.compile(r"本报见习记者|本报记者|本报通讯员|见习记者|特约记者|通讯员|实习生|记者|本期策划|策划|摄影|供图|发自|报道|"
                          r"责任编辑|编辑|文\s*[/／]|图\s*[/／]|[/／:：●□■]")
MAX_CHAIN_STEPS = 10  # places, name parts and unit words in one name; real ones have at most 7 or so
NUMERALS = "一二三四五六七八九十两几数多0123456789"
# jieba's parts of speech a place's stem never is: verbs, adverbs, prepositions, conjunctions, pronouns
NOT_STEMS = frozenset({"v", "vn", "vd", "vi", "d", "p", "c", "r", "u", "ad"})
LOCATIVES = "头上里边"  # 街头, 路上, 村里, 路边
RELATIVE_ADMIN = "市县区省"  # 市公安局, 县委: the article's own city, county, district or province
GOVERNMENT = re.compile("人民政府|政府")
BYLINE_VERB = re.compile(r"报道|摄(?![\u4e00-\u9fff])")
NO_PART_SUFFIXES = frozenset(word_class("no_part_suffix"))
IDIOM_RE = re.compile("|".join(IDIOMS))
_DIRS = "".join(sorted(DIRECTIONS))
DIRECTION_BEFORE_LIST = re.compile(f"[{_DIRS}](?=[、和及])")  # 白城西、…
DIRECTIONAL_STATION = re.compile(f"[{_DIRS}]站")  # 许昌北站
SHARED_SUFFIXES = ("保险公司", "银行", "集团", "证券")  # 泰康、中原保险公司: both are insurers
JOURNEY_VERB = re.compile("回到|返回|来到|赶到|抵达|前往|赶往")
JOURNEY_END = re.compile(f"(?:{JOURNEY_VERB.pattern}|到)([\u4e00-\u9fff]{{2,4}}?)(?=[，,。；;、）)]|$)")
HIGHWAYS = ("高速公路", "公路", "高速")
# the scene of an incident: a road or a place, maybe a word more, and a facility head (kg/resources/scene_heads.tsv)
ROAD_SUFFIXES = ("高速公路", "公路", "高速", "大道", "国道", "路", "街")
ROAD_GRADE = re.compile("[一二三]级$")
NUMBERED_ROAD = re.compile(r"(?:(?:国道|省道)[0-9０-９]+线?|[0-9０-９]+(?:国道|省道))$")
KM_MARK = re.compile(r"[0-9０-９]+(?:[.．][0-9０-９]+)?(?:公里|千米)处")
SCENE_BEFORE = re.compile(r"(?:^|[，,。；;：:、（(]|在|于|至|到|沿|经|位于|市区|城区)$")
SCENE_AFTER = re.compile(r"[\u4e00-\u9fff]{0,2}?(?:内|处|上|附近)|时|发生|突发|[，,。；;]|$")  # 立交桥桥洞内: a part of the scene, then where
ROAD_STOPS = "至沿经往驶行"  # 行至包固一级公路: the road's name starts after the verb
NOT_MIDDLE = NOT_STEMS | {"m", "r", "f", "q", "mq"}
SET_PHRASES = {"l", "i"}  # jieba's idioms and set phrases (走下坡路)
VERBS = {"v", "vd", "vi"}
NOT_ROAD_STEMS = {"m", "r", "q", "mq", "p", "c", "u"}  # (jieba tags 包 of 包固公路 and 合 of 合宁高速 as verbs)
# verbs of telling someone what to do, before a title (责令|中队长; kg/resources/verbs.tsv)
DIRECTS = tuple(sorted(word_class("directs", "verbs"), key=len, reverse=True))
# a street named where a place is meant (kg/resources/pattern_words.tsv road_cue, road_suffix)
ROAD_CUES = frozenset(word_class("road_cue", "pattern_words"))
STREET_SUFFIXES = word_class("road_suffix", "pattern_words")
STREET_BEFORE = re.compile(f"(?:{alternatives('road_suffix')})[{SEPARATORS}]$")  # 百花路、|长乐路
STREET_AFTER = re.compile(f"[{SEPARATORS}][\u4e00-\u9fff]{{2,6}}?(?:{alternatives('road_suffix')})"
                          f"(?=[{SEPARATORS}，,。；;：:）)等]|$)")  # 长乐东路|、新华街、
NEXT_DIRECTIONAL = re.compile(f"[、和及]([\u4e00-\u9fff]{{2,9}}?)[{_DIRS}](?=[、，,。等和及])")  # 、白城南等


@dataclass
class RuleTagger:
    gazetteer: Gazetteer = field(default_factory=Gazetteer)
    # words never seen as names, from the shipped model's People's Daily lexicon (see kg.ner.vet)
    common_words: frozenset[str] = field(default_factory=lambda: common_words(MODEL_DIR / LEXICON_FILE))
    # what the lexicon knows of words and organisations (kg.ner.vet.Words)
    words: Words = field(default_factory=lambda: Words.load(MODEL_DIR / LEXICON_FILE))

    def __post_init__(self) -> None:
        load_segmenter()  # jieba's dictionary with the model, not inside the first document's time

    # -- helpers -------------------------------------------------------------------------------
    def _place_ending_at(self, text: str, k: int, allow_short: bool = True, any_level: bool = False) -> int:
        """Length of the longest administrative name ending at k (0 if none); short forms of cities and up."""
        best = 0
        for n in range(2, min(k, 9) + 1):
            w = text[k - n:k]
            if w in self.gazetteer.by_name or (allow_short and w in self.gazetteer.short and (
                    any_level or any(p.level <= 2 for p in self.gazetteer.short[w]))):
                best = n
        return best

    def _suffix_ending_at(self, text: str, k: int, suffixes) -> int:
        """Length of the longest of `suffixes` ending at k (0 if none): a set lookup per length."""
        words, lengths = _by_length(tuple(suffixes))
        k = min(k, len(text))
        for n in lengths:
            if n <= k and text[k - n:k] in words:
                return n
        return 0

    def _chain(self, text: str, a: int, suffixes, max_part: int,
               bounds: frozenset[int] | None = None) -> tuple[int, bool]:
        """Walk left from a suffix starting at `a`; return (start, anchored) of the longest unit chain.

        The grammar, read right to left: a suffix may be preceded by a name part, a place or
        another unit; a name part by a place or a unit; a place only by a place or a unit.
        anchored: the chain holds a place or another unit, not just a name part + suffix.
        `bounds` (word boundaries, kg.ner.segmenter): every step starts on one, and a name part is
        not one common word (乡村 is no 乡 + 村; 助力 is no village's name).
        """
        def on_word(k: int) -> bool:
            return bounds is None or k in bounds

        def suffix_on_word(k: int, end: int) -> bool:
            return bounds is None or _suffix_on_word(text, k, end, bounds, self.words.plain)

        pos, anchored, state = a, False, "suffix"
        suffixes_seen, parts, steps = 1, 0, 0
        last = text[a:a + max((len(x) for x in suffixes if text.startswith(x, a)), default=0)]
        while pos > 0 and steps < MAX_CHAIN_STEPS:  # bounded: 公安局×800 is no name, and each walk is O(1)
            steps += 1
            p = self._place_ending_at(text, pos)
            if p and on_word(pos - p):
                pos, anchored, state = pos - p, True, "place"
                continue
            s = self._suffix_ending_at(text, pos, suffixes)
            if s and suffix_on_word(pos - s, pos):
                last = text[pos - s:pos]
                pos, state = pos - s, "suffix"
                suffixes_seen += 1
                anchored = anchored or parts > 0
                continue
            if state != "suffix" or last in NO_PART_SUFFIXES:
                break
            k = pos
            while k > 0 and pos - k < max_part and is_cjk(text[k - 1]) and text[k - 1] not in STOP_CHARS:
                if k < pos and (self._place_ending_at(text, k) or self._suffix_ending_at(text, k, suffixes)):
                    break
                k -= 1
            part = text[k:pos]
            if len(part) > 1 and part[-1] in RELATIVE_ADMIN and SHORT_UNITS.match(text, pos - 1) and \
                    not self.gazetteer.lookup(part):
                k, part = pos - 1, part[-1]  # 即责成市公安局: 市 is "the city" of the article, not a name's end
            lead = next((g for g in (*AREA_WORDS, *sorted(GENERIC_PARTS, key=len, reverse=True))
                         if part.startswith(g) and len(part) > len(g)), "")
            if lead:  # 市区滨河花园小区: "downtown" + the name; 当地|银监分局, 有关|…: a generic word, no name
                k, part = k + len(lead), part[len(lead):]
            if bounds is not None:
                while k < pos and (k not in bounds or text[k] in RELATIVE_ADMIN and k + 1 in bounds and k > 0
                                   and tag(text[before(text, k):k]) == "ns"):
                    k += 1  # 确保山: the part starts on a word; 肃北县马鬃山镇: 县 closes the place before (but
                    #         责成市公安局: 市 is the article's city)
                first = text[k:min(after(text, k), pos)]
                if tag(first) in ("m", "mq"):
                    break  # 一小区: a number names nothing
                if len(first) == 1 and tag(first) in ("p", "c") and pos - k > 2:
                    k += 1  # 据|交警一大队, 与|城南派出所: a preposition or conjunction opens no name
                    first = text[k:min(after(text, k), pos)]
                if not self._place_ending_at(text, k):  # (德清县建设镇: a place anchors any stem)
                    cuts = between(text, k, pos)
                    for x, y in zip(cuts, cuts[1:], strict=False):
                        if y - x > 1 and tag(text[x:y]) in NOT_STEMS:
                            k = y  # 交待|城南大队, 人带回|派出所, 开展|社区: the name starts after the verb
                part = text[k:pos]
            if k == pos or part in GENERIC_PARTS or any(part.endswith(g) for g in GENERIC_PARTS) or \
                    JOURNEY_VERB.search(part):  # 从湖北返回村里: a verb, not a name part
                break
            pos, state = k, "part"
            parts += 1
            if suffixes_seen >= 2:  # a named unit inside the chain (仓山 分局 before 三义街 派出所)
                anchored = True
        return pos, anchored

    # -- organisations ---------------------------------------------------------------------------
    def orgs(self, text: str, model_spans: list[Span] | None = None) -> list[Span]:
        spans = []
        model_orgs = [(i, j) for i, j, t in model_spans or [] if t == "ORG"]
        for m in UNIT_SUFFIX_RE.finditer(text):
            a, e = m.start(), m.end()
            if text[a - 1:a] == "副" or (m.group().endswith("部") and text[e:e + 1] == "门"):
                continue  # 副大队长: a title, not a unit; 公安部门: departments
            # extend right over further unit suffixes glued on (…分局 + 政工室)
            bounds = boundaries(text)
            if a not in bounds and e not in bounds:
                continue  # 建设好一支队伍: 支队 straddles two words (一支 | 队伍)
            start, anchored = self._chain(text, a, UNIT_SUFFIXES,
                                          max_part=6 if m.group().endswith(("公司", "医院")) else 4, bounds=bounds)
            suffix = m.group()
            prev = before(text, start) if start else start
            verb = start - prev > 1 and tag(text[prev:start]) in NOT_STEMS  # 交待|城南大队长: after a verb
            if text[e:e + 1] == "长":  # 大队长, 刑警大队长: a title; but 历城大队长 is the head of 历城大队
                while a - start > 2 and text[start:start + 2] in self.words.plain:
                    start, verb = start + 2, True  # 交待历城大队长: the verb is no part of the name
                while (w := next((x for x in DIRECTS if text.startswith(x, start)), "")) and start + len(w) <= a:
                    start, verb = start + len(w), True  # 责令|中队长停职: telling the unit's head, no 责令中队
                if a - start < 2 or self._suffix_ending_at(text, a, ORG_SUFFIXES):
                    continue
            if start == a or self._suffix_ending_at(text, start + 8, ORG_SUFFIXES) and \
                    text[start:start + 8].startswith(tuple(ORG_SUFFIXES)):
                continue  # a bare suffix (各派出所, 该局, 派出所党支部): generic, not a name
            if not anchored and a - start < 2:
                continue
            part_only = not anchored
            if part_only and (suffix not in STRONG_ORG or not (start == 0 or not is_cjk(text[start - 1]) or verb
                                                               or text[start - 1] in STOP_CHARS)):
                continue
            if part_only and suffix in ("公司", "大学") and self._phrase_before(text[start:a]) and \
                    not any(i <= start and e <= j for i, j in model_orgs):
                continue  # 许多公司, 两家航空公司, 考上大学: a phrase before the suffix, not a name
            spans.append((start, e, "ORG"))
        spans += self._governments(text)
        spans += self._outlets(text, [(i, j) for i, j, t in model_spans or [] if t == "PERSON"])
        for m in SHORT_UNITS.finditer(text):
            spans.append((m.start(), m.end(), "ORG"))
        for m in INTERNAL_UNIT_RE.finditer(text):  # 政治部 alone: a department of the bureau in context
            i = m.start()
            if i == 0 or not is_cjk(text[i - 1]) or text[i - 1] in STOP_CHARS or text[i - 2:i] in ("该局", "本局"):
                spans.append((i, m.end(), "ORG"))
        for m in re.finditer("|".join(PLACE_ORGS), text):
            nxt = text[m.end():m.end() + 1]
            if nxt and nxt in "局分厅机部处干民警交特刑":
                continue
            p = self._place_ending_at(text, m.start(), any_level=True)
            if p:
                spans.append((m.start() - p, m.end(), "ORG"))
        spans = _longest(spans)
        return spans + self._shared_suffix(text, spans)

    def _outlets(self, text: str, people: list[tuple[int, int]]) -> list[Span]:
        """News outlets and websites (荆楚网, 东方网, 楚天都市报, 扬子晚报, 北青网): an outlet suffix (网, 报,
        在线, kg/resources/outlet_suffixes.tsv) after a stem that is a name: a dictionary word of two
        characters with it (荆楚网), a name or place word before it (东方网, 扬子晚报), or a run of two to
        four unknown characters (楚天都市报), not holding a person the model found (…刘某民汇报).
        上网, 举报, 日报 alone, 天罗地网 are words and name nothing."""
        found, pos, cut = [], 0, []
        for w in words(text):
            cut.append((pos, w))
            pos += len(w)
        suffixes = TEXT_OUTLET_SUFFIXES
        last_chars = {x[-1] for x in suffixes}
        for k, (a, w) in enumerate(cut):
            if w[-1] not in last_chars:
                continue
            suffix = next((x for x in suffixes if w.endswith(x)), "")
            if not suffix:
                continue
            stem = len(w) - len(suffix)
            if stem >= 2:  # one word with its suffix: a name only where the dictionary says so
                if (tag(w) == "nt" or stem == 2 and tag(w) in NAME_TAGS) and w not in self.words.plain:
                    found.append((a, a + len(w), "ORG"))  # 汇报, 联合公报: words People's Daily writes
                continue
            end, n = a + len(w), k
            if stem == 0 and n > 0 and len(cut[n - 1][1]) >= 2:
                prev = cut[n - 1][1]
                start = cut[n - 1][0] if tag(prev) in NAME_TAGS - {"j"} or self.gazetteer.lookup(prev) else end
            else:  # unknown characters (新|京报: the stem's first character is a word of its own)
                while n > 0 and a - cut[n - 1][0] < 4 and len(cut[n - 1][1]) == 1 and is_cjk(cut[n - 1][1]) \
                        and cut[n - 1][1] not in STOP_CHARS and not tag(cut[n - 1][1]).startswith(tuple("vmprdcu")):
                    n -= 1
                start = cut[n][0] if a + stem - cut[n][0] >= 2 else end
            name = text[start:end]
            if start < a + stem and name not in self.words.plain and not is_common_word(name) and \
                    not any(i < end and start < j for i, j in people):
                found.append((start, end, "ORG"))
        return found

    def _phrase_before(self, part: str) -> bool:
        """A phrase, not a name, before 公司 or 大学: it opens with a number or a plain word (许多, 两家,
        连续七次), or ends with a verb's complement or a kind (考上, 研究型, 某); or its first word is a
        pronoun, a number or a lone adjective (他|证实公司, 另一家|贷款公司, 大|主流博彩公司)."""
        first = (words(part) or [part])[0]
        return part[0] in NUMERALS or any(part[:n] in self.words.plain for n in range(2, len(part) + 1)) or \
            part.endswith(("上", "型", "某", "家")) or tag(first) in ("r", "m", "mq") or \
            any(c in NUMERALS for c in first) or len(first) == 1 and tag(first) == "a"

    def _governments(self, text: str) -> list[Span]:
        """A country's or a place's government: 中国政府, 英国政府, 重庆市人民政府."""
        found = []
        for m in GOVERNMENT.finditer(text):
            a = m.start()
            n = self._place_ending_at(text, a, any_level=True) or next(
                (k for k in range(min(a, 9), 1, -1) if text[a - k:a] in self.gazetteer.world
                 and self.gazetteer.world.kind(text[a - k:a]) == "country"), 0)
            if n:
                found.append((a - n, m.end(), "ORG"))
        return found

    def _shared_suffix(self, text: str, spans: list[Span]) -> list[Span]:
        """A name listed before a company or bank that shares its suffix: 泰康、中原保险公司 names
        泰康 (保险公司) too. Only before these suffixes: 治安、特警等部门 lists no names."""
        found = []
        for a, b, t in spans:
            if t != "ORG" or a < 3 or text[a - 1] != "、" or not text[a:b].endswith(SHARED_SUFFIXES):
                continue
            k = a - 1
            while k > 0 and k > a - 6 and is_cjk(text[k - 1]) and text[k - 1] not in STOP_CHARS:
                k -= 1
            name = text[k:a - 1]
            if 2 <= len(name) <= 4 and name not in self.common_words and (k == 0 or not is_cjk(text[k - 1])
                                                                          or text[k - 1] in STOP_CHARS):
                found.append((k, a - 1, "ORG"))
        return found

    # -- places ----------------------------------------------------------------------------------
    def locs(self, text: str, model_spans: list[Span]) -> list[Span]:
        spans = []
        bounds = boundaries(text)
        model_locs = [(i, j) for i, j, t in model_spans if t == "LOC"]

        def worded(i: int, j: int) -> bool:
            """A gazetteer name starting on a word (确保山更绿: no 保山); a two-character one also ends on
            one. Longer names may end inside a word: jieba holds 区法院 and 市公安局 as words too.
            (jieba's part of speech is no help here: it tags 银川 and 长治 as common nouns.)"""
            return i in bounds and (j - i > 2 or j in bounds)

        for m in self.gazetteer.pattern.finditer(text):
            if m.end() - m.start() == 2 and text[m.end():m.end() + 1] in ("长", "委"):
                continue  # 村民和县长: a conjunction and a title (县长), not the county 和县
            if worded(m.start(), m.end()):
                spans.append((m.start(), m.end(), "LOC"))
        for m in self.gazetteer.short_pattern.finditer(text):
            if any(p.level <= 2 for p in self.gazetteer.short[m.group()]) and worded(m.start(), m.end()):
                spans.append((m.start(), m.end(), "LOC"))
        for m in LOC_SUFFIX_RE.finditer(text):
            a, e = m.start(), m.end()
            if not _suffix_on_word(text, a, e, bounds, self.words.plain) or e not in bounds and text[e:e + 1] not in LOCATIVES + "处内外旁":
                continue  # 乡村, 交叉路口: the suffix is inside a word (高速出口处: 处 is "at")
            if text[e:e + 1] == "民" and m.group() in ("村", "乡", "镇"):
                continue  # 村民, 乡民: people of the village, not another village
            if len(m.group()) == 1 and text[e:e + 1] and text[e:e + 1] in LOCATIVES:
                continue  # 长沙市街头, 村里: a street-side, not a street's name
            start, anchored = self._chain(text, a, LOC_SUFFIXES, max_part=4, bounds=bounds)
            # a direction after a place inside a facility name: 白城 东 疫情防控服务站
            if start == a and a > 0 and text[a - 1] in DIRECTIONS and self._place_ending_at(text, a - 1):
                start = a - 1 - self._place_ending_at(text, a - 1)
                anchored = True
            if start == a:
                continue
            part = text[start:a]
            if not anchored:
                if len(part) < 2:
                    continue
                # a bare name + suffix (姑姑归乡, 因躲避…服务站) needs the model's agreement, or a
                # community/street/village whose officer follows (隆兴社区民警吴艳)
                served = m.group() in BEAT_SUFFIXES and ROLE_RE.match(text, e)
                if not served and not any(i <= start + 1 and e <= j + 2 for i, j in model_locs):
                    start = self._street_start(text, start, a, e)
                    if start < 0:
                        continue
                if (start + 1, e) in model_locs and start + 1 in bounds and text[start] in ROAD_CUES:
                    start += 1  # 西靠|青云路: the model leaves the verb out, and so does the name
            spans.append((start, e, "LOC"))
        spans += self._scenes(text, spans + [(i, j, "LOC") for i, j in model_locs], bounds)
        spans += self._directional_list(text)
        spans += self._directional_stations(text, spans)
        spans += self._journey_ends(text, spans + [(i, j, "LOC") for i, j in model_locs])
        idioms = [(m.start(), m.end()) for m in IDIOM_RE.finditer(text)]
        return _longest([s for s in spans if not any(a < s[1] and s[0] < b for a, b in idioms)])

    def _street_start(self, text: str, start: int, a: int, e: int) -> int:
        """Where a street's name the model missed starts (-1 if none), where the sentence means a place:
        after a word of place or motion (在|中山路, 北至|纬五路), or listed beside another street
        (百花路、|长乐路, 长乐东路|、新华街). The stem is a name of 2-4 characters: not a number or pronoun
        (这条路, 一路), not a verb or a plain word on the way somewhere (回家|路上, 人生|路上), and the
        whole is no common word. Highways are the scene rule's (包固一级公路)."""
        cut = start
        for w in words(text[start:a]):  # 北至|纬五路: the name starts after the cue the chain ran over
            cut += len(w)
            if w in ROAD_CUES and a - cut >= 2:
                start = cut
        name, stem = text[start:e], text[start:a]
        if not name.endswith(STREET_SUFFIXES) or name.endswith(HIGHWAYS) or not 2 <= len(stem) <= 4 \
                or name in self.common_words or name in self.words.plain:
            return -1
        first = words(stem)
        if tag(first[0]) in NOT_ROAD_STEMS or len(first) == 1 and tag(stem) in NOT_MIDDLE:
            return -1
        parts = words(name)
        if tag(name) in SET_PHRASES or len(parts) > 1 and len(parts[0]) == 1 and tag(parts[0]) in VERBS \
                and len(parts[1]) > 2 and parts[1] == name[1:]:
            return -1  # 在走下坡路, 在走|上坡路: a verb and its way, no street (解放路, 走马街 are)
        if text[e:e + 1] == "上" and (stem in self.words.plain or stem in self.common_words or is_common_word(stem)):
            return -1  # 在人生路上: a way, no street
        cue = text[before(text, start):start] if start else ""
        listed = STREET_BEFORE.search(text, 0, start) is not None or STREET_AFTER.match(text, e) is not None
        return start if cue in ROAD_CUES or listed else -1

    @cached_property
    def _scene_head_re(self) -> re.Pattern:
        return re.compile("|".join(map(re.escape, sorted(load_words("scene_heads"), key=len, reverse=True))))

    @cached_property
    def _road_heads(self) -> frozenset[str]:
        return frozenset(h for h, kind in load_rows("scene_heads") if kind == "road")

    def _road_start(self, text: str, k: int, bounds: frozenset[int]) -> int:
        """Where the name of a road ending at k starts (-1 if none): a numbered road (国道324线), or a
        stem of 2-6 characters on a word boundary before a road suffix (包固一级公路, 固察路), not a
        pronoun or a number (这条路)."""
        m = NUMBERED_ROAD.search(text, max(0, k - 9), k)
        if m:
            return m.start()
        suf = next((x for x in ROAD_SUFFIXES if text.endswith(x, 0, k)), "")
        if not suf:
            return -1
        a = k - len(suf)
        g = ROAD_GRADE.search(text, max(0, a - 2), a)
        a = g.start() if g else a
        s = a
        while s > 0 and a - s < 6 and is_cjk(text[s - 1]) and text[s - 1] not in STOP_CHARS and text[s - 1] not in ROAD_STOPS:
            s -= 1
        while s < a and s not in bounds:
            s += 1
        if a - s < 2 or tag(text[s:after(text, s)]) in NOT_ROAD_STEMS:
            return -1
        return s

    def _anchor_start(self, text: str, j: int, ends: dict[int, int], bounds: frozenset[int]) -> int:
        """Where a place or a road ending at j starts (-1 if none)."""
        if j in ends:
            return ends[j]
        p = self._place_ending_at(text, j, any_level=True)
        if p and j - p in bounds:
            return j - p
        return self._road_start(text, j, bounds)

    def _scenes(self, text: str, spans: list[Span], bounds: frozenset[int]) -> list[Span]:
        """Scenes of incidents, which are places (GUIDELINES.md: roads and crossings, highways and their
        stations): a facility head (`scene_heads.tsv`) on a word boundary, right after a named place
        or road, with at most one plain word between (勤俭东路|铁路|立交桥, 集美|坂头|路段), or two roads
        joined by 与 (包固一级公路与固察路交叉路口); a road and its kilometre mark (合宁高速35公里处).
        The phrase opens a clause or follows a word of place (在, 行至, 位于), or a word of place or
        happening follows it (…内, …时, …发生): where something happened, not a road in general."""
        ends = {j: i for i, j, t in spans if t == "LOC"}
        found = []
        heads = [(m.start(), m.end()) for m in self._scene_head_re.finditer(text) if m.start() in bounds]
        heads += [(m.start(), m.end()) for m in KM_MARK.finditer(text)]
        for h, e in heads:
            km = text[e - 1] == "处" and KM_MARK.match(text, h) is not None
            road_only = text[h:e] in self._road_heads  # 公益民|段 of a road, not 这段
            cuts = [h] if km else [b for b in reversed(between(text, max(0, h - 3), h)) if not road_only or b < h]
            starts = []
            for j in cuts:
                middle = text[j:h]
                if middle and (any(c in STOP_CHARS or not is_cjk(c) for c in middle) or any(
                        tag(w) in NOT_MIDDLE or not tag(w) and len(w) > 1 for w in words(middle))):
                    continue  # 卫生院西侧路口, 开发区一路口: a direction or a number is no name's part
                starts.append(self._road_start(text, j, bounds) if km or road_only
                              else self._anchor_start(text, j, ends, bounds))
            if text.startswith("路", h) and (road := self._road_start(text, h + 1, bounds)) >= 0 and \
                    text[road:h] not in self.common_words:  # 事故|路段, 施工|路段: a plain word names no road
                starts.append(road)  # 香山|路口: the road 香山路 and its crossing
            # the nearest anchor that makes a scene; else one farther (勤俭东路|铁路|立交桥桥洞内: 铁路, a
            # plain word the model calls a place, opens no scene, 勤俭东路 does)
            for start in (x for x in starts if x >= 0):
                if text[start - 1:start] in ("与", "和") and (first := self._anchor_start(text, start - 1, ends, bounds)) >= 0:
                    start = first  # 铜山大道与香山路口: the crossing of two roads
                elif (road := NUMBERED_ROAD.search(text, max(0, start - 9), start)) is not None:
                    start = road.start()  # 国道324线集美坂头路段: the stretch of a numbered road (split by kg.link.names)
                if SCENE_BEFORE.search(text, 0, start) or SCENE_AFTER.match(text, e):
                    found.append((start, e, "LOC"))
                    break
        return found

    def _directional_list(self, text: str) -> list[Span]:
        """Checkpoints named by a city and a direction, listed: 白城西、白城南等7个任务卡点.

        A place + direction is a place only where another one is coordinated with it, so 城西部
        or 白城南下 stay untouched."""
        found = []
        for m in DIRECTION_BEFORE_LIST.finditer(text):
            k = m.start()
            n = self._place_ending_at(text, k)
            nxt = NEXT_DIRECTIONAL.match(text, m.end()) if n else None
            if nxt and self._place_ending_at(text, nxt.end() - 1):
                found += [(k - n, k + 1, "LOC"), (nxt.start(1), nxt.end(), "LOC")]
        return found

    def _directional_stations(self, text: str, spans: list[Span]) -> list[Span]:
        """Stations named by a city and a direction (许昌北站, 北京西站), with the highway they are on
        when it is named right before (京港澳高速公路许昌北站: the linker splits the two)."""
        found = []
        for m in DIRECTIONAL_STATION.finditer(text):
            n = self._place_ending_at(text, m.start())
            if n:
                start = m.start() - n
                road = [a for a, b, t in spans if b == start and t == "LOC" and text[a:b].endswith(HIGHWAYS)]
                found.append((min(road, default=start), m.end(), "LOC"))
        return found

    def _journey_ends(self, text: str, spans: list[Span]) -> list[Span]:
        """Where a journey from a known place ends is a place: 从武汉回到白兔潭，(a hamlet no list holds).
        Not a common word (从武汉回到家中) nor a name that starts with a known place (从固原到银川就诊)."""
        found = []
        for i, j, t in spans:
            if t != "LOC" or text[i - 1:i] != "从":
                continue
            m = JOURNEY_END.match(text, j)
            end = m.group(1) if m else ""
            if end and end not in self.common_words and end[0] not in STOP_CHARS and \
                    not any(self.gazetteer.lookup(end[:n]) for n in range(2, len(end) + 1)):
                found.append((m.start(1), m.end(1), "LOC"))
        return found

    # -- people ----------------------------------------------------------------------------------
    def _name_at(self, text: str, i: int) -> int:
        """Length of a person name starting at i (0 if none): surname + 1-2 given characters."""
        sur = 2 if text[i:i + 2] in SURNAMES else (1 if text[i:i + 1] in SURNAMES else 0)
        if not sur:
            return 0
        g = i + sur
        if g >= len(text) or not is_cjk(text[g]):
            return 0
        if text[g] in STOP_CHARS:
            # 民警在…, 民警正在…: no name; but a full name that closes the clause is one (辅警司正中。)
            k = g + 2
            closed = k <= len(text) and is_cjk(text[k - 1]) and (k == len(text) or not is_cjk(text[k]))
            return sur + 2 if closed else 0
        for suf in ANON_SUFFIXES:
            if text.startswith(suf, g):
                return sur + len(suf)
        if g + 1 >= len(text) or not is_cjk(text[g + 1]) or text[g + 1] in NAME_BREAKERS or \
                BYLINE_VERB.match(text, g + 1):  # 记者温宪报道, 王刚摄: the verb is not the name's
            return sur + 1
        return sur + 2

    def persons(self, text: str, kind: str, model_spans: list[Span]) -> list[Span]:
        spans = []
        model_people = [(i, j) for i, j, t in model_spans if t == "PERSON"]
        for m in ROLE_RE.finditer(text):
            n = self._name_at(text, m.end())
            if not n or ROLE_RE.match(text, m.end()):
                continue  # 交警劳模吴贱安: a second title follows, not a name
            i, j = m.end(), m.end() + n
            sur = 2 if text[i:i + 2] in SURNAMES else 1
            if text[i:j] in self.common_words or self.gazetteer.lookup(text[i + sur:j]) or \
                    text[i + sur:j] in self.gazetteer.world:  # 疫情在前，民警向前; 职工向新疆…, 主席国英国
                continue
            model_end = next((b for a, b in model_people if a == i and i + 2 <= b < j), None)
            if model_end:  # 记者王克上午…: the model read the name's end from more context
                j = model_end
            nxt = text[j:j + 1]
            # a role + surname may open an ordinary word (民警全力投入): the model or a clean end must agree
            if any(a < j and i < b for a, b in model_people) or not nxt or not is_cjk(nxt) or nxt in NAME_BREAKERS:
                spans.append((i, j, "PERSON"))
        bounds = boundaries(text)

        def worded(k: int, end: int) -> bool:
            """刘某 on the sentence's words (犯罪嫌疑人刘某在…), not inside a name the model read (白燕小姐)
            nor a function word (由某)."""
            return k in bounds and end in bounds and text[k] not in STOP_CHARS and \
                not self._lone_char_after(text, end) and not any(a < k < b for a, b in model_people)

        for m in re.finditer("|".join(ANON_SUFFIXES), text):
            i = m.start()
            for sur in (2, 1):
                if i - sur >= 0 and text[i - sur:i] in SURNAMES and (i - sur == 0 or not is_cjk(text[i - sur - 1])
                                                                    or text[i - sur - 1] in STOP_CHARS
                                                                    or text[i - sur - 1] in "民警员"
                                                                    or worded(i - sur, m.end())):
                    spans.append((i - sur, m.end(), "PERSON"))
                    break
        if kind == "byline":
            spans += self._byline_names(text)
        for a, b, _ in reporter_spans(text):  # （记者汪金福、赵忠生）; 本报记者公培佳北京报道: less the place
            place = self._place_ending_at(text, b)
            spans.append((a, b - place if b - place - a >= 2 and place >= 2 else b, "PERSON"))
        credit = re.search(r"(?:^|[。！？\s])([^\s。！？]{2,4})\s*摄$", text)
        if credit and credit.group(1)[:1] in SURNAMES:
            spans.append((credit.start(1), credit.end(1), "PERSON"))
        return _longest(spans)

    @staticmethod
    def _lone_char_after(text: str, k: int) -> bool:
        """A one-character word follows that is no verb or function word (李某强（男）: the given name's end;
        but 李某称, 刘某在)."""
        nxt = text[k:k + 1]
        return bool(nxt) and is_cjk(nxt) and nxt not in STOP_CHARS and k + 1 in boundaries(text) and \
            tag(nxt)[:1] not in ("v", "p", "c", "d", "u", "r")

    def _byline_names(self, text: str) -> list[Span]:
        spans = []
        masked = BYLINE_ROLES.sub(lambda m: " " * len(m.group()), text)
        for m in re.finditer(r"[^\s]+", masked):
            tok = m.group()
            if tok.endswith("摄"):
                tok = tok[:-1]
            place = self._place_ending_at(tok, len(tok))
            if len(tok) - place >= 2 and place >= 2:
                tok = tok[:-place]  # 公培佳北京(报道): the name, then where the reporter filed from
            run = split_name_run(tok, ()) if 4 <= len(tok) <= 8 else None  # 曹晟源胡琼: two names
            for a, b in run or [(0, len(tok))]:
                name = tok[a:b]
                if 2 <= len(name) <= 4 and all(is_cjk(c) for c in name) and (name[:1] in SURNAMES
                                                                           or name[:2] in SURNAMES):
                    spans.append((m.start() + a, m.start() + b, "PERSON"))
        return spans

    def tag(self, text: str, kind: str = "body", model_spans: list[Span] | None = None) -> list[Span]:
        model_spans = model_spans or []
        outlets = [(a, b, "ORG") for a, b in outlet_spans(text)]  # 荆楚网武汉5月6日电, 据@楚天都市报消息
        orgs, people = self.orgs(text, model_spans) + outlets, self.persons(text, kind, model_spans)
        titled = self._titled_units(text, [*model_spans, *people], [*model_spans, *orgs])
        return orgs + titled + self.locs(text, model_spans) + people

    def _titled_units(self, text: str, people: list[Span], taken: list[Span]) -> list[Span]:
        """A dictionary name right before a title before a person is the unit they serve in:
        前央视主持人王伟, 证监会主席X, 工行行长X. The word must be one the dictionary tags an organisation
        (nt) or an abbreviation (j), or a proper noun the lexicon knows as an organisation, and no place
        (美国总统X: the country's office, see kg.relations.belongs_to)."""
        from kg.relations.belongs_to import role_chain  # (kg.relations reads the rule layer's output)

        bounds, found = boundaries(text), []
        for i, _, t in people:
            chain = role_chain(text, i) if t == "PERSON" else None
            if chain is None or chain[0] not in bounds:
                continue
            k = chain[0]
            a = before(text, k)
            w = text[a:k]
            kind = tag(w)
            if text[a - 1:a].isdigit() or w.endswith("学") and not w.endswith(("大学", "中学", "小学")):
                continue  # 1月9日电记者X: a dateline (日电); 财政学教授X: a field of study, no unit
            if len(w) < 2 or not (kind in ("nt", "j") or kind == "nz" and w in self.words.orgs) or \
                    w in load_words("generic_orgs") or self.gazetteer.lookup(w) or w in self.gazetteer.world or \
                    any(x < k and a < y for x, y, _ in [*taken, *found]):
                continue
            found.append((a, k, "ORG"))
        return found


def _suffix_on_word(text: str, a: int, e: int, bounds: frozenset[int], plain: Collection[str]) -> bool:
    """The suffix text[a:e] starts a word, or ends one that People's Daily writes as a name or never
    (a township such as 红旗村 may be one word in jieba; 乡村, 自然村, 城镇 are plain words: their 村 makes no
    village), or is a word of its own closing a compound (技术开发区, 高速公路). jieba's part of speech
    is no help here: it tags many townships as common nouns."""
    if a in bounds:
        return True
    start = before(text, a)
    return e in bounds and (e - a >= 2 or text[start:e] not in plain)


def _longest(spans: list[Span]) -> list[Span]:
    """Drop spans inside a longer span of the same type."""
    out: list[Span] = []
    for s in sorted(set(spans), key=lambda s: (-(s[1] - s[0]), s[0])):
        if not any(o[0] <= s[0] and s[1] <= o[1] and o[2] == s[2] for o in out):
            out.append(s)
    return sorted(out)


@lru_cache(maxsize=8)
def _by_length(suffixes: tuple[str, ...]) -> tuple[frozenset[str], tuple[int, ...]]:
    """The suffix words as a set, and their lengths longest first."""
    return frozenset(suffixes), tuple(sorted({len(x) for x in suffixes}, reverse=True))

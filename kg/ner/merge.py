"""Resolve overlapping spans from the model, the rule layer and the date rules into one set.

Longer spans win (a nested unit name beats the fragment the model found inside it); on equal
length, rules beat the model for ORG/LOC/DATE and the model wins for PERSON.
"""

from __future__ import annotations

import re

import ahocorasick

from kg.ner.lexicon import BEAT_SUFFIXES, word_class
from kg.resources import load_words

PRIORITY = {"DATE": 3, "ORG": 2, "LOC": 1, "PERSON": 1}
# where a compound place name may be cut before its innermost place (…区 | …街道 | …镇 …)
INNER_PLACE_RE = re.compile("区|县|旗|街道|镇|乡")  # not 市: 城市花园 is one name
COMMUNITY_UNITS = word_class("community_unit")
SCENE_HEADS = tuple(sorted(load_words("scene_heads"), key=len, reverse=True))
MAX_OVERRUN = 3  # 勤俭东路铁路立交桥|桥洞内: what the model runs on past a scene's head


def merge_mentions(text: str, found: list[tuple[int, int, str, str]]) -> list[tuple[int, int, str, str]]:
    def rank(s):
        i, j, t, source = s
        return (-(j - i), -PRIORITY.get(t, 0), 0 if source == "rule" else 1, i, t, source)

    # a scene the rules end on its head (…立交桥) beats the model's span that runs on past it by a
    # part of the scene (…立交桥桥洞): the place is the bridge, 桥洞内 says where at it
    scenes = [(i, j) for i, j, t, source in found if t == "LOC" and source == "rule" and text[i:j].endswith(SCENE_HEADS)]
    found = [s for s in found if not (s[2] == "LOC" and s[3] == "model" and any(
        i <= s[0] and j < s[1] <= j + MAX_OVERRUN for i, j in scenes))]
    chosen: list[tuple[int, int, str, str]] = []
    taken = [False] * len(text)
    for s in sorted(set(found), key=rank):
        i, j, t, _ = s
        if i >= j or j > len(text) or not text[i:j].strip():
            continue
        if any(taken[i:j]):
            continue
        chosen.append(s)
        for k in range(i, j):
            taken[k] = True
    return sorted(chosen)


def _automaton(words: dict[str, str]) -> ahocorasick.Automaton | None:
    """Aho-Corasick over `words` (each found as (word, its value)); None when there are none."""
    if not words:
        return None
    automaton = ahocorasick.Automaton()
    for word, value in words.items():
        automaton.add_word(word, (word, value))
    automaton.make_automaton()
    return automaton


def propagate_names(sentences, per_sentence: list[list[tuple[int, int, str, str]]],
                    min_len: dict[str, int] | None = None) -> list[list[tuple[int, int, str, str]]]:
    """Tag every other occurrence, in the same document, of a name already found somewhere in it.

    A model that finds 杨少帅 in one sentence and misses him in the next is inconsistent, not
    uncertain: a name is a name throughout its article.
    """
    min_len = min_len or {"PERSON": 2, "ORG": 4, "LOC": 3}
    names: dict[str, str] = {}
    for sent, spans in zip(sentences, per_sentence, strict=True):
        for i, j, t, _ in spans:
            if t in min_len and j - i >= min_len[t] and sent.text[i:j].strip() == sent.text[i:j]:
                names.setdefault(sent.text[i:j], t)
    for name, t in list(names.items()):
        if t != "LOC":
            continue
        # the innermost place of a compound name is named alone too (福田区南园街道沙埔头社区 → 沙埔头社区)
        for m in INNER_PLACE_RE.finditer(name):
            if len(name) - m.end() >= min_len["LOC"]:
                names.setdefault(name[m.end():], "LOC")
    # units named after a community the document names (沙埔头社区 → 沙埔头指挥部): each stem's
    # matches as `re.finditer(stem + (指挥部|…))` gives them, all stems in one pass per sentence
    stems = {stem for name, t in names.items() if t == "LOC" and len(
        stem := name[: -len(beat)] if (beat := next((b for b in BEAT_SUFFIXES if name.endswith(b)), "")) else "") >= 2}
    units = _automaton({stem + unit: stem for stem in stems for unit in COMMUNITY_UNITS})
    for sent in sentences:
        end_of: dict[str, int] = {}  # stem → where its last match ended: matches of one stem do not overlap
        for last, (word, stem) in sorted(units.iter(sent.text), key=lambda hit: hit[0] - len(hit[1][0])) \
                if units else ():
            start = last + 1 - len(word)
            if start >= end_of.get(stem, 0):
                end_of[stem] = last + 1
                names.setdefault(word, "ORG")
    # every occurrence of every name, overlapping ones too, in one pass per sentence (not one per name)
    found = _automaton({name: name for name in names})
    out = []
    for sent, spans in zip(sentences, per_sentence, strict=True):
        extra = [(last + 1 - len(name), last + 1, names[name], "propagated")
                 for last, (name, _) in (found.iter(sent.text) if found else ())]
        out.append(merge_mentions(sent.text, spans + extra) if extra else spans)
    return out

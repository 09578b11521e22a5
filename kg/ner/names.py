"""Split runs of person names that the tagger returned as one span (王丙乾程思远王光英).

Newspapers list officials without separators. The BiLSTM-CRF sees a run of PER characters and,
lacking a B tag inside it, returns one long "name"; no sequence feature fixes that cheaply, but
the shape of Chinese names does: a surname and one or two given characters, or a name the
lexicon knows, or a transliterated name with `·` (阿木冬·尼牙孜). `split_name_run` picks the best
segmentation of a span into such names, or None where no clean one exists.

Transliterated foreign names (彼得罗夫斯基, 克莱门特) also start with characters that are
surnames, so a piece whose given part holds a typical transliteration character is not a
Chinese name, unless the lexicon knows it.
"""

from __future__ import annotations

import re
from collections.abc import Container

from kg.ner.lexicon import SURNAMES
from kg.text.clean import is_cjk

# Characters of transliterated names that are rare in Chinese given names (德, 夫, 维 … are common
# in both, so they are not here).
TRANSLIT = set("罕尔斯基特罗莱米卡阿拉娜奇格诺顿伊布纳科洛托姆塔里普兹巴萨蒂")
DOTTED = re.compile(r"[\u4e00-\u9fff]{2,}(?:·[\u4e00-\u9fff]+)*·[\u4e00-\u9fff]{2,}")
SCORE_KNOWN, SCORE_3, SCORE_2, SCORE_DOTTED = 2.0, 0.6, 0.4, 0.3
MAX_DOTTED = 24


def piece_score(p: str, known: Container[str]) -> float | None:
    """How name-like one piece is (None: not a name)."""
    if p in known:
        return SCORE_KNOWN
    if "·" in p:
        return SCORE_DOTTED if DOTTED.fullmatch(p) else None
    sur = 2 if p[:2] in SURNAMES else (1 if p[:1] in SURNAMES else 0)
    if not sur or len(p) - sur not in (1, 2) or any(c in TRANSLIT for c in p[sur:]):
        return None
    return SCORE_3 if len(p) - sur == 2 else SCORE_2


def split_name_run(s: str, known: Container[str]) -> list[tuple[int, int]] | None:
    """[(start, end), ...] of two or more names that make up `s`, or None to keep `s` whole.

    Best total score by dynamic programming. A `·` name must follow a three-character or longer
    piece (穆罕|默德·古奈姆 is one name, not two), and two `·` names never abut.
    """
    n = len(s)
    if n < 4 or not all(is_cjk(c) or c == "·" for c in s):
        return None
    if s in known:  # the lexicon holds runs too (罗干任建新, from corpora that tag a list as one name)
        parts = split_name_run(s, _Without(known, s))
        return parts if parts and all(s[a:b] in known and piece_score(s[a:b], ()) for a, b in parts) else None
    best: list[tuple[float, list[tuple[int, int]]] | None] = [None] * (n + 1)
    best[0] = (0.0, [])
    for i in range(n):
        if best[i] is None or (i > 0 and "·" in (s[i], s[i - 1])):
            continue
        score, path = best[i]
        for j in range(i + 2, min(n, i + MAX_DOTTED) + 1):
            if j < n and "·" in (s[j], s[j - 1]):
                continue
            piece = s[i:j]
            if j > i + 4 and "·" not in piece:
                continue
            sc = piece_score(piece, known)
            if sc is None:
                continue
            if "·" in piece and path:
                a, b = path[-1]
                if b - a == 2 or "·" in s[a:b]:
                    continue
            if best[j] is None or score + sc > best[j][0]:
                best[j] = (score + sc, [*path, (i, j)])
    done = best[n]
    return done[1] if done is not None and len(done[1]) >= 2 else None


class _Without:
    """`known` less one name."""

    def __init__(self, known: Container[str], name: str) -> None:
        self.known, self.name = known, name

    def __contains__(self, x: object) -> bool:
        return x != self.name and x in self.known


def split_person_spans(text: str, spans: list[tuple[int, int, str]], known: Container[str],
                       label: str = "PER") -> list[tuple[int, int, str]]:
    """`spans` with every `label` span that is a run of names replaced by one span per name."""
    out: list[tuple[int, int, str]] = []
    for b, e, t in spans:
        parts = split_name_run(text[b:e], known) if t == label else None
        out += [(b + i, b + j, t) for i, j in parts] if parts else [(b, e, t)]
    return out

"""Traditional Chinese: the model, the rules and the gazetteer see a Simplified view; names keep the original.

The NER model, the unit/place grammar and cpca's gazetteer are all Simplified. So where a block of
text is Traditional (at least `TRADITIONAL_SHARE` of its Chinese characters change under OpenCC's
`t2s`), the cleaner hands the tagger OpenCC's Simplified view, one character for one, so the
offset map still points into the original (`simplified`). Mention.text stays the original,
Mention.norm is the Simplified form the linker reads, and ids are those of the Simplified text, so
廣州市公安局 and 广州市公安局 are one entity. After linking, `restore_names` writes the names back
in the documents' own script (廣州市公安局) and keeps the Simplified form as an alias.

    >>> simplified("廣州市公安局民警張偉")
    '广州市公安局民警张伟'
"""

from __future__ import annotations

from collections import Counter
from functools import lru_cache

from kg.types import BuildResult, Entity

TRADITIONAL_SHARE = 0.05  # Traditional prose: ~30% of characters change; Simplified news: ~0.01%
NOT_TEXT = set(" \t\r\n\u3000\u00a0\u2002\u2003\u2009\ufeff●□■▲△★☆◆◇▼")  # what the cleaner drops


@lru_cache(maxsize=2)
def _opencc(config: str):
    import opencc

    return opencc.OpenCC(config)


def _t2s():
    return _opencc("t2s")


def is_cjk(ch: str) -> bool:
    """A Han character (CJK unified ideographs, extension A, compatibility, planes 2-3)."""
    o = ord(ch)
    return 0x4E00 <= o <= 0x9FFF or 0x3400 <= o <= 0x4DBF or 0xF900 <= o <= 0xFAFF or 0x20000 <= o <= 0x2FA1F


def simplified(text: str) -> str:
    """`text` as Simplified Chinese if it is Traditional, else unchanged; always the same length.

    OpenCC converts phrases; where a phrase changes length, characters are converted one by one
    and a character that would become several is kept as it is.
    """
    view = _t2s().convert(text)
    if view == text:  # Simplified text (the common case) costs one conversion and one comparison
        return text
    if len(view) != len(text):
        view = "".join(c if len(c := _t2s().convert(ch)) == 1 else ch for ch in text)
    cjk = sum(1 for ch in text if is_cjk(ch))
    changed = sum(1 for a, b in zip(text, view, strict=True) if a != b)
    return view if changed and changed >= TRADITIONAL_SHARE * cjk else text


def restore_names(result: BuildResult) -> None:
    """Entities found only in Traditional documents get their name in that script back.

    Each document's own characters say how to write a name: the pairs (simplified, original) seen
    in its mentions; a character they never show (a name composed from context or the gazetteer)
    is OpenCC's `s2t`. The Simplified name and aliases stay as aliases, so either form finds it.
    """
    pairs: dict[str, Counter] = {}
    for m in result.mentions:
        if m.text == m.norm:  # nearly every mention of Simplified text: nothing to learn
            continue
        original = "".join(ch for ch in m.text if ch not in NOT_TEXT)
        if len(original) != len(m.norm) or original == m.norm:
            continue
        for s, o in zip(m.norm, original, strict=True):
            if s != o and is_cjk(s) and is_cjk(o):
                pairs.setdefault(m.doc_id, Counter())[s, o] += 1
    if not pairs:
        return
    for e in result.entities:
        docs = e.documents
        if docs and all(d in pairs for d in docs):
            _rename(e, sum((pairs[d] for d in docs), Counter()))


def _rename(e: Entity, pairs: Counter) -> None:
    best: dict[str, tuple[int, str]] = {}
    for (s, o), n in pairs.items():
        if n > best.get(s, (0, ""))[0]:
            best[s] = (n, o)

    def original(name: str) -> str:
        guess = _opencc("s2t").convert(name)
        if len(guess) != len(name):
            guess = name
        return "".join(best[ch][1] if ch in best else g for ch, g in zip(name, guess, strict=True))

    name = original(e.name)
    if name == e.name:
        return
    forms = [original(a) for a in e.aliases] + [e.name, *e.aliases]
    e.aliases = [a for a in dict.fromkeys(forms) if a != name]
    e.name = name

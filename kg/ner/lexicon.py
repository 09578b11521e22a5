"""Word classes the rule layer and the linker share: unit suffixes, roles, place suffixes, surnames.

These are properties of the Chinese language and of how Chinese police and government units
are named, not names from any document: no person, unit or place of the seeds appears here.
The words themselves are data in kg/resources/*.tsv (issue 25); this module gives them their shapes.
"""

from __future__ import annotations

import re

from kg.resources import load_rows, load_words


def word_class(cls: str, name: str = "word_classes") -> tuple[str, ...]:
    """The words of `kg/resources/NAME.tsv` whose second column is `cls`, in file order."""
    return tuple(row[0] for row in load_rows(name) if row[1:2] == (cls,))


def _column(rows: tuple[tuple[str, ...], ...], n: int) -> dict[str, str]:
    """First column → column `n`, for the rows that fill column `n`."""
    return {row[0]: row[n] for row in rows if len(row) > n and row[n]}


def alternation(words) -> str:
    """A regex alternation of `words`, longest first, so that 公安分局 wins over 分局 (ties in file order)."""
    return "|".join(map(re.escape, sorted(dict.fromkeys(words), key=len, reverse=True)))


# Unit suffixes, longest first. A unit name is a chain of these: 福州市公安局/仓山分局/三义街派出所.
_UNIT_SUFFIXES = load_rows("org_suffixes")
ORG_SUFFIXES = tuple(row[0] for row in _UNIT_SUFFIXES if not row[2:3] or not row[2])
# …with their short forms (中院 for 中级人民法院): every word that closes a unit's name, and its regex.
UNIT_SUFFIXES = tuple(row[0] for row in _UNIT_SUFFIXES)
# Suffixes that make a unit's name even after a bare name part, with no place before it (城南派出所).
STRONG_ORG = frozenset(_column(_UNIT_SUFFIXES, 1))
UNIT_SUFFIX_RE = re.compile(alternation(UNIT_SUFFIXES))
# Departments inside a bureau, named alone in its article (政治部: the bureau's).
_INTERNAL = word_class("internal_unit")
INTERNAL_UNITS = frozenset(_INTERNAL)
INTERNAL_UNIT_RE = re.compile(alternation(_INTERNAL))
# Units named by the pattern PLACE + 公安 (福州公安): an informal name of a city's police.
PLACE_ORGS = word_class("place_org")
# Function characters that never start or sit inside a short unit or person name.
STOP_CHARS = set(word_class("stop", "char_classes"))
# Words for organisations in general, never the name of one (公安机关, 有关部门).
GENERIC_ORGS = frozenset(load_words("generic_orgs"))
# Words an organisation's name ends with (中国航空运动协会, 世界贸易组织, 中国人民解放军), beside the unit suffixes.
ORG_HEADS = load_words("org_heads")
# Unit words of which a country has one, so that the word alone names it (公安部 is the Ministry).
NATIONAL_UNITS = frozenset(word_class("national_unit"))
_ROLES = load_rows("roles")
# Titles and roles between a unit and a person (洮南市公安局交巡警大队民警周佰发), longest first.
ROLES = tuple(row[0] for row in _ROLES)
ROLE_RE = re.compile(alternation(ROLES))
# Role → the kind of unit it belongs to, used when the unit is not in the same phrase.
ROLE_UNIT = _column(_ROLES, 1)
# Government roles that do not make someone a member of the police unit in the same phrase.
GOV_ROLES = _column(_ROLES, 2)
# Titles of a country's own offices: after a country's name they tie the person to it (美国总统克林顿).
COUNTRY_TITLES = frozenset(_column(_ROLES, 3))
_OUTLETS = load_rows("outlet_suffixes")
# How news outlets' names end (新华网, 楚天都市报), in file order: all in a dateline's source…
OUTLET_SUFFIXES = tuple(row[0] for row in _OUTLETS)
# …and those looked for in running text (荆楚网, 扬子晚报).
TEXT_OUTLET_SUFFIXES = tuple(row[0] for row in _OUTLETS if "only" not in row[1:])
# Place suffixes below the county level (townships, streets, compounds, roads, checkpoints).
LOC_SUFFIXES = load_words("loc_suffixes")
LOC_SUFFIX_RE = re.compile(alternation(LOC_SUFFIXES))
# Places an organisation's name may seem to be: hotels and inns are where things happen (芙蓉宾馆).
LODGINGS = word_class("lodging")
# …and shops and firms, which a model may read as places, are organisations (五金电工批发商店).
FIRMS = word_class("firm")
# Words that look like a name part before a unit or place suffix but name nothing (辖区派出所).
GENERIC_PARTS = set(word_class("generic_part"))
# Places below the county an officer is posted to, or a team or a unit is named after (隆兴社区民警,
# 沙埔头社区抗疫突击队, 沙埔头指挥部)
BEAT_SUFFIXES = word_class("beat_suffix")
# Words for an area, not a name, that may stand before a place name (市区滨河花园小区) or a unit
AREA_WORDS = word_class("area_word")
# Set phrases built of place suffixes (街, 巷, 乡, 村): no place is named in them.
IDIOMS = word_class("idiom")
# Directions that may follow a place name inside a facility name (白城东 … 服务站).
DIRECTIONS = set(word_class("direction", "char_classes"))
ANON_SUFFIXES = word_class("anon_suffix")
# The most common Chinese surnames (the Hundred Family Surnames' frequent part, plus compounds).
SURNAMES = set(load_words("surnames"))
# Characters that end a given name early when they follow a surname + one character (李义一直 → 李义).
NAME_BREAKERS = set(word_class("name_breaker", "char_classes"))

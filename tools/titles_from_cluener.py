"""Write kg/resources/titles.tsv: job titles from CLUENER 2020's `position` spans, cleaned.

    python tools/titles_from_cluener.py ../shared/corpora/cluener2020

A span is kept as a title when it is 2-6 Chinese characters, names no place (俄罗斯总统), is not a
unit + a title (画院院长, 工会主席: the unit is what BELONGS_TO points at), and was marked at least
twice or ends the way at least three titles marked twice end (…经理, …员, …长). Court and
procuratorate posts, which Sina's news in CLUENER never marks, are added from the statutes that
create them (法官法 2019 第二、十八条; 检察官法 2019 第二条; 人民法院组织法 2018 第四十条至第四十八条).
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

OUT = ROOT / "kg" / "resources" / "titles.tsv"
STATUTE = ("审判员", "助理审判员", "审判长", "人民陪审员", "书记员", "法官", "法官助理", "庭长", "副庭长", "院长",
           "副院长", "检察官", "检察员", "助理检察员", "检察长", "副检察长", "检察官助理", "司法警察")
UNIT_END = set("院室委会科部处局司厅社团队厂所站行校馆组心")  # a unit's closing character (画院, 工会, 研究室)


def main(folder: Path) -> int:
    from kg.link.places import Gazetteer

    gaz = Gazetteer()
    counts: Counter = Counter()
    for split in ("train.json", "dev.json"):
        for line in (folder / split).read_text(encoding="utf-8").splitlines():
            for span, where in json.loads(line)["label"].get("position", {}).items():
                counts[span.strip()] += len(where)
    cjk = re.compile("[\u4e00-\u9fff]{2,6}")
    frequent = {t for t, c in counts.items() if c >= 2 and cjk.fullmatch(t)}
    heads = Counter(t[-k:] for t in frequent for k in (1, 2) if len(t) > k)
    kept = {}
    for t, c in counts.items():
        if not cjk.fullmatch(t):
            continue
        if any(t[i:j] in gaz.by_name or t[i:j] in gaz.short or t[i:j] in gaz.world
               for i in range(len(t)) for j in range(i + 2, len(t) + 1)):
            continue  # 俄罗斯总统, 北京市政协副主席: a place's office
        if t[-1] in UNIT_END or t[0] in "一二三四五六七八九十":
            continue  # 县委: a unit, not a title
        if any(t.endswith(o) and len(t) - len(o) >= 2 and t[-len(o) - 1] in UNIT_END for o in frequent if o != t):
            continue  # 画院院长, 中心主任: a unit and its title
        if c >= 2 or any(heads[t[-k:]] >= 3 for k in (1, 2)):
            kept[t] = c
    rows = sorted(kept.items(), key=lambda kv: (-kv[1], kv[0]))
    lines = ["# source: CLUENER2020 train+dev `position` spans (github.com/CLUEbenchmark/CLUENER2020, research use,"
             " cite arXiv:2001.04351), cleaned by tools/titles_from_cluener.py; court and procuratorate posts from"
             " 法官法, 检察官法 and 人民法院组织法 (public law)",
             "title\tcount\tsource"]
    lines += [f"{t}\t{c}\tcluener" for t, c in rows]
    lines += [f"{t}\t0\tstatute" for t in STATUTE if t not in kept]
    OUT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{OUT}: {len(lines) - 2} titles")
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1] if len(sys.argv) > 1 else ROOT.parent / "shared" / "corpora" / "cluener2020")))

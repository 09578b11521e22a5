"""A Simplified-Chinese CJK face for matplotlib plots (notebooks, timelines).

matplotlib reads only the first face of a font collection, and Debian's Noto Sans CJK
(`fonts-noto-cjk`) is one `.ttc` whose first face is the Japanese one: 直, 骨, 令 come out in
Japanese shapes. fontTools (a matplotlib dependency) copies the SC face into a file of its own,
once, in the user's cache; matplotlib then knows "Noto Sans CJK SC" by name.

    >>> use_cjk_font()          # doctest: +SKIP
    'Noto Sans CJK SC'
"""

from __future__ import annotations

import os
from pathlib import Path

FAMILY = "Noto Sans CJK SC"
# Other Simplified-Chinese faces, if Noto is not installed (none of them is a collection).
FALLBACKS = ("Source Han Sans SC", "Noto Sans SC", "WenQuanYi Zen Hei", "Microsoft YaHei", "PingFang SC", "SimHei")


def cache_dir() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "kg" / "fonts"


def extract_face(family: str = FAMILY, target: Path | None = None) -> Path | None:
    """The face `family` of an installed font collection, as a file of its own (made once)."""
    from fontTools.ttLib import TTCollection
    from matplotlib import font_manager

    target = target or cache_dir() / (family.replace(" ", "") + ".otf")
    if target.exists():
        return target
    for path in sorted(font_manager.findSystemFonts()):
        if not path.lower().endswith(".ttc"):
            continue
        try:
            faces = TTCollection(path, lazy=True).fonts
        except Exception:  # noqa: BLE001 (a broken font file is not our problem; try the next)
            continue
        for face in faces:
            if face["name"].getDebugName(1) == family:
                target.parent.mkdir(parents=True, exist_ok=True)
                part = target.with_suffix(".part")
                face.save(str(part))
                part.replace(target)
                return target
    return None


def use_cjk_font(family: str = FAMILY) -> str | None:
    """Make `family` (else a fallback) matplotlib's default face; return its name, None if none."""
    import matplotlib.pyplot as plt
    from matplotlib import font_manager

    def known() -> set[str]:
        return {f.name for f in font_manager.fontManager.ttflist}

    if family not in known():
        path = extract_face(family)
        if path is not None:
            font_manager.fontManager.addfont(str(path))
    chosen = next((f for f in (family, *FALLBACKS) if f in known()), None)
    if chosen:
        plt.rcParams["font.family"] = [chosen, "sans-serif"]
    return chosen

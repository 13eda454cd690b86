"""The DejaVu Sans files the app's own PDFs (receipts, the archive's merknader) are drawn
in, in a compact cut where the text allows it.

fpdf2 reads a font file in full for every document (every glyph's outline and width) and
subsets it again when the document is written: with DejaVu Sans (6,000 glyphs) that was
half a second per document, 80 minutes for the archive package of a 10,000-merknad
kommuneplan (bench/kommuneplan.py). The compact cut holds the same glyphs, outlines and
widths for the Latin scripts (Norwegian, Sámi, the rest of Europe's Latin letters) and
common punctuation, made once per process with fontTools (which fpdf2 itself uses); a
document whose text has any character outside it is drawn with the full font, so no
character prints differently than before.
"""

from __future__ import annotations

import os
import tempfile
import threading
from collections.abc import Iterable
from functools import cache
from pathlib import Path

import matplotlib

FONT_DIR = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
FILES = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf"}  # fpdf2's style → file
# Basic Latin to Latin Extended-B (Norwegian, Sámi ŋ đ ŧ š ž č ǥ ǩ ʒ, the rest of Europe),
# spacing modifiers and combining marks, punctuation, currency, letterlike, arrows, ≤ ≥ −
_RANGES = (
    (0x20, 0x7E),
    (0xA0, 0x24F),
    (0x292, 0x292),
    (0x2B0, 0x36F),
    (0x2000, 0x206F),
    (0x20A0, 0x20CF),
    (0x2100, 0x2199),
    (0x2212, 0x2212),
    (0x2260, 0x2265),
)
_LOCK = threading.Lock()
_CUT_VERSION = 2  # a new folder when the cut changes (2: with glyph names)


def font_files(texts: Iterable[str]) -> dict[str, Path]:
    """The font file per style for a document that draws ``texts``: the compact cut when
    it has every character of them, else the full font."""
    compact = _compact()
    needed = {ord(ch) for text in texts for ch in text if ch not in "\n\r\t"}
    if compact is not None and needed <= _covered(compact[""]):
        return compact
    return {style: FONT_DIR / name for style, name in FILES.items()}


def _compact() -> dict[str, Path] | None:
    """The compact cut of each style, made the first time (again if a cleaner removed the
    files); ``None`` if it cannot be written (then the full fonts serve)."""
    folder = _folder()
    paths = {style: folder / f"compact-{name}" for style, name in FILES.items()}
    if all(p.exists() for p in paths.values()):
        return paths
    with _LOCK:
        try:
            folder.mkdir(parents=True, exist_ok=True)
            for style, name in FILES.items():
                if not paths[style].exists():
                    _cut(FONT_DIR / name, paths[style])
        except OSError:
            return None
    _covered.cache_clear()
    return paths


@cache
def _folder() -> Path:
    source = FONT_DIR / FILES[""]
    stamp = f"{source.stat().st_size}-{int(source.stat().st_mtime)}"
    return Path(tempfile.gettempdir()) / f"kartinnspill-fonts-{os.getuid()}-{stamp}-{_CUT_VERSION}"


def _cut(source: Path, target: Path) -> None:
    from fontTools import subset

    # fpdf2 drops the layout tables itself: a cut without them. It keeps the glyph names
    # (fontTools would otherwise make them up from the cmap each time a document opens the
    # font, ~10 % of its time); the subset fpdf2 embeds has none either way.
    options = subset.Options(
        notdef_outline=True,
        recommended_glyphs=True,
        layout_features=[],
        name_IDs=["*"],
        name_languages=["*"],
        glyph_names=True,
    )
    options.drop_tables += ["FFTM", "GDEF", "GPOS", "GSUB"]
    font = subset.load_font(str(source), options)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=[u for lo, hi in _RANGES for u in range(lo, hi + 1)])
    subsetter.subset(font)
    partial = target.with_name(f".{target.name}.{os.getpid()}")
    subset.save_font(font, str(partial), options)
    os.replace(partial, target)  # another process making it at the same time is harmless


@cache
def _covered(path: Path) -> frozenset[int]:
    from fontTools.ttLib import TTFont

    with TTFont(str(path), lazy=True) as font:
        return frozenset(font.getBestCmap())

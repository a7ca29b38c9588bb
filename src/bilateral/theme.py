"""seaborn's `set_theme` for the figures, without importing seaborn where the figures are drawn.

`import seaborn` imports scipy.stats: about a second of every figure notebook's kernel, for a call
that only sets matplotlib's rcParams and the shorthand colours ("b", "g", ...). The values are
seaborn's own, recorded from the pinned seaborn into `_seaborn_theme.py`:

    python -m bilateral.theme     # after a change of the seaborn (or matplotlib) pin

and tests/test_theme.py checks that applying them leaves matplotlib exactly as seaborn's
`set_theme` does, so the figures keep their bytes.
"""

from __future__ import annotations

import sys
from pathlib import Path

# The themes the figures use: (style, context, font) -> their name in _seaborn_theme.THEMES.
THEMES = {
    "whitegrid": {"style": "whitegrid", "context": "paper", "font": "DejaVu Sans"},
    "white": {"style": "white", "context": "paper", "font": "DejaVu Sans"},
}
RECORD = Path(__file__).with_name("_seaborn_theme.py")
UNUSED = "image.cmap"


def set_theme(name: str) -> None:
    """matplotlib as `seaborn.set_theme(**THEMES[name])` leaves it."""
    import matplotlib as mpl
    from cycler import cycler

    from ._seaborn_theme import COLOR_CODES
    from ._seaborn_theme import THEMES as RECORDED

    # matplotlib's own defaults first: a matplotlibrc in the working folder, $MPLCONFIGDIR or
    # ~/.config/matplotlib would otherwise change the figures (savefig.transparent, hatch.linewidth...)
    # without any input of the workflow changing.
    mpl.rcdefaults()
    recorded = RECORDED[name]
    rc = dict(recorded["rc"])
    rc["axes.prop_cycle"] = cycler(color=[tuple(color) for color in recorded["cycle"]])
    mpl.rcParams.update(rc)
    for code, rgb in COLOR_CODES.items():
        mpl.colors.colorConverter.colors[code] = tuple(rgb)


def seaborn_values(name: str) -> dict:
    """What seaborn's set_theme sets for the theme `name`: the rcParams it changes, the colour cycle."""
    import matplotlib as mpl
    import seaborn as sns

    options = THEMES[name]
    sns.set_theme(**options)
    # set_theme updates the rcParams with the context's values, then the style's (font included).
    rc = dict(sns.plotting_context(options["context"])) | dict(
        sns.axes_style(options["style"], rc={"font.family": options["font"]})
    )
    # Not kept: seaborn's default colormap, 'rocket', exists only once seaborn is imported, and no
    # figure maps values to colours (matplotlib's default stays; the figures' bytes show no difference).
    rc.pop(UNUSED)
    cycle = [list(map(float, entry["color"])) for entry in mpl.rcParams["axes.prop_cycle"]]
    return {"rc": rc, "cycle": cycle}


def seaborn_color_codes() -> dict:
    import matplotlib as mpl
    import seaborn as sns

    sns.set_theme()
    return {code: list(map(float, mpl.colors.colorConverter.colors[code])) for code in "bgrmyck"}


def write_record(path: Path = RECORD) -> None:
    import seaborn as sns

    themes = {name: seaborn_values(name) for name in THEMES}
    text = (
        f'"""Written by `python -m bilateral.theme` from seaborn {sns.__version__}; do not edit."""\n\n'
        f"THEMES = {themes!r}\n\nCOLOR_CODES = {seaborn_color_codes()!r}\n"
    )
    path.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    write_record(Path(sys.argv[1]) if len(sys.argv) > 1 else RECORD)

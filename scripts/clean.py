"""Snakemake step `clean`: tidy raw data -> the pair's panel (both reporting sides) and the home
country's World totals, with a record of the settings that made them.

"""

import json

from bilateral import panel
from bilateral.atomic import write_text
from bilateral.dots_cache import read_reporters
from bilateral.pair import Pair
from bilateral.schemas import RAW, read_raw, validate
from bilateral.step import begin, end


def main(snakemake) -> None:
    begin(snakemake)
    settings = snakemake.params.settings
    pair = Pair.from_config(settings["pair"])
    if str(snakemake.input.raw).endswith(".parquet"):
        # The workbooks' cache holds every reporter: only the pair's own reports are read.
        raw = validate(read_reporters(snakemake.input.raw, [c.code for c in pair.countries]), RAW, snakemake.input.raw)
        raw.attrs["source"] = str(snakemake.input.raw)
    else:
        raw = read_raw(snakemake.input.raw)
    pair.check_present(raw, snakemake.input.raw)
    options = panel.PanelSettings(pair=pair, **settings["panel"])
    built = panel.build_panel(raw, options)
    write_text(snakemake.output.panel, panel.to_csv(built))
    write_text(snakemake.output.world, panel.to_csv(panel.build_world(raw, options)))
    # What made the panel, for the provenance record (which never reads the config in force), and
    # the years it covers, which the figures' windows are checked against before any notebook runs.
    record = {**settings, "coverage": panel.coverage(built)}
    write_text(snakemake.output.record, json.dumps(record, indent=2, sort_keys=True, ensure_ascii=False) + "\n")


main(snakemake)  # noqa: F821 (Snakemake defines `snakemake` in the script's preamble)
end(snakemake)  # noqa: F821

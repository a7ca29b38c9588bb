# Regenerates the paper's Figures 1-3, the regime comparison tables and the checked claims from the
# IMF data. Run with `make` (creates the environment) or `snakemake`.
import sys
from pathlib import Path

from snakemake.utils import min_version

from bilateral.prompt_exit import cancel_reevaluation_timers, skip_final_collection
from bilateral.yamlfile import read_yaml_mapping

min_version("9.0")
skip_final_collection()  # every Snakemake process of this workflow exits 0.2 s sooner (bilateral.prompt_exit)

# Snakemake's own message for a broken config file names neither the file nor the line, and its
# reader takes a key given twice (the last wins) or .nan: each file is read strictly first, the
# committed one and each --configfile.
for _name in dict.fromkeys(["config/config.yaml", *workflow.configfiles]):
    read_yaml_mapping(_name)


configfile: "config/config.yaml"


report: "docs/captions/workflow.rst"


include: "rules/common.smk"
include: "rules/imts.smk"
include: "rules/dots.smk"
include: "rules/clean.smk"
include: "rules/figures.smk"
include: "rules/tables.smk"
include: "rules/revisions.smk"
include: "rules/history.smk"
include: "rules/thesis.smk"
include: "rules/claims.smk"
include: "rules/comparison.smk"
include: "rules/report.smk"


check_sources_params()


onstart:
    # Jobs follow: the kernel server of a `make` run (bilateral.kernelfork) does its imports now.
    from bilateral.kernelfork import warm_up

    warm_up()
    # Jobs are about to change outputs: the record and the page describe the last complete build and
    # would pass for current if this run failed, were interrupted or built only some targets (say
    # `snakemake figures/figure1.png`); the run that writes them anew is one that asks for them.
    # A run that re-makes the page alone keeps the record: it still describes every output.
    _scheduled = {job.rule.name for job in workflow.dag.needrun_jobs()} - {"all"}
    _stale = [rules.html_report] if _scheduled else []
    if _scheduled - {rules.html_report.rule.name}:
        _stale.append(rules.provenance)
    for _rule in _stale:
        _path = Path(_rule.output[0])
        if _path.exists() and _rule.rule.name not in _scheduled:
            print(
                f"note: removed {_path}: this run changes what it describes; `make` writes it anew", file=sys.stderr
            )
        _path.unlink(missing_ok=True)


onsuccess:
    cancel_reevaluation_timers()  # else the process waits up to a second for them after the run


onerror:
    cancel_reevaluation_timers()


rule all:
    """Every output the config asks for: each notebook job's files, the provenance record and the page."""
    default_target: True
    input:
        lambda wc: files_of(notebook_jobs()),
        # Each pair's panel too: as an intermediate only, a deleted panel would stay missing while the
        # notebooks that read it are current, and the record would name a file that is not there.
        lambda wc: expand([declared(path) for path in rules.clean.output], dataset=DATASET, pair=list(PAIRS)),
        rules.provenance.output,
        rules.html_report.output,
    message:
        "Every output is built: open report/index.html"

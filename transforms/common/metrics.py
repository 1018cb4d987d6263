"""The one namespace of the pipeline's Beam counters: the run record (`_runs/<run_id>.json`) reads
every counter of this namespace, whichever stage counted it."""

METRICS_NAMESPACE = "newspipe"
# Counters of microseconds spent per stage ("stage_us.<stage>"), summed over workers: the run
# record turns them into `stage_seconds` (CPU-ish time inside each stage, not wall time).
STAGE_TIME_PREFIX = "stage_us."

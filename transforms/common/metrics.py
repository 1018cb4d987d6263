"""The one namespace of the pipeline's Beam counters: the run record (`_runs/<run_id>.json`) reads
every counter of this namespace, whichever stage counted it."""

METRICS_NAMESPACE = "newspipe"

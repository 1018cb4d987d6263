"""From a raw record to an article row and its quote rows.

One DoFn runs the named steps of transforms.articles.steps (extraction, cleaning, language
detection, the row, quote extraction) on a record: each stage's core is its own module;
running them in one step lets them share the parsed text and the per-worker set-up
(trafilatura, langdetect profiles, outlet profiles, cue lists) without moving records between
stages. The wrapper owns counting and rejects: a failure in any step makes the record a reject
naming that step.
"""

from __future__ import annotations

import gc
import logging
import time
from datetime import datetime
from types import FunctionType, MethodType

import apache_beam as beam
from apache_beam.metrics import Metrics
from apache_beam.transforms import core, ptransform, util
from apache_beam.typehints import decorators

from transforms.articles.progress import Progress
from transforms.articles.steps import STEPS, Rejected, Step, Tools, Work
from transforms.common.metrics import METRICS_NAMESPACE, STAGE_TIME_PREFIX
from transforms.common.records import RawRecord
from transforms.common.rejects import REJECTS, make_reject, reject_from_exception

LOG = logging.getLogger("newspipe.progress")
QUOTES = "quotes"

_BEAM_GET_SIGNATURE = decorators.get_signature
_SIGNATURES: dict = {}


def _remembered_signature(func):
    """Beam's get_signature, remembered per plain function (a bound method's signature is its
    function's less the first parameter, whatever it is bound to). Beam asks again for every
    DoFn method at each graph step and each bundle processor it builds: ~37,000
    inspect.signature calls, 0.4 s of CPU, in a run over 300 pages, for ~360 functions."""
    if type(func) is FunctionType:
        key = func
    elif type(func) is MethodType and type(func.__func__) is FunctionType:
        key = (func.__func__,)
    else:
        return _BEAM_GET_SIGNATURE(func)
    signature = _SIGNATURES.get(key)
    if signature is None:
        signature = _SIGNATURES[key] = _BEAM_GET_SIGNATURE(func)
    return signature


# In the driver (pipeline/assemble.py imports this module) and in every worker that runs
# ProcessRecords (unpickling it imports this module): the modules that call get_signature.
for _module in (decorators, core, ptransform, util):
    if getattr(_module, "get_signature", None) is _BEAM_GET_SIGNATURE:
        _module.get_signature = _remembered_signature


class ProcessRecords(beam.DoFn):
    """raw record dict -> article row (main), quote rows (QUOTES), rejects (REJECTS)."""

    def __init__(self, config: dict, run_id: str, ingested_at: datetime, expected: int = 0,
                 steps: list[tuple[str, Step]] = STEPS):
        self.config = config
        self.run_id = run_id
        self.ingested_at = ingested_at
        self.expected = expected  # records this run expects, for progress and ETA (0: unknown)
        self.steps = steps

    def setup(self):
        self.tools = Tools.from_config(self.config, self.run_id, self.ingested_at)
        self.articles = Metrics.counter(METRICS_NAMESPACE, "articles")
        self.quotes = Metrics.counter(METRICS_NAMESPACE, "quotes")
        self.tracker = Progress.shared(self.run_id, self.expected)
        self.step_us = {name: Metrics.counter(METRICS_NAMESPACE, f"{STAGE_TIME_PREFIX}{name}")
                        for name, _ in self.steps}

    def teardown(self):
        # a multi-process run's worker goes on with the tail's stages once this step is over
        # (pipeline/allocator.py shuts the step down): what the libraries keep goes with it
        if getattr(self, "tools", None) is not None:
            self.tools.release()
            gc.collect()

    def process(self, raw: dict):
        self.tracker.tick()
        work = Work(RawRecord(**raw))
        input_ref = work.record.input_ref
        for name, step in self.steps:
            started = time.perf_counter()
            try:
                work = step(work, self.tools)
            except Rejected as verdict:
                yield beam.pvalue.TaggedOutput(REJECTS, make_reject(
                    input_ref, name, verdict.error_type, str(verdict), verdict.content))
                return
            except Exception as error:  # never crash on input: the record becomes a reject
                LOG.debug("step %s failed for %s", name, input_ref, exc_info=True)
                yield beam.pvalue.TaggedOutput(REJECTS, reject_from_exception(
                    input_ref, name, error, work.content()))
                return
            finally:
                self.step_us[name].inc(int((time.perf_counter() - started) * 1e6))
        self.articles.inc()
        self.quotes.inc(len(work.quotes))
        for name in work.counts:
            Metrics.counter(METRICS_NAMESPACE, name).inc()
        yield work.article
        for quote in work.quotes:
            yield beam.pvalue.TaggedOutput(QUOTES, quote)

"""The remembered get_signature gives Beam's own answer, for every kind of callable Beam asks about."""

from __future__ import annotations

import functools

import apache_beam as beam
from apache_beam.transforms import core

from transforms.articles import beam as articles_beam
from transforms.articles.beam import ProcessRecords


def _plain(a, b=1, *rest, c, **more):
    return a


class _Fn(beam.DoFn):
    def process(self, element, extra=None):
        yield element


def test_same_signature_as_beam():
    fn, other = _Fn(), _Fn()
    callables = [_plain, fn.process, other.process, _Fn.process, ProcessRecords.process,
                 lambda x: x, functools.partial(_plain, 1), str.strip, int, len, fn.start_bundle]
    for func in callables:
        expected = articles_beam._BEAM_GET_SIGNATURE(func)
        assert articles_beam._remembered_signature(func) == expected
        assert articles_beam._remembered_signature(func) == expected  # from memory
    assert core.get_signature is articles_beam._remembered_signature
    bound = articles_beam._remembered_signature(fn.process)
    assert list(bound.parameters) == ["element", "extra"]
    assert list(articles_beam._remembered_signature(_Fn.process).parameters) == ["self", "element", "extra"]

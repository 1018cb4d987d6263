"""The common core's Beam side: table rows as compact bytes while they wait in the runner
(issue 16, docs/memory.md).

On the local runner every row that crosses a grouping, or waits for a side input, sits in the
runner's memory until its consumer runs: the articles between the dedup step and the copy-line
strip, all quotes between the article step and the repeated-line strip, every row before the
writer. Rows are mostly text: zstd at level 1 keeps an article row at ~50% of Beam's own
encoding for ~20 us to pack and ~10 to unpack (zlib at level 1: the same size, 77 and 28 us).
The bytes decode to the same dict: nothing downstream can tell.

- `encode_row` / `decode_row`: a row as such bytes, for values a step groups itself.
- `Compact()`: an identity step whose output PCollection Beam encodes with `PackedRowCoder`
  (steps fused with it see plain dicts; only the runner's copy is packed).
"""

from __future__ import annotations

import threading

import apache_beam as beam
import zstandard

_BEAM_ROW = beam.coders.FastPrimitivesCoder()  # the coder Beam itself gives these dicts
LEVEL = 1
_local = threading.local()  # zstandard's (de)compressor objects are not thread-safe


def _codec() -> tuple[zstandard.ZstdCompressor, zstandard.ZstdDecompressor]:
    codec = getattr(_local, "codec", None)
    if codec is None:
        codec = _local.codec = (zstandard.ZstdCompressor(level=LEVEL), zstandard.ZstdDecompressor())
    return codec


def encode_row(row: dict) -> bytes:
    return _codec()[0].compress(_BEAM_ROW.encode(row))  # the frame records its size


def decode_row(data: bytes) -> dict:
    return _BEAM_ROW.decode(_codec()[1].decompress(data))


class PackedRowCoder(beam.coders.Coder):
    """A row (a dict of table values) as encode_row's bytes. Not deterministic (dict order):
    for values, never for grouping keys."""

    def encode(self, value) -> bytes:
        return encode_row(value)

    def decode(self, encoded: bytes):
        return decode_row(encoded)

    def is_deterministic(self) -> bool:
        return False

    def to_type_hint(self):
        return PackedRow

    def __eq__(self, other) -> bool:
        return type(self) is type(other)

    def __hash__(self) -> int:
        return hash(type(self))


class PackedRow(dict):
    """The element type that selects PackedRowCoder. Elements stay plain dicts at run time (the
    type only names the coder; Beam does not check element types while running)."""


beam.coders.registry.register_coder(PackedRow, PackedRowCoder)


class Compact(beam.PTransform):
    """rows -> the same rows, held by the runner as encode_row's bytes until their consumers run.
    Fused into the producing step: costs one call and the packing per row."""

    def expand(self, rows):
        return rows | "Pack" >> beam.Map(_same).with_output_types(PackedRow)


def _same(row: dict) -> dict:
    return row

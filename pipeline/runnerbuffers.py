"""How the local runner (FnApiRunner) hands a grouping to the workers, with less memory at once
(issue 16, docs/memory.md).

Beam's `GroupingBuffer.partition` encodes a whole grouping into one growing stream per worker
while every decoded value stays alive, then copies each stream into one bytes object; the
bundle manager then writes that part into a data stream that it never flushes before closing,
so the part is copied again and goes to the worker as a single message. For a grouping of
10,000 articles' fingerprints (~65 MB) that is four to five copies at once in the runner, the
largest process of a 2-worker run.

The runner also hands its freed heap back to the system after each bundle (`malloc_trim`):
the groupings and waiting buffers it frees leave holes that glibc keeps resident otherwise
(10,000 pages on 2 workers: the runner's peak 672 -> 611 MiB).

`install` replaces the two steps for the Beam versions it was written against: the grouping is
encoded in the same order and to the same workers (key k of the table to worker k mod n), each
key's values are dropped once encoded, the encoded part is a list of ~1 MiB chunks that each hold
whole elements, and each chunk of 1 MiB or more goes out as a message of its own (a worker
queues up to five received messages: 5 MiB, not five times Beam's 10 MB flush size or a whole
part). The workers get the same bytes. Other versions keep Beam's code.
"""

from __future__ import annotations

import apache_beam
from apache_beam.coders.coder_impl import create_OutputStream
from apache_beam.runners.portability.fn_api_runner import execution, fn_runner
from apache_beam.transforms import trigger
from apache_beam.transforms.window import GlobalWindow, GlobalWindows
from apache_beam.utils import windowed_value

from pipeline.allocator import glibc

PATCHED_BEAM = ("2.77.",)  # GroupingBuffer's fields and BundleManager._send_input_to_worker used below
CHUNK_BYTES = 1 << 20
BEAM_PARTITION = execution.GroupingBuffer.partition  # Beam's own (the tests compare against it)


def install(version: str = apache_beam.__version__) -> bool:
    """Patch the runner (once per process); False, and nothing patched, for another Beam."""
    if not version.startswith(PATCHED_BEAM):
        return False
    if getattr(execution.GroupingBuffer.partition, "chunked", False):
        return True
    execution.GroupingBuffer.partition = partition
    fn_runner.BundleManager._send_input_to_worker = send_input_to_worker
    libc = glibc()
    if libc is not None:
        fn_runner.FnApiRunner._execute_bundle = _trimmed(fn_runner.FnApiRunner._execute_bundle, libc)
    return True


def _trimmed(execute_bundle, libc):
    """FnApiRunner._execute_bundle, then malloc_trim(0): a few ms a bundle, against holes that
    glibc would keep resident for the rest of the run."""

    def execute(self, *args, **named):
        try:
            return execute_bundle(self, *args, **named)
        finally:
            libc.malloc_trim(0)

    return execute


def partition(self, n: int) -> list[list[bytes]]:
    """GroupingBuffer.partition (Beam 2.77), in chunks, freeing the table as it goes."""
    if self._grouped_output:
        return self._grouped_output
    if self._windowing.is_default():
        pane = windowed_value.PaneInfo(is_first=True, is_last=True, index=0, nonspeculative_index=0,
                                       timing=windowed_value.PaneInfoTiming.ON_TIME)
        in_window = GlobalWindows.windowed_value(None, timestamp=GlobalWindow().max_timestamp(),
                                                 pane_info=pane).with_value

        def windowed_key_values(key, values):
            return [in_window((key, values))]
    else:  # Beam's own path for other windowing (the batch pipeline has none)
        windowed_key_values = trigger.create_trigger_driver(self._windowing, True).process_entire_key
    coder_impl = self._post_grouped_coder.get_impl()
    key_coder_impl = self._key_coder.get_impl()
    parts: list[list[bytes]] = [[] for _ in range(n)]
    streams = [create_OutputStream() for _ in range(n)]
    table = self._table
    for index, encoded_key in enumerate(list(table)):
        values = table.pop(encoded_key)
        stream = streams[index % n]
        for item in windowed_key_values(key_coder_impl.decode(encoded_key), values):
            coder_impl.encode_to_stream(item, stream, True)
        del values
        if stream.size() >= CHUNK_BYTES:
            parts[index % n].append(stream.get())
            streams[index % n] = create_OutputStream()
    for ix, stream in enumerate(streams):
        if stream.size() or not parts[ix]:
            parts[ix].append(stream.get())
    self._grouped_output = parts
    return parts


partition.chunked = True


def send_input_to_worker(self, process_bundle_id: str, read_transform_id: str, byte_streams) -> None:
    """BundleManager._send_input_to_worker (Beam 2.77), flushing the data stream as it fills."""
    assert self._worker_handler is not None
    data_out = self._worker_handler.data_conn.output_stream(process_bundle_id, read_transform_id)
    for byte_stream in (byte_streams or []):
        data_out.write(byte_stream)
        if data_out.size() >= CHUNK_BYTES:  # a message per chunk: the worker queues up to 5
            data_out.flush()
    data_out.close()

"""The feed source after PeriodicImpulse (PolledFeeds: PollFeed's keyed state per feed, the fetch
stage) through the whole streaming graph on the BundleBasedDirectRunner. PeriodicImpulse is a
splittable DoFn that runner cannot run: a TestStream delivers its ticks instead."""

from __future__ import annotations

import apache_beam as beam
from apache_beam.options.pipeline_options import PipelineOptions, StandardOptions
from apache_beam.testing import test_stream
from apache_beam.transforms.window import TimestampedValue

from pipeline import stream
from tests.helpers import LocalServer, Reply, html_page, read_rows, rss
from transforms.common.config import load_config
from transforms.feeds.specs import feed_specs
from transforms.sources.beam import PolledFeeds

T0 = 1714550400
HTML = {"Content-Type": "text/html; charset=utf-8"}
RSS = {"Content-Type": "application/rss+xml"}


class Ticks(beam.PTransform):
    def __init__(self, events, specs, config, state_dir):
        super().__init__()
        self.events, self.specs, self.config, self.state_dir = events, specs, config, state_dir

    def expand(self, root):
        return root | self.events | PolledFeeds(self.specs, self.config["fetch"], 0, self.state_dir)


def test_each_feed_entry_is_fetched_once_across_polls(tmp_path):
    with LocalServer() as server:
        links = [server.add(f"/story/{n}", Reply(200, html_page(f"Story {n} on the harbour works"), HTML))
                 for n in range(3)]
        # the first poll lists two entries, the next ones a third as well
        feeds = [Reply(200, rss([{"link": link} for link in links[:2]]), RSS)]
        feeds += [Reply(200, rss([{"link": link} for link in links]), RSS)] * 2
        feed = server.add("/feed.xml", feeds)
        config = load_config()
        config["fetch"].update(allow_private_networks=True, per_host_min_delay_s=0.0)
        events = (test_stream.TestStream()
                  .advance_watermark_to(T0)
                  .add_elements([TimestampedValue("tick", T0)])
                  .advance_watermark_to(T0 + 60)
                  .add_elements([TimestampedValue("tick", T0 + 60)])
                  .advance_watermark_to(T0 + 120)
                  .add_elements([TimestampedValue("tick", T0 + 120)])
                  .advance_watermark_to_infinity())
        output = tmp_path / "out"
        request = stream.StreamRequest(output=str(output), config=config, state_dir=str(output / "_state"),
                                       run_id="feeds-test")
        options = PipelineOptions(["--runner=BundleBasedDirectRunner"])
        options.view_as(StandardOptions).streaming = True
        with beam.Pipeline(options=options) as pipeline:
            stream.build(pipeline, request, source=Ticks(events, feed_specs([], [feed]), config,
                                                         request.state_dir))
        assert server.hits("/feed.xml") == 3
        assert [server.hits(f"/story/{n}") for n in range(3)] == [1, 1, 1]
    assert sorted(a["url"] for a in read_rows(output, "articles")) == sorted(links)

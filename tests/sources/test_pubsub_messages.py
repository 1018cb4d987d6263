"""The Pub/Sub adapter after ReadFromPubSub (ParsedMessages: parsing, page fetching) through the
whole streaming graph on the BundleBasedDirectRunner. ReadFromPubSub itself cannot run here (no
Pub/Sub, no emulator): a TestStream stands in for it, delivering the PubsubMessage objects it
would emit, one of them twice, as Pub/Sub may."""

from __future__ import annotations

import json

import apache_beam as beam
from apache_beam.io.gcp.pubsub import PubsubMessage
from apache_beam.options.pipeline_options import PipelineOptions, StandardOptions
from apache_beam.testing import test_stream
from apache_beam.transforms.window import TimestampedValue

from pipeline import stream
from tests.helpers import LocalServer, Reply, html_page, read_rows
from transforms.common.config import load_config
from transforms.sources.beam import ParsedMessages

T0 = 1714550400
HTML = {"Content-Type": "text/html; charset=utf-8"}
SUB = "projects/p/subscriptions/news"


class Source(beam.PTransform):
    def __init__(self, events, config):
        super().__init__()
        self.events, self.config = events, config

    def expand(self, root):
        return root | self.events | ParsedMessages(SUB, self.config["fetch"], 0)


def test_messages_with_articles_and_urls_become_rows_once(tmp_path):
    words = " ".join(f"word{i}" for i in range(90))
    article = json.dumps({"id": "m1", "text": f"A story told in a message. {words}.", "source": "TASS"})
    with LocalServer() as server:
        url = server.add("/story", Reply(200, html_page("Regional economy grows"), HTML))
        messages = [PubsubMessage(article.encode(), {}, message_id="1"),
                    PubsubMessage(url.encode(), {}, message_id="2"),
                    PubsubMessage(b"not json", {}, message_id="3"),
                    PubsubMessage(article.encode(), {}, message_id="1")]  # redelivered
        events = (test_stream.TestStream()
                  .advance_watermark_to(T0)
                  .add_elements([TimestampedValue(m, T0 + n) for n, m in enumerate(messages)])
                  .advance_watermark_to_infinity())
        config = load_config()
        config["fetch"].update(allow_private_networks=True, per_host_min_delay_s=0.0)
        output = tmp_path / "out"
        request = stream.StreamRequest(output=str(output), config=config, state_dir=str(output / "_state"),
                                       run_id="pubsub-test")
        options = PipelineOptions(["--runner=BundleBasedDirectRunner"])
        options.view_as(StandardOptions).streaming = True
        with beam.Pipeline(options=options) as pipeline:
            stream.build(pipeline, request, source=Source(events, config))
    articles = read_rows(output, "articles")
    assert sorted(a["input_ref"] for a in articles) == sorted([f"pubsub:{SUB}/1", url])
    assert [(r["input_ref"], r["error_type"]) for r in read_rows(output, "rejects")] == [
        (f"pubsub:{SUB}/3", "invalid_json")]

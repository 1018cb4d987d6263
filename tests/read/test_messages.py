"""Parsing of Pub/Sub messages (transforms/read/messages.py) on its own, messages built by hand.
Pub/Sub itself cannot run here (no emulator, no network): ReadFromPubSub is the one part of the
streaming job no test runs (tests/sources/test_pubsub_messages.py runs the rest of the adapter)."""

from __future__ import annotations

import json

from transforms.read.messages import RECORD, REJECT, URL, parse_message

SUB = "projects/p/subscriptions/news"


def test_article_json_becomes_a_raw_record_with_a_stable_reference():
    data = json.dumps({"id": "x1", "url": "https://example.com/a", "text": "Body.", "source": "TASS",
                       "published": "2024-05-01T08:00:00Z"}).encode()
    [(kind, row)] = parse_message(data, {}, "123", SUB)
    assert kind == RECORD
    assert row["input_ref"] == f"pubsub:{SUB}/123"
    assert (row["source_id"], row["text"], row["source"], row["html"]) == ("x1", "Body.", "TASS", None)


def test_html_article_keeps_html_for_extraction():
    [(kind, row)] = parse_message(b'{"html": "<p>Hi</p>"}', None, "7", SUB)
    assert kind == RECORD and row["html"] == "<p>Hi</p>" and row["text"] is None


def test_urls_are_pages_to_fetch():
    assert parse_message(b"https://example.com/news/1\n", {}, "1", SUB) == [(URL, "https://example.com/news/1")]
    assert parse_message(b'{"url": "https://example.com/2"}', {}, "2", SUB) == [(URL, "https://example.com/2")]


def test_batched_lines_each_parsed_with_their_line_number():
    data = b'{"text": "One."}\nnot json\n{"url": "https://example.com/3"}\n'
    out = parse_message(data, {}, "9", SUB)
    assert [kind for kind, _ in out] == [RECORD, REJECT, URL]
    assert out[0][1]["input_ref"] == f"pubsub:{SUB}/9:1"
    assert out[1][1]["input_ref"] == f"pubsub:{SUB}/9:2" and out[1][1]["error_type"] == "invalid_json"


def test_bad_messages_are_rejects_not_crashes():
    for data in (b"", b"   ", b"[1, 2]", b'{"title": "no body"}', b"\xff\xfe garbage", b"plain words"):
        out = parse_message(data, None, None, SUB)
        assert out and all(kind == REJECT for kind, _ in out), data
        assert all(row["input_ref"].startswith(f"pubsub:{SUB}/") for _, row in out)


def test_missing_message_id_falls_back_to_the_id_attribute():
    [(_, row)] = parse_message(b'{"text": "T."}', {"id": "pub-42"}, None, SUB)
    assert row["input_ref"] == f"pubsub:{SUB}/pub-42"

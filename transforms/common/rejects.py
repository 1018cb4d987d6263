"""Reject rows: an input that could not become an article, with the reason.

Every stage sends its failures to the tagged output REJECTS as rows built here, so that
every input ends as exactly one `articles` row or one `rejects` row.
"""

from __future__ import annotations

from transforms.common.records import RejectRow

EXCERPT_BYTES = 1024


class RejectError(Exception):
    """An input that cannot become an article: `error_type` names the rejects row's type and
    `content` is what the excerpt is cut from."""

    def __init__(self, error_type: str, message: str, content: bytes | None = None):
        super().__init__(message)
        self.error_type = error_type
        self.content = content

REJECTS = "rejects"  # tag of the side output every stage uses


def excerpt(content: str | bytes | None) -> str | None:
    """At most 1 KB of the offending input, as text (undecodable bytes replaced)."""
    if content is None:
        return None
    if isinstance(content, str):
        content = content.encode("utf-8", "replace")
    return content[:EXCERPT_BYTES].decode("utf-8", "ignore")


def valid_text(text: str) -> str:
    """The text with any lone surrogate (a non-UTF-8 file name in an OS error, a JSON "\\ud800")
    written as an escape: Parquet string columns take valid UTF-8 only, and one bad row would
    fail the whole write."""
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        return text.encode("utf-8", "backslashreplace").decode("utf-8")


def make_reject(
    input_ref: str,
    stage: str,
    error_type: str,
    message: str,
    content: str | bytes | None = None,
) -> RejectRow:
    """A `rejects` row, without run_id (the writer stamps it)."""
    return {
        "input_ref": valid_text(input_ref),
        "stage": stage,
        "error_type": error_type,
        "error_message": valid_text(" ".join(str(message).split())[:2000]),
        "excerpt": excerpt(content),
    }


def reject_from_exception(input_ref: str, stage: str, error: BaseException, content=None) -> RejectRow:
    """A reject row for an unexpected exception: the class name is the error type."""
    return make_reject(input_ref, stage, type(error).__name__, str(error) or repr(error), content)

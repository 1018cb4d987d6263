"""The config's shape: types, ranges, enums and paths of every key, checked with pydantic.

Defaults live only in configs/default.yaml: these models have none. config.py merges a user
config over the defaults and validates the merged mapping here, so a bad value stops the run
at start (exit 2, one line naming the key) instead of misbehaving later (a negative
max_rows_per_file wrote nothing, num_perm 0 switched deduplication off, a partition key
'../x' wrote outside the table).
"""

from __future__ import annotations

import codecs
import re
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
)

from transforms.common.schemas import PARTITION_COLUMNS

PROJECT_ROOT = Path(__file__).resolve().parents[2]

PositiveInt = Annotated[int, Field(gt=0)]
NonNegativeInt = Annotated[int, Field(ge=0)]
PositiveFloat = Annotated[float, Field(gt=0)]
NonNegativeFloat = Annotated[float, Field(ge=0)]
Share = Annotated[float, Field(ge=0, le=1)]

_EXTENSION = re.compile(r"\.[A-Za-z0-9][A-Za-z0-9._-]*")
_MEDIA_TYPE = re.compile(r"[a-z0-9][a-z0-9.+-]*/[a-z0-9][a-z0-9.+-]*")


def extension(value: str) -> str:
    if not _EXTENSION.fullmatch(value):
        raise ValueError(f"{value!r} is not a file extension (like '.txt')")
    return value


def media_type(value: str) -> str:
    if not _MEDIA_TYPE.fullmatch(value):
        raise ValueError(f"{value!r} is not a media type (like 'text/html')")
    return value


def header_value(value: str) -> str:
    if not value.strip() or "\r" in value or "\n" in value:  # a line break would inject headers
        raise ValueError(f"{value!r} is not a usable header value (empty or with a line break)")
    return value


Extension = Annotated[str, AfterValidator(extension)]
MediaType = Annotated[str, AfterValidator(media_type)]
HeaderValue = Annotated[str, AfterValidator(header_value)]
Compression = Literal["zstd", "snappy", "gzip", "brotli", "lz4", "none"]


class Section(BaseModel):
    # strict: YAML gives real types, so "3" for a number is a mistake, not a number
    model_config = ConfigDict(extra="forbid", strict=True)


def project_file(value: str) -> str:
    """A file relative to the project root, or absolute, that exists."""
    path = Path(value) if Path(value).is_absolute() else PROJECT_ROOT / value
    if not path.is_file():
        raise ValueError(f"no such file: {path}")
    return value


ProjectFile = Annotated[str, AfterValidator(project_file)]


class InputSettings(Section):
    max_record_bytes: PositiveInt
    max_inflated_bytes: PositiveInt
    text_extensions: list[Extension]
    html_extensions: list[Extension]
    jsonl_extensions: list[Extension]
    feed_extensions: list[Extension]
    sniff_unknown: bool
    fallback_encoding: str

    @field_validator("fallback_encoding")
    @classmethod
    def known_codec(cls, value: str) -> str:
        if value:
            try:
                codecs.lookup(value)
            except LookupError:
                raise ValueError(f"unknown encoding {value!r}") from None
        return value


class FetchSettings(Section):
    allow_private_networks: bool
    user_agent: HeaderValue
    connect_timeout_s: PositiveFloat
    read_timeout_s: PositiveFloat
    total_timeout_s: PositiveFloat
    max_retries: NonNegativeInt
    backoff_base_s: NonNegativeFloat
    backoff_max_s: NonNegativeFloat
    max_retry_after_s: NonNegativeFloat
    max_redirects: NonNegativeInt
    max_body_bytes: PositiveInt
    max_inflated_bytes: PositiveInt
    per_host_max_in_flight: PositiveInt
    per_host_min_delay_s: NonNegativeFloat
    max_crawl_delay_s: NonNegativeFloat
    max_parallel_hosts: PositiveInt
    respect_robots: bool
    page_content_types: Annotated[list[MediaType], Field(min_length=1)]
    feed_content_types: Annotated[list[MediaType], Field(min_length=1)]
    feed_content_min_chars: NonNegativeInt


class ExtractSettings(Section):
    favor_precision: bool
    include_tables: bool
    min_text_chars: NonNegativeInt
    extensive_date_search: bool


class CleanSettings(Section):
    sources_file: ProjectFile
    furniture_file: ProjectFile
    repeated_lines: bool
    line_history_max_keys: PositiveInt
    copy_lines: bool


class LangSettings(Section):
    max_chars: PositiveInt
    trials: PositiveInt
    min_confidence: Share


class DedupSettings(Section):
    shingle_size: PositiveInt
    num_perm: PositiveInt
    band_rows: PositiveInt
    seed: NonNegativeInt
    max_bucket: PositiveInt
    min_shared_shingles: PositiveInt
    min_containment: Share
    strong_containment: Share
    min_residual_overlap: Share
    state_shards: PositiveInt
    min_numbers: PositiveInt
    min_number_overlap: Share
    frequent_share: Share
    frequent_min_docs: PositiveInt
    frequent_power: PositiveFloat

    @field_validator("band_rows")
    @classmethod
    def bands_fit(cls, value: int, info: ValidationInfo) -> int:
        num_perm = info.data.get("num_perm")
        if num_perm and num_perm % value:  # band_rows > num_perm: no band at all, dedup off
            raise ValueError(f"band_rows ({value}) must divide num_perm ({num_perm})")
        return value


class QuotesSettings(Section):
    cues_file: ProjectFile
    doubled_apostrophes: bool
    partial_quotes: Literal["words", "clause"]


class OutputSettings(Section):
    partition_by: list[str]
    max_rows_per_file: PositiveInt
    compression: Compression

    @field_validator("partition_by")
    @classmethod
    def known_unique_columns(cls, value: list[str]) -> list[str]:
        unknown = [key for key in value if key not in PARTITION_COLUMNS]
        if unknown:
            raise ValueError(f"{unknown[0]!r} is not a partition column "
                             f"(one of {', '.join(sorted(PARTITION_COLUMNS))})")
        if len(set(value)) != len(value):
            raise ValueError("a partition column is named twice")
        return value


DAY_S = 86_400


class StreamSettings(Section):
    """`pipeline stream` only; durations in seconds (the CLI's --window etc. override them)."""

    window_s: Annotated[int, Field(gt=0, le=DAY_S)]  # a window over a day would hold a day's rows in state
    allowed_lateness_s: Annotated[int, Field(ge=0, le=30 * DAY_S)]
    late_firing_delay_s: Annotated[int, Field(ge=0, le=DAY_S)]  # 0: one late pane per late row
    dedup_ttl_s: Annotated[int, Field(gt=0, le=365 * DAY_S)]
    poll_interval_s: Annotated[float, Field(gt=0, le=DAY_S)]
    fetch_batch_s: Annotated[float, Field(gt=0, le=3600)]


class Settings(Section):
    input: InputSettings
    fetch: FetchSettings
    feeds: list[Any]  # each entry's keys are checked by the feeds stage
    extract: ExtractSettings
    clean: CleanSettings
    lang: LangSettings
    dedup: DedupSettings
    quotes: QuotesSettings
    output: OutputSettings
    stream: StreamSettings

    @field_validator("feeds", mode="before")
    @classmethod
    def no_feeds(cls, value: Any) -> Any:
        return [] if value is None else value  # `feeds:` with every entry commented out

    @field_validator("feeds")
    @classmethod
    def feed_entries(cls, value: list[Any]) -> list[Any]:
        for number, entry in enumerate(value, 1):
            if not (isinstance(entry, dict) or (isinstance(entry, str) and entry.strip())):
                raise ValueError(f"entry {number} ({entry!r}) must be a URL, a path or a mapping")
        return value

"""The load generator: open- and closed-model HTTP/1.1 load, measured without coordinated omission.

It knows nothing of Django or of the servers it loads; it sends requests to a URL and measures.
"""

from asynclab.load._answer import Answer, fetch_answer
from asynclab.load._beside import run_load_beside
from asynclab.load._chat import ChatResult, ChatSpec, run_chat
from asynclab.load._engine import Engine, WorkerShare
from asynclab.load._result import SCHEMA, LoadResult, summarize
from asynclab.load._run import (
    GeneratorError,
    check_open_files,
    ensure_open_files,
    max_open_connections,
    run_load,
)
from asynclab.load._samples import ERROR_KINDS, LoadSamples
from asynclab.load._schedule import OpenModelSchedule
from asynclab.load._spec import ARRIVALS, Arrival, LoadSpec, parse_header
from asynclab.load._sse import STREAM_OUTCOMES, StreamResult, StreamSpec, run_streams
from asynclab.load._target import Target, parse_target
from asynclab.load._thresholds import METRIC_NAMES, Threshold, parse_threshold
from asynclab.load._uploads import UploadResult, UploadSpec, run_load_with_uploaders

__all__ = [
    "ARRIVALS",
    "ERROR_KINDS",
    "METRIC_NAMES",
    "SCHEMA",
    "STREAM_OUTCOMES",
    "Answer",
    "Arrival",
    "ChatResult",
    "ChatSpec",
    "Engine",
    "GeneratorError",
    "LoadResult",
    "LoadSamples",
    "LoadSpec",
    "OpenModelSchedule",
    "StreamResult",
    "StreamSpec",
    "Target",
    "Threshold",
    "UploadResult",
    "UploadSpec",
    "WorkerShare",
    "check_open_files",
    "ensure_open_files",
    "fetch_answer",
    "max_open_connections",
    "parse_header",
    "parse_target",
    "parse_threshold",
    "run_chat",
    "run_load",
    "run_load_beside",
    "run_load_with_uploaders",
    "run_streams",
    "summarize",
]

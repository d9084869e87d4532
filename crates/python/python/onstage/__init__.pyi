import datetime
import os
from typing import Any, Protocol, TypedDict, Union

import pyarrow

class _ArrowStream(Protocol):
    def __arrow_c_stream__(self, requested_schema: Any = ...) -> Any: ...

class Problem(TypedDict):
    severity: str
    code: str
    path: str
    message: str

class RowError(TypedDict):
    table: str
    row: int
    user: Union[str, None]
    code: str
    message: str

Config = Union[str, bytes, os.PathLike[str], dict[str, Any]]
AsOf = Union[str, datetime.datetime, int]

class OnstageError(ValueError):
    code: str
    problems: list[Problem]

class ConfigError(OnstageError): ...

class BadRowsError(OnstageError):
    errors: list[RowError]
    result: Union[pyarrow.Table, None]

def config_text(config: Config) -> str: ...
def validate(config: Config) -> list[Problem]: ...
def as_of_ms(as_of: AsOf) -> int: ...

class Evaluator:
    def __init__(self, config: Config) -> None: ...
    @property
    def warnings(self) -> list[Problem]: ...
    @property
    def config_json(self) -> str: ...
    @property
    def output_schema(self) -> pyarrow.Schema: ...
    def evaluate(
        self, events: _ArrowStream, as_of: AsOf, identify: Union[_ArrowStream, None] = None, *, threads: int = 0
    ) -> pyarrow.Table: ...
    def evaluate_with_errors(
        self, events: _ArrowStream, as_of: AsOf, identify: Union[_ArrowStream, None] = None, *, threads: int = 0
    ) -> tuple[pyarrow.Table, list[RowError]]: ...
    def stream(self, as_of: AsOf) -> Stream: ...

class Stream:
    errors: list[RowError]
    def feed(self, rows: _ArrowStream) -> pyarrow.Table: ...
    def finish(self) -> pyarrow.Table: ...

"""Shared fixtures and helpers for the end-to-end tests of the chronos-sync command line.

The binary is taken from $CHRONOS_SYNC_BIN, else from .build/debug/chronos-sync in the repository.
A missing binary is a failure, never a skip: build it first (`swift build`).
"""

from __future__ import annotations

import errno
import json
import os
import re
import subprocess
import textwrap
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
DEFAULT_BIN = REPO / ".build" / "debug" / "chronos-sync"

# `file:line:column: message` or `file:line:column: warning: message`
DIAGNOSTIC = re.compile(r"^(?P<file>.+?):(?P<line>\d+):(?P<column>\d+): (?P<warning>warning: )?(?P<message>.*)$")


def binary_path() -> Path:
    return Path(os.environ.get("CHRONOS_SYNC_BIN") or DEFAULT_BIN)


@pytest.fixture(scope="session")
def chronos_bin() -> Path:
    path = binary_path()
    if not path.is_file() or not os.access(path, os.X_OK):
        pytest.fail(
            f"chronos-sync binary not found or not executable at {path}; "
            "build it with `swift build` or set CHRONOS_SYNC_BIN",
            pytrace=False,
        )
    return path


@dataclass(repr=False)
class Result:
    args: list[str]
    returncode: int
    stdout: str
    stderr: str

    @property
    def lines(self) -> list[str]:
        return [line for line in self.stdout.splitlines() if line]

    @property
    def json(self):
        return json.loads(self.stdout)

    def __repr__(self) -> str:  # shown in assertion messages
        return f"$ {' '.join(self.args)}\nexit {self.returncode}\n--- stdout\n{self.stdout}--- stderr\n{self.stderr}"


def run_cli(binary: Path, *args: str, cwd: Path | str | None = None, timeout: float = 60) -> Result:
    argv = [str(binary), *map(str, args)]
    # The binary may be relinked while the suite runs: wait a little while it is busy or briefly missing.
    for attempt in range(60):
        try:
            proc = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, timeout=timeout)
            break
        except OSError as error:
            if error.errno not in (errno.ETXTBSY, errno.ENOENT) or attempt == 59:
                raise
            time.sleep(0.5)
    return Result(argv, proc.returncode, proc.stdout, proc.stderr)


@pytest.fixture
def cli(chronos_bin):
    """cli(*args, cwd=None) runs the binary and returns a Result."""

    def call(*args: str, cwd: Path | str | None = None) -> Result:
        return run_cli(chronos_bin, *args, cwd=cwd)

    return call


@dataclass(frozen=True)
class Diag:
    file: str
    line: int
    column: int
    severity: str
    message: str


def parse_diagnostics(stderr: str) -> list[Diag]:
    """Every `file:line:column: [warning: ]message` line of stderr; other lines are an error."""
    result = []
    for line in stderr.splitlines():
        if not line.strip():
            continue
        m = DIAGNOSTIC.match(line)
        assert m, f"stderr line is not file:line:column: message: {line!r}"
        result.append(
            Diag(m["file"], int(m["line"]), int(m["column"]), "warning" if m["warning"] else "error", m["message"])
        )
    return result


def write_spec(folder: Path, name: str, text: str, *, dedent: bool = True) -> Path:
    """Writes one spec file (dedented, so fixtures can be indented in the test source)."""
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip("\n") if dedent else text)
    return path


def position(text: str, line: int, needle: str, occurrence: int = 1) -> tuple[int, int]:
    """(line, column), 1-based, of the `occurrence`-th `needle` on 1-based `line` of `text`
    (after the same dedent as write_spec). Used to state expectations by the fixture text itself."""
    lines = textwrap.dedent(text).lstrip("\n").splitlines()
    src = lines[line - 1]
    index = -1
    for _ in range(occurrence):
        index = src.index(needle, index + 1)
    return line, index + 1


@pytest.fixture
def spec_dir(tmp_path):
    """A fresh folder `specs/` in tmp_path, and a writer: spec_dir.write(name, text)."""

    class SpecDir:
        root = tmp_path
        path = tmp_path / "specs"

        def write(self, name: str, text: str, **kw) -> Path:
            return write_spec(self.path, name, text, **kw)

    return SpecDir()


@pytest.fixture(autouse=True)
def chronos_python_required_fields():
    """chronos-python extends its class-level list of required job fields in place when a client speaks 2.x
    (`scheduler_api_version=None`), so every later client in the process would require 2.x's fields too:
    each test starts from the list as the package ships it."""
    import chronos

    shipped = list(chronos.ChronosJob.fields)
    yield
    chronos.ChronosJob.fields[:] = shipped

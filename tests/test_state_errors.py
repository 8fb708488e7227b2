"""A state file that cannot be used stops `serve` at once with a message that names the file, the job or
row, and what to do; it never starts silently with no jobs."""

from __future__ import annotations

import signal
import sqlite3
import subprocess

import pytest

from test_cli_server import FolderServer

JOB = """
    name: keeper
    command: "true"
    schedule: R/2030-01-01T00:00:00Z/P1D
"""


@pytest.fixture
def server(chronos_bin, tmp_path):
    s = FolderServer(chronos_bin, tmp_path)
    s.write("keeper.yaml", JOB)
    yield s
    s.stop(signal.SIGKILL)


def serve(server, *args):
    return subprocess.run([str(server.binary), "serve", "--jobs", str(server.jobs), "--data", str(server.data), "--http-port", "0", *args],
                          capture_output=True, text=True, timeout=30)


def test_an_empty_state_file_is_refused_and_reset_state_moves_it_aside(server):
    server.data.mkdir()
    state = server.data / "state.sqlite"
    state.write_bytes(b"")
    result = serve(server)
    assert result.returncode == 1, result
    assert f"state file {state}: the file is empty (0 bytes)" in result.stderr
    assert "--reset-state" in result.stderr
    assert state.stat().st_size == 0, "the file is left as it was"

    server.start_and_wait("--reset-state")
    backups = list(server.data.glob("state.sqlite.*.bak"))
    assert len(backups) == 1 and backups[0].stat().st_size == 0
    server.wait_for(lambda: server.run("history", "keeper").returncode == 0, what="the job under the new state")


def test_a_file_that_is_not_a_database_is_refused(server):
    server.data.mkdir()
    (server.data / "state.sqlite").write_text("these are not the rows you are looking for\n" * 100)
    result = serve(server)
    assert result.returncode == 1, result
    assert "is not a readable chronos-sync state database" in result.stderr, result.stderr


def test_a_broken_row_names_the_job_every_time(server):
    server.start_and_wait()
    server.wait_for(lambda: server.run("history", "keeper").returncode == 0, what="the job")
    server.stop()
    with sqlite3.connect(server.data / "state.sqlite") as db:
        db.execute("UPDATE jobs SET spec = '{\"name\": \"keeper\", \"cpus\": ' WHERE name = 'keeper'")
    for _ in range(5):
        result = serve(server)
        assert result.returncode == 1, result
        assert f"state file {server.data}/state.sqlite, job keeper: its stored spec no longer loads" in result.stderr, result.stderr
        assert "ServiceGroupError" not in result.stderr


def test_data_that_is_a_file_is_refused(server, tmp_path):
    not_a_folder = tmp_path / "plain-file"
    not_a_folder.write_text("x")
    result = subprocess.run([str(server.binary), "serve", "--jobs", str(server.jobs), "--data", str(not_a_folder)],
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 1, result
    assert f"--data {not_a_folder} is a file" in result.stderr

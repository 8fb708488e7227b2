"""schemathesis against /openapi.yaml: no 5xx answer and no answer that breaks the documented schema.

Generated requests create jobs with arbitrary commands, so the server runs unprivileged (as `nobody`
when the tests run as root) in a throwaway folder.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest


@pytest.fixture
def open_folder():
    """A folder the unprivileged server can write (pytest's own are private to root)."""
    path = Path(tempfile.mkdtemp(prefix="chronos-fuzz-"))
    path.chmod(0o777)
    yield path
    shutil.rmtree(path, ignore_errors=True)


def test_schemathesis_finds_no_server_error_or_schema_violation(chronos_bin, open_folder):
    tmp_path = open_folder
    jobs = tmp_path / "jobs"
    jobs.mkdir()
    (jobs / "seed.yaml").write_text("name: seed\ncommand: echo seed\nschedule: R/2030-01-01T00:00:00Z/P1D\n")
    for folder in (tmp_path, jobs):
        folder.chmod(0o777)
    (jobs / "seed.yaml").chmod(0o644)
    command = [str(chronos_bin), "serve", "--jobs", str(jobs), "--data", str(tmp_path / "data"),
               "--http-port", "0", "--http-credentials", "fuzz:fuzz", "--sync-interval", "1"]
    if os.geteuid() == 0:
        command = ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", *command]
    log = tmp_path / "serve.log"
    server = subprocess.Popen(command, stdout=open(log, "w"), stderr=subprocess.STDOUT, cwd=tmp_path)
    try:
        port = None
        for _ in range(100):
            match = re.search(r"REST API on http://127\.0\.0\.1:(\d+)/", log.read_text())
            if match:
                port = match.group(1)
                break
            time.sleep(0.1)
        assert port, log.read_text()
        schemathesis = Path(sys.executable).parent / "schemathesis"
        result = subprocess.run(
            [str(schemathesis), "run", f"http://127.0.0.1:{port}/openapi.yaml", "-a", "fuzz:fuzz",
             "-c", "not_a_server_error,response_schema_conformance,status_code_conformance,content_type_conformance",
             "-n", "25", "--seed", "7"],
            capture_output=True, text=True, timeout=600,
        )
        assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
        assert re.search(r"\d+ generated, \d+ passed", result.stdout), result.stdout[-3000:]
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=15)

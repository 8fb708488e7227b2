"""Job names become file names: the one name rule keeps every file inside its folder, whatever a spec, the
API or another Chronos server says."""

from __future__ import annotations

import http.server
import json
import subprocess
import threading

import pytest


def test_dot_names_are_refused_where_they_are_written(cli, spec_dir):
    spec_dir.write("dots.yaml", """
        name: ..
        command: "true"
        schedule: R/2030-01-01T00:00:00Z/P1D
        ---
        name: .
        command: "true"
        schedule: R/2030-01-01T00:00:00Z/P1D
    """)
    result = cli("validate", spec_dir.path)
    assert result.returncode == 1, result
    assert 'dots.yaml:1:7: job name ".." names a folder, not a job; pick another' in result.stderr, result.stderr
    assert 'dots.yaml:5:7: job name "." names a folder, not a job; pick another' in result.stderr, result.stderr


@pytest.fixture
def chronos_answering(tmp_path):
    """A stand-in for a Chronos server whose `GET /v1/scheduler/jobs` answers the list given to it."""
    answer = {"jobs": []}

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            body = json.dumps(answer["jobs"]).encode()
            self.send_response(200 if self.path == "/v1/scheduler/jobs" else 404)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield answer, f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


@pytest.mark.parametrize("name", ["../../escaped", "/tmp/absolute", "..", "a/b"])
def test_import_writes_nothing_outside_out_nor_anything_at_all_for_a_bad_name(chronos_bin, chronos_answering, tmp_path, name):
    answer, url = chronos_answering
    good = {"name": "good", "command": "true", "schedule": "R/2030-01-01T00:00:00Z/P1D"}
    answer["jobs"] = [good, dict(good, name=name)]
    out = tmp_path / "deep" / "out"
    result = subprocess.run([str(chronos_bin), "import", "--from", url, "--out", str(out)], capture_output=True, text=True, timeout=30)
    assert result.returncode == 1, result
    assert "job 2 of the server's answer" in result.stderr, result.stderr
    assert "nothing was written" in result.stderr
    assert not out.exists(), "no file at all is written when one job cannot be"
    assert not (tmp_path / "escaped.yaml").exists() and not (tmp_path / "deep" / "escaped.yaml").exists()
    assert "Foundation" not in result.stderr and "NSCocoaErrorDomain" not in result.stderr

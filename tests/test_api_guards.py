"""What the API does with clients it should not trust: no credentials, a page of another origin, idle and
slow sockets, more connections than it wants; and what the operator may open on purpose."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import re
import socket
import time
import urllib.error
import urllib.request

import pytest

from test_cli_server import FolderServer
from test_git_sync import repo, server  # noqa: F401 (fixtures)

USER, PASSWORD = "ops", "pa55"
JOB = json.dumps({"name": "made-here", "command": "true", "schedule": "R/2030-01-01T00:00:00Z/P1D"}).encode()


def request(port, path, *, method="GET", body=None, headers=None, auth=False):
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=body, method=method, headers=headers or {})
    if auth:
        req.add_header("Authorization", "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode())
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


@pytest.fixture
def guarded(chronos_bin, tmp_path):
    s = FolderServer(chronos_bin, tmp_path)
    yield s
    s.stop()


def jobs(port):
    status, body = request(port, "/v1/scheduler/jobs", auth=True)
    assert status == 200
    return [j["name"] for j in json.loads(body)]


def test_ping_and_metrics_are_open_only_when_the_operator_says_so(guarded):
    port = guarded.start_and_wait("--http-credentials", f"{USER}:{PASSWORD}", "--public-ping")
    assert request(port, "/ping") == (200, b"pong")
    assert request(port, "/metrics")[0] == 401
    assert request(port, "/v1/scheduler/jobs")[0] == 401
    guarded.stop()
    port = guarded.start_and_wait("--http-credentials", f"{USER}:{PASSWORD}", "--metrics-public")
    assert request(port, "/ping")[0] == 401
    assert request(port, "/metrics")[0] == 200


def test_a_401_closes_the_connection(guarded):
    port = guarded.start_and_wait("--http-credentials", f"{USER}:{PASSWORD}")
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(b"GET /v1/scheduler/jobs HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        received = b""
        while chunk := s.recv(4096):
            received += chunk
        # recv returned b"": the server closed the socket after its answer.
        assert received.startswith(b"HTTP/1.1 401"), received


def test_a_request_whose_headers_never_end_is_dropped(guarded):
    port = guarded.start_and_wait("--http-idle-timeout", "1s")
    with socket.create_connection(("127.0.0.1", port), timeout=15) as s:
        s.sendall(b"GET /ping HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
        assert s.recv(4096) == b"", "the server closed the socket of the stalled request"
    assert request(port, "/ping") == (200, b"pong")


def test_connections_over_the_limit_hold_no_file_of_the_server(guarded):
    port = guarded.start_and_wait("--http-max-connections", "4", "--http-idle-timeout", "2s")
    pid = guarded.process.pid
    before = len(os.listdir(f"/proc/{pid}/fd"))
    sockets = [socket.create_connection(("127.0.0.1", port), timeout=10) for _ in range(40)]
    try:
        time.sleep(0.5)
        held = len(os.listdir(f"/proc/{pid}/fd")) - before
        assert held <= 4 + 2, f"the server holds {held} more files for 40 idle clients with a limit of 4"
    finally:
        for s in sockets:
            s.close()
    # Once the idle ones are gone, it answers again.
    guarded.wait_for(lambda: request(port, "/ping") == (200, b"pong"), what="/ping after the idle clients left")


def test_a_job_cannot_be_created_by_a_form_or_a_page_of_another_origin(guarded):
    port = guarded.start_and_wait()
    for content_type in ("text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", None):
        headers = {"Content-Type": content_type} if content_type else {}
        status, body = request(port, "/v1/scheduler/iso8601", method="POST", body=JOB, headers=headers)
        assert status == 415, (content_type, status, body)
        assert "application/json" in json.loads(body)["message"]
    assert "made-here" not in jobs(port)
    # A page elsewhere may read (Chronos's dashboards do) but not change anything without credentials.
    evil = {"Content-Type": "application/json", "Origin": "http://evil.example"}
    status, body = request(port, "/v1/scheduler/iso8601", method="POST", body=JOB, headers=evil)
    assert status == 403, body
    assert request(port, "/v1/jobs/made-here/disable", method="POST", headers={"Origin": "http://evil.example"})[0] == 403
    assert request(port, "/v1/scheduler/jobs", headers={"Origin": "http://evil.example"})[0] == 200
    assert "made-here" not in jobs(port)
    # The same request from the server's own origin, or as YAML, goes through.
    same = {"Content-Type": "application/json", "Origin": f"http://127.0.0.1:{port}"}
    assert request(port, "/v1/scheduler/iso8601", method="POST", body=JOB, headers=same)[0] == 204
    yaml_body = b"name: from-yaml\ncommand: 'true'\nschedule: R/2030-01-01T00:00:00Z/P1D\n"
    assert request(port, "/v1/scheduler/iso8601", method="POST", body=yaml_body, headers={"Content-Type": "application/yaml"})[0] == 204
    assert {"made-here", "from-yaml"} <= set(jobs(port))


def test_the_webhook_needs_its_hmac_not_the_password(server, repo):  # noqa: F811
    git_server = server
    git_server.start_git("--repo", str(repo), "--sync-interval", "1h", "--http-credentials", f"{USER}:{PASSWORD}", "--webhook-secret", "hook")
    body = b'{"ref": "refs/heads/main"}'
    signature = "sha256=" + hmac.new(b"hook", body, hashlib.sha256).hexdigest()
    status, _ = request(git_server.port, "/v1/sync/webhook", method="POST", body=body,
                        headers={"Content-Type": "application/json", "X-Chronos-Signature": signature})
    assert status in (200, 202), status
    status, _ = request(git_server.port, "/v1/sync/webhook", method="POST", body=body,
                        headers={"Content-Type": "application/json", "X-Chronos-Signature": "sha256=" + "0" * 64})
    assert status in (401, 403), status
    assert request(git_server.port, "/v1/sync/status")[0] == 401

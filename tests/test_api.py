"""The REST API over a real socket, driven by the `chronos-python` client and plain HTTP."""

from __future__ import annotations

import base64
import json
import re
import time
import urllib.error
import urllib.request
from pathlib import Path

import chronos
import pytest

from test_engine import Server, finished

USER, PASSWORD = "ops", "s3cret:with-colon"


@pytest.fixture
def api(chronos_bin, tmp_path):
    server = Server(chronos_bin, tmp_path)
    server.write("base.yaml", """
        name: from-git
        command: echo from git
        schedule: R/2030-01-01T00:00:00Z/P1D
        """)
    server.start_args = ["--http-credentials", f"{USER}:{PASSWORD}"]
    server.start()
    port = server.wait_for(lambda: (m := re.search(r"REST API on http://127\.0\.0\.1:(\d+)/", server.log.read_text())) and int(m.group(1)),
                           what="the API to listen")
    server.port = port
    yield server
    server.stop()


def request(api, method, path, body=None, auth=True, raw=None):
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    req = urllib.request.Request(f"http://127.0.0.1:{api.port}{path}", data=data, method=method)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    if auth:
        req.add_header("Authorization", "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode())
    try:
        with urllib.request.urlopen(req, timeout=10) as response:
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode()


def test_the_chronos_python_client_manages_jobs(api):
    client = chronos.connect(f"127.0.0.1:{api.port}", username=USER, password=PASSWORD)
    client.add({"name": "nightly", "command": "echo nightly", "schedule": "R/2030-01-01T02:00:00Z/P1D",
                "owner": "ops@example.com", "disabled": False, "async": False, "epsilon": "PT60S"})
    client.add({"name": "report", "command": "echo report", "parents": ["nightly"], "owner": "ops@example.com",
                "disabled": False, "async": False, "epsilon": "PT60S"})
    names = sorted(job["name"] for job in client.list())
    assert names == ["from-git", "nightly", "report"]
    nightly = next(job for job in client.list() if job["name"] == "nightly")
    assert nightly["schedule"] == "R/2030-01-01T02:00:00Z/P1D", "the schedule is returned as written"
    assert nightly["successCount"] == 0 and nightly["lastSuccess"] == ""
    assert [job["name"] for job in client.search(name="NIGHT")] == ["nightly"]
    client.run("nightly")
    api.wait_for(lambda: finished(api.history("nightly"), "succeeded"), what="the run")
    api.wait_for(lambda: finished(api.history("report"), "succeeded"), what="the child of the run")
    stat = client.job_stat("nightly")
    assert stat["histogram"]["count"] == 1 and len(stat["taskStatHistory"]) == 1
    assert "link,nightly,report" in client.scheduler_graph()
    client.delete("nightly")  # as in Chronos, its child report takes its schedule
    report = next(job for job in client.list() if job["name"] == "report")
    assert report["schedule"] == "R/2030-01-01T02:00:00Z/P1D" and "parents" not in report
    client.delete("report")
    assert sorted(job["name"] for job in client.list()) == ["from-git"]
    metrics = client.metrics()
    # Run metrics are labelled by outcome and trigger, not by job: the manual run and its dependent child.
    assert isinstance(metrics, str) and 'chronos_runs_ended_total{outcome="succeeded",trigger="manual"} 1' in metrics
    assert 'chronos_runs_ended_total{outcome="succeeded",trigger="dependency"} 1' in metrics


def test_the_2x_prefix_answers_too(api):
    client = chronos.connect(f"127.0.0.1:{api.port}", username=USER, password=PASSWORD, scheduler_api_version=None)
    assert [job["name"] for job in client.list()] == ["from-git"]


def test_every_route_needs_credentials(api):
    status, headers, body = request(api, "GET", "/v1/scheduler/jobs", auth=False)
    assert status == 401
    assert headers.get("WWW-Authenticate", "").startswith("Basic")
    assert json.loads(body)["status"] == 401
    assert request(api, "GET", "/ping", auth=False)[0] == 401
    assert request(api, "GET", "/ping")[2] == "pong"


def test_bad_input_answers_400_with_what_and_where(api):
    status, _, body = request(api, "POST", "/v1/scheduler/iso8601", raw=b'{"name": "x",\n "command": "y",\n "schedule": "R/2026-13-01T00:00:00Z/PT1H"}')
    assert status == 400
    error = json.loads(body)
    assert error["errors"][0]["line"] == 3 and error["errors"][0]["column"] == 22
    assert "month 13" in error["message"]
    status, _, body = request(api, "POST", "/v1/scheduler/iso8601", raw=b'{"name": "x", "comand": "y", "schedule": ""}')
    assert status == 400 and 'did you mean \\"command\\"' in body
    status, _, body = request(api, "POST", "/v1/scheduler/dependency", body={"name": "x", "command": "y", "parents": ["nope"]})
    assert status == 400 and "does not exist" in json.loads(body)["message"]
    status, _, body = request(api, "POST", "/v1/scheduler/iso8601", raw=b"{not json")
    assert status == 400 and json.loads(body)["errors"]
    status, _, _ = request(api, "POST", "/v1/scheduler/iso8601", raw=b"x" * (2 << 20))
    assert status == 413
    assert request(api, "GET", "/v1/scheduler/job/no-such-job")[0] == 400
    assert request(api, "GET", "/v1/scheduler/jobs/search?limit=-1")[0] == 400
    assert [j["name"] for j in json.loads(request(api, "GET", "/v1/scheduler/jobs")[2])] == ["from-git"], "nothing was half-written"


def test_runs_logs_summary_and_the_async_callback(api):
    assert request(api, "POST", "/v1/scheduler/iso8601", body={"name": "talker", "command": "echo said-it", "schedule": "R/2030-01-01T00:00:00Z/P1D"})[0] == 204
    assert request(api, "POST", "/v1/scheduler/iso8601", body={"name": "waiter", "command": "true", "schedule": "R/2030-01-01T00:00:00Z/P1D", "async": True})[0] == 204
    assert request(api, "PUT", "/v1/scheduler/job/talker?arguments=extra")[0] == 204
    run = api.wait_for(lambda: finished(api.history("talker"), "succeeded"), what="talker")[0]
    status, _, body = request(api, "GET", f"/v1/jobs/talker/runs/{run['taskID']}/stdout")
    assert (status, body) == (200, "said-it extra\n")
    runs = json.loads(request(api, "GET", "/v1/jobs/talker/runs")[2])
    assert runs[0]["taskID"] == run["taskID"] and runs[0]["trigger"] == "manual"
    assert request(api, "PUT", "/v1/scheduler/job/waiter")[0] == 204
    waiting = api.wait_for(lambda: [r for r in api.history("waiter") if r["state"] == "running" and r.get("sandbox")], what="the async run")
    time.sleep(0.5)
    assert api.history("waiter")[0]["state"] == "running", "an async run waits for its callback"
    summary = json.loads(request(api, "GET", "/v1/scheduler/jobs/summary")[2])["jobs"]
    assert next(j for j in summary if j["name"] == "waiter")["state"] == "1 running"
    assert request(api, "PUT", f"/scheduler/task/{waiting[0]['taskID']}", body={"statusCode": 0})[0] == 204
    api.wait_for(lambda: finished(api.history("waiter"), "succeeded"), what="the callback to end the run")
    leader = json.loads(request(api, "GET", "/v1/scheduler/leader")[2])["leader"]
    assert leader.endswith(f":{api.port}")
    assert request(api, "PUT", "/v1/scheduler/job/success/talker")[2] == "marked job talker as successful: true"


def test_import_writes_specs_that_load_back_as_the_same_jobs(api, chronos_bin, tmp_path):
    import shutil
    import subprocess

    repository_jobs = Path(__file__).resolve().parent.parent / "jobs"
    for spec in repository_jobs.glob("*.yaml"):
        if not spec.name.startswith("_"):
            shutil.copy(spec, api.jobs / spec.name)
    (api.jobs / "base.yaml").unlink()
    api.wait_for(lambda: len(json.loads(request(api, "GET", "/v1/scheduler/jobs")[2])) >= 9, what="the example jobs")
    out = tmp_path / "imported"
    result = subprocess.run([str(chronos_bin), "import", "--from", f"http://127.0.0.1:{api.port}", "--out", str(out),
                             "--http-credentials", f"{USER}:{PASSWORD}"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "the folder validates" in result.stdout
    original = {j["name"]: j for j in json.loads(request(api, "GET", "/v1/scheduler/jobs")[2])}
    # Load the imported folder the way a server would, and compare every spec field.
    (tmp_path / "second").mkdir()
    second = Server(chronos_bin, tmp_path / "second")
    second.jobs = out
    second.start_args = []
    second.start()
    try:
        port = second.wait_for(lambda: (m := re.search(r"REST API on http://127\.0\.0\.1:(\d+)/", second.log.read_text())) and int(m.group(1)),
                               what="the second server")
        second.wait_for(lambda: len(json.loads(urllib.request.urlopen(f"http://127.0.0.1:{port}/v1/scheduler/jobs").read())) == len(original),
                        what="the imported jobs")
        imported = {j["name"]: j for j in json.loads(urllib.request.urlopen(f"http://127.0.0.1:{port}/v1/scheduler/jobs").read())}
    finally:
        second.stop()
    managed = {"successCount", "errorCount", "lastSuccess", "lastError", "errorsSinceLastSuccess"}
    strip = lambda job: {k: v for k, v in job.items() if k not in managed}
    assert {n: strip(j) for n, j in imported.items()} == {n: strip(j) for n, j in original.items()}

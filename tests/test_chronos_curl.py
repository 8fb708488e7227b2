"""Every Chronos route through the plain curl scripts of scripts/chronos-curl, against a real server, and
what chronos-python reaches that the other tests do not (update, delete_tasks, the percentiles, 2.x mode)."""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import chronos
import yaml

from test_chronos_compat import api, call, start  # noqa: F401 (api is a fixture)
from test_engine import finished

SCRIPTS = Path(__file__).resolve().parent.parent / "scripts" / "chronos-curl"
ROUTE = re.compile(r"^# route: (GET|PUT|POST|DELETE) (/\S*)", re.MULTILINE)


def curl(api, script: str, *args: str, prefix: str = "/v1/scheduler", stdin: str | None = None, method: str = "") -> subprocess.CompletedProcess:
    env = {**os.environ, "CHRONOS": f"http://127.0.0.1:{api.port}", "CHRONOS_PREFIX": prefix, **({"METHOD": method} if method else {})}
    return subprocess.run([str(SCRIPTS / script), *args], capture_output=True, text=True, timeout=30, env=env, input=stdin)


def ok(result: subprocess.CompletedProcess) -> str:
    assert result.returncode == 0, (result.args, result.stdout, result.stderr)
    return result.stdout


def test_there_is_a_script_for_every_chronos_route_the_openapi_document_lists(api):
    document = yaml.safe_load(call(api, "GET", "/openapi.yaml")[2])
    listed = {(method.upper(), path.removeprefix("/v1/scheduler"))
              for path, item in document["paths"].items() if path.startswith("/v1/scheduler/")
              for method in item if method in ("get", "put", "post", "delete")}
    scripted = {(m, p) for script in SCRIPTS.glob("*.sh") for m, p in ROUTE.findall(script.read_text()) if p != "/ping"}
    assert listed == scripted, {"not scripted": listed - scripted, "not in the OpenAPI document": scripted - listed}
    assert ("POST", "/job/{name}/task/{taskId}/progress") in listed and ("DELETE", "/task/all") in listed


def test_each_curl_script_does_what_its_route_does(api, tmp_path):
    scheduled = tmp_path / "etl.json"
    scheduled.write_text(json.dumps({"name": "etl", "command": "printf '%s|'", "schedule": "R/2030-01-01T00:00:00Z/P1D"}))
    assert ok(curl(api, "add-scheduled.sh", str(scheduled))) == ""
    dependent = json.dumps({"name": "report", "command": "true", "parents": ["etl"]})
    assert ok(curl(api, "add-dependent.sh", "-", stdin=dependent)) == ""
    bad = curl(api, "add-scheduled.sh", "-", stdin=json.dumps({"name": "bad", "command": "x", "schedule": "not a schedule"}))
    assert bad.returncode == 22 and "schedule" in bad.stdout, "an error answer fails the script, with its body"

    # Chronos 2.x's PUT on both, as its clients update a job.
    ok(curl(api, "add-dependent.sh", "-", stdin=dependent.replace("true", "echo report"), prefix="/scheduler", method="PUT"))
    ok(curl(api, "add-scheduled.sh", str(scheduled), prefix="/scheduler", method="PUT"))
    assert json.loads(ok(curl(api, "job.sh", "report")))["command"] == "echo report"
    assert sorted(j["name"] for j in json.loads(ok(curl(api, "jobs.sh")))) == ["etl", "from-git", "report"]
    assert json.loads(ok(curl(api, "jobs.sh", prefix="/scheduler"))) == json.loads(ok(curl(api, "jobs.sh")))
    assert json.loads(ok(curl(api, "job.sh", "report")))["parents"] == ["etl"]
    summary = {j["name"]: j for j in json.loads(ok(curl(api, "summary.sh")))["jobs"]}
    assert summary["report"]["parents"] == ["etl"] and summary["etl"]["state"] == "idle"
    assert [j["name"] for j in json.loads(ok(curl(api, "search.sh", "name=ET", "limit=5")))] == ["etl"]

    # run.sh's text goes to the command as it is: the shell reads its quotes.
    assert ok(curl(api, "run.sh", "etl", '--day "a b"')) == ""
    run = api.wait_for(lambda: finished(api.history("etl"), "succeeded"), what="the run")[0]
    assert call(api, "GET", f"/v1/jobs/etl/runs/{run['taskID']}/stdout")[2] == "--day|a b|"
    api.wait_for(lambda: finished(api.history("report"), "succeeded"), what="the child to follow")
    assert ok(curl(api, "run.sh", "report", prefix="/scheduler")) == ""
    api.wait_for(lambda: len(finished(api.history("report"), "succeeded")) == 2, what="the 2.x run")

    stat = json.loads(ok(curl(api, "stat.sh", "etl")))
    assert stat["histogram"]["count"] == 1 and stat["taskStatHistory"][0]["status"] == "Success"
    for percentile in ("99thPercentile", "98thPercentile", "95thPercentile", "75thPercentile", "median", "mean"):
        assert {row["jobNameLabel"] for row in json.loads(ok(curl(api, "stats.sh", percentile)))} >= {"etl", "report"}
    dot = ok(curl(api, "graph-dot.sh"))
    assert dot.startswith("digraph") and "etl" in dot and "report" in dot and "->" in dot, dot
    assert "link,etl,report" in ok(curl(api, "graph-csv.sh"))
    assert json.loads(ok(curl(api, "leader.sh")))["leader"].endswith(f":{api.port}")
    assert ok(curl(api, "success.sh", "etl")) == "marked job etl as successful: true"

    # An async data job: its run reports progress and its end; kill and 2.x's task/all act on runs.
    data = json.dumps({"name": "data", "command": "true", "schedule": "R/2030-01-01T00:00:00Z/P1D", "async": True, "dataProcessingJobType": True})
    ok(curl(api, "add-scheduled.sh", "-", stdin=data))
    ok(curl(api, "run.sh", "data"))
    task = api.wait_for(lambda: [r for r in api.history("data") if r["state"] == "running" and r.get("sandbox")], what="the async run")[0]["taskID"]
    assert ok(curl(api, "progress.sh", "data", task, "40")) == ""
    assert ok(curl(api, "progress.sh", "data", task, "2", prefix="/scheduler")) == ""
    assert curl(api, "progress.sh", "data", task, "-1").returncode == 22
    assert ok(curl(api, "task-done.sh", task + ":", "0")) == ""
    done = api.wait_for(lambda: finished(api.history("data"), "succeeded"), what="the callback")[0]
    assert done["elementsProcessed"] == 42

    sleeper = json.dumps({"name": "sleeper", "command": "sleep 30", "schedule": "R/2030-01-01T00:00:00Z/P1D"})
    ok(curl(api, "add-scheduled.sh", "-", stdin=sleeper))
    ok(curl(api, "run.sh", "sleeper"))
    api.wait_for(lambda: [r for r in api.history("sleeper") if r["state"] == "running"], what="sleeper to start")
    ok(curl(api, "run.sh", "sleeper"))
    api.wait_for(lambda: [r for r in api.history("sleeper") if r["state"] == "queued"], what="a run queued behind it")
    assert ok(curl(api, "purge-tasks.sh", prefix="/scheduler")) == ""
    api.wait_for(lambda: [r["state"] for r in api.history("sleeper")] == ["running", "killed"], what="task/all to drop the queued run")
    assert ok(curl(api, "kill.sh", "sleeper")) == ""
    api.wait_for(lambda: [r["state"] for r in api.history("sleeper")] == ["killed", "killed"], what="kill to stop the running one")

    assert ok(curl(api, "delete.sh", "etl")) == ""
    assert json.loads(ok(curl(api, "job.sh", "report")))["schedule"] == "R/2030-01-01T00:00:00Z/P1D", "the child took etl's schedule"
    assert curl(api, "job.sh", "etl").returncode == 22
    assert ok(curl(api, "ping.sh")) == "pong"


def test_chronos_python_reaches_update_delete_tasks_the_percentiles_and_2x(api):
    client = chronos.connect(f"127.0.0.1:{api.port}")
    job = {"name": "py", "command": "sleep 30", "schedule": "R/2030-01-01T00:00:00Z/P1D", "owner": "ops@example.com", "disabled": False}
    client.add(job)
    client.update({**job, "command": "sleep 31"})
    assert next(j for j in client.list() if j["name"] == "py")["command"] == "sleep 31"
    client.run("py")
    api.wait_for(lambda: [r for r in api.history("py") if r["state"] == "running"], what="the run")
    client.delete_tasks("py")
    api.wait_for(lambda: finished(api.history("py"), "killed"), what="delete_tasks to kill the run")
    for stat in (client.scheduler_stat_99th, client.scheduler_stat_98th, client.scheduler_stat_95th, client.scheduler_stat_75th,
                 client.scheduler_stat_median, client.scheduler_stat_mean):
        assert isinstance(stat(), list)
    # Chronos 2.x's client mode: the /scheduler prefix, update by PUT, async among the required fields.
    legacy = chronos.connect(f"127.0.0.1:{api.port}", scheduler_api_version=None)
    legacy.add({**job, "name": "py2", "async": False, "epsilon": "PT5M"})
    legacy.update({**job, "name": "py2", "async": False, "epsilon": "PT10M"})
    assert next(j for j in legacy.list() if j["name"] == "py2")["epsilon"] == "PT10M"
    legacy.delete("py2")
    assert "py2" not in [j["name"] for j in client.list()]

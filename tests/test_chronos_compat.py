"""Chronos drop-in compatibility: the job JSON Chronos accepts, its run-once idioms, its flags, a re-enable by POST."""

from __future__ import annotations

import json
import re
import subprocess
import time
import urllib.error
import urllib.request
from datetime import datetime, timedelta, timezone
from pathlib import Path

import chronos
import pytest

from test_engine import Server, finished


def start(chronos_bin, tmp_path, *args: str) -> Server:
    server = Server(chronos_bin, tmp_path)
    server.write("base.yaml", """
        name: from-git
        command: echo from git
        schedule: R/2030-01-01T00:00:00Z/P1D
        """)
    server.start_args = list(args)
    server.start()
    server.port = server.wait_for(lambda: (m := re.search(r"REST API on http://127\.0\.0\.1:(\d+)/", server.log.read_text())) and int(m.group(1)),
                                  what="the API to listen")
    return server


@pytest.fixture
def api(chronos_bin, tmp_path):
    server = start(chronos_bin, tmp_path)
    yield server
    server.stop()


def call(api, method, path, body=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(f"http://127.0.0.1:{api.port}{path}", data=data, method=method)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=10) as response:
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode()


def job(api, name):
    status, _, body = call(api, "GET", f"/v1/scheduler/job/{name}")
    assert status == 200, body
    return json.loads(body)


def past(seconds: int) -> str:
    return (datetime.now(timezone.utc) - timedelta(seconds=seconds)).strftime("%Y-%m-%dT%H:%M:%S.000Z")


# A job as Chronos 3.0's JobSerializer writes it (what `GET jobs` returns), with the coercions its
# JobDeserializer makes: quoted numbers and booleans, 3.0 for an integer, string ports, uris beside fetch.
CHRONOS_JOB = {
    "name": "etl",
    "command": "echo etl",
    "shell": "true",
    "epsilon": "PT60S",
    "executor": "",
    "executorFlags": "",
    "taskInfoData": "",
    "retries": 3.0,
    "owner": "ops@example.com",
    "ownerName": "ops",
    "description": "",
    "successCount": 4,
    "errorCount": 1,
    "lastSuccess": "2026-01-01T00:00:00.000Z",
    "lastError": "",
    "cpus": "0.5",
    "disk": 256.0,
    "mem": "128",
    "disabled": "false",
    "softError": False,
    "dataProcessingJobType": False,
    "errorsSinceLastSuccess": 0,
    "fetch": [{"uri": "https://example.com/a.tgz", "executable": False, "extract": True, "cache": False, "output_file": ""}],
    "uris": ["https://example.com/a.tgz", "https://example.com/b.sh"],
    "environmentVariables": [{"name": "STAGE", "value": 2}, {"name": "CHRONOS_JOB_NAME", "value": "mine"}],
    "arguments": [],
    "highPriority": False,
    "runAsUser": "root",
    "concurrent": False,
    "container": {
        "type": "docker", "image": "busybox", "network": "BRIDGE", "forcePullImage": "TRUE",
        "volumes": [{"containerPath": "/data", "hostPath": "/srv/data", "mode": "ro"}],
        "networkInfos": [{"name": "net", "portMappings": [{"hostPort": "8080", "containerPort": "80", "protocol": "tcp"}]}],
        "parameters": [],
    },
    "constraints": [["rack", "EQUALS", "r1"], ["host", "GROUP_BY", "2"]],
    "maxCompletionTime": 0,
    "schedule": "R/2030-01-01T00:00:00.000Z/P1D",
    "scheduleTimeZone": "",
    "somethingNewer": {"x": 1},
}


def test_chronos_job_json_is_accepted_as_chronos_reads_it(api):
    status, headers, body = call(api, "POST", "/v1/scheduler/iso8601", CHRONOS_JOB)
    assert status == 200, body
    warnings = json.loads(body)["warnings"]
    assert headers.get("Warning", "").startswith("299 chronos-sync ")
    text = "\n".join(warnings)
    assert "somethingNewer" in text and "CHRONOS_JOB_NAME" in text and "GROUP_BY" in text and "uris" in text
    stored = job(api, "etl")
    assert stored["cpus"] == 0.5 and stored["mem"] == 128 and stored["retries"] == 3
    assert stored["shell"] is True and stored["disabled"] is False
    assert [f["uri"] for f in stored["fetch"]] == ["https://example.com/a.tgz", "https://example.com/b.sh"]
    assert stored["environmentVariables"] == [{"name": "STAGE", "value": "2"}]
    assert stored["constraints"] == [["rack", "EQUALS", "r1"]]
    container = stored["container"]
    assert container["type"] == "DOCKER" and container["image"] == "busybox" and container["forcePullImage"] is True
    assert container["volumes"][0]["mode"] == "RO"
    assert container["networkInfos"][0]["portMappings"][0]["hostPort"] == 8080
    assert "somethingNewer" not in stored


def test_a_container_without_an_image_is_dropped_and_no_schedule_runs_once(api):
    status, _, body = call(api, "POST", "/v1/scheduler/iso8601", {"name": "now", "command": "echo now", "container": {"type": "DOCKER"}})
    assert status == 200, body
    assert any("image" in w for w in json.loads(body)["warnings"])
    assert "container" not in job(api, "now")
    api.wait_for(lambda: finished(api.history("now"), "succeeded"), what="the job without a schedule to run once")


def test_a_clean_body_still_answers_204(api):
    status, headers, body = call(api, "POST", "/v1/scheduler/iso8601", {"name": "clean", "command": "true", "schedule": "R/2030-01-01T00:00:00Z/P1D"})
    assert status == 204 and body == "" and "Warning" not in headers


def test_git_specs_stay_strict(cli, tmp_path):
    specs = tmp_path / "specs"
    specs.mkdir()
    (specs / "etl.yaml").write_text("name: etl\ncommand: x\nschedule: ''\nsomethingNewer: 1\n")
    result = cli("validate", str(specs / "etl.yaml"))
    assert result.returncode != 0 and 'unknown field "somethingNewer"' in result.stderr


def test_the_run_once_idiom_runs_at_once(api):
    client = chronos.connect(f"127.0.0.1:{api.port}")
    client.add({"name": "once", "command": "echo once", "schedule": f"R1/{past(5)}/PT1S", "epsilon": "PT30M", "owner": "ops@example.com", "async": False, "disabled": False})
    api.wait_for(lambda: finished(api.history("once"), "succeeded"), what="the R1/<past> job to run at once")
    client.add({"name": "empty-period", "command": "echo once", "schedule": "R1//P", "epsilon": "PT30M", "owner": "ops@example.com", "async": False, "disabled": False})
    api.wait_for(lambda: finished(api.history("empty-period"), "succeeded"), what="the R1//P job to run")
    time.sleep(1.5)
    assert len(api.history("once")) == 1 and len(api.history("empty-period")) == 1


def test_an_unbounded_past_schedule_waits_only_for_its_next_slot(api):
    status, _, body = call(api, "POST", "/v1/scheduler/iso8601", {"name": "every2s", "command": "true", "schedule": f"R/{past(3601)}/PT2S"})
    assert status in (200, 204), body
    api.wait_for(lambda: finished(api.history("every2s"), "succeeded"), timeout=10, what="a run within a period")


def test_a_post_with_disabled_false_re_enables_a_job_disabled_after_failures(chronos_bin, tmp_path):
    api = start(chronos_bin, tmp_path, "--disable-after-failures", "1")
    try:
        failing = {"name": "flaky", "command": "false", "schedule": "R/2030-01-01T00:00:00Z/P1D", "retries": 0, "disabled": False}
        assert call(api, "POST", "/v1/scheduler/iso8601", failing)[0] == 204
        assert call(api, "PUT", "/v1/scheduler/job/flaky")[0] == 204
        api.wait_for(lambda: job(api, "flaky")["disabled"] is True, what="the job to be disabled after its failure")
        assert call(api, "POST", "/v1/scheduler/iso8601", failing)[0] == 204
        stored = job(api, "flaky")
        assert stored["disabled"] is False and stored["errorsSinceLastSuccess"] == 0
    finally:
        api.stop()


def test_a_chronos_command_line_starts_with_a_warning_per_ignored_flag(chronos_bin, tmp_path):
    flags = ["--cassandra_contact_points", "c1,c2", "--cassandra_keyspace", "metrics", "--graphite_host_port", "g:2003",
             "--mail_server", "smtp:25", "--mail_ssl", "--slack_url", "https://hooks.example/x", "--raven_dsn", "https://x@sentry/1",
             "--cluster_name", "prod", "--zk_auth", "user:secret", "--disable_http_compression", "--leader_max_idle_time", "5000"]
    api = start(chronos_bin, tmp_path, *flags)
    try:
        assert call(api, "GET", "/v1/scheduler/jobs")[0] == 200
        log = api.log.read_text()
        for name in ["cassandra_contact_points", "cassandra_keyspace", "raven_dsn", "zk_auth", "disable_http_compression",
                     "leader_max_idle_time"]:
            assert f"--{name} is accepted for Chronos compatibility and ignored" in log, name
        # Mail, Slack, Graphite and the cluster name act (tests/test_alerts.py); they are not reported as ignored.
        for name in ["graphite_host_port", "mail_server", "mail_ssl", "slack_url", "cluster_name"]:
            assert f"--{name} is accepted for Chronos compatibility and ignored" not in log, name
        assert "--mail-server needs --mail-from" in log
        assert "user:secret" not in log, "a secret's value is never logged"
    finally:
        api.stop()


def test_delete_of_a_parent_re_parents_its_children_as_chronos_does(api):
    assert call(api, "POST", "/v1/scheduler/iso8601", {"name": "root", "command": "true", "schedule": "R/2030-01-01T00:00:00Z/P1D"})[0] == 204
    assert call(api, "POST", "/v1/scheduler/dependency", {"name": "mid", "command": "true", "parents": ["root"]})[0] == 204
    assert call(api, "POST", "/v1/scheduler/dependency", {"name": "leaf", "command": "true", "parents": ["mid"]})[0] == 204
    assert call(api, "DELETE", "/v1/scheduler/job/mid")[0] == 204
    assert job(api, "leaf")["parents"] == ["root"], "a dependent job's children take its parents"
    assert call(api, "DELETE", "/scheduler/job/root")[0] == 204
    leaf = job(api, "leaf")
    assert leaf["schedule"] == "R/2030-01-01T00:00:00Z/P1D" and "parents" not in leaf, "a scheduled job's children take its schedule"


def test_the_async_callback_takes_chronos_task_ids_with_their_trailing_colon(api):
    assert call(api, "POST", "/v1/scheduler/iso8601", {"name": "waiter", "command": "true", "schedule": "R/2030-01-01T00:00:00Z/P1D", "async": True})[0] == 204
    assert call(api, "PUT", "/v1/scheduler/job/waiter")[0] == 204
    waiting = api.wait_for(lambda: [r for r in api.history("waiter") if r["state"] == "running" and r.get("sandbox")], what="the async run")
    assert call(api, "PUT", f"/v1/scheduler/task/{waiting[0]['taskID']}:", {"statusCode": 0})[0] == 204
    api.wait_for(lambda: finished(api.history("waiter"), "succeeded"), what="the callback to end the run")


def test_import_keeps_container_and_fetch_and_writes_valid_specs(api, cli, tmp_path):
    assert call(api, "POST", "/v1/scheduler/iso8601", CHRONOS_JOB)[0] == 200
    out = tmp_path / "imported"
    result = cli("import", "--from", f"http://127.0.0.1:{api.port}", "--out", str(out))
    assert result.returncode == 0, result
    spec = (out / "etl.yaml").read_text()
    assert "container:" in spec and "busybox" in spec and "fetch:" in spec and "https://example.com/b.sh" in spec, spec
    assert cli("validate", str(out)).returncode == 0


def test_get_shows_chronos_values(chronos_bin, tmp_path):
    api = start(chronos_bin, tmp_path, "--mesos_task_cpu", "0.25", "--mesos_task_mem", "64", "--user", "root")
    try:
        assert call(api, "POST", "/v1/scheduler/iso8601", {"name": "plain", "command": "sleep 0.2", "schedule": "R/2030-01-01T00:00:00Z/P1D",
                                                           "uris": ["https://example.com/a.sh"]})[0] == 204
        plain = job(api, "plain")
        assert plain["cpus"] == 0.25 and plain["mem"] == 64 and plain["disk"] == 256 and plain["runAsUser"] == "root"
        assert plain["uris"] == ["https://example.com/a.sh"] and [f["uri"] for f in plain["fetch"]] == ["https://example.com/a.sh"]
        status, _, body = call(api, "PUT", "/v1/scheduler/job/success/no-such-job")
        assert (status, body) == (200, "marked job no-such-job as successful: false")
        assert call(api, "POST", "/v1/scheduler/iso8601", {"name": "quick", "command": "sleep 0.2", "schedule": "R/2030-01-01T00:00:00Z/P1D"})[0] == 204
        assert call(api, "PUT", "/v1/scheduler/job/quick")[0] == 204
        api.wait_for(lambda: finished(api.history("quick"), "succeeded"), what="the run")
        stat = json.loads(call(api, "GET", "/v1/scheduler/job/stat/quick")[2])
        task = stat["taskStatHistory"][0]
        assert task["status"] == "Success" and task["state"] == "succeeded"
        assert re.fullmatch(r"\d+m\d+s", task["duration"]), task
        assert re.fullmatch(r"\d\d/\d\d/\d\d \d\d:\d\d:\d\d", task["startTime"]), task
        rows = json.loads(call(api, "GET", "/v1/scheduler/stats/99thPercentile")[2])
        assert rows[0]["jobNameLabel"] == "quick" and isinstance(rows[0]["time"], float)
    finally:
        api.stop()


def test_a_shell_jobs_arguments_are_appended_to_its_command(api):
    body = {"name": "echoer", "command": "echo got", "arguments": ["one", "two;"], "schedule": "R/2030-01-01T00:00:00Z/P1D"}
    assert call(api, "POST", "/v1/scheduler/iso8601", body)[0] == 204
    assert call(api, "PUT", "/v1/scheduler/job/echoer")[0] == 204
    run = api.wait_for(lambda: finished(api.history("echoer"), "succeeded"), what="the run")[0]
    status, _, out = call(api, "GET", f"/v1/jobs/echoer/runs/{run['taskID']}/stdout")
    assert (status, out) == (200, "got one two\n"), "the ; dropped as Chronos does"
    # A blank ?arguments= is no text, as in Chronos: the job's own arguments are used.
    assert call(api, "PUT", "/v1/scheduler/job/echoer?arguments=%20%0A")[0] == 204
    runs = api.wait_for(lambda: len(finished(api.history("echoer"), "succeeded")) == 2 and finished(api.history("echoer"), "succeeded"), what="the second run")
    assert "argumentText" not in runs[1]
    assert call(api, "GET", f"/v1/jobs/echoer/runs/{runs[1]['taskID']}/stdout")[2] == "got one two\n"


def test_run_now_arguments_are_appended_raw_as_chronos_does(api):
    from urllib.parse import quote
    assert call(api, "POST", "/v1/scheduler/iso8601", {"name": "printer", "command": "printf '%s|'", "schedule": "R/2030-01-01T00:00:00Z/P1D"})[0] == 204
    # The text is the shell's to read: quotes group, $((…)) expands, and the ; is dropped as Chronos drops it.
    assert call(api, "PUT", "/v1/scheduler/job/printer?arguments=" + quote('--x "a b" $((1+2));'))[0] == 204
    run = api.wait_for(lambda: finished(api.history("printer"), "succeeded"), what="the run")[0]
    assert run["argumentText"] == '--x "a b" $((1+2));'
    assert call(api, "GET", f"/v1/jobs/printer/runs/{run['taskID']}/stdout")[2] == "--x|a b|3|"
    # A query is read as a form, as Chronos's JAX-RS reads it: + is a space, %2B a plus.
    assert call(api, "POST", "/v1/scheduler/iso8601", {"name": "plus", "command": "printf '%s|'", "schedule": "R/2030-01-01T00:00:00Z/P1D"})[0] == 204
    assert call(api, "PUT", "/v1/scheduler/job/plus?arguments=x+y%2B1")[0] == 204
    run = api.wait_for(lambda: finished(api.history("plus"), "succeeded"), what="the run")[0]
    assert call(api, "GET", f"/v1/jobs/plus/runs/{run['taskID']}/stdout")[2] == "x|y+1|"
    # An open quote is the shell's error, as on Chronos: the run fails.
    assert call(api, "PUT", "/scheduler/job/printer?arguments=" + quote("'open"))[0] == 204
    api.wait_for(lambda: finished(api.history("printer"), "failed"), what="the run with an open quote to fail")


def test_a_retry_of_a_run_with_arguments_runs_the_same_command_line(api):
    from urllib.parse import quote
    body = {"name": "again", "command": "sh -c 'printf \"%s|\" \"$@\"; exit 1' sh", "schedule": "R/2030-01-01T00:00:00Z/P1D",
            "retries": 1, "retryInterval": "PT1S"}
    assert call(api, "POST", "/v1/scheduler/iso8601", body)[0] == 204
    assert call(api, "PUT", "/v1/scheduler/job/again?arguments=" + quote('"a b" c'))[0] == 204
    runs = api.wait_for(lambda: len(finished(api.history("again"), "failed")) == 2 and finished(api.history("again"), "failed"), what="the run and its retry")
    assert [r["taskID"].split(":")[2] for r in runs] == ["0", "1"]
    for run in runs:
        assert run["argumentText"] == '"a b" c'
        assert call(api, "GET", f"/v1/jobs/again/runs/{run['taskID']}/stdout")[2] == "a b|c|"



def test_a_retry_after_a_restart_runs_the_same_arguments_text(chronos_bin, tmp_path):
    from urllib.parse import quote
    api = start(chronos_bin, tmp_path)
    try:
        body = {"name": "again", "command": "sh -c 'printf \"%s|\" \"$@\"; exit 1' sh", "schedule": "R/2030-01-01T00:00:00Z/P1D",
                "retries": 1, "retryInterval": "PT5S"}
        assert call(api, "POST", "/v1/scheduler/iso8601", body)[0] == 204
        assert call(api, "PUT", "/v1/scheduler/job/again?arguments=" + quote('"a b" c'))[0] == 204
        api.wait_for(lambda: finished(api.history("again"), "failed"), what="the first attempt to fail")
        api.stop()
        restarted = int(time.time() * 1000)
        api.start()
        # The log says "REST API on …" twice a start (log line and stdout): the restart's is the third and fourth.
        api.port = api.wait_for(lambda: (ports := re.findall(r"REST API on http://127\.0\.0\.1:(\d+)/", api.log.read_text())) and len(ports) >= 3 and int(ports[-1]),
                                what="the restarted API")
        retry = api.wait_for(lambda: [r for r in finished(api.history("again"), "failed") if r["taskID"].split(":")[2] == "1"], what="the retry")[0]
        assert retry["startedAt"] >= restarted, "the retry ran from the stored record, after the restart"
        assert retry["argumentText"] == '"a b" c'
        assert call(api, "GET", f"/v1/jobs/again/runs/{retry['taskID']}/stdout")[2] == "a b|c|"
    finally:
        api.stop()

def test_a_git_parent_deleted_through_the_api_is_drift_on_it_and_its_re_parented_child(chronos_bin, tmp_path):
    from test_git_sync import A, B, GitServer, commit, git, synced_after
    repo = tmp_path / "work"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    commit(repo, {"jobs/a.yaml": A, "jobs/b.yaml": B}, "a and its child b")
    (tmp_path / "srv").mkdir()
    server = GitServer(chronos_bin, tmp_path / "srv")
    try:
        server.start_git("--repo", str(repo), "--sync-interval", "0.5")
        server.wait_for(lambda: "b" in server.live_jobs(), what="the first sync")
        # A Chronos client's edit without a change (GET, then POST it back, defaults filled in) is no drift.
        assert call(server, "POST", "/v1/scheduler/iso8601", server.live_jobs()["a"])[0] in (200, 204)
        synced_after(server, 2)
        assert server.get("/v1/sync/drift")["drift"] == []
        assert call(server, "DELETE", "/v1/scheduler/job/a")[0] == 204
        assert server.live_jobs()["b"]["schedule"] == "R/2030-01-01T00:00:00Z/P1D", "b took a's schedule, as in Chronos"
        drift = server.wait_for(lambda: {d["name"]: d for d in server.get("/v1/sync/drift")["drift"]} if len(server.get("/v1/sync/drift")["drift"]) == 2 else None,
                                what="drift on a and b")
        assert drift["a"]["kind"] == "deleted" and drift["b"]["kind"] == "modified"
        fields = {f["field"]: (f.get("old"), f.get("new")) for f in drift["b"]["fields"]}
        assert fields["parents"] == ('["a"]', None) and fields["schedule"] == (None, '"R/2030-01-01T00:00:00Z/P1D"'), fields
        assert server.status()["state"] == "OutOfSync"
        shown = subprocess.run([str(chronos_bin), "drift", "--server", f"http://127.0.0.1:{server.port}"], capture_output=True, text=True, timeout=30)
        assert shown.returncode == 2 and "b" in shown.stdout and "parents" in shown.stdout, shown
        # Without self-heal the sync leaves the drift in place: plan shows no change.
        synced_after(server, 2)
        assert "a" not in server.live_jobs() and "schedule" in server.live_jobs()["b"]
        plan = subprocess.run([str(chronos_bin), "plan", "--repo", str(repo), "--data", str(server.data), "--detailed-exitcode"],
                              capture_output=True, text=True, timeout=60)
        assert plan.returncode == 0, plan
    finally:
        server.stop()


def test_progress_of_a_data_job_is_kept_in_its_run_and_shown(api):
    counter = {"name": "counter", "command": "true", "schedule": "R/2030-01-01T00:00:00Z/P1D", "async": True, "dataProcessingJobType": True}
    assert call(api, "POST", "/v1/scheduler/iso8601", counter)[0] == 204
    assert call(api, "POST", "/v1/scheduler/iso8601", {"name": "plain", "command": "true", "schedule": "R/2030-01-01T00:00:00Z/P1D"})[0] == 204
    assert call(api, "PUT", "/v1/scheduler/job/counter")[0] == 204
    task = api.wait_for(lambda: [r for r in api.history("counter") if r["state"] == "running" and r.get("sandbox")], what="the async run")[0]["taskID"]
    # Chronos's task id (trailing colon) on 3.x's prefix, ours on 2.x's: both count.
    assert call(api, "POST", f"/v1/scheduler/job/counter/task/{task}:/progress", {"numAdditionalElementsProcessed": 100})[0] == 204
    assert call(api, "POST", f"/scheduler/job/counter/task/{task}/progress", {"numAdditionalElementsProcessed": 23})[0] == 204
    assert call(api, "POST", f"/v1/scheduler/job/counter/task/{task}/progress", {})[0] == 204, "no count, no change"
    # Chronos's refusals: a negative count, an unknown job or run, a job that tracks no data, not a task id.
    for path, body in [(f"counter/task/{task}", {"numAdditionalElementsProcessed": -1}),
                       (f"nosuch/task/{task}", {"numAdditionalElementsProcessed": 1}),
                       ("counter/task/ct:1:0:counter", {"numAdditionalElementsProcessed": 1}),
                       (f"plain/task/{task.replace('counter', 'plain')}", {"numAdditionalElementsProcessed": 1}),
                       ("counter/task/not-a-task", {"numAdditionalElementsProcessed": 1})]:
        status, _, answer = call(api, "POST", f"/v1/scheduler/job/{path}/progress", body)
        assert status == 400, (path, status, answer)
    run = next(r for r in api.history("counter") if r["taskID"] == task)
    assert run["elementsProcessed"] == 123
    table = api.cli("history", "counter")
    assert "ELEMENTS" in table.stdout and " 123 " in table.stdout, table.stdout
    stat = json.loads(call(api, "GET", "/v1/scheduler/job/stat/counter")[2])
    assert stat["taskStatHistory"][0]["numElementsProcessed"] == 123
    # The run ends through the callback; its count stays, and an ended run takes no more.
    assert call(api, "PUT", f"/v1/scheduler/task/{task}", {"statusCode": 0})[0] == 204
    ended = api.wait_for(lambda: finished(api.history("counter"), "succeeded"), what="the callback to end the run")[0]
    assert ended["elementsProcessed"] == 123
    assert call(api, "POST", f"/v1/scheduler/job/counter/task/{task}/progress", {"numAdditionalElementsProcessed": 1})[0] == 400


def test_delete_task_all_drops_every_run_not_started_as_chronos_2_did(api):
    assert call(api, "POST", "/v1/scheduler/iso8601", {"name": "busy", "command": "sleep 30", "schedule": "R/2030-01-01T00:00:00Z/P1D"})[0] == 204
    assert call(api, "PUT", "/scheduler/job/busy")[0] == 204
    api.wait_for(lambda: [r for r in api.history("busy") if r["state"] == "running"], what="the first run")
    assert call(api, "PUT", "/scheduler/job/busy")[0] == 204
    api.wait_for(lambda: [r for r in api.history("busy") if r["state"] == "queued"], what="a second run queued behind it")
    assert call(api, "DELETE", "/scheduler/task/all")[0] == 204
    runs = api.wait_for(lambda: (runs := api.history("busy")) and not [r for r in runs if r["state"] == "queued"] and runs, what="the queued run dropped")
    assert [r["state"] for r in runs] == ["running", "killed"] and "task/all" in runs[1]["reason"], runs
    assert json.loads(call(api, "GET", "/v1/scheduler/job/busy")[2])["schedule"] == "R/2030-01-01T00:00:00Z/P1D", "schedules are untouched"
    assert call(api, "DELETE", "/v1/scheduler/task/kill/busy")[0] == 204


def test_run_as_user_defaults_to_root_only_for_a_server_running_as_root(api, tmp_path):
    import getpass
    import os
    import shutil
    import tempfile
    assert call(api, "POST", "/v1/scheduler/iso8601", {"name": "who", "command": "id -un", "schedule": "R/2030-01-01T00:00:00Z/P1D"})[0] == 204
    assert job(api, "who")["runAsUser"] == ("root" if os.geteuid() == 0 else getpass.getuser())
    if os.geteuid() != 0:
        return  # only root can start a server as another user
    # The same server started as nobody: its jobs run as nobody, and GET says so.
    home = tempfile.mkdtemp(prefix="chronos-nobody-")
    try:
        os.chmod(home, 0o755)
        os.mkdir(f"{home}/jobs")
        for path in (home, f"{home}/jobs"):
            shutil.chown(path, "nobody")
        log = open(tmp_path / "nobody.log", "w")
        process = subprocess.Popen(["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", str(api.binary), "serve",
                                    "--jobs", f"{home}/jobs", "--data", f"{home}/data", "--http-port", "0", "--sync-interval", "0.3"],
                                   stdout=log, stderr=log, cwd=home)
        try:
            other = Server(api.binary, tmp_path)
            other.log = tmp_path / "nobody.log"
            other.data = Path(home) / "data"
            other.port = other.wait_for(lambda: (m := re.search(r"REST API on http://127\.0\.0\.1:(\d+)/", other.log.read_text())) and int(m.group(1)),
                                        what="the API of the server run as nobody")
            assert call(other, "POST", "/v1/scheduler/iso8601", {"name": "who", "command": "id -un", "schedule": "R/2030-01-01T00:00:00Z/P1D"})[0] == 204
            assert job(other, "who")["runAsUser"] == "nobody"
            assert call(other, "PUT", "/v1/scheduler/job/who")[0] == 204
            run = other.wait_for(lambda: finished(other.history("who"), "succeeded"), what="the run")[0]
            assert call(other, "GET", f"/v1/jobs/who/runs/{run['taskID']}/stdout")[2] == "nobody\n"
        finally:
            process.terminate()
            process.wait(timeout=15)
    finally:
        shutil.rmtree(home, ignore_errors=True)

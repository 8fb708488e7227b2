"""Notifications and metrics end to end: a real SMTP server (aiosmtpd) over plain SMTP and STARTTLS, loopback
HTTP listeners for Slack, Mattermost and the signed webhook, a TCP listener for Graphite, a mail server that
accepts and never answers, and the metrics page read with prometheus_client's parser."""
from __future__ import annotations

import email
import email.policy
import hashlib
import hmac
import json
import socket
import ssl
import subprocess
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from prometheus_client.parser import text_string_to_metric_families

from test_chronos_compat import call, start
from test_git_sync import GitServer, commit, git


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Mailbox:
    """aiosmtpd's handler: keeps every message with its envelope."""

    def __init__(self):
        self.messages: list[tuple[list[str], email.message.EmailMessage]] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((list(envelope.rcpt_tos), email.message_from_bytes(envelope.content, policy=email.policy.default)))
        return "250 OK"

    def by_subject(self, fragment: str):
        return [m for _, m in self.messages if fragment in m["Subject"]]


@pytest.fixture
def smtp():
    box = Mailbox()
    controller = Controller(box, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller, box
    controller.stop()


@pytest.fixture
def tls_files(tmp_path):
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert), "-days", "1",
                    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"], check=True, capture_output=True)
    return key, cert


class Receiver:
    """A loopback HTTP listener that keeps every POST (path, headers, body) and answers `status`."""

    def __init__(self, status: int = 200):
        self.requests: list[tuple[str, dict, bytes]] = []
        self.status = status
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                receiver.requests.append((self.path, {k.lower(): v for k, v in self.headers.items()}, body))
                self.send_response(receiver.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def on(self, path: str):
        return [(h, json.loads(b)) for p, h, b in self.requests if p == path]

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.close()


class SilentServer:
    """Accepts connections and never answers (a hung mail server)."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        self.held: list[socket.socket] = []
        self.running = True
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while self.running:
            try:
                conn, _ = self.sock.accept()
                self.held.append(conn)
            except OSError:
                return

    def close(self):
        self.running = False
        self.sock.close()
        for c in self.held:
            c.close()


def metrics(api) -> dict[str, list]:
    status, _, body = call(api, "GET", "/metrics")
    assert status == 200
    families = {}
    for family in text_string_to_metric_families(body):
        families[family.name] = family.samples
    return families


def sample(families, name: str, **labels) -> float | None:
    for family_samples in families.values():
        for s in family_samples:
            if s.name == name and all(s.labels.get(k) == v for k, v in labels.items()):
                return s.value
    return None


def serve_broken_job(api, exit_status: int, owner: str | None = "ops@example.com") -> None:
    """A job that fails with `exit_status` and has no retries, run once now."""
    api.write("broken.yaml", f"""
        name: broken
        {f"owner: {owner}" if owner else "description: no owner"}
        command: exit {exit_status}
        schedule: R/2030-01-01T00:00:00Z/P1D
        retries: 0
        """)
    api.wait_for(lambda: "broken" in call(api, "GET", "/v1/scheduler/jobs")[2], what="the job")
    run_now(api, "broken")


def run_now(api, name: str):
    status, _, body = call(api, "PUT", f"/v1/scheduler/job/{name}")
    assert status == 204, body


def test_mail_reaches_the_owner_on_failure_exhausted_retries_disable_and_asked_for_success(chronos_bin, tmp_path, smtp):
    controller, box = smtp
    api = start(chronos_bin, tmp_path, "--mail-server", f"127.0.0.1:{controller.port}", "--mail-from", "chronos@example.com",
                "--cluster-name", "prod", "--public-url", "http://ui.example:4400/", "--disable-after-failures", "2")
    try:
        api.write("broken.yaml", """
            name: broken
            owner: ops@example.com, dev@example.com
            command: echo first line >&2; echo the reason it broke >&2; exit 3
            schedule: R/2030-01-01T00:00:00Z/P1D
            retries: 0
            """)
        api.write("flaky.yaml", """
            name: flaky
            owner: flaky-owner@example.com
            command: exit 1
            schedule: R/2030-01-01T00:00:00Z/P1D
            retries: 1
            retryInterval: PT1S
            """)
        api.write("happy.yaml", """
            name: happy
            owner: happy-owner@example.com
            command: echo fine
            schedule: R/2030-01-01T00:00:00Z/P1D
            notifyOnSuccess: true
            """)
        api.write("quiet.yaml", """
            name: quiet
            owner: quiet-owner@example.com
            command: echo fine
            schedule: R/2030-01-01T00:00:00Z/P1D
            """)
        api.wait_for(lambda: all(n in call(api, "GET", "/v1/scheduler/jobs")[2] for n in ["broken", "flaky", "happy", "quiet"]), what="the jobs")
        for name in ["broken", "flaky", "happy", "quiet"]:
            run_now(api, name)
        api.wait_for(lambda: box.by_subject("job broken failed") and box.by_subject("job flaky failed after 2 attempts")
                     and box.by_subject("job happy succeeded"), what="the mail")
        time.sleep(1)  # nothing else should arrive (quiet succeeded without asking)
        assert not box.by_subject("quiet")
        assert not box.by_subject("job flaky failed\n"), "a failure that is retried is not mailed"

        rcpt, broken = next((r, m) for r, m in box.messages if "job broken failed" in m["Subject"])
        assert rcpt == ["ops@example.com", "dev@example.com"]
        assert broken["Subject"] == "[prod] chronos-sync: job broken failed"
        assert broken["From"] == "chronos@example.com"
        assert broken["To"] == "ops@example.com, dev@example.com"
        assert broken["X-Chronos-Event"] == "failed" and broken["X-Chronos-Job"] == "broken"
        body = broken.get_content().replace("\r\n", "\n")
        assert "Exit:     3" in body and "Trigger:  manual" in body and "Attempt:  1" in body
        assert "Run:      ct:" in body
        assert "Last lines of stderr:\nfirst line\nthe reason it broke" in body
        assert "http://ui.example:4400/#/job/broken?run=ct%3A" in body

        # A second final failure reaches --disable-after-failures 2: the owner hears of the disable too.
        run_now(api, "broken")
        api.wait_for(lambda: box.by_subject("job broken disabled"), what="the disable mail")
        assert len(box.by_subject("job broken failed")) == 2

        families = metrics(api)
        assert sample(families, "chronos_notifications_total", channel="mail", result="sent") >= 5
    finally:
        api.stop()


# With SMTPS the whole session is TLS, which aiosmtpd's AUTH-without-STARTTLS warning does not know.
@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
@pytest.mark.parametrize("security", ["starttls", "smtps"])
def test_mail_over_tls_with_a_password_from_the_environment(chronos_bin, tmp_path, tls_files, security):
    key, cert = tls_files
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(str(cert), str(key))
    logins = []

    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = isinstance(auth_data, LoginPassword) and auth_data.login == b"mailer" and auth_data.password == b"hunter2-secret"
        logins.append(ok)
        return AuthResult(success=ok)

    box = Mailbox()
    if security == "starttls":
        controller = Controller(box, hostname="127.0.0.1", port=free_port(), tls_context=context, require_starttls=True,
                                authenticator=authenticator, auth_required=True)
    else:
        # SMTPS: TLS from the first byte.
        controller = Controller(box, hostname="127.0.0.1", port=free_port(), ssl_context=context,
                                authenticator=authenticator, auth_required=True, auth_require_tls=False)
    controller.start()
    import os
    os.environ["CHRONOS_SYNC_MAIL_PASSWORD"] = "hunter2-secret"
    try:
        api = start(chronos_bin, tmp_path, "--mail-server", f"127.0.0.1:{controller.port}", "--mail-from", "chronos@example.com",
                    "--mail-user", "mailer", "--mail-ssl", security, "--mail-ca-file", str(cert))
    finally:
        del os.environ["CHRONOS_SYNC_MAIL_PASSWORD"]
    try:
        serve_broken_job(api, 4)
        api.wait_for(lambda: box.by_subject("job broken failed"), what=f"the mail over {security}")
        assert logins and all(logins)
        assert "Exit:     4" in box.by_subject("job broken failed")[0].get_content()
        assert "hunter2-secret" not in api.log.read_text()
    finally:
        api.stop()
        controller.stop()


def test_a_server_without_starttls_gets_no_mail_and_the_failure_is_counted_not_leaked(chronos_bin, tmp_path, smtp):
    controller, box = smtp
    api = start(chronos_bin, tmp_path, "--mail-server", f"127.0.0.1:{controller.port}", "--mail-from", "chronos@example.com",
                "--mail-ssl", "starttls", "--mail-user", "mailer", "--mail_password", "pw-on-the-command-line")
    try:
        serve_broken_job(api, 1)
        api.wait_for(lambda: (sample(metrics(api), "chronos_notifications_total", channel="mail", result="failed") or 0) >= 1,
                     what="the failed send to be counted")
        assert box.messages == [], "STARTTLS is required before anything is sent"
        log = api.log.read_text()
        assert "mail through 127.0.0.1" in log
        assert "pw-on-the-command-line" not in log
        assert "--mail_password puts the SMTP password in the process list" in log
    finally:
        api.stop()


def test_slack_mattermost_and_the_signed_webhook_receive_run_sync_and_drift_notices(chronos_bin, tmp_path, receiver):
    repo = tmp_path / "work"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    commit(repo, {"jobs/broken.yaml": "name: broken\nowner: ops@example.com\ncommand: exit 2\nschedule: R/2030-01-01T00:00:00Z/P1D\nretries: 0\n"},
           "first")
    (tmp_path / "srv").mkdir()
    server = GitServer(chronos_bin, tmp_path / "srv")
    server.start_git("--repo", str(repo), "--sync-interval", "0.5", "--cluster-name", "prod",
                     "--slack-url", receiver.url("/services/T000/B000/SLACKTOKEN"), "--mattermost-url", receiver.url("/hooks/mm"),
                     "--notification-url", receiver.url("/generic"), "--notification-secret", "webhook-secret-value",
                     "--notification-credentials", "hook:hook-password")
    try:
        server.wait_for(lambda: "broken" in server.live_jobs(), what="the first sync")
        req = urllib.request.Request(f"http://127.0.0.1:{server.port}/v1/scheduler/job/broken", method="PUT")
        assert urllib.request.urlopen(req, timeout=10).status == 204
        server.wait_for(lambda: receiver.on("/generic") and receiver.on("/hooks/mm") and receiver.on("/services/T000/B000/SLACKTOKEN"),
                        what="the three receivers")

        headers, doc = receiver.on("/generic")[0]
        assert doc["event"] == "failed" and doc["job"] == "broken" and doc["cluster"] == "prod"
        assert doc["run"]["exitStatus"] == 2 and doc["run"]["trigger"] == "manual" and doc["run"]["taskId"].startswith("ct:")
        assert doc["owner"] == ["ops@example.com"]
        raw = next(b for p, _, b in receiver.requests if p == "/generic")
        expected = "sha256=" + hmac.new(b"webhook-secret-value", raw, hashlib.sha256).hexdigest()
        assert headers["x-chronos-signature"] == expected
        assert headers["x-chronos-event"] == "failed"
        assert headers["authorization"].startswith("Basic ")

        _, slack = receiver.on("/services/T000/B000/SLACKTOKEN")[0]
        assert slack["text"].startswith("[prod] chronos-sync: job broken failed")
        _, mm = receiver.on("/hooks/mm")[0]
        assert mm["username"] == "chronos-sync" and "job broken failed" in mm["text"]

        # A job changed outside git is drift: told once, when it appears.
        body = json.dumps({"name": "broken", "command": "exit 0", "schedule": "R/2030-01-01T00:00:00Z/P1D"}).encode()
        assert server.post("/v1/scheduler/iso8601", body, {"Content-Type": "application/json"}) == 204
        server.wait_for(lambda: [d for _, d in receiver.on("/generic") if d["event"] == "drift"], what="the drift notice")
        drift = [d for _, d in receiver.on("/generic") if d["event"] == "drift"]
        assert "broken" in drift[0]["summary"]
        time.sleep(1.5)  # several more syncs see the same drift
        assert len([d for _, d in receiver.on("/generic") if d["event"] == "drift"]) == 1, "the same drift is told once"

        # A commit that does not load: the sync failed, told once.
        commit(repo, {"jobs/bad.yaml": "name: bad\ncommand: true\nschedule: R/2030-01-01T00:00:00Z/P1D\nretires: 3\n"}, "typo")
        server.wait_for(lambda: [d for _, d in receiver.on("/generic") if d["event"] == "sync_failed"], what="the sync failure notice")
        failed = [d for _, d in receiver.on("/generic") if d["event"] == "sync_failed"]
        assert "bad.yaml" in failed[0]["summary"] and "job" not in failed[0]
        time.sleep(1.5)
        assert len([d for _, d in receiver.on("/generic") if d["event"] == "sync_failed"]) == 1
        _, slack_sync = [x for x in receiver.on("/services/T000/B000/SLACKTOKEN") if "git sync failed" in x[1]["text"]][0]
        assert slack_sync["text"].startswith("[prod] chronos-sync: git sync failed")

        log = server.log.read_text()
        for secret in ["SLACKTOKEN", "webhook-secret-value", "hook-password"]:
            assert secret not in log
        for path in ["/v1/sync/status", "/v1/sync/history"]:
            assert "SLACKTOKEN" not in json.dumps(server.get(path))
    finally:
        server.stop()


def test_a_webhook_that_fails_is_retried_with_backoff(chronos_bin, tmp_path):
    flaky = Receiver(status=500)
    api = start(chronos_bin, tmp_path, "--notification-url", flaky.url("/hook"))
    try:
        serve_broken_job(api, 1, owner=None)
        api.wait_for(lambda: len(flaky.requests) >= 2, what="a retry")
        flaky.status = 200
        # The third attempt (after 1 s, then 2 s) goes through.
        api.wait_for(lambda: sample(metrics(api), "chronos_notifications_total", channel="webhook", result="sent") == 1,
                     what="the retried notice to be sent")
        families = metrics(api)
        assert sample(families, "chronos_notifications_total", channel="webhook", result="failed") == 2
        assert len(flaky.requests) == 3
        assert len({b for _, _, b in flaky.requests}) == 1, "every attempt sends the same notice"
    finally:
        api.stop()
        flaky.close()


def test_graphite_receives_the_metrics_in_plaintext(chronos_bin, tmp_path):
    lines: list[str] = []
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    port = listener.getsockname()[1]

    def accept():
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            with conn:
                data = b""
                while chunk := conn.recv(65536):
                    data += chunk
                lines.extend(data.decode().splitlines())

    threading.Thread(target=accept, daemon=True).start()
    api = start(chronos_bin, tmp_path, "--graphite_host_port", f"127.0.0.1:{port}", "--graphite-reporting-interval", "0.5s",
                "--graphite_group_prefix", "prod.chronos")
    try:
        api.wait_for(lambda: any(l.startswith("prod.chronos.chronos_jobs ") for l in lines), what="a Graphite push")
        line = next(l for l in lines if l.startswith("prod.chronos.chronos_jobs "))
        path, value, stamp = line.split(" ")
        assert float(value) >= 1 and abs(int(stamp) - time.time()) < 60
        assert not any("_bucket" in l for l in lines)
        assert all(len(l.split(" ")) == 3 for l in lines)
    finally:
        api.stop()
        listener.close()


def delays(api, job: str) -> list[int]:
    """Scheduling delay (ms) of each finished run of `job`: start minus due."""
    return [r["startedAt"] - int(r["taskID"].split(":")[1]) for r in api.history(job) if r.get("startedAt")]


def test_a_mail_server_that_never_answers_delays_no_run(chronos_bin, tmp_path):
    silent = SilentServer()
    runs = 8
    spec = f"""
        name: every-second
        owner: ops@example.com
        command: exit 1
        schedule: R{runs}/{{start}}/PT1S
        retries: 0
        """
    results = {}
    try:
        for label, flags in [("without", []), ("with", ["--mail-server", f"127.0.0.1:{silent.port}", "--mail-from", "c@example.com",
                                                        "--notification-queue", "3"])]:
            root = tmp_path / label
            root.mkdir()
            api = start(chronos_bin, root, *flags)
            try:
                begin = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 3))
                api.write("every-second.yaml", spec.replace("{start}", begin))
                api.wait_for(lambda: len([r for r in api.history("every-second") if r["state"] == "failed"]) == runs, timeout=40,
                             what=f"{runs} runs")
                results[label] = (delays(api, "every-second"), metrics(api))
            finally:
                api.stop()
    finally:
        silent.close()
    without, _ = results["without"]
    with_dead, families = results["with"]
    print(f"scheduling delay (ms) without a mail server: {sorted(without)}; with one that never answers: {sorted(with_dead)}")
    assert len(with_dead) == len(without) == runs, "every slot ran"
    # A send blocks for up to 30 s: had the scheduler waited on one, the delays would be seconds, not milliseconds.
    assert max(with_dead) < 1000 and max(with_dead) <= max(without) + 500
    # One send hangs, three wait in the bounded queue, the rest are dropped and counted.
    assert sample(families, "chronos_notifications_total", channel="mail", result="dropped") == runs - 4
    assert sample(families, "chronos_notifications_queued", channel="mail") == 4


def test_metrics_are_bounded_unless_per_job_is_asked(chronos_bin, tmp_path):
    for label, flags in [("bounded", []), ("per-job", ["--metrics-per-job"])]:
        root = tmp_path / label
        root.mkdir()
        api = start(chronos_bin, root, *flags)
        try:
            for i in range(5):
                api.write(f"j{i}.yaml", f"name: j{i}\ncommand: 'true'\nschedule: R/2030-01-01T00:00:00Z/P1D\n")
            api.wait_for(lambda: all(f"j{i}" in call(api, "GET", "/v1/scheduler/jobs")[2] for i in range(5)), what="the jobs")
            for i in range(5):
                run_now(api, f"j{i}")
            api.wait_for(lambda: sum(s.value for s in metrics(api).get("chronos_runs_ended", []) if s.name.endswith("_total")) >= 5,
                         what="five runs")
            families = metrics(api)
            ended = [s for s in families["chronos_runs_ended"] if s.name == "chronos_runs_ended_total"]
            if label == "bounded":
                assert [s.labels for s in ended] == [{"outcome": "succeeded", "trigger": "manual"}]
                assert ended[0].value == 5
                assert not any("job" in s.labels for f in families.values() for s in f)
            else:
                assert sorted(s.labels["job"] for s in ended) == [f"j{i}" for i in range(5)]
            durations = [s for s in families["chronos_run_duration_seconds"] if s.name == "chronos_run_duration_seconds_count"]
            assert sum(s.value for s in durations) == 5
            delay = [s for s in families["chronos_run_delay_seconds"] if s.name == "chronos_run_delay_seconds_count"]
            assert sum(s.value for s in delay) == 5
            assert sample(families, "chronos_jobs_by_state", state="idle") == 6, "the five and from-git"
            assert sample(families, "chronos_leader") == 1
        finally:
            api.stop()


def test_the_grafana_dashboard_uses_only_metrics_the_server_has():
    import re
    from pathlib import Path
    root = Path(__file__).resolve().parent.parent
    dashboard = json.loads((root / "deploy" / "grafana-dashboard.json").read_text())
    readme = (root / "README.md").read_text()
    section = readme[readme.index("**Metrics** at `/metrics`"):readme.index("deploy/grafana-dashboard.json")]
    documented = set(re.findall(r"chronos_[a-z_]+", section))
    used = set()
    for panel in dashboard["panels"]:
        assert panel["targets"], panel["title"]
        for target in panel["targets"]:
            for name in re.findall(r"chronos_[a-z_]+", target["expr"]):
                used.add(re.sub(r"_(bucket|sum|count)$", "", name))
    assert used and used <= documented, used - documented
    # Every run-metric family the scheduler exports is on the dashboard.
    assert {"chronos_runs_started_total", "chronos_runs_ended_total", "chronos_run_delay_seconds", "chronos_run_duration_seconds",
            "chronos_leader", "chronos_notifications_total", "chronos_syncs_total"} <= used

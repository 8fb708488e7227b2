"""Secrets given for git never land on disk or on the wire in clear: a password written into the
repository URL is used from memory only, and a token is not sent over plain http://."""

from __future__ import annotations

import json
import os
import subprocess

from test_git_sync import B, commit, git, repo, server  # noqa: F401 (fixtures)


def test_a_password_in_the_url_is_used_but_never_stored(server, repo, tmp_path):  # noqa: F811
    from https_git_server import serve

    root = tmp_path / "https"
    root.mkdir()
    git(tmp_path, "clone", "-q", "--bare", str(repo), str(root / "jobs.git"))
    token = "tok-" + "p4ss" * 5
    httpd, port, cert = serve(str(root), token, str(tmp_path))
    try:
        saved = dict(os.environ)
        os.environ.pop("CHRONOS_SYNC_GIT_TOKEN", None)
        os.environ.update(GIT_SSL_CAINFO=cert)
        try:
            server.start_git("--repo", f"https://x-access-token:{token}@localhost:{port}/jobs.git", "--ref", "main", "--sync-interval", "1h")
        finally:
            os.environ.clear()
            os.environ.update(saved)
        server.wait_for(lambda: "a" in server.live_jobs(), what="the sync with the URL's password")
        for path in server.data.rglob("*"):
            if path.is_file():
                assert token.encode() not in path.read_bytes(), f"{path} holds the password"
        assert token not in server.log.read_text()
        assert token not in json.dumps(server.status())
    finally:
        httpd.shutdown()


def test_a_token_is_not_sent_over_plain_http(chronos_bin, tmp_path):
    env = dict(os.environ, CHRONOS_SYNC_GIT_TOKEN="tok-never-in-clear")
    plan = subprocess.run([str(chronos_bin), "plan", "--repo", "http://127.0.0.1:9/jobs.git", "--data", str(tmp_path / "d")],
                          capture_output=True, text=True, env=env, timeout=60)
    assert plan.returncode == 1, plan
    assert "refusing to send the git token over plain http://" in plan.stderr, plan.stderr
    assert "--allow-insecure-git" in plan.stderr
    assert "tok-never-in-clear" not in plan.stderr
    in_url = subprocess.run([str(chronos_bin), "plan", "--repo", "http://u:pw-in-url@127.0.0.1:9/jobs.git", "--data", str(tmp_path / "d")],
                            capture_output=True, text=True, timeout=60)
    assert in_url.returncode == 1 and "refusing to send the git token" in in_url.stderr and "pw-in-url" not in in_url.stderr, in_url

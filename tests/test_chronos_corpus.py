"""A corpus of job JSON as Chronos 2.4 and 3.0 serve it (and as clients post it) fed through
POST → GET → `import` → `validate` → `plan`: the specs that `import` writes describe exactly the jobs the
server runs, so a plan of them changes nothing. See tests/chronos_corpus/README.md for where each comes from."""

from __future__ import annotations

import json
from pathlib import Path

from test_chronos_compat import call, start
from test_git_sync import commit, git

CORPUS = Path(__file__).resolve().parent / "chronos_corpus"
COUNTERS = {"successCount", "errorCount", "lastSuccess", "lastError", "errorsSinceLastSuccess"}
# Which API prefix each part of the corpus is posted to: Chronos 2.x's or 3.x's.
PARTS = [("served-2.4.json", "/scheduler"), ("served-3.0.json", "/v1/scheduler"), ("posted.json", "/v1/scheduler")]


def corpus(name: str) -> list[dict]:
    return json.loads((CORPUS / name).read_text())


def mismatches(want, got, path="") -> list[str]:
    """Where `got` differs from `want` in what `want` says (extra keys in `got` are fine)."""
    if isinstance(want, dict):
        if not isinstance(got, dict):
            return [f"{path}: {got!r} is not an object"]
        return [m for key, value in want.items() for m in mismatches(value, got.get(key), f"{path}.{key}")]
    if isinstance(want, list):
        if not isinstance(got, list) or len(got) != len(want):
            return [f"{path}: {got!r} != {want!r}"]
        return [m for i, (w, g) in enumerate(zip(want, got)) for m in mismatches(w, g, f"{path}[{i}]")]
    return [] if want == got else [f"{path}: {got!r} != {want!r}"]


def served_view(job: dict) -> dict:
    """A served job without its counters (they are the server's own), its container's type as Chronos
    reads it (2.x and 3.0 write "docker") and a volume's mode defaulted as Chronos defaults it."""
    view = {k: v for k, v in job.items() if k not in COUNTERS}
    if "container" in view:
        container = dict(view["container"])
        container["type"] = container["type"].upper()
        container["volumes"] = [{"mode": "RW", **volume} for volume in container.get("volumes", [])]
        view["container"] = container
    return view


def post_corpus(api):
    for name, prefix in PARTS:
        for job in corpus(name):
            kind = "dependency" if "parents" in job else "iso8601"
            status, _, body = call(api, "POST", f"{prefix}/{kind}", job)
            assert status in (200, 204), (job["name"], body)


def test_the_corpus_round_trips_through_post_get_import_validate_and_plan(chronos_bin, cli, tmp_path):
    api = start(chronos_bin, tmp_path)
    try:
        post_corpus(api)
        live = {j["name"]: j for j in json.loads(call(api, "GET", "/v1/scheduler/jobs")[2])}
        assert live == {j["name"]: j for j in json.loads(call(api, "GET", "/scheduler/jobs")[2])}, "2.x's prefix serves the same"

        # GET answers what Chronos served, field for field.
        for name in ("served-2.4.json", "served-3.0.json"):
            for job in corpus(name):
                assert not mismatches(served_view(job), live[job["name"]]), (job["name"], mismatches(served_view(job), live[job["name"]]))
        # The coercions Chronos makes, made.
        assert {k: live["coerced-numbers"][k] for k in ("cpus", "mem", "disk", "retries", "maxCompletionTime")} == \
            {"cpus": 0.5, "mem": 256, "disk": 512, "retries": 3, "maxCompletionTime": 600}
        assert live["coerced-integers"]["retries"] == 3 and live["coerced-integers"]["cpus"] == 1
        booleans = live["coerced-booleans"]
        # Jackson's asBoolean takes only "true": "TRUE" is false, as on Chronos.
        assert (booleans["shell"], booleans["softError"], booleans["concurrent"], booleans["disabled"]) == (True, False, True, False)
        assert live["coerced-texts"]["environmentVariables"] == [{"name": "RETRIES", "value": "3"}, {"name": "FLAG", "value": "true"}]
        container = live["coerced-container"]["container"]
        assert (container["network"], container["forcePullImage"], container["volumes"][0]["mode"]) == ("BRIDGE", True, "RO")
        assert container["networkInfos"][0]["portMappings"][0] == {"hostPort": 8080, "containerPort": 80, "protocol": "tcp"}
        assert "container" not in live["coerced-dropped"] and live["coerced-dropped"]["constraints"] == [["rack", "EQUALS", "r1"]]
        assert live["coerced-uris"]["uris"] == ["https://example.com/a.tgz", "https://example.com/b.sh"]
        defaults = live["coerced-defaults"]
        assert (defaults["cpus"], defaults["mem"], defaults["disk"], defaults["runAsUser"]) == (0.1, 128, 256, "root")

        # import → a git repository → validate → plan: no change.
        repo = tmp_path / "repo"
        repo.mkdir()
        git(repo, "init", "-q", "-b", "main")
        result = cli("import", "--from", f"http://127.0.0.1:{api.port}", "--out", str(repo / "jobs"))
        assert result.returncode == 0, result
        commit(repo, {}, "imported")
        assert cli("validate", str(repo / "jobs")).returncode == 0
        # Values equal to the server's defaults stay out of the specs; the others are kept.
        etl = (repo / "jobs" / "etl-24.yaml").read_text()
        assert "cpus" not in etl and "mem:" not in etl and "disk" not in etl and "runAsUser" not in etl, etl
        ingest = (repo / "jobs" / "ingest-24-async.yaml").read_text()
        assert "cpus: 1.5" in ingest and "runAsUser: batch" in ingest and "async: true" in ingest, ingest
        plan = cli("plan", "--repo", str(repo), "--data", str(api.data), "--json", "--detailed-exitcode")
        assert plan.returncode == 0 and plan.json["changes"] == [], plan
    finally:
        api.stop()


"""`chronos-sync validate`: the example repository, and a folder of broken specs whose every error must be
reported at once, each at the exact file:line:column (counted by hand in the fixture text below, 1-based)."""

from __future__ import annotations

import json
import re

import pytest

from conftest import REPO, Diag, parse_diagnostics, write_spec

# --------------------------------------------------------------------------------------------------
# The repository's own jobs/ folder


def test_repository_jobs_folder_is_valid(cli):
    r = cli("validate", "jobs", cwd=REPO)
    assert r.returncode == 0, r
    assert re.fullmatch(r"jobs: \d+ jobs in \d+ files: valid(, \d+ warnings?)?", r.stdout.strip()), r
    assert all(d.severity == "warning" for d in parse_diagnostics(r.stderr)), r


def test_repository_jobs_folder_json(cli):
    r = cli("validate", "jobs", "--json", cwd=REPO)
    assert r.returncode == 0, r
    doc = r.json
    assert doc["valid"] is True
    assert doc["path"] == "jobs"
    # Every spec file but the defaults file is counted.
    spec_files = [p for p in (REPO / "jobs").rglob("*.y*ml") if p.name not in ("_defaults.yaml", "_defaults.yml")]
    assert doc["files"] == len(spec_files)
    assert len(doc["jobs"]) == len(set(doc["jobs"])) >= len(spec_files)
    assert all(d["severity"] == "warning" for d in doc["diagnostics"])


def test_default_path_is_jobs(cli):
    r = cli("validate", cwd=REPO)
    assert r.returncode == 0, r
    assert r.stdout.startswith("jobs: "), r


# --------------------------------------------------------------------------------------------------
# A folder with one broken thing per file. Line and column numbers in the comments are 1-based.

BROKEN = {
    # 4:1 unknown field "comand" → did you mean "command"
    "a_unknown.yaml": """\
        name: alpha
        command: echo alpha
        schedule: R/2026-01-01T00:00:00Z/P1D
        comand: typo
        """,
    # 4:10 retries is not a number ("retries: " is 9 characters); 5:8 shell: yes is not a boolean
    "b_type.yaml": """\
        name: bravo
        command: echo bravo
        cron: "0 * * * *"
        retries: many
        shell: yes
        """,
    # 2:10 a YAML syntax error: the more-indented line continues the plain scalar "charlie", then ':' at column 10
    "c_syntax.yaml": """\
        name: charlie
          command: echo charlie
        """,
    # d and e: the same job name in two files; reported at the second one, e 2:7
    "d_dup.yaml": """\
        name: shared
        command: echo one
        schedule: R/2026-01-01T00:00:00Z/PT1H
        """,
    "e_dup.yaml": """\
        # the same name again
        name: shared
        command: echo two
        schedule: R/2026-01-01T00:00:00Z/PT2H
        """,
    # 4:5 parent "alpah" does not exist → did you mean "alpha"
    "f_parent.yaml": """\
        name: foxtrot
        command: echo foxtrot
        parents:
          - alpah
        """,
    # a three-job cycle in one file; golf-two waits for golf-one, golf-three for golf-two, golf-one for golf-three.
    # Reported once, at the parents of the first job (3:10, the '[').
    "g_cycle.yaml": """\
        name: golf-one
        command: echo 1
        parents: [golf-three]
        ---
        name: golf-two
        command: echo 2
        parents: [golf-one]
        ---
        name: golf-three
        command: echo 3
        parents: [golf-two]
        """,
    # 4:7 both schedule and cron (reported at the second trigger)
    "h_both.yaml": """\
        name: hotel
        command: echo hotel
        schedule: R/2026-01-01T00:00:00Z/PT1H
        cron: 0 * * * *
        """,
    # 2:1 neither schedule, cron nor parents (reported at the job, whose mapping starts on line 2)
    "i_neither.yaml": """\
        # no trigger at all
        name: india
        command: echo india
        """,
    # 4:19 unknown zone ("scheduleTimeZone: " is 18 characters) → did you mean America/New_York
    "j_tz.yaml": """\
        name: juliet
        command: echo juliet
        cron: 0 9 * * *
        scheduleTimeZone: America/New_Yrok
        """,
    # 3:19 month 13: 'schedule: "' is 11 characters, so R is column 12, and "R/2026-" puts the 1 of 13 at 12 + 7.
    # 7:36 "H" without "T": the value starts at column 11; R/ (2) + 20-character start + / (1) + P1 (2) → offset 25.
    "k_iso.yaml": """\
        name: kilo
        command: echo kilo
        schedule: "R/2026-13-01T00:00:00Z/P1D"
        ---
        name: kilo-two
        command: echo kilo two
        schedule: R/2026-01-01T00:00:00Z/P1H
        """,
    # 3:10 hour 25: the value starts at column 8 (after 'cron: "'), "0 " is two characters
    "l_cron.yaml": """\
        name: lima
        command: echo lima
        cron: "0 25 * * *"
        """,
    # billion laughs: each line multiplies by 9; the expansion passes 200,000 nodes on line 6 (f), whichever
    # way the nodes are counted (all nodes, or leaves only), while d and e are still well under it.
    "m_laughs.yaml": """\
        a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
        b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
        c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
        d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
        e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
        f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
        g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
        """,
    # nesting: the root mapping is level 1, so the 32nd '[' opens level 33; "description: " is 13 characters,
    # the first '[' is column 14 and the 32nd is column 14 + 31 = 45.
    "n_deep.yaml": """\
        name: november
        command: echo november
        cron: 0 * * * *
        description: """ + "[" * 40 + "]" * 40 + "\n",
}

BIG_NAME = "o_big.yaml"
MIB = 1 << 20


def big_file_text(size: int) -> str:
    head = "name: oscar\ncommand: echo oscar\ncron: 0 * * * *\n# "
    return head + "x" * (size - len(head) - 1) + "\n"


def laughs_alias_columns() -> set[int]:
    line = BROKEN["m_laughs.yaml"].splitlines()[5].strip()
    assert line.startswith("f: &f [")
    return {i + 1 for i, c in enumerate(line) if c in "*["}


# (file, line, column, severity, message fragment) in the order validate must print them: by file, then position.
EXPECTED = [
    ("a_unknown.yaml", 4, 1, 'unknown field "comand" in a job; did you mean "command"?'),
    ("b_type.yaml", 4, 10, '"retries" must be a whole number, not "many"'),
    ("b_type.yaml", 5, 8, '"shell" must be true or false; write true instead of yes'),
    ("c_syntax.yaml", 2, 10, "YAML syntax error: mapping values are not allowed"),
    ("e_dup.yaml", 2, 7, 'job name "shared" is already used at specs/d_dup.yaml:1:7'),
    ("f_parent.yaml", 4, 5, 'parent "alpah" of job "foxtrot" does not exist; did you mean "alpha"?'),
    ("g_cycle.yaml", 3, 10, "dependency cycle: golf-one → golf-two → golf-three → golf-one"),
    ("h_both.yaml", 4, 7, 'job "hotel" has both "schedule" and "cron"'),
    ("i_neither.yaml", 2, 1, 'job "india" needs one of "schedule", "cron" or "parents"'),
    ("j_tz.yaml", 4, 19, 'unknown time zone "America/New_Yrok"; did you mean "America/New_York"?'),
    ("k_iso.yaml", 3, 19, "invalid schedule: month 13 is not between 01 and 12"),
    ("k_iso.yaml", 7, 36, 'invalid schedule: "H" is not a duration unit here'),
    ("l_cron.yaml", 3, 10, "invalid cron: 25 is out of range for the hour field"),
    ("m_laughs.yaml", 6, None, "expands to more than 200000 nodes"),
    ("n_deep.yaml", 4, 45, "nesting deeper than 32 levels"),
    (BIG_NAME, 1, 1, f"the file is {MIB + 1} bytes, over the limit of {MIB}"),
]


@pytest.fixture
def broken(spec_dir):
    for name, text in BROKEN.items():
        spec_dir.write(name, text)
    (spec_dir.path / BIG_NAME).write_text(big_file_text(MIB + 1))
    assert (spec_dir.path / BIG_NAME).stat().st_size == MIB + 1
    return spec_dir


def check_expected(diags: list[Diag]):
    assert [d.severity for d in diags] == ["error"] * len(diags), diags
    got = [(d.file, d.line, d.column) for d in diags]
    want_files = [f"specs/{f}" for f, *_ in EXPECTED]
    assert [g[0] for g in got] == want_files, "\n".join(map(str, diags))
    for d, (file, line, column, fragment) in zip(diags, EXPECTED):
        assert d.line == line, (file, d)
        if column is None:  # the alias bomb: at one of the aliases (or the list) on that line
            assert d.column in laughs_alias_columns(), d
        else:
            assert d.column == column, (file, d)
        assert fragment in d.message, (file, d)


def test_broken_folder_reports_every_error_with_position(cli, broken):
    r = cli("validate", "specs", cwd=broken.root)
    assert r.returncode == 1, r
    check_expected(parse_diagnostics(r.stderr))
    # The summary counts files and errors; it goes to stdout.
    assert re.fullmatch(rf"specs: \d+ jobs in {len(BROKEN) + 1} files: {len(EXPECTED)} errors", r.stdout.strip()), r


def test_broken_folder_json_has_the_same_diagnostics(cli, broken):
    text = cli("validate", "specs", cwd=broken.root)
    r = cli("validate", "specs", "--json", cwd=broken.root)
    assert r.returncode == 1, r
    doc = r.json
    assert doc["valid"] is False
    assert doc["path"] == "specs"
    assert doc["files"] == len(BROKEN) + 1
    diags = [Diag(d["file"], d["line"], d["column"], d["severity"], d["message"]) for d in doc["diagnostics"]]
    check_expected(diags)
    assert diags == parse_diagnostics(text.stderr)
    # Jobs that could be read are still listed, once each per definition.
    for name in ["alpha", "bravo", "foxtrot", "golf-one", "golf-two", "golf-three", "hotel", "kilo-two"]:
        assert name in doc["jobs"], doc["jobs"]


def test_quiet_prints_only_diagnostics(cli, broken):
    r = cli("validate", "specs", "-q", cwd=broken.root)
    assert r.returncode == 1, r
    assert r.stdout == "", r
    assert len(parse_diagnostics(r.stderr)) == len(EXPECTED)


def test_cycle_message_says_why(cli, broken):
    r = cli("validate", "specs", cwd=broken.root)
    cycle = [d for d in parse_diagnostics(r.stderr) if "cycle" in d.message]
    assert len(cycle) == 1, r  # one cycle, reported once
    assert "none can run" in cycle[0].message


def test_each_broken_file_alone_gives_its_own_errors(cli, broken):
    # Loading one file: the errors that do not depend on other files are the same.
    r = cli("validate", "specs/k_iso.yaml", cwd=broken.root)
    assert r.returncode == 1, r
    got = [(d.file, d.line, d.column) for d in parse_diagnostics(r.stderr)]
    assert got == [("specs/k_iso.yaml", 3, 19), ("specs/k_iso.yaml", 7, 36)], r
    assert re.fullmatch(r"specs/k_iso.yaml: 2 jobs in 1 file: 2 errors", r.stdout.strip()), r


# --------------------------------------------------------------------------------------------------
# Limits at their boundaries


def test_file_of_exactly_one_mib_is_accepted(cli, spec_dir):
    (spec_dir.path).mkdir()
    path = spec_dir.path / "big.yaml"
    path.write_text(big_file_text(MIB))
    assert path.stat().st_size == MIB
    r = cli("validate", "specs", cwd=spec_dir.root)
    assert r.returncode == 0, r


def test_nesting_of_32_levels_is_accepted_by_the_parser(cli, spec_dir):
    # Root mapping + 31 lists = 32 levels: no limit error, only the type error for description.
    spec_dir.write("deep.yaml", "name: deep\ncommand: echo\ncron: 0 * * * *\ndescription: " + "[" * 31 + "]" * 31 + "\n",
                   dedent=False)
    r = cli("validate", "specs", cwd=spec_dir.root)
    diags = parse_diagnostics(r.stderr)
    assert not any("nesting" in d.message for d in diags), r
    assert [(d.line, d.column) for d in diags] == [(4, 14)], r
    assert '"description" must be a string, not a list' in diags[0].message


def test_small_alias_use_is_fine(cli, spec_dir):
    spec_dir.write("anchors.yaml", """\
        name: anchored
        command: &cmd echo hello
        description: *cmd
        cron: 0 * * * *
        """)
    r = cli("validate", "specs", cwd=spec_dir.root)
    assert r.returncode == 0, r


# --------------------------------------------------------------------------------------------------
# Warnings


def test_warnings_keep_the_folder_valid(cli, spec_dir):
    spec_dir.write("w.yaml", """\
        name: offset-and-zone
        command: echo
        schedule: R/2026-01-01T09:00:00+05:30/P1D
        scheduleTimeZone: Europe/London
        ---
        name: finished
        command: echo
        schedule: R0/2020-01-01T00:00:00Z/P1D
        """)
    r = cli("validate", "specs", cwd=spec_dir.root)
    assert r.returncode == 0, r
    diags = parse_diagnostics(r.stderr)
    assert [(d.file, d.line, d.column, d.severity) for d in diags] == [
        ("specs/w.yaml", 3, 11, "warning"),  # the +05:30 is ignored because scheduleTimeZone is set
        ("specs/w.yaml", 8, 11, "warning"),  # no run left
    ], r
    assert "ignored" in diags[0].message
    assert "no run left" in diags[1].message
    assert r.stdout.strip() == "specs: 2 jobs in 1 file: valid, 2 warnings", r
    # Raw line format for warnings.
    assert "specs/w.yaml:3:11: warning: " in r.stderr


# --------------------------------------------------------------------------------------------------
# Defaults file


def test_defaults_file_applies_to_jobs(cli, spec_dir):
    spec_dir.write("_defaults.yaml", """\
        defaults:
          owner: team@example.com
          ownerName: The team
          cpus: 0.25
          mem: 128
          retries: 5
        sync:
          prune: true
        """)
    spec_dir.write("one.yaml", """\
        name: uses-defaults
        command: echo one
        cron: 0 * * * *
        """)
    spec_dir.write("two.yaml", """\
        name: overrides-defaults
        command: echo two
        cron: 30 * * * *
        owner: other@example.com
        cpus: 2
        """)
    r = cli("validate", "specs", "--json", cwd=spec_dir.root)
    assert r.returncode == 0, r
    doc = r.json
    assert doc["valid"] is True, doc
    assert doc["diagnostics"] == []
    assert doc["files"] == 2  # the defaults file is not a spec file
    assert sorted(doc["jobs"]) == ["overrides-defaults", "uses-defaults"]


def test_defaults_are_really_applied(cli, spec_dir):
    # Visible through the checks: a default owner that is not an email warns for every job that does not set
    # its own, and default cpus over the limit is an error for every job that does not set its own.
    spec_dir.write("_defaults.yaml", """\
        defaults:
          owner: platform-team
          cpus: 5000
        """)
    spec_dir.write("one.yaml", """\
        name: inherits
        command: echo one
        cron: 0 * * * *
        """)
    spec_dir.write("two.yaml", """\
        name: sets-its-own
        command: echo two
        cron: 30 * * * *
        owner: me@example.com
        cpus: 1
        """)
    r = cli("validate", "specs", cwd=spec_dir.root)
    assert r.returncode == 1, r
    diags = parse_diagnostics(r.stderr)
    assert len(diags) == 2, r
    errors = [d for d in diags if d.severity == "error"]
    warnings = [d for d in diags if d.severity == "warning"]
    assert len(errors) == 1 and '"cpus"' in errors[0].message and "5000" in errors[0].message, r
    assert len(warnings) == 1 and 'owner "platform-team" is not an email address' in warnings[0].message, r
    assert all(d.file in ("specs/one.yaml", "specs/_defaults.yaml") for d in diags), r


def test_defaults_file_cannot_set_name(cli, spec_dir):
    spec_dir.write("_defaults.yaml", """\
        defaults:
          name: everyone
          owner: team@example.com
          retires: 3
        """)
    spec_dir.write("one.yaml", """\
        name: job-one
        command: echo one
        cron: 0 * * * *
        """)
    r = cli("validate", "specs", cwd=spec_dir.root)
    assert r.returncode == 1, r
    diags = parse_diagnostics(r.stderr)
    # "  name: " is 8 characters: the value is at column 9. The typo "retires" is reported at its key, 4:3.
    assert [(d.file, d.line, d.column, d.severity) for d in diags] == [
        ("specs/_defaults.yaml", 2, 9, "error"),
        ("specs/_defaults.yaml", 4, 3, "error"),
    ], r
    assert diags[0].message == '"name" cannot have a default; set it in each job'
    assert 'unknown field "retires"' in diags[1].message and 'did you mean "retries"?' in diags[1].message


# --------------------------------------------------------------------------------------------------
# Chronos's own JSON is a valid spec

CHRONOS_SCHEDULED = {
    "name": "nightly-export",
    "command": "/usr/local/bin/export --all",
    "shell": True,
    "executor": "",
    "executorFlags": "",
    "taskInfoData": "",
    "retries": 2,
    "owner": "ops@example.com",
    "ownerName": "Ops",
    "description": "Export everything",
    "successCount": 412,
    "errorCount": 3,
    "lastSuccess": "2026-01-05T02:00:04.512Z",
    "lastError": "2025-12-20T02:00:09.001Z",
    "cpus": 0.5,
    "disk": 256.0,
    "mem": 512.0,
    "disabled": False,
    "softError": False,
    "dataProcessingJobType": False,
    "errorsSinceLastSuccess": 0,
    "fetch": [],
    "uris": [],
    "environmentVariables": [{"name": "MODE", "value": "full"}],
    "arguments": [],
    "highPriority": False,
    "runAsUser": "root",
    "concurrent": False,
    "container": None,
    "constraints": [],
    "schedule": "R/2026-01-06T02:00:00.000Z/P1D",
    "scheduleTimeZone": "",
    "epsilon": "PT60S",
    "async": False,
    "maxCompletionTime": 0,
}

CHRONOS_DEPENDENT = {
    "name": "report-after-export",
    "command": "python3 report.py",
    "shell": True,
    "executor": "",
    "executorFlags": "",
    "taskInfoData": "",
    "retries": 0,
    "owner": "ops@example.com,oncall@example.com",
    "ownerName": "",
    "description": "",
    "successCount": 0,
    "errorCount": 0,
    "lastSuccess": "",
    "lastError": "",
    "cpus": 0.1,
    "disk": 10.0,
    "mem": 64.0,
    "disabled": False,
    "softError": True,
    "dataProcessingJobType": False,
    "errorsSinceLastSuccess": 0,
    "fetch": [{"uri": "https://example.com/report.py", "executable": False, "extract": False, "cache": False}],
    "uris": [],
    "environmentVariables": [],
    "arguments": ["--since", "yesterday"],
    "highPriority": True,
    "runAsUser": "nobody",
    "concurrent": False,
    "container": {
        "type": "DOCKER",
        "image": "python:3.12-slim",
        "network": "BRIDGE",
        "volumes": [{"containerPath": "/data", "hostPath": "/srv/data", "mode": "RO"}],
        "forcePullImage": False,
        "parameters": [{"key": "memory-swap", "value": "128m"}],
    },
    "constraints": [["rack", "EQUALS", "rack-1"], ["hostname", "LIKE", "worker-[0-9]+"]],
    "parents": ["nightly-export"],
}


@pytest.mark.parametrize("compact", [True, False], ids=["compact", "pretty"])
def test_chronos_job_json_validates_unchanged(cli, spec_dir, compact):
    dump = (lambda o: json.dumps(o, separators=(",", ":"))) if compact else (lambda o: json.dumps(o, indent=2))
    spec_dir.write("nightly-export.yaml", dump(CHRONOS_SCHEDULED) + "\n", dedent=False)
    spec_dir.write("report-after-export.yaml", dump(CHRONOS_DEPENDENT) + "\n", dedent=False)
    r = cli("validate", "specs", "--json", cwd=spec_dir.root)
    assert r.returncode == 0, r
    doc = r.json
    assert doc["valid"] is True and doc["diagnostics"] == [], doc
    assert sorted(doc["jobs"]) == ["nightly-export", "report-after-export"]


# --------------------------------------------------------------------------------------------------
# Odds and ends


def test_missing_path_is_an_error(cli, tmp_path):
    r = cli("validate", "nowhere", cwd=tmp_path)
    assert r.returncode == 1, r
    diags = parse_diagnostics(r.stderr)
    assert [(d.file, d.line, d.column) for d in diags] == [("nowhere", 1, 1)], r
    assert "no such file or folder" in diags[0].message


def test_hidden_folders_and_other_extensions_are_skipped(cli, spec_dir):
    spec_dir.write("ok.yml", """\
        name: ok
        command: echo
        cron: 0 0 * * *
        """)
    spec_dir.write(".hidden/bad.yaml", "not: [valid\n", dedent=False)
    spec_dir.write("README.md", "# not a spec\n", dedent=False)
    spec_dir.write("sub/nested.yaml", """\
        name: nested
        command: echo
        parents: [ok]
        """)
    r = cli("validate", "specs", "--json", cwd=spec_dir.root)
    assert r.returncode == 0, r
    assert r.json["files"] == 2
    assert sorted(r.json["jobs"]) == ["nested", "ok"]


def test_error_in_a_block_scalar_points_into_its_content(cli, spec_dir):
    # A folded block scalar starts on the line after ">-"; its content here is at column 3 of line 4,
    # and the 1 of month 13 is 7 characters into it: 4:10.
    spec_dir.write("folded.yaml", """\
        name: folded
        command: echo
        schedule: >-
          R/2026-13-01T00:00:00Z/P1D
        """)
    r = cli("validate", "specs", cwd=spec_dir.root)
    assert r.returncode == 1, r
    diags = parse_diagnostics(r.stderr)
    assert [(d.line, d.column) for d in diags] == [(4, 10)], r
    assert "month 13" in diags[0].message


def test_error_message_quotes_non_ascii_text_as_written(cli, spec_dir):
    # "MÖN" (with an O umlaut) is not a weekday; the message must quote it as written, in UTF-8.
    spec_dir.write("umlaut.yaml", """\
        name: umlaut
        command: echo
        cron: "0 0 * * MÖN"
        """)
    r = cli("validate", "specs", cwd=spec_dir.root)
    assert r.returncode == 1, r
    diags = parse_diagnostics(r.stderr)
    # 'cron: "' is 7 characters, so the value starts at column 8 and MÖN 8 characters into it.
    assert [(d.line, d.column) for d in diags] == [(3, 16)], r
    assert '"MÖN"' in diags[0].message, r


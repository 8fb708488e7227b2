"""`chronos-sync convert-cron`: a crontab line to equivalent ISO 8601 schedules, or the reason there is none."""

from __future__ import annotations

import heapq
from datetime import datetime

import pytest

AFTER = ["--after", "2026-01-01T00:00:00Z"]  # a Thursday


@pytest.mark.parametrize(
    "line, args, expected",
    [
        ("*/5 * * * *", ["--after", "2026-01-01T00:02:00Z"], ["R/2026-01-01T00:05:00Z/PT5M"]),
        ("0 * * * *", AFTER, ["R/2026-01-01T01:00:00Z/PT1H"]),
        ("0 2 * * *", ["--after", "2026-01-01T03:00:00Z"], ["R/2026-01-02T02:00:00Z/P1D"]),
        ("@daily", AFTER, ["R/2026-01-02T00:00:00Z/P1D"]),
        ("0 9 * * 1", AFTER, ["R/2026-01-05T09:00:00Z/P1W"]),
        ("0 9 * * MON", AFTER, ["R/2026-01-05T09:00:00Z/P1W"]),
        # Twice a day, evenly: one schedule every 12 hours; unevenly: one daily schedule per time.
        ("0 8,20 * * *", AFTER, ["R/2026-01-01T08:00:00Z/PT12H"]),
        ("0 8,17 * * *", AFTER, ["R/2026-01-01T08:00:00Z/P1D", "R/2026-01-01T17:00:00Z/P1D"]),
        # Weekdays: five weekly schedules (Thursday 2026-01-01 09:00 is after 00:00, so it is the first Thursday).
        ("0 9 * * 1-5", AFTER, ["R/2026-01-05T09:00:00Z/P1W", "R/2026-01-06T09:00:00Z/P1W", "R/2026-01-07T09:00:00Z/P1W",
                                "R/2026-01-01T09:00:00Z/P1W", "R/2026-01-02T09:00:00Z/P1W"]),
        ("0 0 1 * *", ["--after", "2026-01-15T00:00:00Z"], ["R/2026-02-01T00:00:00Z/P1M"]),
        ("30 6 15 1,4,7,10 *", ["--after", "2026-01-20T00:00:00Z"], ["R/2026-04-15T06:30:00Z/P3M"]),
        ("@yearly", AFTER, ["R/2027-01-01T00:00:00Z/P1Y"]),
    ],
)
def test_convert(cli, line, args, expected):
    r = cli("convert-cron", line, *args)
    assert r.returncode == 0, r
    assert sorted(r.lines) == sorted(expected), r
    j = cli("convert-cron", line, *args, "--json")
    assert j.returncode == 0, j
    assert j.json["cron"] == line
    assert j.json["scheduleTimeZone"] == ""
    assert sorted(j.json["schedules"]) == sorted(expected)


def test_convert_in_a_zone_has_no_offset_and_says_to_set_the_zone(cli):
    r = cli("convert-cron", "0 9 * * 1-5", "--tz", "Europe/London", "--after", "2026-01-01T00:00:00")
    assert r.returncode == 0, r
    assert sorted(r.lines) == sorted([
        "R/2026-01-05T09:00:00/P1W", "R/2026-01-06T09:00:00/P1W", "R/2026-01-07T09:00:00/P1W",
        "R/2026-01-01T09:00:00/P1W", "R/2026-01-02T09:00:00/P1W",
    ]), r
    assert "scheduleTimeZone: Europe/London" in r.stderr, r
    j = cli("convert-cron", "0 9 * * 1-5", "--tz", "Europe/London", "--after", "2026-01-01T00:00:00", "--json")
    assert j.json["scheduleTimeZone"] == "Europe/London"


@pytest.mark.parametrize(
    "line, tz, expected",
    [
        # Every 5 minutes keeps an even 5-minute spacing across both DST changes in New York.
        ("*/5 * * * *", "America/New_York", ["R/2026-01-01T00:05:00/PT5M"]),
        # 02:30 is in the spring gap once a year; cron and P1D both move it to 03:30.
        ("30 2 * * *", "America/New_York", ["R/2026-01-01T02:30:00/P1D"]),
        # Midnight exists every day on Lord Howe (its changes are at 02:00), so weekly is equivalent.
        ("0 0 * * 1", "Australia/Lord_Howe", ["R/2026-01-05T00:00:00/P1W"]),
    ],
)
def test_convert_equivalent_across_dst(cli, line, tz, expected):
    r = cli("convert-cron", line, "--tz", tz, "--after", "2026-01-01T00:02:00")
    assert r.returncode == 0, r
    assert r.lines == expected, r


@pytest.mark.parametrize(
    "line, tz, fragment",
    [
        ("0 0 31 * *", None, "day 31"),
        ("0 0 1 * 1", None, "both restricted"),
        ("0,10 * * * *", "America/New_York", "DST"),  # cron runs both passes of the repeated hour; daily schedules only the first
        ("30 * * * *", "Australia/Lord_Howe", "DST"),  # a 30-minute DST change breaks PT1H, and 01:30 happens twice
    ],
)
def test_no_equivalent_schedule(cli, line, tz, fragment):
    args = ["convert-cron", line, *AFTER] + (["--tz", tz] if tz else [])
    r = cli(*args)
    assert r.returncode == 1, r
    assert r.stdout == "", r
    assert f'no ISO 8601 schedule is equivalent to "{line}"' in r.stderr, r
    assert fragment in r.stderr, r
    j = cli(*args, "--json")
    assert j.returncode == 1, j
    assert j.json["cron"] == line
    assert fragment in j.json["reason"]
    assert "schedules" not in j.json or j.json["schedules"] is None


@pytest.mark.parametrize("line", ["@reboot", "0 0 * *", "61 * * * *", "0 0 ? * MON"])
def test_invalid_cron_is_an_error(cli, line):
    r = cli("convert-cron", line, *AFTER)
    assert r.returncode != 0, r
    assert r.stdout == "", r
    assert line in r.stderr, r


ROUND_TRIP = [
    ("0 9 * * 1-5", "UTC"),
    ("*/20 * * * *", "America/New_York"),
    ("30 2 * * *", "America/New_York"),
    ("15 10 1,15 * *", "Europe/London"),
    ("0 6 * * 0,3", "Australia/Lord_Howe"),
    ("45 23 28 2,8 *", "Asia/Kolkata"),
]


@pytest.mark.parametrize("line, tz", ROUND_TRIP)
def test_converted_schedules_run_when_the_cron_runs(cli, line, tz):
    """The union of the converted schedules' runs equals the cron's runs (both through `schedule`)."""
    after = "2026-01-01T00:00:00Z"
    count = 60
    r = cli("convert-cron", line, "--tz", tz, "--after", after)
    assert r.returncode == 0, r
    cron_runs = cli("schedule", line, "--tz", tz, "--after", after, "--count", str(count), "--json")
    assert cron_runs.returncode == 0, cron_runs
    streams = []
    for schedule in r.lines:
        s = cli("schedule", schedule, "--tz", tz, "--after", after, "--count", str(count), "--json")
        assert s.returncode == 0, s
        streams.append(s.json)

    def instant(text):  # sort key: the UTC instant of an ISO 8601 string with offset
        return datetime.fromisoformat(text.replace("Z", "+00:00"))

    merged = []
    for t in heapq.merge(*streams, key=instant):
        if not merged or instant(t) != instant(merged[-1]):
            merged.append(t)
    assert merged[:count] == cron_runs.json, (r.lines, merged[:count], cron_runs.json)

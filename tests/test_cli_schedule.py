"""`chronos-sync schedule`: table tests worked out by hand from DESIGN §3, and a cross-check of ISO 8601
repeating intervals against an independent implementation built on zoneinfo + datetime + dateutil."""

from __future__ import annotations

import random
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from dateutil.relativedelta import relativedelta

from conftest import binary_path, run_cli

# --------------------------------------------------------------------------------------------------
# Table tests: (arguments, expected lines). Every expectation is worked out from DESIGN §3.

NY = ["--tz", "America/New_York"]
LH = ["--tz", "Australia/Lord_Howe"]

TABLE = [
    pytest.param(
        ["R/2026-03-07T02:30:00/P1D", *NY, "--after", "2026-03-01T00:00:00", "--count", "3"],
        # 2026-03-08 02:30 does not exist in New York (02:00 → 03:00): shifted forward by the gap. P1D keeps 02:30.
        ["2026-03-07T02:30:00-05:00", "2026-03-08T03:30:00-04:00", "2026-03-09T02:30:00-04:00"],
        id="P1D-spring-forward-gap",
    ),
    pytest.param(
        ["R/2026-03-07T02:30:00/PT24H", *NY, "--after", "2026-03-01T00:00:00", "--count", "3"],
        # PT24H is elapsed time: after the change it stays at 03:30.
        ["2026-03-07T02:30:00-05:00", "2026-03-08T03:30:00-04:00", "2026-03-09T03:30:00-04:00"],
        id="PT24H-spring-forward",
    ),
    pytest.param(
        ["R/2026-10-31T01:30:00/P1D", *NY, "--after", "2026-10-01T00:00:00", "--count", "3"],
        # 2026-11-01 01:30 happens twice: the first (EDT) is taken.
        ["2026-10-31T01:30:00-04:00", "2026-11-01T01:30:00-04:00", "2026-11-02T01:30:00-05:00"],
        id="P1D-fall-back-overlap-first",
    ),
    pytest.param(
        ["R/2026-10-31T01:30:00/PT24H", *NY, "--after", "2026-10-01T00:00:00", "--count", "3"],
        # 05:30Z each day; the change is at 06:00Z on 11-01, so the third run reads 00:30 EST.
        ["2026-10-31T01:30:00-04:00", "2026-11-01T01:30:00-04:00", "2026-11-02T00:30:00-05:00"],
        id="PT24H-fall-back",
    ),
    pytest.param(
        ["R/2026-03-07T01:30:00/P1DT1H", *NY, "--after", "2026-03-01T00:00:00Z", "--count", "3"],
        # Calendar part first on the wall clock, then the exact part as elapsed time:
        # run 1 = (03-08 01:30 EST = 06:30Z) + 1 h = 07:30Z = 03:30 EDT; run 2 = (03-09 01:30 EDT = 05:30Z) + 2 h.
        ["2026-03-07T01:30:00-05:00", "2026-03-08T03:30:00-04:00", "2026-03-09T03:30:00-04:00"],
        id="P1DT1H-calendar-then-exact",
    ),
    pytest.param(
        ["R/2026-01-31T10:00:00Z/P1M", "--after", "2026-01-01T00:00:00Z", "--count", "5"],
        # Computed from the start each time: Jan 31 + P2M = Mar 31, not Feb 28 + P1M.
        ["2026-01-31T10:00:00Z", "2026-02-28T10:00:00Z", "2026-03-31T10:00:00Z", "2026-04-30T10:00:00Z",
         "2026-05-31T10:00:00Z"],
        id="P1M-month-end-clamp",
    ),
    pytest.param(
        ["R/2024-02-29T00:00:00Z/P1Y", "--after", "2024-01-01T00:00:00Z", "--count", "5"],
        ["2024-02-29T00:00:00Z", "2025-02-28T00:00:00Z", "2026-02-28T00:00:00Z", "2027-02-28T00:00:00Z",
         "2028-02-29T00:00:00Z"],
        id="P1Y-leap-day",
    ),
    pytest.param(
        ["R3/2026-01-01T00:00:00Z/PT1H", "--after", "2025-12-31T00:00:00Z", "--count", "10"],
        ["2026-01-01T00:00:00Z", "2026-01-01T01:00:00Z", "2026-01-01T02:00:00Z"],
        id="R3-three-runs-in-all",
    ),
    pytest.param(
        ["R3/2026-01-01T00:00:00Z/PT1H", "--after", "2026-01-01T00:30:00Z", "--count", "10"],
        ["2026-01-01T01:00:00Z", "2026-01-01T02:00:00Z"],
        id="R3-after-the-first",
    ),
    pytest.param(["R0/2026-01-01T00:00:00Z/PT1H", "--after", "2025-01-01T00:00:00Z"], [], id="R0-never"),
    pytest.param(["R2/2020-01-01T00:00:00Z/P1D", "--after", "2021-01-01T00:00:00Z"], [], id="no-run-left"),
    pytest.param(
        ["R/2026-01-01T00:00:00Z/PT1H", "--after", "2026-01-01T01:00:00Z", "--count", "2"],
        ["2026-01-01T02:00:00Z", "2026-01-01T03:00:00Z"],
        id="strictly-after-a-run",
    ),
    pytest.param(
        ["R/2026-01-01T09:00:00+05:30/P1D", "--after", "2026-01-01T00:00:00Z", "--count", "2"],
        # Without --tz the start's own offset applies, and is printed.
        ["2026-01-01T09:00:00+05:30", "2026-01-02T09:00:00+05:30"],
        id="written-offset-without-zone",
    ),
    pytest.param(
        ["R/2026-01-01T09:00:00+05:30/P1D", *NY, "--after", "2026-01-01T00:00:00Z", "--count", "2"],
        # With a zone, the written offset is ignored and 09:00 is read in New York.
        ["2026-01-01T09:00:00-05:00", "2026-01-02T09:00:00-05:00"],
        id="written-offset-ignored-with-zone",
    ),
    pytest.param(
        ["R/2026-01-01T09:00:00/P1D", "--after", "2026-01-01T00:00:00Z", "--count", "1"],
        # No offset and no zone: UTC.
        ["2026-01-01T09:00:00Z"],
        id="no-offset-no-zone-is-UTC",
    ),
    pytest.param(
        ["R/20260101T090000Z/PT12H", "--after", "2026-01-01T00:00:00Z", "--count", "3"],
        ["2026-01-01T09:00:00Z", "2026-01-01T21:00:00Z", "2026-01-02T09:00:00Z"],
        id="basic-format",
    ),
    pytest.param(
        ["R/2026-01-01T00:00:00.250Z/PT0.5S", "--after", "2025-12-31T00:00:00Z", "--count", "3"],
        ["2026-01-01T00:00:00.250Z", "2026-01-01T00:00:00.750Z", "2026-01-01T00:00:01.250Z"],
        id="fractional-seconds",
    ),
    pytest.param(
        ["R/2026-01-05T09:00:00Z/P2W", "--after", "2026-01-06T00:00:00Z", "--count", "2"],
        ["2026-01-19T09:00:00Z", "2026-02-02T09:00:00Z"],
        id="weeks",
    ),
    pytest.param(
        ["R/2026-01-01T00:00:00Z/PT1.5H", "--after", "2026-01-01T00:00:00Z", "--count", "2"],
        ["2026-01-01T01:30:00Z", "2026-01-01T03:00:00Z"],
        id="fractional-hours",
    ),
    pytest.param(
        ["R//PT1H", "--after", "2026-01-01T00:00:00Z", "--count", "3"],
        # An empty start is the moment of first apply, here --after; runs are strictly after it.
        ["2026-01-01T01:00:00Z", "2026-01-01T02:00:00Z", "2026-01-01T03:00:00Z"],
        id="empty-start-anchored-at-after",
    ),
    pytest.param(
        ["R//P1D", *NY, "--after", "2026-03-07T02:30:00", "--count", "2"],
        # Anchored at 02:30 EST on 03-07 (--after without offset is read in --tz); the next day's 02:30 is in the gap.
        ["2026-03-08T03:30:00-04:00", "2026-03-09T02:30:00-04:00"],
        id="empty-start-P1D-in-zone",
    ),
    pytest.param(
        ["R/2026-10-03T02:15:00/P1D", *LH, "--after", "2026-10-01T00:00:00Z", "--count", "3"],
        # Lord Howe springs forward by 30 minutes, 02:00 → 02:30, on Sunday 2026-10-04.
        ["2026-10-03T02:15:00+10:30", "2026-10-04T02:45:00+11:00", "2026-10-05T02:15:00+11:00"],
        id="Lord-Howe-half-hour-gap",
    ),
    pytest.param(
        ["R/2026-01-31T23:30:00/P1M", "--tz", "Asia/Kolkata", "--after", "2026-01-01T00:00:00Z", "--count", "3"],
        ["2026-01-31T23:30:00+05:30", "2026-02-28T23:30:00+05:30", "2026-03-31T23:30:00+05:30"],
        id="Kolkata-month-end",
    ),
    pytest.param(
        ["R/2026-03-29T01:30:00/P1D", "--tz", "Europe/London", "--after", "2026-03-27T00:00:00Z", "--count", "3"],
        # London: 01:00 GMT → 02:00 BST on 2026-03-29.
        ["2026-03-29T02:30:00+01:00", "2026-03-30T01:30:00+01:00", "2026-03-31T01:30:00+01:00"],
        id="London-gap-at-start",
    ),
    pytest.param(
        ["R/2040-03-01T02:30:00/P1D", *NY, "--after", "2040-03-10T00:00:00Z", "--count", "3"],
        # Past 2037 the zone's rule still applies: DST starts on the second Sunday of March, 2040-03-11.
        ["2040-03-10T02:30:00-05:00", "2040-03-11T03:30:00-04:00", "2040-03-12T02:30:00-04:00"],
        id="DST-after-2037",
    ),
    # ---- cron
    pytest.param(
        ["*/15 * * * *", *NY, "--after", "2026-11-01T01:00:00", "--count", "8"],
        # Hour field *: fires in both passes of the repeated hour.
        ["2026-11-01T01:15:00-04:00", "2026-11-01T01:30:00-04:00", "2026-11-01T01:45:00-04:00",
         "2026-11-01T01:00:00-05:00", "2026-11-01T01:15:00-05:00", "2026-11-01T01:30:00-05:00",
         "2026-11-01T01:45:00-05:00", "2026-11-01T02:00:00-05:00"],
        id="cron-every-15-fall-back-both-passes",
    ),
    pytest.param(
        ["30 1 * * *", *NY, "--after", "2026-10-31T12:00:00", "--count", "3"],
        # A fixed hour: the repeated 01:30 runs once, at the first.
        ["2026-11-01T01:30:00-04:00", "2026-11-02T01:30:00-05:00", "2026-11-03T01:30:00-05:00"],
        id="cron-fixed-hour-fall-back-once",
    ),
    pytest.param(
        ["30 2 * * *", *NY, "--after", "2026-03-07T12:00:00", "--count", "3"],
        ["2026-03-08T03:30:00-04:00", "2026-03-09T02:30:00-04:00", "2026-03-10T02:30:00-04:00"],
        id="cron-spring-forward-shift",
    ),
    pytest.param(
        ["*/30 * * * *", *NY, "--after", "2026-03-08T00:45:00", "--count", "4"],
        # 02:00 and 02:30 shift to 03:00 and 03:30 and collapse with them.
        ["2026-03-08T01:00:00-05:00", "2026-03-08T01:30:00-05:00", "2026-03-08T03:00:00-04:00",
         "2026-03-08T03:30:00-04:00"],
        id="cron-spring-forward-collapse",
    ),
    pytest.param(
        ["*/20 * * * *", *LH, "--after", "2026-04-04T13:50:00Z", "--count", "6"],
        # Lord Howe falls back 30 minutes, 02:00 (+11:00) → 01:30 (+10:30), on 2026-04-05.
        ["2026-04-05T01:00:00+11:00", "2026-04-05T01:20:00+11:00", "2026-04-05T01:40:00+11:00",
         "2026-04-05T01:40:00+10:30", "2026-04-05T02:00:00+10:30", "2026-04-05T02:20:00+10:30"],
        id="cron-Lord-Howe-fall-back",
    ),
    pytest.param(
        ["0 9 * * 1-5", "--after", "2026-01-02T10:00:00Z", "--count", "3"],
        # 2026-01-02 is a Friday.
        ["2026-01-05T09:00:00Z", "2026-01-06T09:00:00Z", "2026-01-07T09:00:00Z"],
        id="cron-weekdays-UTC",
    ),
    pytest.param(
        ["0 0 1 * 1", "--after", "2026-01-27T00:00:00Z", "--count", "4"],
        # Both day fields restricted: the 1st OR Mondays (Vixie).
        ["2026-02-01T00:00:00Z", "2026-02-02T00:00:00Z", "2026-02-09T00:00:00Z", "2026-02-16T00:00:00Z"],
        id="cron-day-fields-OR",
    ),
    pytest.param(
        ["0 0 */10 * 1", "--after", "2026-01-01T00:00:00Z", "--count", "4"],
        # Day-of-month starts with *: AND (Vixie): Mondays that are the 1st, 11th, 21st or 31st.
        ["2026-05-11T00:00:00Z", "2026-06-01T00:00:00Z", "2026-08-31T00:00:00Z", "2026-09-21T00:00:00Z"],
        id="cron-star-step-AND",
    ),
    pytest.param(
        ["0 21/1 * * *", "--after", "2026-01-01T00:00:00Z", "--count", "4"],
        # N/k is N through the end of the field, every k (cronie, croniter; 21/2 gives 21 and 23 here), so 21/1 is 21-23.
        ["2026-01-01T21:00:00Z", "2026-01-01T22:00:00Z", "2026-01-01T23:00:00Z", "2026-01-02T21:00:00Z"],
        id="cron-start-slash-1",
    ),
    pytest.param(
        ["0 21/2 * * *", "--after", "2026-01-01T00:00:00Z", "--count", "3"],
        ["2026-01-01T21:00:00Z", "2026-01-01T23:00:00Z", "2026-01-02T21:00:00Z"],
        id="cron-start-slash-2",
    ),
    pytest.param(
        ["@monthly", "--after", "2026-01-15T00:00:00Z", "--count", "2"],
        ["2026-02-01T00:00:00Z", "2026-03-01T00:00:00Z"],
        id="cron-monthly-macro",
    ),
    pytest.param(["@yearly", "--after", "2026-01-01T00:00:00Z", "--count", "1"], ["2027-01-01T00:00:00Z"],
                 id="cron-yearly-macro"),
    pytest.param(
        ["0 0 29 2 *", "--after", "2026-01-01T00:00:00Z", "--count", "2"],
        ["2028-02-29T00:00:00Z", "2032-02-29T00:00:00Z"],
        id="cron-leap-day",
    ),
    pytest.param(
        ["0 * * * *", "--tz", "Asia/Kolkata", "--after", "2026-01-01T10:10:00", "--count", "1"],
        # --after without an offset is read in --tz.
        ["2026-01-01T11:00:00+05:30"],
        id="after-read-in-zone",
    ),
    pytest.param(
        ["0 * * * *", "--tz", "Asia/Kolkata", "--after", "2026-01-01T10:10:00Z", "--count", "1"],
        # 10:10Z is 15:40 in Kolkata.
        ["2026-01-01T16:00:00+05:30"],
        id="after-with-offset",
    ),
]


@pytest.mark.parametrize("args, expected", TABLE)
def test_schedule_table(cli, args, expected):
    r = cli("schedule", *args)
    assert r.returncode == 0, r
    assert r.lines == expected, r
    j = cli("schedule", *args, "--json")
    assert j.returncode == 0, j
    assert j.json == expected, j


def test_count_defaults_to_ten(cli):
    r = cli("schedule", "R/2026-01-01T00:00:00Z/PT1H", "--after", "2025-01-01T00:00:00Z")
    assert r.returncode == 0, r
    assert len(r.lines) == 10


def test_count_zero_prints_nothing(cli):
    r = cli("schedule", "R/2026-01-01T00:00:00Z/PT1H", "--after", "2025-01-01T00:00:00Z", "--count", "0", "--json")
    assert r.returncode == 0, r
    assert r.json == []


def test_job_reference(cli, spec_dir):
    spec_dir.write("nightly.yaml", """\
        name: nightly
        command: echo
        schedule: R/2026-01-01T02:00:00/P1D
        scheduleTimeZone: America/New_York
        ---
        name: child
        command: echo
        parents: [nightly]
        """)
    r = cli("schedule", "--job", "specs/nightly.yaml:nightly", "--after", "2026-03-07T12:00:00Z", "--count", "2",
            cwd=spec_dir.root)
    assert r.returncode == 0, r
    assert r.lines == ["2026-03-08T03:00:00-04:00", "2026-03-09T02:00:00-04:00"], r
    # --tz overrides the job's zone: 02:00 in Kolkata (12:00Z on 03-07 is 17:30 there).
    r = cli("schedule", "--job", "specs/nightly.yaml:nightly", "--tz", "Asia/Kolkata",
            "--after", "2026-03-07T12:00:00Z", "--count", "1", cwd=spec_dir.root)
    assert r.returncode == 0, r
    assert r.lines == ["2026-03-08T02:00:00+05:30"], r
    # A dependent job has no schedule; an unknown name lists the names there are.
    r = cli("schedule", "--job", "specs/nightly.yaml:child", cwd=spec_dir.root)
    assert r.returncode != 0 and "parents" in r.stderr, r
    r = cli("schedule", "--job", "specs/nightly.yaml:nightlly", cwd=spec_dir.root)
    assert r.returncode != 0 and "nightly" in r.stderr and "child" in r.stderr, r


@pytest.mark.parametrize(
    "expression, bad",
    [
        ("R/2026-13-01T00:00:00Z/P1D", "13"),
        ("R/2026-01-01T00:00:00Z/P1H", "H"),
        ("0 25 * * *", "25"),
        ("0 0 * * FUN", "FUN"),
    ],
)
def test_invalid_expression_points_at_the_bad_character(cli, expression, bad):
    r = cli("schedule", expression, "--after", "2026-01-01T00:00:00Z")
    assert r.returncode != 0, r
    lines = r.stderr.splitlines()
    # The expression is echoed on one line, and a caret under the bad character on the next.
    at = next(i for i, line in enumerate(lines) if line.rstrip().endswith(expression))
    expression_column = lines[at].rindex(expression)
    caret_column = lines[at + 1].index("^")
    assert caret_column - expression_column == expression.index(bad), (
        f"caret points at {caret_column - expression_column}, the bad part {bad!r} is at {expression.index(bad)}\n{r}"
    )


@pytest.mark.parametrize(
    "args, fragment",
    [
        (["R/2026-01-01T00:00:00Z/P1D", "--tz", "America/New_Yrok"], 'did you mean "America/New_York"?'),
        (["R/2026-01-01T00:00:00Z/P1D", "--after", "yesterday"], "--after"),
        (["R/2026-01-01T00:00:00Z/P1D", "--count", "-1"], "--count"),
        ([], "--job"),
    ],
)
def test_bad_arguments(cli, args, fragment):
    r = cli("schedule", *args)
    assert r.returncode != 0, r
    assert fragment in r.stderr, r


# --------------------------------------------------------------------------------------------------
# Cross-check against an independent implementation of DESIGN §3.

ZONES = ["America/New_York", "Europe/London", "Australia/Lord_Howe", "Asia/Kolkata", "UTC"]
PERIODS = ["P1D", "PT24H", "P1M", "P1W", "PT90M", "P1Y", "P2M10DT3H", "PT1H", "P3D", "P1DT12H", "PT6H",
           "P2W", "P3M", "P1Y2M", "PT45M", "P1MT1H"]
RUNS = 20
CASES = 200


def parse_period(text: str) -> tuple[int, int, int, int]:
    """(years, months, days, exact seconds) of PnYnMnDTnHnMnS / PnW (whole numbers only)."""
    m = re.fullmatch(r"P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?", text)
    assert m, text
    y, mo, w, d, h, mi, s = (int(g) if g else 0 for g in m.groups())
    return y, mo, w * 7 + d, h * 3600 + mi * 60 + s


@dataclass
class IsoCase:
    expression: str
    tz: str | None  # --tz, or None to use the start's own offset
    after: datetime  # aware, UTC
    start_local: datetime | None  # naive wall clock; None for an empty start
    zone: object  # tzinfo the wall clock is read in
    repetitions: int | None
    period: str

    @property
    def args(self) -> list[str]:
        args = ["schedule", self.expression, "--after", self.after.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "--count", str(RUNS), "--json"]
        if self.tz:
            args += ["--tz", self.tz]
        return args


def reference_runs(case: IsoCase) -> list[str]:
    """Run k = (start wall clock + k × calendar part, month ends clamped by relativedelta, read in the zone with
    fold=0: a gap shifts forward by the gap, an overlap takes the first) + k × exact part as elapsed UTC time."""
    years, months, days, exact = parse_period(case.period)
    zone = case.zone
    if case.start_local is None:
        # Empty start: the moment of first apply (--after), on the zone's wall clock.
        start_local = case.after.astimezone(zone).replace(tzinfo=None)
        start_utc = case.after
    else:
        start_local = case.start_local
        start_utc = start_local.replace(tzinfo=zone, fold=0).astimezone(timezone.utc)
    result: list[datetime] = []
    k = 0
    while len(result) < RUNS and (case.repetitions is None or k < case.repetitions):
        if k == 0:
            t = start_utc
        else:
            local = start_local + relativedelta(months=k * (12 * years + months)) + timedelta(days=k * days)
            t = local.replace(tzinfo=zone, fold=0).astimezone(timezone.utc) + timedelta(seconds=k * exact)
        if result:
            assert t >= result[-1], "runs of the reference are not monotonic"
        if t > case.after and (not result or t != result[-1]):
            result.append(t)
        k += 1
        assert k < 100_000
    return [format_instant(t, zone) for t in result]


def format_instant(t: datetime, zone) -> str:
    local = t.astimezone(zone)
    text = local.strftime("%Y-%m-%dT%H:%M:%S")
    if local.microsecond:
        text += f".{local.microsecond // 1000:03d}"
    offset = local.utcoffset()
    if zone is timezone.utc or (isinstance(zone, ZoneInfo) and zone.key == "UTC"):
        return text + "Z"
    total = int(offset.total_seconds())
    sign = "-" if total < 0 else "+"
    total = abs(total)
    return f"{text}{sign}{total // 3600:02d}:{total // 60 % 60:02d}"


def transitions(zone: ZoneInfo, years=range(2024, 2029)) -> list[datetime]:
    """Local wall-clock times just before each offset change, found by scanning in 15-minute steps."""
    found = []
    t = datetime(years.start, 1, 1, tzinfo=timezone.utc)
    end = datetime(years.stop, 1, 1, tzinfo=timezone.utc)
    step = timedelta(minutes=15)
    previous = t.astimezone(zone).utcoffset()
    while t < end:
        t += step
        offset = t.astimezone(zone).utcoffset()
        if offset != previous:
            found.append((t - step).astimezone(zone).replace(tzinfo=None))
            previous = offset
    return found


def format_start(local: datetime, style: str, rng: random.Random) -> str:
    if style == "basic":
        return local.strftime("%Y%m%dT%H%M%S")
    text = local.strftime("%Y-%m-%dT%H:%M:%S")
    if style == "minutes":
        return local.strftime("%Y-%m-%dT%H:%M")
    return text


def make_cases() -> list[IsoCase]:
    rng = random.Random(20260308)
    zone_transitions = {name: transitions(ZoneInfo(name)) for name in ZONES}
    cases = []
    for i in range(CASES):
        name = ZONES[i % len(ZONES)]
        zone = ZoneInfo(name)
        period = rng.choice(PERIODS)
        kind = rng.random()
        if zone_transitions[name] and kind < 0.55:
            # Near a DST change: the changing wall-clock hour itself, or some other time a few days before.
            change = rng.choice(zone_transitions[name])
            day = change.date() - timedelta(days=rng.choice([0, 0, 1, 2, 3, 7, 30]))
            if rng.random() < 0.6:
                # `change` is the last wall-clock quarter hour before the change: its hour is in a fall-back
                # overlap, the next quarter hour's is in a spring-forward gap.
                hour = rng.choice([change.hour, (change + timedelta(minutes=15)).hour])
                minute = rng.choice([0, 15, 30, 45])
            else:
                hour, minute = rng.randrange(24), rng.choice([0, 5, 30, 59])
            start = datetime(day.year, day.month, day.day, hour, minute)
        elif kind < 0.85:
            # A month end.
            year, month = rng.randrange(2024, 2028), rng.randrange(1, 13)
            last = (datetime(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)).day
            start = datetime(year, month, rng.choice([last, last, last - 1, 28, 29 if last >= 29 else 28]),
                             rng.randrange(24), rng.choice([0, 30, 45]))
        else:
            start = datetime(rng.randrange(2024, 2028), rng.randrange(1, 13), rng.randrange(1, 29),
                             rng.randrange(24), rng.randrange(60), rng.randrange(60))
        repetitions = rng.choice([None] * 6 + [1, 3, 12, 25])
        r = "R" if repetitions is None else f"R{repetitions}"
        # How the wall clock is tied to the zone: --tz (start with no offset, or an offset that is ignored),
        # or, for UTC, the start's own Z.
        mode = rng.random()
        style = rng.choice(["extended", "extended", "extended", "basic", "minutes"]) if start.second == 0 else "extended"
        written = format_start(start, style, rng)
        tz = name
        if mode < 0.15:
            written += rng.choice(["Z", "+02:00", "-07:30"])  # ignored: --tz is given
        elif name == "UTC" and mode < 0.5:
            written += "Z"
            tz = None
        empty = rng.random() < 0.08
        # --after: before the start (so the first run is the start), after it, or exactly at it.
        start_utc = start.replace(tzinfo=zone, fold=0).astimezone(timezone.utc)
        a = rng.random()
        if a < 0.5:
            after = start_utc - timedelta(minutes=rng.randrange(1, 3 * 24 * 60))
        elif a < 0.6:
            after = start_utc
        else:
            after = start_utc + timedelta(minutes=rng.randrange(1, 90 * 24 * 60))
        after = after.replace(second=rng.choice([0, 0, 17]))
        if empty:
            expression = f"{r}//{period}"
            start_local = None
        else:
            expression = f"{r}/{written}/{period}"
            start_local = start
        cases.append(IsoCase(expression, tz, after, start_local, zone, repetitions, period))
    return cases


ISO_CASES = make_cases()


@pytest.fixture(scope="module")
def iso_outputs(chronos_bin):
    """Runs the binary once per case, a few at a time."""
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda c: run_cli(chronos_bin, *c.args), ISO_CASES))
    return results


@pytest.mark.parametrize("index", range(len(ISO_CASES)),
                         ids=[f"{i}:{c.tz or 'offset'}:{c.expression}" for i, c in enumerate(ISO_CASES)])
def test_iso_schedule_matches_reference(iso_outputs, index):
    case = ISO_CASES[index]
    r = iso_outputs[index]
    assert r.returncode == 0, r
    expected = reference_runs(case)
    got = r.json
    if got != expected:
        first = next((i for i, (g, e) in enumerate(zip(got, expected)) if g != e), min(len(got), len(expected)))
        pytest.fail(
            f"{' '.join(case.args)}\nfirst difference at run {first}: "
            f"binary {got[first] if first < len(got) else None}, reference {expected[first] if first < len(expected) else None}\n"
            f"binary:    {got}\nreference: {expected}"
        )


def test_cross_check_covers_dst_and_month_ends():
    """The generated cases really exercise gaps, overlaps and clamped month ends."""
    gaps = overlaps = clamps = 0
    for case in ISO_CASES:
        if case.start_local is None:
            continue
        years, months, days, _ = parse_period(case.period)
        for k in range(RUNS):
            local = case.start_local + relativedelta(months=k * (12 * years + months)) + timedelta(days=k * days)
            aware = local.replace(tzinfo=case.zone)
            roundtrip = aware.astimezone(timezone.utc).astimezone(case.zone).replace(tzinfo=None)
            if roundtrip != local:
                gaps += 1
            elif aware.utcoffset() != local.replace(tzinfo=case.zone, fold=1).utcoffset():
                overlaps += 1
            if (years or months) and local.day != case.start_local.day:
                clamps += 1
    assert gaps >= 5 and overlaps >= 5 and clamps >= 5, (gaps, overlaps, clamps)

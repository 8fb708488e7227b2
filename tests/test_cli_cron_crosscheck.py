"""`chronos-sync schedule "<cron>"` in UTC against croniter, for random (seeded) cron expressions.

Only expressions on which croniter and Vixie cron agree are generated:
- the day-of-month / day-of-week rule: Vixie ORs the two fields when both are restricted and ANDs them when either
  starts with `*`; croniter (day_or=True) ORs whenever neither is exactly `*`. So when one of them is not `*`,
  the other is either exactly `*` or does not start with `*`;
- no `N/step` in day-of-week (Vixie has no such form; extensions differ on whether 7 is in its range);
- no ranges with equal ends (croniter reads `a-a` as the whole cycle);
- only combinations that run at least once every few years (no `0 0 31 2 *`);
- no step larger than the field's highest value (`*/20` in the month field), which chronos-sync refuses.
"""

from __future__ import annotations

import random
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone

import pytest
from croniter import croniter

from conftest import run_cli

RUNS = 20
CASES = 300

MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]
DAYS = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"]
DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]  # non-leap: a run must not need Feb 29


def field(rng: random.Random, low: int, high: int, *, names: list[str] | None = None, start_step: bool = True,
          star_weight: float = 0.3) -> str:
    """One random cron field over [low, high]."""

    def value(v: int) -> str:
        if names and rng.random() < 0.5:
            name = names[v - low]
            return name if rng.random() < 0.8 else name.lower()
        return str(v)

    def item() -> str:
        kind = rng.random()
        if kind < 0.35:
            return value(rng.randint(low, high))
        if kind < 0.6:
            a = rng.randint(low, high - 1)
            b = rng.randint(a + 1, high)
            return f"{value(a)}-{value(b)}"
        if kind < 0.8:
            a = rng.randint(low, high - 1)
            b = rng.randint(a + 1, high)
            return f"{a}-{b}/{rng.randint(1, max(1, (b - a)))}"
        if start_step:
            return f"{rng.randint(low, high)}/{rng.randint(1, max(1, (high - low) // 2))}"
        return value(rng.randint(low, high))

    r = rng.random()
    if r < star_weight:
        return "*"
    if r < star_weight + 0.15:
        # Steps larger than the field's highest value are refused (as cronie does); croniter takes them.
        return f"*/{rng.choice([k for k in (1, 2, 3, 4, 5, 6, 7, 10, 12, 15, 20, 30) if k <= high])}"
    return ",".join(item() for _ in range(rng.choice([1, 1, 1, 2, 3])))


def expand(text: str, low: int, high: int, names: list[str] | None = None) -> set[int]:
    """The values a field stands for (used only to rule out expressions that never run)."""
    result: set[int] = set()

    def number(s: str) -> int:
        if names and s.upper() in names:
            return names.index(s.upper()) + low
        return int(s)

    for part in text.split(","):
        step = 1
        stepped = "/" in part
        if stepped:
            part, s = part.split("/")
            step = int(s)
        if part == "*":
            a, b = low, high
        elif "-" in part:
            a, b = (number(x) for x in part.split("-"))
        else:
            a = number(part)
            b = high if stepped else a
        result.update(range(a, b + 1, step))
    return result


def make_expression(rng: random.Random) -> str:
    while True:
        minute = field(rng, 0, 59, star_weight=0.15)
        hour = field(rng, 0, 23, star_weight=0.3)
        dom = field(rng, 1, 31, star_weight=0.45)
        month = field(rng, 1, 12, names=MONTHS, star_weight=0.5)
        dow = field(rng, 0, 6, names=DAYS, start_step=False, star_weight=0.45)
        if dom != "*" and dow != "*" and (dom.startswith("*") or dow.startswith("*")):
            continue  # Vixie ANDs these, croniter ORs them
        months = expand(month, 1, 12, MONTHS)
        days = expand(dom, 1, 31)
        if dow == "*" or dow.startswith("*"):
            # AND with the day of month (or dom alone): some month must have one of the days.
            if not any(d <= DAYS_IN_MONTH[m - 1] for m in months for d in days):
                continue
        if rng.random() < 0.05:
            return rng.choice(["@hourly", "@daily", "@weekly", "@monthly", "@yearly", "@midnight", "@annually"])
        return " ".join([minute, hour, dom, month, dow])


def make_cases() -> list[tuple[str, datetime]]:
    rng = random.Random(5_2026)
    cases = []
    for _ in range(CASES):
        expression = make_expression(rng)
        after = datetime(2024, 1, 1, tzinfo=timezone.utc) + timedelta(minutes=rng.randrange(4 * 366 * 24 * 60))
        if rng.random() < 0.3:
            after = after.replace(second=rng.randrange(1, 60))
        cases.append((expression, after))
    return cases


CRON_CASES = make_cases()


def croniter_runs(expression: str, after: datetime) -> list[str]:
    it = croniter(expression, after)
    return [it.get_next(datetime).astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ") for _ in range(RUNS)]


def args(expression: str, after: datetime) -> list[str]:
    return ["schedule", expression, "--after", after.strftime("%Y-%m-%dT%H:%M:%SZ"), "--count", str(RUNS), "--json"]


@pytest.fixture(scope="module")
def cron_outputs(chronos_bin):
    with ThreadPoolExecutor(max_workers=4) as pool:
        return list(pool.map(lambda c: run_cli(chronos_bin, *args(*c)), CRON_CASES))


@pytest.mark.parametrize("index", range(len(CRON_CASES)), ids=[f"{i}:{e}" for i, (e, _) in enumerate(CRON_CASES)])
def test_cron_matches_croniter(cron_outputs, index):
    expression, after = CRON_CASES[index]
    r = cron_outputs[index]
    assert r.returncode == 0, r
    expected = croniter_runs(expression, after)
    got = r.json
    if got != expected:
        first = next((i for i, (g, e) in enumerate(zip(got, expected)) if g != e), min(len(got), len(expected)))
        pytest.fail(
            f"schedule {expression!r} --after {after:%Y-%m-%dT%H:%M:%SZ}: first difference at run {first}\n"
            f"binary:   {got}\ncroniter: {expected}"
        )


def test_generated_expressions_cover_the_syntax():
    text = " ".join(e for e, _ in CRON_CASES)
    for needle in ["-", ",", "/", "*/", "MON", "JAN", "@"]:
        assert needle in text.upper(), needle
    both_restricted = [e for e, _ in CRON_CASES if not e.startswith("@") and e.split()[2] != "*" and e.split()[4] != "*"]
    assert len(both_restricted) >= 20, len(both_restricted)

"""The web UI in a real browser: headless Chromium driven by selenium, against `chronos-sync serve` syncing a
real git repository, behind --http-credentials, with real runs.

Each test writes screenshots of the pages it visits to $UI_SCREENSHOTS (default .build/ui-screenshots);
docs/screenshots/ holds the current ones.
"""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import signal
import subprocess
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException, TimeoutException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select, WebDriverWait

from conftest import REPO
from ha_cluster import leader_of, wait_for
from test_engine import Server
from test_ha import cluster, zk  # noqa: F401 (fixtures)
from test_git_sync import GitServer, commit, git

USER, PASSWORD = "ui", "s3cret"
CREDENTIALS = f"{USER}:{PASSWORD}"
WAIT = 20  # seconds: the bound of every wait for the page
SHOTS = Path(os.environ.get("UI_SCREENSHOTS") or REPO / ".build" / "ui-screenshots")

PIPELINE = """\
name: extract-orders
owner: data@example.com
command: echo orders
schedule: R/2030-01-01T02:00:00/P1D
scheduleTimeZone: America/New_York
---
name: extract-customers
owner: data@example.com
command: echo customers
cron: "0 3 1 1 *"
---
name: build-report
owner: bi@example.com
command: echo report
parents: [extract-orders, extract-customers]
---
name: publish-report
owner: bi@example.com
command: echo publish
parents: [build-report]
---
name: audit
owner: ops@example.com
command: echo audit
schedule: R/2030-01-01T00:00:00Z/P1W
"""

REPORT = "name: weekly-summary\nowner: bi@example.com\ncommand: echo summary\nschedule: R/2030-01-01T06:00:00Z/P1W\n"


class UIServer(GitServer):
    """A git-syncing server with basic auth, and API calls that send the credentials."""

    def request(self, method, path, body=None, content_type="application/json"):
        headers = {"Authorization": "Basic " + base64.b64encode(CREDENTIALS.encode()).decode()}
        if body is not None:
            headers["Content-Type"] = content_type
        req = urllib.request.Request(f"http://127.0.0.1:{self.port}{path}", data=body, method=method, headers=headers)
        with urllib.request.urlopen(req, timeout=10) as response:
            data = response.read()
            return json.loads(data) if data else None

    def get(self, path):
        return self.request("GET", path)

    def upsert(self, spec: dict):
        kind = "dependency" if "parents" in spec else "iso8601"
        self.request("POST", f"/v1/scheduler/{kind}", json.dumps(spec).encode())

    def runs(self, job):
        return self.get(f"/v1/jobs/{job}/runs")


@pytest.fixture
def repo(tmp_path):
    path = tmp_path / "work"
    path.mkdir()
    git(path, "init", "-q", "-b", "main")
    commit(path, {"jobs/pipeline.yaml": PIPELINE, "jobs/weekly-summary.yaml": REPORT}, "Pipeline and weekly summary")
    return path


@pytest.fixture
def server(chronos_bin, tmp_path, repo):
    (tmp_path / "srv").mkdir()
    s = UIServer(chronos_bin, tmp_path / "srv")
    # A long interval: syncs happen when the test (or the page's "Sync now") asks for them.
    s.start_git("--repo", str(repo), "--sync-interval", "1h", "--http-credentials", CREDENTIALS)
    s.wait_for(lambda: "audit" in {j["name"] for j in s.get("/v1/scheduler/jobs")}, what="the first sync")
    yield s
    s.stop(signal.SIGKILL)


@pytest.fixture(scope="module")
def browser():
    chromium, driver_path = shutil.which("chromium"), shutil.which("chromedriver")
    if not chromium or not driver_path:
        pytest.fail("chromium and chromium-driver are needed: run scripts/install-deps", pytrace=False)
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1400,1000", "--lang=en-GB"):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(driver_path), options=options)
    driver.set_page_load_timeout(WAIT)
    driver.set_script_timeout(WAIT)
    yield driver
    driver.quit()


class Page:
    """The browser on one server: opens routes (logged in once through the browser's basic auth), waits, shoots."""

    def __init__(self, driver, server):
        self.driver = driver
        self.server = server
        self.base = f"http://127.0.0.1:{server.port}/"
        # The browser's own basic auth: credentials in the URL once, then from its cache for every request.
        driver.get(f"http://{USER}:{PASSWORD}@127.0.0.1:{server.port}/")
        self.ready()

    def open(self, route: str):
        if self.driver.current_url == self.base + route:
            self.driver.refresh()
        else:
            self.driver.get(self.base + route)
        self.ready()

    def ready(self):
        self.until(lambda d: d.execute_script("return document.getElementById('main').dataset.ready === 'true'"), "the page to render")

    def until(self, condition, what: str, timeout: float = WAIT):
        try:
            return WebDriverWait(self.driver, timeout, poll_frequency=0.1).until(condition)
        except TimeoutException:
            raise AssertionError(f"timed out waiting for {what}; page text:\n{self.text()[:3000]}") from None

    def text(self, css: str = "body") -> str:
        # Read in one script: parts of the page are drawn anew every few seconds.
        return self.driver.execute_script("const el = document.querySelector(arguments[0]); return el ? el.innerText : ''", css)

    def content(self, css: str) -> str:
        """The text of an element whether shown or not (a closed <details>, say)."""
        return self.driver.execute_script("const el = document.querySelector(arguments[0]); return el ? el.textContent : ''", css)

    def click(self, css: str):
        """Clicks the element once it is there, again if the page redrew it in between."""
        def attempt(driver):
            try:
                driver.find_element(By.CSS_SELECTOR, css).click()
                return True
            except (StaleElementReferenceException, NoSuchElementException):
                return False
        self.until(attempt, f"{css} to click")

    def find(self, css: str):
        return self.driver.find_element(By.CSS_SELECTOR, css)

    def all(self, css: str):
        return self.driver.find_elements(By.CSS_SELECTOR, css)

    def rows(self) -> list[str]:
        return self.driver.execute_script("return [...document.querySelectorAll('#job-rows tr[data-job]')].map((r) => r.dataset.job)")

    def attributes(self, css: str, *names: str) -> list:
        """One attribute (or a tuple of several) of every element that matches, read in one script."""
        values = self.driver.execute_script(
            "return [...document.querySelectorAll(arguments[0])].map((el) => arguments[1].map((n) => el.getAttribute(n)))", css, list(names))
        return [v[0] if len(names) == 1 else tuple(v) for v in values]

    def confirm(self):
        self.click("dialog[open] #dialog-ok")

    def shot(self, name: str):
        SHOTS.mkdir(parents=True, exist_ok=True)
        self.driver.save_screenshot(str(SHOTS / f"{name}.png"))


@pytest.fixture
def page(browser, server):
    return Page(browser, server)


def test_the_ui_is_served_from_the_binary_behind_basic_auth(server):
    request = urllib.request.Request(f"http://127.0.0.1:{server.port}/")
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=10)
    assert refused.value.code == 401
    assert refused.value.headers["WWW-Authenticate"].startswith("Basic"), "the browser must be asked for credentials"
    request.add_header("Authorization", "Basic " + base64.b64encode(CREDENTIALS.encode()).decode())
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.headers["Content-Type"].startswith("text/html")
        html = response.read().decode()
    assert 'src="ui/core.js"' in html and "http" not in html.split("<body>")[0].replace("http-equiv", ""), "no file from elsewhere"


def test_search_narrows_the_list_and_filters_survive_a_reload(page, server):
    assert page.rows() == ["audit", "build-report", "extract-customers", "extract-orders", "publish-report", "weekly-summary"]
    search = page.find("#search")
    search.send_keys("report")
    page.until(lambda d: page.rows() == ["build-report", "publish-report"], "the search to narrow the list")
    page.shot("jobs-search")
    search.clear()
    search.send_keys("bi@example")  # owners are searched too
    page.until(lambda d: page.rows() == ["build-report", "publish-report", "weekly-summary"], "a search by owner")
    search.clear()
    search.send_keys("echo orders")  # and commands
    page.until(lambda d: page.rows() == ["extract-orders"], "a search by command")

    # A job made through the API is told apart from git's; the filter goes into the URL and survives a reload.
    server.upsert({"name": "adhoc", "command": "echo adhoc", "schedule": "R/2030-01-01T00:00:00Z/P1D", "owner": "me@example.com"})
    search.clear()
    page.open("#/")
    Select(page.find("#managed")).select_by_value("api")
    page.until(lambda d: page.rows() == ["adhoc"], "the API filter")
    assert "managed=api" in page.driver.current_url
    page.driver.refresh()
    page.ready()
    assert Select(page.find("#managed")).first_selected_option.get_attribute("value") == "api"
    assert page.rows() == ["adhoc"]

    # A shared view: search and filters from the URL alone.
    page.open("#/?q=extract&sort=name&dir=desc")
    assert page.find("#search").get_attribute("value") == "extract"
    assert page.rows() == ["extract-orders", "extract-customers"]
    counters = {key: text.split()[0] for key, text in page.driver.execute_script(
        "return [...document.querySelectorAll('[data-counter]')].map((c) => [c.dataset.counter, c.innerText])")}
    assert counters == {"success": "0", "failure": "0", "running": "0", "queued": "0", "fresh": "7"}


def test_a_running_jobs_output_grows_on_screen_while_it_runs(page, server, tmp_path):
    gate = tmp_path / "gate"
    server.upsert({"name": "slow-talker", "schedule": "R/2030-01-01T00:00:00Z/P1D",
                   "command": f"echo first; while [ ! -f {gate}.1 ]; do sleep 0.05; done; echo second; "
                              f"while [ ! -f {gate}.2 ]; do sleep 0.05; done; echo third >&2"})
    page.open("#/job/slow-talker")
    page.click("#action-run")
    page.find("#dialog-arguments").send_keys("--verbose")
    page.confirm()
    page.until(lambda d: page.all("#runs-table tr[data-task]"), "the run in the history")
    page.click("#runs-table tr[data-task] button")
    page.until(lambda d: "first" in page.text("#log-stdout"), "the first line")
    run = server.runs("slow-talker")[0]
    assert run["state"] == "running" and run["arguments"] == ["--verbose"]
    assert "second" not in page.text("#log-stdout")
    (tmp_path / "gate.1").touch()
    page.until(lambda d: "second" in page.text("#log-stdout"), "the second line, streamed while the run goes on")
    assert server.runs("slow-talker")[0]["state"] == "running", "the run waits for gate 2: the line came live"
    assert "following live" in page.text("#log-state")
    page.shot("job-live-output")
    (tmp_path / "gate.2").touch()
    page.until(lambda d: "third" in page.text("#log-stderr"), "stderr")
    page.until(lambda d: "succeeded" in page.text("#runs-table"), "the run to succeed")
    assert page.text("#log-stdout").split() == ["first", "second"]

    # The list's strip of last runs, coloured by outcome.
    server.upsert({"name": "flaky", "command": "exit 3", "schedule": "R/2030-01-01T00:00:00Z/P1D", "retries": 0})
    for job in ("audit", "flaky", "audit"):
        server.request("POST", f"/v1/jobs/{job}/run")
        server.wait_for(lambda: all(r["state"] not in ("queued", "running") for r in server.runs(job)), what=f"{job} to finish")
    page.open("#/")
    strips = dict(page.driver.execute_script(
        "return [...document.querySelectorAll('#job-rows tr[data-job]')].map((r) => [r.dataset.job, [...r.querySelectorAll('.cell')].map((c) => c.title).join(' ')])"))
    assert strips["audit"] == "succeeded succeeded" and strips["flaky"] == "failed" and strips["slow-talker"] == "succeeded"
    page.shot("jobs")


def test_the_graph_has_the_right_nodes_and_edges_and_zooms_to_one_job(page, server):
    page.open("#/graph")
    nodes = set(page.attributes("#graph [data-job]", "data-job"))
    edges = set(page.attributes("#graph path.edge", "data-from", "data-to"))
    assert nodes == {"extract-orders", "extract-customers", "build-report", "publish-report"}, "jobs without dependencies are left out"
    assert edges == {("extract-orders", "build-report"), ("extract-customers", "build-report"), ("build-report", "publish-report")}
    page.shot("graph")

    server.upsert({"name": "other-root", "command": "echo x", "schedule": "R/2030-01-01T00:00:00Z/P1D"})
    server.upsert({"name": "other-child", "command": "echo x", "parents": ["other-root"]})
    page.open("#/graph?focus=extract-orders")
    nodes = set(page.attributes("#graph [data-job]", "data-job"))
    assert nodes == {"extract-orders", "build-report", "publish-report"}, "one job, its ancestors and descendants"
    page.click('#graph [data-job="build-report"]')
    page.until(lambda d: "focus=build-report" in d.current_url, "the focus to move")
    page.ready()
    nodes = set(page.attributes("#graph [data-job]", "data-job"))
    assert nodes == {"extract-orders", "extract-customers", "build-report", "publish-report"}


def test_the_graph_stays_readable_at_200_jobs(page, server):
    # A tree: 10 roots, each with a chain of children and grandchildren: 200 jobs in all.
    for r in range(10):
        server.upsert({"name": f"root-{r}", "command": "true", "schedule": "R/2030-01-01T00:00:00Z/P1D"})
        for c in range(19):
            parent = f"root-{r}" if c < 3 else f"job-{r}-{c - 3}"
            server.upsert({"name": f"job-{r}-{c}", "command": "true", "parents": [parent]})
    page.open("#/graph")
    assert len(page.all("#graph [data-job]")) == 204
    assert len(page.all("#graph path.edge")) == 193
    # Readable: labels are drawn at least 10 px tall on screen, not shrunk to fit 200 boxes in the window.
    height = page.driver.execute_script("return document.querySelector('#graph [data-job] text').getBoundingClientRect().height")
    assert height >= 10, f"labels drawn {height:.1f} px tall"
    page.shot("graph-200")


def test_the_sync_page_shows_drift_after_an_api_change_and_the_plan_after_a_commit(page, server, repo):
    server.upsert({"name": "audit", "command": "echo audit --deep", "schedule": "R/2030-01-01T00:00:00Z/P1W", "owner": "ops@example.com"})
    page.open("#/sync")
    head = git(repo, "rev-parse", "HEAD")
    assert page.text("#applied-revision") == head[:12]
    assert page.text("#applied-revision-message").strip() == "Pipeline and weekly summary"
    page.click("#sync-now")
    page.until(lambda d: page.all('#drift [data-job="audit"]'), "drift of audit")
    assert page.text("#sync-state") == "OutOfSync"
    drift = page.text('#drift [data-job="audit"]')
    assert "command" in drift and '"echo audit"' in drift and '"echo audit --deep"' in drift

    new_head = commit(repo, {"jobs/cleanup.yaml": "name: cleanup\ncommand: echo clean\ncron: \"0 4 * * 0\"\n"}, "Weekly cleanup")
    page.open("#/sync")
    assert page.attributes('#plan [data-job="cleanup"]', "data-action") == ["create"]
    assert "cron" in page.text('#plan [data-job="cleanup"]')
    assert "1 to create" in page.text("#plan-summary")
    page.shot("sync")
    page.click("#sync-now")
    page.until(lambda d: page.text("#applied-revision") == new_head[:12], "the commit to be applied")
    assert page.text("#applied-revision-message").strip() == "Weekly cleanup", "the commit's message beside its revision"
    assert "No changes" in page.text("#plan-summary")

    broken = commit(repo, {"jobs/broken.yaml": "name: broken\ncomand: echo typo\nschedule: R/2030-01-01T00:00:00Z/P1D\n"}, "A typo")
    page.click("#sync-now")
    page.until(lambda d: page.text("#attempted-revision") == broken[:12], "the broken commit to be tried")
    errors = page.text("#sync-errors")
    assert 'jobs/broken.yaml:2:1: unknown field "comand"' in errors, errors
    assert page.text("#applied-revision") == new_head[:12], "the last good commit keeps running"
    assert page.text("#sync-state") == "OutOfSync"


def validate_text(chronos_bin, tmp_path, text: str) -> list[str]:
    folder = tmp_path / "check"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    (folder / "spec.yaml").write_text(text)
    result = subprocess.run([str(chronos_bin), "validate", str(folder), "-q"], capture_output=True, text=True, timeout=30)
    # `folder/spec.yaml:3:18: message` → `3:18 message`
    return [line.split(":", 1)[1].replace(": ", " ", 1) for line in result.stderr.splitlines() if line]


def test_a_job_created_through_the_form_is_checked_as_validate_checks_it_and_runs(page, server, chronos_bin, tmp_path):
    page.open("#/new")
    page.find("#f-name").send_keys("made-in-the-form")
    page.find("#f-command").send_keys("echo hello from the form")
    schedule = page.find("#f-schedule")
    schedule.clear()
    schedule.send_keys("R/2030-13-01T00:00:00Z/P1D")
    page.find("#f-rest").send_keys("retryIntervall: PT5M")
    page.until(lambda d: "month 13" in page.text("#diagnostics") and "retryIntervall" in page.text("#diagnostics"), "the server's check")
    shown = page.driver.execute_script("""return [...document.querySelectorAll('#diagnostics li')].map((li) =>
        `${li.dataset.line}:${li.dataset.column} ${li.textContent.split(' ').slice(1).join(' ').replace(/ \\([^(]*\\)$/, '')}`)""")
    composed = page.driver.execute_script("return [...document.querySelectorAll('#composed .line')].map((l) => l.textContent).join('\\n')") + "\n"
    assert sorted(shown) == sorted(validate_text(chronos_bin, tmp_path, composed)), "the same messages at the same positions as validate"
    assert "month 13" in page.text("#f-schedule-problem"), "the error is shown at its field"
    assert page.find("#f-schedule").get_attribute("aria-invalid") == "true"
    assert not page.find("#save").is_enabled()
    page.shot("new-job-errors")

    page.find("#f-rest").send_keys(Keys.CONTROL, "a", Keys.DELETE)
    page.click('input[name="trigger"][value="once"]')
    page.until(lambda d: page.text("#check-state") == "Valid.", "the fixed spec to check")
    page.shot("new-job")
    page.click("#save")
    page.until(lambda d: "#/job/made-in-the-form" in d.current_url, "the job page")
    page.ready()
    page.until(lambda d: "succeeded" in page.text("#runs-table") if page.all("#runs-table") else False, "the one-shot run to succeed")
    page.click("#runs-table tr[data-task] button")
    page.until(lambda d: "hello from the form" in page.text("#log-stdout"), "its output")
    assert "created through the API" in page.text(".badges")
    page.shot("job")


def test_copy_as_yaml_for_git_gives_a_spec_that_validates_and_plans_as_no_change(page, server, repo, chronos_bin):
    page.open("#/job/weekly-summary/edit")
    command = page.find("#f-command")
    command.clear()
    command.send_keys("echo summary --with-charts")
    page.until(lambda d: page.find("#copy-git").is_enabled() and "--with-charts" in page.content("#composed"), "the edited spec to check")
    warning = page.find("#drift-warning")
    assert warning.is_displayed() and "managed by git" in warning.text and "drift" in warning.text
    page.click("#copy-git")
    page.until(lambda d: page.find("#git-yaml").text.strip(), "the spec for git")
    spec = page.find("#git-yaml").text + "\n"
    assert page.text("#git-yaml-path") == "jobs/weekly-summary.yaml"
    page.shot("edit-git-job")
    page.click("#save")
    page.confirm()
    page.until(lambda d: "#/job/weekly-summary" in d.current_url and "/edit" not in d.current_url, "the job page")
    assert server.get("/v1/jobs/weekly-summary")["job"]["command"] == "echo summary --with-charts"

    (repo / "jobs" / "weekly-summary.yaml").write_text(spec)
    valid = subprocess.run([str(chronos_bin), "validate", str(repo / "jobs")], capture_output=True, text=True, timeout=30)
    assert valid.returncode == 0, valid
    commit(repo, {}, "weekly-summary: charts")
    plan = subprocess.run([str(chronos_bin), "plan", "--repo", str(repo), "--server", f"http://127.0.0.1:{server.port}",
                           "--http-credentials", CREDENTIALS, "--detailed-exitcode"], capture_output=True, text=True, timeout=60)
    assert plan.returncode == 0, plan


def test_source_links_are_built_for_known_forges(page):
    link = lambda repo, location: page.driver.execute_script("return CS.forgeLink(arguments[0], 'c0ffee', arguments[1])", repo, location)
    assert link("https://github.com/acme/jobs.git", "jobs/etl.yaml:3:1") == "https://github.com/acme/jobs/blob/c0ffee/jobs/etl.yaml#L3"
    assert link("git@github.com:acme/jobs.git", "jobs/etl.yaml:3:1") == "https://github.com/acme/jobs/blob/c0ffee/jobs/etl.yaml#L3"
    assert link("https://gitlab.com/acme/ops/jobs", "jobs/a b.yaml:9:1") == "https://gitlab.com/acme/ops/jobs/-/blob/c0ffee/jobs/a%20b.yaml#L9"
    assert link("https://bitbucket.org/acme/jobs.git", "jobs/x.yaml:2:1") == "https://bitbucket.org/acme/jobs/src/c0ffee/jobs/x.yaml#lines-2"
    assert link("/srv/git/jobs", "jobs/x.yaml:2:1") is None, "a local repository has no web page"
    assert link("https://github.com/acme/jobs", "api") is None


def test_actions_ask_first_and_the_page_shows_an_unreachable_server(page, server):
    page.open("#/job/audit")
    page.click("#action-disable")
    page.click("dialog[open] button[value=cancel]")
    assert server.get("/v1/jobs/audit")["disabled"] is False, "cancelled: nothing changed"
    page.click("#action-disable")
    page.confirm()
    page.until(lambda d: page.all("#action-enable"), "the Enable button")
    assert server.get("/v1/jobs/audit")["disabled"] is True
    page.click("#action-success")
    page.confirm()
    page.until(lambda d: server.get("/v1/jobs/audit")["job"]["successCount"] == 1, "the success to count")
    page.shot("job-actions")

    server.stop(signal.SIGKILL)
    page.until(lambda d: page.find("#offline").is_displayed(), "the unreachable-server page")
    assert "cannot be reached" in page.text("#offline")
    assert not page.find("#main").is_displayed()
    page.shot("unreachable")


def test_every_control_has_a_label_and_the_dark_theme_follows_the_system(page):
    unlabelled = []
    for route in ("#/", "#/job/build-report", "#/graph", "#/sync", "#/new"):
        page.open(route)
        unlabelled += page.driver.execute_script("""
            return [...document.querySelectorAll('input, select, textarea')]
              .filter((el) => el.type !== 'hidden' && el.labels.length === 0 && !el.getAttribute('aria-label'))
              .map((el) => location.hash + ' ' + (el.id || el.name));""")
    assert unlabelled == []
    page.driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": [{"name": "prefers-color-scheme", "value": "dark"}]})
    try:
        page.open("#/")
        background = page.driver.execute_script("return getComputedStyle(document.body).backgroundColor")
        assert background == "rgb(13, 17, 23)", background
        page.shot("jobs-dark")
    finally:
        page.driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": []})


def test_a_server_on_a_plain_folder_says_there_is_no_git_to_sync(browser, chronos_bin, tmp_path):
    folder = Server(chronos_bin, tmp_path)
    folder.write("hello.yaml", "name: hello\ncommand: echo hello\nschedule: R/2030-01-01T00:00:00Z/P1D\n")
    folder.start_args = ["--http-credentials", CREDENTIALS]
    folder.start()
    try:
        folder.port = folder.wait_for(lambda: (m := re.search(r"REST API on http://127\.0\.0\.1:(\d+)/", folder.log.read_text())) and int(m.group(1)),
                                      what="the API")
        page = Page(browser, folder)
        page.until(lambda d: page.rows() == ["hello"], "the folder's job")
        assert page.text('#job-rows tr[data-job="hello"] .badge-git') == "file"
        page.open("#/sync")
        assert "plain folder" in page.text("#main")
        page.open("#/job/hello")
        assert "from a spec file" in page.text(".badges")
    finally:
        folder.stop(signal.SIGKILL)


def test_on_a_follower_the_ui_is_the_leaders_and_a_runs_output_streams_through_it(browser, cluster, tmp_path):
    instances = cluster(2, credentials=CREDENTIALS)
    leader = wait_for(lambda: leader_of(instances), 30, "a leader")
    follower = next(i for i in instances if i is not leader)
    gate = tmp_path / "gate"
    status, _ = follower.request("POST", "/v1/scheduler/iso8601", {
        "name": "talker", "schedule": "R/2030-01-01T00:00:00Z/P1D",
        "command": f"echo first; while [ ! -f {gate} ]; do sleep 0.05; done; echo second"})
    assert status == 204
    page = Page(browser, follower)
    assert page.rows() == ["talker"]
    page.open("#/job/talker")
    page.click("#action-run")
    page.confirm()
    page.until(lambda d: page.all("#runs-table tr[data-task]"), "the run in the history")
    page.click("#runs-table tr[data-task] button")
    page.until(lambda d: "first" in page.text("#log-stdout"), "the first line, through the follower")
    status, history = follower.request("GET", "/v1/jobs/talker/runs")
    assert status == 200 and history[0]["state"] == "running", "the line came while the run waits for its gate"
    gate.touch()
    page.until(lambda d: "second" in page.text("#log-stdout"), "the second line")
    page.until(lambda d: "succeeded" in page.text("#runs-table"), "the run to succeed")

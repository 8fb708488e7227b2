"""What an agent does with a launched task: a sandbox directory, the fetcher, a real process, kills.

Every task runs as a plain local process in its own process group, in its sandbox
``<agent work_dir>/slaves/<agent>/frameworks/<framework>/executors/<executor>/runs/<container>`` (a task of a
task group in ``.../tasks/<task>`` below its executor's sandbox), with ``stdout`` and ``stderr`` files there.
Containers are not run: a DOCKER or MESOS task runs its command on the host; its ContainerInfo is only recorded.

The statuses are those of Mesos's command executor: TASK_STARTING, TASK_RUNNING, then TASK_FINISHED,
TASK_FAILED or TASK_KILLED with "Command exited with status N" / "Command terminated with signal S"; a fetch
failure is TASK_FAILED from the agent with REASON_CONTAINER_LAUNCH_FAILED.
"""

from __future__ import annotations

import os
import shutil
import signal
import stat
import subprocess
import tarfile
import threading
import time
import urllib.parse
import urllib.request
import zipfile
from pathlib import Path

DEFAULT_KILL_GRACE = 3.0  # the command executor's default grace period between SIGTERM and SIGKILL


def wstringify(returncode: int) -> str:
    """stout's WSTRINGIFY for a Popen return code."""
    if returncode >= 0:
        return f"exited with status {returncode}"
    try:
        name = signal.strsignal(-returncode) or f"signal {-returncode}"
    except ValueError:
        name = f"Unknown signal {-returncode}"
    return f"terminated with signal {name}"


def wait_status(returncode: int) -> int:
    """The raw wait(2) status the agent reports in FAILURE events."""
    return (returncode & 0xFF) << 8 if returncode >= 0 else (-returncode) & 0x7F


class FetchError(Exception):
    pass


ARCHIVES = (".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz2", ".tar.xz", ".txz", ".zip", ".gz")


def _safe_extract_tar(archive: tarfile.TarFile, target: Path):
    root = target.resolve()
    for member in archive.getmembers():
        dest = (target / member.name).resolve()
        if dest != root and root not in dest.parents:
            raise FetchError(f"Archive member '{member.name}' would be extracted outside the sandbox")
        if member.issym() or member.islnk():
            link = (dest.parent / member.linkname).resolve()
            if link != root and root not in link.parents:
                raise FetchError(f"Archive member '{member.name}' links outside the sandbox")
    archive.extractall(target)


def _extract(path: Path, sandbox: Path) -> bool:
    name = path.name
    if name.endswith(".zip"):
        with zipfile.ZipFile(path) as archive:
            root = sandbox.resolve()
            for member in archive.namelist():
                dest = (sandbox / member).resolve()
                if dest != root and root not in dest.parents:
                    raise FetchError(f"Archive member '{member}' would be extracted outside the sandbox")
            archive.extractall(sandbox)
        return True
    if any(name.endswith(ext) for ext in (".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz2", ".tar.xz", ".txz")):
        with tarfile.open(path) as archive:
            _safe_extract_tar(archive, sandbox)
        return True
    if name.endswith(".gz"):
        import gzip
        with gzip.open(path, "rb") as source, open(sandbox / name[:-3], "wb") as dest:
            shutil.copyfileobj(source, dest)
        return True
    return False


def fetch_uri(uri: dict, sandbox: Path, frameworks_home: str | None, log) -> None:
    """The Mesos fetcher for one CommandInfo.URI: local paths, file://, http(s)://, ftp://."""
    value = uri["value"]
    parsed = urllib.parse.urlparse(value)
    output = uri.get("output_file") or ""
    if parsed.scheme in ("", "file"):
        path = parsed.path if parsed.scheme == "file" else value
        if parsed.scheme == "file" and parsed.netloc not in ("", "localhost"):
            raise FetchError(f"File URI '{value}' names host '{parsed.netloc}'; only local files can be fetched")
        if not os.path.isabs(path):
            if not frameworks_home:
                raise FetchError("A relative path was passed for the resource but the Mesos framework home was "
                                 "not specified. Please either provide this config option or avoid using a "
                                 "relative path")
            path = os.path.join(frameworks_home, path)
        target = sandbox / (output or os.path.basename(path.rstrip("/")))
        log(f"Fetching URI '{value}'")
        try:
            shutil.copyfile(path, target)
        except OSError as error:
            raise FetchError(f"Failed to copy '{path}': {error.strerror or error}") from None
    elif parsed.scheme in ("http", "https", "ftp"):
        name = output or os.path.basename(parsed.path.rstrip("/"))
        if not name:
            raise FetchError(f"Malformed URI '{value}': no file name to save it as")
        target = sandbox / name
        log(f"Fetching URI '{value}'")
        try:
            with urllib.request.urlopen(value, timeout=30) as response, open(target, "wb") as out:
                shutil.copyfileobj(response, out)
        except Exception as error:  # noqa: BLE001 - every failure is reported the same way
            raise FetchError(f"Error downloading resource '{value}': {error}") from None
    else:
        raise FetchError(f"Unsupported URI scheme '{parsed.scheme}' in '{value}'")

    if uri.get("executable", False):
        target.chmod(target.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    elif uri.get("extract", True):
        try:
            if _extract(target, sandbox):
                log(f"Extracted '{target}' into '{sandbox}'")
        except (tarfile.TarError, zipfile.BadZipFile, OSError, EOFError) as error:
            raise FetchError(f"Failed to extract '{target}': {error}") from None


def command_argv(task: dict, container_type: str | None) -> list[str]:
    """The argv the command executor (or the docker containerizer) would run, run on the host instead."""
    command = task.get("command", {})
    value = command.get("value")
    if command.get("shell", True):
        return ["/bin/sh", "-c", value or ""]
    arguments = list(command.get("arguments", []))
    if container_type == "DOCKER":
        # docker run <image> [value] [arguments...]: the image's entrypoint cannot run here, so with neither
        # a value nor arguments the task simply succeeds.
        argv = ([value] if value else []) + arguments
        return argv or ["/bin/true"]
    if not value:
        return ["/bin/true"]
    return arguments if arguments else [value]


class Runner:
    """One task's process on an agent. Calls back into the cluster (under its lock) to report statuses."""

    def __init__(self, cluster, task):
        self.cluster = cluster
        self.task = task
        self.proc: subprocess.Popen | None = None
        self.exited = threading.Event()
        self.kill_event = threading.Event()
        self.kill_grace = DEFAULT_KILL_GRACE
        self.killed = False
        self.timed_out = False
        self.thread = threading.Thread(target=self._run, name=f"task {task.task_id}", daemon=True)

    def start(self):
        self.thread.start()

    # -- running ------------------------------------------------------------------------------------------------

    def _sandbox_log(self, line: str):
        try:
            with open(Path(self.task.sandbox) / "stderr", "a", encoding="utf-8") as err:
                err.write(line + "\n")
        except OSError:
            pass

    def _run(self):
        cluster, task = self.cluster, self.task
        delay = cluster.config.staging_delay
        if delay > 0 and self.kill_event.wait(delay):
            with cluster.lock:
                cluster.agent_status(task, "TASK_KILLED", "SOURCE_AGENT", reason="REASON_TASK_KILLED_DURING_LAUNCH",
                                     message="Task killed before it started")
            self.exited.set()
            return
        with cluster.lock:
            if cluster.stopping or task.abandoned:
                self.exited.set()
                return
            if self.kill_event.is_set():
                cluster.agent_status(task, "TASK_KILLED", "SOURCE_AGENT", reason="REASON_TASK_KILLED_DURING_LAUNCH",
                                     message="Task killed before it started")
                self.exited.set()
                return

        sandbox = Path(task.sandbox)
        try:
            sandbox.mkdir(parents=True, exist_ok=True)
            (sandbox / "stdout").touch()
            (sandbox / "stderr").touch()
            cluster.link_latest(task)
        except OSError as error:
            with cluster.lock:
                cluster.agent_status(task, "TASK_FAILED", "SOURCE_AGENT", reason="REASON_CONTAINER_LAUNCH_FAILED",
                                     message=f"Failed to launch container: Failed to create sandbox: {error}")
            self.exited.set()
            return

        command = task.command_info()
        try:
            for uri in command.get("uris", []):
                fetch_uri(uri, sandbox, cluster.config.frameworks_home, self._sandbox_log)
            env = self._environment(command)
        except FetchError as error:
            self._sandbox_log(f"Failed to fetch: {error}")
            with cluster.lock:
                cluster.agent_status(
                    task, "TASK_FAILED", "SOURCE_AGENT", reason="REASON_CONTAINER_LAUNCH_FAILED",
                    message=f"Failed to launch container: Failed to fetch all URIs for container "
                            f"'{task.container_id}': exited with status 1")
            self.exited.set()
            return

        argv = command_argv({"command": command}, task.container_type)
        try:
            with open(sandbox / "stdout", "ab") as out, open(sandbox / "stderr", "ab") as err:
                executable = None if argv[0].startswith("/") else shutil.which(argv[0], path=env.get("PATH"))
                self.proc = subprocess.Popen(argv, executable=executable, cwd=sandbox, env=env,
                                             stdin=subprocess.DEVNULL, stdout=out, stderr=err,
                                             start_new_session=True, close_fds=True)
        except OSError as error:
            self._sandbox_log(f"Failed to execute '{argv[0]}': {error}")
            with cluster.lock:
                cluster.agent_status(task, "TASK_STARTING", "SOURCE_EXECUTOR")
                cluster.agent_status(task, "TASK_FAILED", "SOURCE_EXECUTOR",
                                     message=f"Failed to launch command: {error.strerror or error}")
            self.exited.set()
            return

        with cluster.lock:
            task.pid = self.proc.pid
            cluster.agent_status(task, "TASK_STARTING", "SOURCE_EXECUTOR")
            cluster.agent_status(task, "TASK_RUNNING", "SOURCE_EXECUTOR")
            kill_now = self.kill_event.is_set()
        if kill_now:
            threading.Thread(target=self._kill_process, daemon=True).start()

        deadline = task.max_completion_seconds()
        started = time.monotonic()
        while True:
            try:
                timeout = None if deadline is None else max(0.0, started + deadline - time.monotonic())
                self.proc.wait(timeout=timeout)
                break
            except subprocess.TimeoutExpired:
                self.timed_out = True
                self.kill_grace = 0.0
                self._kill_process()
        returncode = self.proc.returncode
        self.exited.set()
        self._signal_group(signal.SIGKILL)  # the container goes with its command: leftover children die too

        if self.timed_out:
            state, reason = "TASK_FAILED", "REASON_MAX_COMPLETION_TIME_REACHED"
        elif self.killed:
            state, reason = "TASK_KILLED", None
        elif returncode == 0:
            state, reason = "TASK_FINISHED", None
        else:
            state, reason = "TASK_FAILED", None
        with cluster.lock:
            task.exit_code = returncode
            cluster.agent_status(task, state, "SOURCE_EXECUTOR", reason=reason,
                                 message="Command " + wstringify(returncode))
            cluster.executor_exited(task, wait_status(returncode))

    def _environment(self, command: dict) -> dict:
        task, cluster = self.task, self.cluster
        agent = cluster.agents[task.agent_id]
        env = dict(os.environ)  # the agent passes its own environment on to executors
        env.update({
            "MESOS_FRAMEWORK_ID": task.framework_id,
            "MESOS_EXECUTOR_ID": task.executor_id,
            "MESOS_SLAVE_ID": task.agent_id,
            "MESOS_AGENT_ENDPOINT": f"127.0.0.1:{agent.port}",
            "MESOS_DIRECTORY": task.sandbox,
            "MESOS_SANDBOX": task.sandbox,
            "MESOS_CONTAINER_IP": "127.0.0.1",
            "MESOS_TASK_ID": task.task_id,
        })
        for variable in command.get("environment", {}).get("variables", []):
            kind = variable.get("type", "VALUE")
            if kind == "SECRET":
                secret = variable.get("secret", {})
                if "value" in secret:
                    env[variable["name"]] = secret["value"]["data"].decode("utf-8", "replace")
                else:
                    raise FetchError(f"Environment variable '{variable['name']}' needs a secret resolver, "
                                     "which this agent does not have")
            else:
                env[variable["name"]] = variable.get("value", "")
        return env

    # -- killing ------------------------------------------------------------------------------------------------

    def request_kill(self, grace: float | None):
        """Called with the cluster lock held. Starts the SIGTERM, grace, SIGKILL sequence off the lock."""
        if grace is not None:
            self.kill_grace = grace
        first = not self.kill_event.is_set()
        self.kill_event.set()
        if first and self.proc is not None and not self.exited.is_set():
            threading.Thread(target=self._kill_process, daemon=True).start()
        return first

    def _signal_group(self, sig):
        if self.proc is None:
            return
        try:
            os.killpg(self.proc.pid, sig)
        except (ProcessLookupError, PermissionError):
            pass

    def _kill_process(self):
        self.killed = True
        if self.kill_grace > 0:
            self._signal_group(signal.SIGTERM)
            if self.exited.wait(self.kill_grace):
                return
        self._signal_group(signal.SIGKILL)

    def terminate_now(self):
        """At shutdown, or when the framework is removed: SIGKILL the whole group without a status."""
        self.kill_event.set()
        self._signal_group(signal.SIGKILL)

"""The simulated cluster: masters (one leading), frameworks, agents, offers, tasks and their status updates.

Everything here runs under one lock (`Cluster.lock`). HTTP handlers, task runners and the ticker (heartbeats,
allocation, update retries, failover timeouts, delayed injections) all take it. Events go out through
`Stream.send`, which only queues bytes; the HTTP handler that owns the stream writes them.

The behaviour follows the Mesos master and agent (apache/mesos, 1.11/1.12-dev) where
shared/reference/mesos-http-api.md is silent; each rule names the part of Mesos it copies.
"""

from __future__ import annotations

import itertools
import os
import queue
import threading
import time
import uuid
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path

from . import protocol
from .executor import DEFAULT_KILL_GRACE, Runner
from .resources import Resources, validate_proto

VERSION = "1.11.0"
TERMINAL = {"TASK_FINISHED", "TASK_FAILED", "TASK_KILLED", "TASK_ERROR", "TASK_DROPPED", "TASK_GONE"}
# LOST frees resources like a terminal state although a partitioned agent may bring the task back.
RESOURCE_FREEING = TERMINAL | {"TASK_LOST", "TASK_GONE_BY_OPERATOR"}
MAX_REFUSE_SECONDS = 365 * 24 * 3600.0
DEFAULT_REFUSE_SECONDS = 5.0
LOG_LIMIT = 20000


def is_terminal(state: str | None) -> bool:
    return state in TERMINAL


@dataclass
class Config:
    hostname: str = "127.0.0.1"
    heartbeat_interval: float = 15.0
    allocation_interval: float = 1.0
    update_retry_interval: float = 10.0  # the agent's first resend of an unacknowledged update
    update_retry_max: float = 600.0  # ...doubling up to this
    offer_timeout: float | None = None
    staging_delay: float = 0.0
    frameworks_home: str | None = None
    work_dir: str = ""


class Stream:
    """One SUBSCRIBE response: a queue of RecordIO records that the owning HTTP handler writes out."""

    CLOSE_CLEAN = object()
    CLOSE_ABORT = object()

    def __init__(self, cluster, master_index: int):
        self.cluster = cluster
        self.id = str(uuid.uuid4())
        self.master_index = master_index
        self.framework_id: str | None = None
        self.queue: queue.SimpleQueue = queue.SimpleQueue()
        self.closed = False
        self.stalled = False
        self.next_heartbeat = 0.0
        self.opened_at = time.time()

    def send(self, event: dict) -> bool:
        delivered = not self.closed and not self.stalled
        self.cluster.log_event(self, event, delivered)
        if delivered:
            self.queue.put(protocol.recordio(event))
        return delivered

    def close(self, clean: bool = True):
        if not self.closed:
            self.closed = True
            self.queue.put(Stream.CLOSE_CLEAN if clean else Stream.CLOSE_ABORT)


@dataclass
class Master:
    index: int
    port: int
    hostname: str
    id: str = field(default_factory=lambda: str(uuid.uuid4()))
    started: float = field(default_factory=time.time)
    elected_time: float | None = None

    def info(self) -> dict:
        return {
            "id": self.id, "ip": 16777343, "port": self.port, "pid": f"master@127.0.0.1:{self.port}",
            "hostname": self.hostname, "version": VERSION,
            "address": {"hostname": self.hostname, "ip": "127.0.0.1", "port": self.port},
            "capabilities": [{"type": "AGENT_UPDATE"}, {"type": "AGENT_DRAINING"}, {"type": "QUOTA_V2"}],
        }


@dataclass
class Filter:
    agent_id: str
    resources: Resources
    expires: float  # monotonic
    refuse_seconds: float


@dataclass
class Offer:
    id: str
    framework_id: str
    agent_id: str
    resources: Resources
    role: str
    created: float  # monotonic
    wire: dict


class Framework:
    def __init__(self, framework_id: str, info: dict):
        self.id = framework_id
        self.info = info
        self.stream: Stream | None = None
        self.known = True  # in the leading master's registered frameworks
        self.active = False
        self.recovered = False  # known from an agent after a master failover, not subscribed since
        self.suppressed: set[str] = set()
        self.filters: list[Filter] = []
        self.offers: dict[str, Offer] = {}
        self.registered_time = time.time()
        self.reregistered_time: float | None = None
        self.unregistered_time: float | None = None
        self.failover_deadline: float | None = None
        self.heartbeats = True
        self.subscriptions = 0
        self.unreachable_tasks: dict[str, "Task"] = {}
        self.completed_tasks: list["Task"] = []
        self.removed_reason: str | None = None

    @property
    def connected(self) -> bool:
        return self.stream is not None

    @property
    def capabilities(self) -> set[str]:
        return protocol.capabilities(self.info)

    @property
    def partition_aware(self) -> bool:
        return "PARTITION_AWARE" in self.capabilities

    @property
    def roles(self) -> list[str]:
        return protocol.framework_roles(self.info)

    @property
    def failover_timeout(self) -> float:
        return self.info.get("failover_timeout", 0.0)


class Agent:
    def __init__(self, agent_id: str, hostname: str, port: int, total: Resources, attributes: list[dict],
                 work_dir: str):
        self.id = agent_id
        self.hostname = hostname
        self.port = port
        self.total = total
        self.attributes = attributes
        self.work_dir = work_dir
        self.registered = True
        self.connected = True
        self.recovered = False  # waiting to re-register with a newly elected master
        self.unreachable_time: float | None = None  # epoch seconds, while marked unreachable
        self.gone = False
        self.registered_time = time.time()
        self.tasks: dict[tuple[str, str], "Task"] = {}  # (framework, task) the agent still holds
        self.completed_tasks: list["Task"] = []
        self.pending_kills: dict[tuple[str, str], float | None] = {}

    @property
    def pid(self) -> str:
        return f"slave(1)@127.0.0.1:{self.port}"

    @property
    def active(self) -> bool:
        return self.registered and self.connected and not self.recovered

    @property
    def status(self) -> str:
        if self.gone:
            return "gone"
        if self.unreachable_time is not None:
            return "unreachable"
        if self.recovered:
            return "recovering"
        if not self.connected:
            return "disconnected"
        return "registered"


class Task:
    def __init__(self, framework_id: str, info: dict, raw: dict, agent: Agent, kind: str,
                 executor: dict | None, container_id: str, executor_id: str):
        self.framework_id = framework_id
        self.task_id = info["task_id"]["value"]
        self.agent_id = agent.id
        self.info = info
        self.raw = raw
        self.kind = kind  # "command", "group" (LAUNCH_GROUP) or "custom" (TaskInfo.executor)
        self.executor = executor
        self.executor_id = executor_id
        self.container_id = container_id
        self.resources = Resources.from_proto(info.get("resources", []))
        if executor is not None and kind == "custom":
            self.resources = self.resources + Resources.from_proto(executor.get("resources", []))
        run = (Path(agent.work_dir) / "slaves" / agent.id / "frameworks" / framework_id / "executors" / executor_id
               / "runs" / container_id)
        self.executor_directory = str(run)
        self.sandbox = str(run / "tasks" / self.task_id) if kind == "group" else str(run)
        self.state = "TASK_STAGING"  # the master's latest state
        self.agent_state = "TASK_STAGING"
        self.su_state: str | None = None  # state of the update the agent forwarded last (not yet acknowledged)
        self.su_uuid: str | None = None
        self.pending: deque[dict] = deque()  # the agent's status update stream
        self.acked: set[str] = set()
        self.statuses: list[dict] = []
        self.next_resend: float | None = None
        self.backoff = 0.0
        self.master_known = True
        self.holds_resources = True
        self.completed = False
        self.abandoned = False  # framework removed: the process is killed without updates
        self.group: list[Task] = []
        self.runner: Runner | None = None
        self.pid: int | None = None
        self.exit_code: int | None = None
        self.wait_status: int | None = None
        self.launched_at = time.time()

    @property
    def container_type(self) -> str | None:
        container = self.info.get("container") or (self.executor or {}).get("container")
        return container.get("type") if container else None

    def command_info(self) -> dict:
        if self.kind == "custom":
            return self.executor.get("command", {})
        return self.info.get("command", {})

    def max_completion_seconds(self) -> float | None:
        if "max_completion_time" in self.info:
            return max(0.0, self.info["max_completion_time"]["nanoseconds"] / 1e9)
        return None

    def kill_grace(self) -> float | None:
        policy = self.info.get("kill_policy", {})
        if "grace_period" in policy:
            return max(0.0, policy["grace_period"]["nanoseconds"] / 1e9)
        return None


class Cluster:
    def __init__(self, config: Config):
        self.config = config
        self.lock = threading.RLock()
        self.masters: list[Master] = []
        self.leader: int | None = 0
        self.recovering = False
        self.agents: dict[str, Agent] = {}
        self.frameworks: dict[str, Framework] = {}
        self.completed_frameworks: dict[str, Framework] = {}
        self.offers: dict[str, Offer] = {}
        self.launches: list[dict] = []  # every TaskInfo received, as received
        self.calls: list[dict] = []
        self.events: list[dict] = []
        self.acknowledgements: list[dict] = []
        self.declines: list[dict] = []
        self.suppress_revive: list[dict] = []
        self.messages: list[dict] = []
        self.injections: list[dict] = []
        self.expect_continue = 0
        self.offer_caps: dict | None = None
        self.delayed: list[tuple[float, str, object]] = []
        self.stopping = False
        self.allocate_soon = True
        self.last_allocation = 0.0
        self._framework_seq = itertools.count()
        self._offer_seq = itertools.count()
        self._event_seq = itertools.count()
        self._call_seq = itertools.count()
        self.started = time.time()
        self.ticker = threading.Thread(target=self._tick_loop, name="ticker", daemon=True)

    # -- set-up ---------------------------------------------------------------------------------------------------

    def add_master(self, port: int) -> Master:
        master = Master(index=len(self.masters), port=port, hostname=self.config.hostname)
        if master.index == 0:
            master.elected_time = time.time()
        self.masters.append(master)
        return master

    def add_agent(self, agent_id: str, hostname: str, port: int, total: Resources, attributes: list[dict]) -> Agent:
        work_dir = os.path.join(self.config.work_dir, agent_id)
        os.makedirs(work_dir, exist_ok=True)
        agent = Agent(agent_id, hostname, port, total, attributes, work_dir)
        self.agents[agent_id] = agent
        self.allocate_soon = True
        return agent

    def start(self):
        self.ticker.start()

    @property
    def leader_master(self) -> Master | None:
        return None if self.leader is None else self.masters[self.leader]

    # -- logs -----------------------------------------------------------------------------------------------------

    @staticmethod
    def _append(log: list, entry: dict):
        log.append(entry)
        if len(log) > LOG_LIMIT:
            del log[: len(log) - LOG_LIMIT]

    def log_event(self, stream: Stream, event: dict, delivered: bool):
        self._append(self.events, {"seq": next(self._event_seq), "time": time.time(),
                                   "framework_id": stream.framework_id, "stream_id": stream.id,
                                   "type": event["type"], "delivered": delivered, "event": event})

    def log_call(self, entry: dict):
        entry["seq"] = next(self._call_seq)
        self._append(self.calls, entry)

    # -- frameworks -----------------------------------------------------------------------------------------------

    def get_framework(self, framework_id: str) -> Framework | None:
        framework = self.frameworks.get(framework_id)
        return framework if framework is not None and framework.known else None

    def new_framework_id(self) -> str:
        return f"{self.leader_master.id}-{next(self._framework_seq):04d}"

    def subscribe(self, stream: Stream, subscribe: dict):
        """Master::subscribe/_subscribe for an HTTP framework. Refusals are an ERROR event, then the close."""
        info = dict(subscribe["framework_info"])
        stream.framework_id = protocol._id(info.get("id")) or None

        def refuse(message: str):
            stream.send({"type": "ERROR", "error": {"message": message}})
            stream.close(clean=True)

        error = protocol.validate_framework_info(info)
        if error is None and stream.framework_id and stream.framework_id in self.completed_frameworks:
            error = "Framework has been removed"
        if error:
            return refuse(error)
        roles = set(protocol.framework_roles(info))
        suppressed = set(subscribe.get("suppressed_roles", []))
        if suppressed - roles:
            return refuse("Suppressed roles { " + ", ".join(sorted(suppressed - roles)) +
                          " } are not contained in the set of roles")

        framework_id = stream.framework_id
        if not framework_id:
            framework_id = self.new_framework_id()
            info["id"] = {"value": framework_id}
            framework = Framework(framework_id, info)
            self.frameworks[framework_id] = framework
        else:
            framework = self.frameworks.get(framework_id)
            if framework is None:
                framework = Framework(framework_id, info)  # a framework this master has not seen: recover it
                self.frameworks[framework_id] = framework
            elif not framework.known:
                framework.known = True
            else:
                old = framework.info
                if old.get("principal") != info.get("principal"):
                    return refuse("Changing framework's principal is not allowed.")
                # preserveImmutableFields: user and checkpoint keep their first values.
                info["user"] = old["user"]
                if "checkpoint" in old:
                    info["checkpoint"] = old["checkpoint"]
                else:
                    info.pop("checkpoint", None)
            framework.reregistered_time = time.time()
            if framework.stream is not None:
                # Master::failoverFramework: the previous scheduler is told, then its stream is closed.
                framework.stream.send({"type": "ERROR", "error": {"message": "Framework failed over"}})
                framework.stream.close(clean=True)
                framework.stream = None
            for offer in list(framework.offers.values()):
                self._remove_offer(offer)  # discarded, not rescinded: the new scheduler never saw them
            framework.info = info
        stream.framework_id = framework_id
        framework.known = True
        framework.recovered = False
        framework.stream = stream
        framework.active = True
        framework.failover_deadline = None
        framework.unregistered_time = None
        framework.suppressed = suppressed
        framework.subscriptions += 1
        stream.send({"type": "SUBSCRIBED", "subscribed": {
            "framework_id": {"value": framework_id},
            "heartbeat_interval_seconds": float(self.config.heartbeat_interval),
            "master_info": self.leader_master.info()}})
        # The heartbeater sends its first HEARTBEAT straight after SUBSCRIBED.
        if framework.heartbeats:
            stream.send({"type": "HEARTBEAT"})
        stream.next_heartbeat = time.monotonic() + self.config.heartbeat_interval
        self.allocate_soon = True
        # Agents learn of the new scheduler (UpdateFrameworkMessage) and resend pending updates at once.
        self.resume_updates(framework_id=framework_id)

    def stream_closed(self, stream: Stream):
        """The connection of a SUBSCRIBE response went away (client gone, dropped by injection)."""
        with self.lock:
            stream.closed = True
            framework = self.frameworks.get(stream.framework_id) if stream.framework_id else None
            if framework is not None and framework.stream is stream:
                self._exited(framework)

    def _exited(self, framework: Framework):
        """Master::_exited: disconnected, offers rescinded, and the failover_timeout clock starts."""
        framework.stream = None
        framework.active = False
        framework.unregistered_time = time.time()
        for offer in list(framework.offers.values()):
            self._remove_offer(offer)
        framework.failover_deadline = time.monotonic() + max(0.0, framework.failover_timeout)

    def remove_framework(self, framework: Framework, reason: str):
        """Master::removeFramework (TEARDOWN, failover timeout): its tasks are killed and its id is retired."""
        framework.active = False
        for offer in list(framework.offers.values()):
            self._remove_offer(offer)
        if framework.stream is not None:
            framework.stream.close(clean=True)
            framework.stream = None
        now = time.time()
        for agent in self.agents.values():
            if not agent.active:
                continue  # told to shut the framework down when it re-registers
            for task in list(agent.tasks.values()):
                if task.framework_id != framework.id:
                    continue
                task.abandoned = True
                if task.runner is not None:
                    task.runner.terminate_now()
                if not is_terminal(task.state):
                    status = self._status(task.task_id, "TASK_KILLED", "SOURCE_MASTER", task.agent_id,
                                          message=f"Framework {framework.id} removed",
                                          reason="REASON_FRAMEWORK_REMOVED")
                    task.statuses.append(status)
                    task.state = "TASK_KILLED"
                task.holds_resources = False
                task.pending.clear()
                task.next_resend = None
                self._complete(task, agent)
        for task in framework.unreachable_tasks.values():
            task.state = "TASK_KILLED"
        framework.unregistered_time = now
        framework.removed_reason = reason
        del self.frameworks[framework.id]
        self.completed_frameworks[framework.id] = framework
        self.allocate_soon = True

    # -- events ---------------------------------------------------------------------------------------------------

    def send(self, framework: Framework | None, event: dict) -> bool:
        if framework is None or framework.stream is None:
            return False
        return framework.stream.send(event)

    @staticmethod
    def _status(task_id: str, state: str, source: str, agent_id: str | None, *, message: str | None = None,
                reason: str | None = None, executor_id: str | None = None, uuid_b64: str | None = None,
                extra: dict | None = None) -> dict:
        status = {"task_id": {"value": task_id}, "state": state, "source": source}
        if reason:
            status["reason"] = reason
        if message is not None:
            status["message"] = message
        if agent_id:
            status["agent_id"] = {"value": agent_id}
        if executor_id:
            status["executor_id"] = {"value": executor_id}
        status["timestamp"] = time.time()
        if uuid_b64:
            status["uuid"] = uuid_b64
        if extra:
            status.update(extra)
        return status

    def master_update(self, framework: Framework, task_id: str, state: str, message: str, reason: str,
                      agent_id: str | None = None, **kw):
        """A status update the master makes itself: no uuid, never acknowledged, lost if disconnected."""
        status = self._status(task_id, state, "SOURCE_MASTER", agent_id, message=message, reason=reason, **kw)
        self.send(framework, {"type": "UPDATE", "update": {"status": status}})
        return status

    # -- the agent's status update manager -------------------------------------------------------------------------

    def container_status(self, task: Task) -> dict:
        status = {"container_id": {"value": task.container_id},
                  "network_infos": [{"ip_addresses": [{"protocol": "IPv4", "ip_address": "127.0.0.1"}]}]}
        if task.pid is not None:
            status["executor_pid"] = task.pid
        return status

    def agent_status(self, task: Task, state: str, source: str, *, message: str | None = None,
                     reason: str | None = None):
        """An update from the executor or the agent, with a uuid: queued until acknowledged, resent."""
        if task.abandoned:
            return
        extra = {}
        if source == "SOURCE_EXECUTOR":
            extra["container_status"] = self.container_status(task)
        status = self._status(task.task_id, state, source, task.agent_id, message=message, reason=reason,
                              executor_id=task.executor_id, uuid_b64=protocol.b64(uuid.uuid4().bytes),
                              extra=extra)
        task.agent_state = state
        task.statuses.append(status)
        task.pending.append(status)
        if len(task.pending) == 1:
            self.forward_head(task, first=True)
        if task.kind == "group" and state in ("TASK_FAILED", "TASK_KILLED", "TASK_LOST", "TASK_ERROR"):
            # The default executor kills the rest of the group when one task fails or is killed.
            for sibling in task.group:
                if sibling is not task and sibling.runner is not None and not is_terminal(sibling.agent_state):
                    sibling.runner.request_kill(None)

    def forward_head(self, task: Task, first: bool = False):
        """The agent forwards the head of a task's stream; the master updates its view and passes it on."""
        if first or task.next_resend is None:
            task.backoff = self.config.update_retry_interval
        task.next_resend = time.monotonic() + task.backoff
        agent = self.agents[task.agent_id]
        if not agent.active or self.leader is None or not task.pending:
            return
        head = task.pending[0]
        framework = self.frameworks.get(task.framework_id)
        if framework is None:
            return
        task.state = task.agent_state  # the forwarded update carries the task's latest state
        if task.state in RESOURCE_FREEING and task.holds_resources:
            task.holds_resources = False
            self.allocate_soon = True
        task.su_state = head["state"]
        task.su_uuid = head["uuid"]
        task.master_known = True
        self.send(framework, {"type": "UPDATE", "update": {"status": head}})

    def resume_updates(self, framework_id: str | None = None, agent_id: str | None = None,
                       task_id: str | None = None) -> int:
        """TaskStatusUpdateManager::resume: resend the head of every pending stream at once."""
        count = 0
        for agent in self.agents.values():
            if agent_id is not None and agent.id != agent_id:
                continue
            for task in agent.tasks.values():
                if framework_id is not None and task.framework_id != framework_id:
                    continue
                if task_id is not None and task.task_id != task_id:
                    continue
                if task.pending:
                    self.forward_head(task, first=True)
                    count += 1
        return count

    def _complete(self, task: Task, agent: Agent):
        """The terminal update was acknowledged (or the framework is gone): both sides forget the task."""
        if task.completed:
            return
        task.completed = True
        task.master_known = False
        agent.tasks.pop((task.framework_id, task.task_id), None)
        agent.completed_tasks.append(task)
        framework = self.frameworks.get(task.framework_id) or self.completed_frameworks.get(task.framework_id)
        if framework is not None:
            framework.completed_tasks.append(task)

    def acknowledge(self, framework: Framework, ack: dict):
        agent_id = ack["agent_id"]["value"]
        task_id = ack["task_id"]["value"]
        uuid_b64 = protocol.b64(ack["uuid"])
        entry = {"time": time.time(), "framework_id": framework.id, "agent_id": agent_id, "task_id": task_id,
                 "uuid": uuid_b64}
        self._append(self.acknowledgements, entry)
        agent = self.agents.get(agent_id)
        if agent is None or not agent.registered:
            entry["result"] = "agent not registered"
            return
        if not agent.connected:
            entry["result"] = "agent disconnected"
            return
        task = agent.tasks.get((framework.id, task_id))
        if task is None:
            entry["result"] = "no status update stream for this task"
            return
        if uuid_b64 in task.acked:
            entry["result"] = "duplicate"
            return
        if not task.pending or task.pending[0]["uuid"] != uuid_b64:
            expecting = task.pending[0]["uuid"] if task.pending else None
            entry["result"] = f"unexpected (expecting {expecting})"
            return
        head = task.pending.popleft()
        task.acked.add(uuid_b64)
        task.next_resend = None
        entry["result"] = "accepted"
        entry["state"] = head["state"]
        if is_terminal(head["state"]):
            self._complete(task, agent)
            self._executor_done(task)
        elif task.pending:
            self.forward_head(task, first=True)

    # -- offers ---------------------------------------------------------------------------------------------------

    def _remove_offer(self, offer: Offer, rescind: bool = False):
        self.offers.pop(offer.id, None)
        framework = self.frameworks.get(offer.framework_id)
        if framework is not None:
            framework.offers.pop(offer.id, None)
            if rescind:
                self.send(framework, {"type": "RESCIND", "rescind": {"offer_id": {"value": offer.id}}})
        self.allocate_soon = True

    def rescind_offers(self, framework_id: str | None = None, agent_id: str | None = None) -> int:
        count = 0
        for offer in list(self.offers.values()):
            if framework_id is not None and offer.framework_id != framework_id:
                continue
            if agent_id is not None and offer.agent_id != agent_id:
                continue
            self._remove_offer(offer, rescind=True)
            count += 1
        return count

    def used(self, agent: Agent) -> Resources:
        used = Resources()
        for task in agent.tasks.values():
            if task.holds_resources and task.master_known:
                used = used + task.resources
        return used

    def offered(self, agent: Agent) -> Resources:
        offered = Resources()
        for offer in self.offers.values():
            if offer.agent_id == agent.id:
                offered = offered + offer.resources
        return offered

    def free(self, agent: Agent) -> Resources:
        return agent.total - self.used(agent) - self.offered(agent)

    def add_filter(self, framework: Framework, agent_id: str, resources: Resources, filters: dict | None) -> float:
        """HierarchicalAllocatorProcess::recoverResources with filters: the refused resources are not offered
        again to this framework for refuse_seconds (default 5, at most 365 days, negative = default), unless more
        than them is free."""
        requested = (filters or {}).get("refuse_seconds", DEFAULT_REFUSE_SECONDS)
        if requested != requested:  # NaN
            seconds = DEFAULT_REFUSE_SECONDS
        elif requested > MAX_REFUSE_SECONDS:
            seconds = MAX_REFUSE_SECONDS
        elif requested < 0:
            seconds = DEFAULT_REFUSE_SECONDS
        else:
            seconds = requested
        if seconds > 0 and not resources.empty():
            effective = max(self.config.allocation_interval, seconds)
            framework.filters.append(Filter(agent_id, resources, time.monotonic() + effective, seconds))
        return seconds

    def _filtered(self, framework: Framework, agent: Agent, resources: Resources, now: float) -> bool:
        return any(f.agent_id == agent.id and f.expires > now and f.resources.contains(resources)
                   for f in framework.filters)

    def allocate(self):
        now = time.monotonic()
        self.last_allocation = now
        self.allocate_soon = False
        if self.leader is None or self.recovering or self.stopping:
            return
        for framework in self.frameworks.values():
            framework.filters = [f for f in framework.filters if f.expires > now]
        batches: dict[str, list[dict]] = {}
        for agent in sorted(self.agents.values(), key=lambda a: a.id):
            if not agent.active:
                continue
            free = self.free(agent)
            candidate = free.capped(self.offer_caps) if self.offer_caps else free
            if not candidate.allocatable():
                continue
            eligible = []
            for framework in self.frameworks.values():
                if not (framework.known and framework.connected and framework.active):
                    continue
                roles = [role for role in framework.roles if role not in framework.suppressed]
                if not roles or self._filtered(framework, agent, candidate, now):
                    continue
                share = sum(o.resources.scalars.get("cpus", 0) for o in framework.offers.values())
                share += sum(t.resources.scalars.get("cpus", 0) for a in self.agents.values()
                             for t in a.tasks.values() if t.framework_id == framework.id and t.holds_resources)
                eligible.append((share, framework.registered_time, framework.id, framework, sorted(roles)[0]))
            if not eligible:
                continue
            eligible.sort(key=lambda item: item[:3])
            _, _, _, framework, role = eligible[0]
            offer = self._make_offer(framework, agent, candidate, role)
            batches.setdefault(framework.id, []).append(offer.wire)
        for framework_id, wires in batches.items():
            self.send(self.frameworks[framework_id], {"type": "OFFERS", "offers": {"offers": wires}})

    def _make_offer(self, framework: Framework, agent: Agent, resources: Resources, role: str) -> Offer:
        offer_id = f"{self.leader_master.id}-O{next(self._offer_seq)}"
        multi_role = "MULTI_ROLE" in framework.capabilities
        refinement = "RESERVATION_REFINEMENT" in framework.capabilities
        wire = {
            "id": {"value": offer_id},
            "framework_id": {"value": framework.id},
            "agent_id": {"value": agent.id},
            "hostname": agent.hostname,
            "url": {"scheme": "http", "address": {"hostname": agent.hostname, "ip": "127.0.0.1", "port": agent.port},
                    "path": "/slave(1)"},
            "resources": resources.to_proto(role_field=not refinement, allocation_role=role if multi_role else None),
            "attributes": agent.attributes,
        }
        if multi_role:
            wire["allocation_info"] = {"role": role}
        executors = sorted({t.executor_id for t in agent.tasks.values()
                            if t.framework_id == framework.id and t.kind != "command" and not t.completed})
        if executors:
            wire["executor_ids"] = [{"value": e} for e in executors]
        offer = Offer(offer_id, framework.id, agent.id, resources, role, time.monotonic(), wire)
        self.offers[offer_id] = offer
        framework.offers[offer_id] = offer
        return offer

    def decline(self, framework: Framework, decline: dict):
        offer_ids = [o["value"] for o in decline.get("offer_ids", [])]
        filters = decline.get("filters", {})
        entry = {"time": time.time(), "framework_id": framework.id, "offer_ids": offer_ids,
                 "refuse_seconds": filters.get("refuse_seconds"), "call": "DECLINE", "valid_offer_ids": []}
        for offer_id in offer_ids:
            offer = self.offers.get(offer_id)
            if offer is None or offer.framework_id != framework.id:
                continue
            self._remove_offer(offer)
            entry["effective_refuse_seconds"] = self.add_filter(framework, offer.agent_id, offer.resources, filters)
            entry["valid_offer_ids"].append(offer_id)
        self._append(self.declines, entry)

    def suppress_or_revive(self, framework: Framework, kind: str, body: dict | None):
        roles = (body or {}).get("roles", [])
        entry = {"time": time.time(), "framework_id": framework.id, "call": kind, "roles": roles}
        self._append(self.suppress_revive, entry)
        for role in roles:
            error = protocol.validate_role(role)
            if error or role not in framework.roles:
                entry["dropped"] = (f"{kind.lower()} role '{role}' is invalid: {error}" if error else
                                    f"{kind.lower()} role '{role}' is not one of the frameworks's subscribed roles")
                return
        targets = set(roles) if roles else set(framework.roles)
        if kind == "SUPPRESS":
            framework.suppressed |= targets
        else:
            framework.suppressed -= targets
            framework.filters = []  # REVIVE clears the filters of the revived roles
            self.allocate_soon = True
        entry["suppressed_roles"] = sorted(framework.suppressed)

    # -- launching ------------------------------------------------------------------------------------------------

    def _validate_offer_ids(self, offer_ids: list[str], framework: Framework) -> str | None:
        """validation::offer::validate."""
        if len(set(offer_ids)) != len(offer_ids):
            dup = next(o for o in offer_ids if offer_ids.count(o) > 1)
            return f"Duplicate offer {dup} in offer list"
        for offer_id in offer_ids:
            if offer_id not in self.offers:
                return f"Offer {offer_id} is no longer valid"
        for offer_id in offer_ids:
            offer = self.offers[offer_id]
            if offer.framework_id != framework.id:
                return (f"Offer {offer_id} has invalid framework {offer.framework_id} while framework "
                        f"{framework.id} is expected")
        roles = {self.offers[o].role for o in offer_ids}
        if len(roles) > 1:
            return "Aggregated offers must be allocated to the same role"
        agents = [self.offers[o].agent_id for o in offer_ids]
        for offer_id, agent_id in zip(offer_ids, agents):
            if agent_id != agents[0]:
                return (f"Aggregated offers must belong to one single agent. Offer {offer_id} uses agent "
                        f"{agent_id} and agent {agents[0]}")
        return None

    def _record_launch(self, framework: Framework, operation: str, raw_task: dict, raw_executor: dict | None,
                       offer_ids: list[str]) -> dict:
        record = {"time": time.time(), "framework_id": framework.id, "operation": operation,
                  "offer_ids": offer_ids, "task_info": raw_task}
        if raw_executor is not None:
            record["executor_info"] = raw_executor
        self._append(self.launches, record)
        return record

    @staticmethod
    def _task_infos(operation: dict, raw_operation: dict):
        if operation.get("type") == "LAUNCH":
            return (operation.get("launch", {}).get("task_infos", []),
                    _as_list((raw_operation.get("launch") or {}).get("task_infos")))
        if operation.get("type") == "LAUNCH_GROUP":
            group = operation.get("launch_group", {})
            raw_group = raw_operation.get("launch_group") or {}
            return (group.get("task_group", {}).get("tasks", []),
                    _as_list((raw_group.get("task_group") or {}).get("tasks")))
        return [], []

    def accept(self, framework: Framework, accept: dict, raw_accept: dict):
        """Master::accept and _accept for LAUNCH and LAUNCH_GROUP; other operations are dropped."""
        offer_ids = [o["value"] for o in accept.get("offer_ids", [])]
        operations = accept.get("operations", [])
        raw_operations = _as_list(raw_accept.get("operations"))
        error = "No offers specified" if not offer_ids else self._validate_offer_ids(offer_ids, framework)
        if error:
            for offer_id in offer_ids:
                offer = self.offers.get(offer_id)
                if offer is not None:
                    self._remove_offer(offer)
            state = "TASK_DROPPED" if framework.partition_aware else "TASK_LOST"
            for operation, raw_operation in zip(operations, raw_operations):
                tasks, raw_tasks = self._task_infos(operation, raw_operation)
                for task, raw_task in zip(tasks, raw_tasks):
                    record = self._record_launch(framework, operation.get("type"), raw_task,
                                                 (raw_operation.get("launch_group") or {}).get("executor"),
                                                 offer_ids)
                    record["error"] = "Task launched with invalid offers: " + error
                    self.master_update(framework, task["task_id"]["value"], state, record["error"],
                                       "REASON_INVALID_OFFERS", agent_id=task["agent_id"]["value"])
            return

        agent = self.agents[self.offers[offer_ids[0]].agent_id]
        role = self.offers[offer_ids[0]].role
        remaining = Resources()
        for offer_id in offer_ids:
            remaining = remaining + self.offers[offer_id].resources
            self._remove_offer(self.offers[offer_id])

        for operation, raw_operation in zip(operations, raw_operations):
            kind = operation.get("type")
            if kind == "LAUNCH":
                tasks, raw_tasks = self._task_infos(operation, raw_operation)
                for task, raw_task in zip(tasks, raw_tasks):
                    record = self._record_launch(framework, kind, raw_task, None, offer_ids)
                    error = ("The `id` field cannot be set on LAUNCH operations" if "id" in operation
                             else self._validate_task(framework, agent, task, role, remaining))
                    if error:
                        record["error"] = error
                        self.master_update(framework, task["task_id"]["value"], "TASK_ERROR", error,
                                           "REASON_TASK_INVALID", agent_id=task["agent_id"]["value"])
                        continue
                    launched = self._add_task(framework, agent, task, raw_task, "command" if "command" in task
                                              else "custom", task.get("executor"))
                    remaining = remaining - launched.resources
                    record["accepted"] = True
                    launched.runner.start()
            elif kind == "LAUNCH_GROUP":
                remaining = self._launch_group(framework, agent, operation, raw_operation, role, remaining,
                                               offer_ids)
            # RESERVE, UNRESERVE, CREATE, ... are not simulated; without an `id` Mesos gives no feedback either.

        if not remaining.empty():
            refuse = self.add_filter(framework, agent.id, remaining, accept.get("filters", {}))
            self._append(self.declines, {"time": time.time(), "framework_id": framework.id,
                                         "offer_ids": offer_ids, "call": "ACCEPT",
                                         "refuse_seconds": accept.get("filters", {}).get("refuse_seconds"),
                                         "effective_refuse_seconds": refuse, "valid_offer_ids": offer_ids})
        self.allocate_soon = True

    def _task_resources_error(self, resources: list[dict], role: str) -> str | None:
        if not resources:
            return "Task uses no resources"
        error = validate_proto(resources)
        if error:
            return "Task uses invalid resources: " + error
        allocation_roles = {r["allocation_info"].get("role") for r in resources if "allocation_info" in r}
        if len(allocation_roles) > 1:
            return "Invalid task resources: The resources have multiple allocation roles"
        return None

    @staticmethod
    def _unreserved(resources: list[dict], role: str) -> bool:
        for resource in resources:
            if resource.get("role", "*") != "*" or resource.get("reservations") or resource.get("reservation"):
                return False
            if "allocation_info" in resource and resource["allocation_info"].get("role") != role:
                return False
        return True

    def _validate_common(self, framework: Framework, agent: Agent, task: dict) -> str | None:
        task_id = task["task_id"]["value"]
        error = protocol.validate_id(task_id)
        if error:
            return error
        existing = self._master_task(framework, task_id)
        if existing is not None:
            return f"Task has duplicate ID: {task_id}"
        if task_id in framework.unreachable_tasks:
            return f"Task reuses the ID of an unreachable task: {task_id}"
        if task["agent_id"]["value"] != agent.id:
            return f"Task uses invalid agent {task['agent_id']['value']} while agent {agent.id} is expected"
        grace = task.get("kill_policy", {}).get("grace_period")
        if grace is not None and grace["nanoseconds"] < 0:
            return "Task's 'kill_policy.grace_period' must be non-negative"
        if task.get("max_completion_time", {}).get("nanoseconds", 0) < 0:
            return "Task's `max_completion_time` must be non-negative"
        return None

    def _validate_task(self, framework: Framework, agent: Agent, task: dict, role: str,
                       available: Resources) -> str | None:
        """validation::task::validate for a LAUNCH."""
        error = self._validate_common(framework, agent, task)
        if error:
            return error
        error = self._task_resources_error(task.get("resources", []), role)
        if error:
            return error
        if "command" in task:
            error = _validate_environment(task["command"])
            if error:
                return "Task's `CommandInfo` is invalid: " + error
        if "container" in task:
            error = _validate_container(task["container"])
            if error:
                return "Task's `ContainerInfo` is invalid: " + error
        if ("executor" in task) == ("command" in task):
            return "Task should have at least one (but not both) of CommandInfo or ExecutorInfo present"
        total = Resources.from_proto(task.get("resources", []))
        resources = list(task.get("resources", []))
        if "executor" in task:
            executor = task["executor"]
            error = protocol.validate_id(executor["executor_id"]["value"])
            if error:
                return error
            fid = executor.get("framework_id", {}).get("value")
            if fid is not None and fid != framework.id:
                return (f"ExecutorInfo has an invalid FrameworkID (Actual: {fid} vs Expected: {framework.id})")
            if "type" in executor and executor["type"] != "CUSTOM":
                return "'ExecutorInfo.type' must be 'CUSTOM'"
            if "command" not in executor:
                return "'ExecutorInfo.command' must be set"
            if "container" in executor:
                error = _validate_container(executor["container"])
                if error:
                    return "Executor's `ContainerInfo` is invalid: " + error
            running = any(t.executor_id == executor["executor_id"]["value"] and t.framework_id == framework.id
                          and not t.completed for t in agent.tasks.values())
            if not running:
                total = total + Resources.from_proto(executor.get("resources", []))
                resources += executor.get("resources", [])
        if not self._unreserved(resources, role) or not available.contains(total):
            return (f"Total resources {total} required by task and its executor is more than available "
                    f"{available}")
        return None

    def _launch_group(self, framework: Framework, agent: Agent, operation: dict, raw_operation: dict, role: str,
                      remaining: Resources, offer_ids: list[str]) -> Resources:
        group = operation.get("launch_group", {})
        raw_group = raw_operation.get("launch_group") or {}
        executor = group["executor"]
        tasks = group["task_group"].get("tasks", [])
        raw_tasks = _as_list((raw_group.get("task_group") or {}).get("tasks"))
        records = [self._record_launch(framework, "LAUNCH_GROUP", raw, raw_group.get("executor"), offer_ids)
                   for raw in raw_tasks]
        error = None
        if "id" in operation:
            error = "The `id` field cannot be set on LAUNCH_GROUP operations"
        elif executor.get("type") != "DEFAULT":
            error = "'ExecutorInfo.type' must be 'DEFAULT'"
        elif "command" in executor:
            error = "'ExecutorInfo.command' must not be set"
        elif not tasks:
            error = "Task group is empty"
        total = Resources.from_proto(executor.get("resources", []))
        resources = list(executor.get("resources", []))
        if error is None:
            seen = set()
            for task in tasks:
                task_error = self._validate_common(framework, agent, task)
                task_error = task_error or self._task_resources_error(task.get("resources", []), role)
                if task_error is None and task["task_id"]["value"] in seen:
                    task_error = f"Task has duplicate ID: {task['task_id']['value']}"
                if task_error is None and "executor" in task:
                    task_error = "'TaskInfo.executor' must not be set"
                if task_error is None and "command" not in task:
                    task_error = "'TaskInfo.command' must be set"
                if task_error is None and task.get("container", {}).get("type") == "DOCKER":
                    task_error = "Docker ContainerInfo is not supported on the task"
                if task_error is None and "command" in task:
                    env_error = _validate_environment(task["command"])
                    task_error = "Task's `CommandInfo` is invalid: " + env_error if env_error else None
                if task_error:
                    error = f"Task '{task['task_id']['value']}' is invalid: {task_error}"
                    break
                seen.add(task["task_id"]["value"])
                total = total + Resources.from_proto(task.get("resources", []))
                resources += task.get("resources", [])
        if error is None and (not self._unreserved(resources, role) or not remaining.contains(total)):
            error = (f"Total resources {total} required by task group and its executor are more than available "
                     f"{remaining}")
        if error:
            for task, record in zip(tasks, records):
                record["error"] = error
                self.master_update(framework, task["task_id"]["value"], "TASK_ERROR", error,
                                   "REASON_TASK_GROUP_INVALID", agent_id=task["agent_id"]["value"])
            return remaining
        container_id = str(uuid.uuid4())
        launched = []
        for index, (task, raw_task) in enumerate(zip(tasks, raw_tasks)):
            item = self._add_task(framework, agent, task, raw_task, "group", executor, container_id=container_id)
            if index == 0:
                item.resources = item.resources + Resources.from_proto(executor.get("resources", []))
            launched.append(item)
            records[index]["accepted"] = True
        for item in launched:
            item.group = launched
            remaining = remaining - item.resources
        for item in launched:
            item.runner.start()
        return remaining

    def _add_task(self, framework: Framework, agent: Agent, info: dict, raw: dict, kind: str,
                  executor: dict | None, container_id: str | None = None) -> Task:
        executor_id = executor["executor_id"]["value"] if executor is not None else info["task_id"]["value"]
        task = Task(framework.id, info, raw, agent, kind, executor, container_id or str(uuid.uuid4()), executor_id)
        task.statuses.append({"state": "TASK_STAGING", "timestamp": task.launched_at})
        agent.tasks[(framework.id, task.task_id)] = task
        task.runner = Runner(self, task)
        return task

    def link_latest(self, task: Task):
        """The agent's runs/latest symlink to the current run of an executor."""
        run = Path(task.executor_directory)
        latest = run.parent / "latest"
        try:
            if latest.is_symlink() or latest.exists():
                if os.readlink(latest) == run.name:
                    return
                latest.unlink()
            latest.symlink_to(run.name)
        except OSError:
            pass

    def executor_exited(self, task: Task, status: int):
        """The task's process ended; an executor other than the command executor is reported gone (FAILURE)
        once the terminal updates of all its tasks are acknowledged, as an executor waits for them to exit."""
        task.wait_status = status

    def _executor_done(self, task: Task):
        if task.kind == "command" or task.abandoned:
            return
        siblings = task.group if task.kind == "group" else [task]
        if not all(t.completed for t in siblings):
            return
        agent = self.agents[task.agent_id]
        if not agent.active:
            return
        framework = self.frameworks.get(task.framework_id)
        self.send(framework, {"type": "FAILURE", "failure": {
            "agent_id": {"value": agent.id}, "executor_id": {"value": task.executor_id},
            "status": 0 if task.kind == "group" else (task.wait_status or 0)}})

    # -- kill, shutdown, reconcile ---------------------------------------------------------------------------------

    def _master_task(self, framework: Framework, task_id: str) -> Task | None:
        for agent in self.agents.values():
            task = agent.tasks.get((framework.id, task_id))
            if task is not None and task.master_known and not task.completed:
                return task
        return None

    def kill(self, framework: Framework, kill: dict):
        task_id = kill["task_id"]["value"]
        agent_id = kill.get("agent_id", {}).get("value")
        task = self._master_task(framework, task_id)
        if task is None:
            # Master::kill: an unknown task is answered by reconciliation.
            item = {"task_id": {"value": task_id}}
            if agent_id is not None:
                item["agent_id"] = {"value": agent_id}
            self.reconcile(framework, [item])
            return "unknown task: reconciled"
        if agent_id is not None and agent_id != task.agent_id:
            return "task belongs to another agent: ignored"
        grace = None
        if "grace_period" in kill.get("kill_policy", {}):
            grace = max(0.0, kill["kill_policy"]["grace_period"]["nanoseconds"] / 1e9)
        agent = self.agents[task.agent_id]
        if not agent.connected:
            agent.pending_kills[(framework.id, task_id)] = grace
            return "agent disconnected: kill held until it re-registers"
        return self._agent_kill(task, grace)

    def _agent_kill(self, task: Task, grace: float | None) -> str:
        if is_terminal(task.agent_state) or task.runner is None:
            return "task already terminal"
        if grace is None:
            grace = task.kill_grace()
        if grace is None:
            grace = DEFAULT_KILL_GRACE
        framework = self.frameworks.get(task.framework_id)
        started = task.runner.request_kill(grace)
        if (started and task.runner.proc is not None and framework is not None
                and "TASK_KILLING_STATE" in framework.capabilities and task.agent_state == "TASK_RUNNING"):
            self.agent_status(task, "TASK_KILLING", "SOURCE_EXECUTOR")
        if task.kind == "group":
            for sibling in task.group:
                if sibling is not task and sibling.runner is not None and not is_terminal(sibling.agent_state):
                    sibling.runner.request_kill(grace)
        return "killing"

    def shutdown_executor(self, framework: Framework, shutdown: dict) -> str:
        agent = self.agents.get(shutdown["agent_id"]["value"])
        executor_id = shutdown["executor_id"]["value"]
        if agent is None or not agent.active:
            return "agent not registered: dropped"
        count = 0
        for task in list(agent.tasks.values()):
            if task.framework_id == framework.id and task.executor_id == executor_id:
                self._agent_kill(task, None)
                count += 1
        return f"killing {count} task(s)"

    def reconcile(self, framework: Framework, items: list[dict]):
        """Master::reconcile. The answers are master updates: no uuid, REASON_RECONCILIATION."""
        pa = framework.partition_aware

        def answer(task_id, state, message, agent_id=None, **kw):
            self.master_update(framework, task_id, state, message, "REASON_RECONCILIATION", agent_id=agent_id, **kw)

        def latest(task: Task):
            state = task.su_state or task.state
            extra = {"container_status": self.container_status(task)} if task.pid is not None else {}
            answer(task.task_id, state, "Reconciliation: Latest task state", task.agent_id,
                   executor_id=task.executor_id if task.kind != "command" else None, extra=extra)

        if not items:
            for agent in sorted(self.agents.values(), key=lambda a: a.id):
                for task in list(agent.tasks.values()):
                    if task.framework_id == framework.id and task.master_known and not task.completed:
                        latest(task)
            return
        recovered = {a.id for a in self.agents.values() if a.recovered}
        for item in items:
            task_id = item["task_id"]["value"]
            agent_id = item.get("agent_id", {}).get("value")
            task = self._master_task(framework, task_id)
            agent = self.agents.get(agent_id) if agent_id is not None else None
            if task is not None:
                latest(task)
            elif (agent_id is not None and agent_id in recovered) or (agent_id is None and recovered):
                continue  # the agent has not re-registered since the master failed over: no answer
            elif agent is not None and agent.registered:
                answer(task_id, "TASK_GONE" if pa else "TASK_LOST", "Reconciliation: Task is unknown to the agent",
                       agent_id)
            elif agent is not None and agent.unreachable_time is not None:
                answer(task_id, "TASK_UNREACHABLE" if pa else "TASK_LOST", "Reconciliation: Task is unreachable",
                       agent_id, extra={"unreachable_time": {"nanoseconds": int(agent.unreachable_time * 1e9)}})
            elif agent is not None and agent.gone:
                answer(task_id, "TASK_GONE_BY_OPERATOR" if pa else "TASK_LOST", "Reconciliation: Task is gone",
                       agent_id)
            else:
                answer(task_id, "TASK_UNKNOWN" if pa else "TASK_LOST", "Reconciliation: Task is unknown", agent_id)

    def reconcile_operations(self, framework: Framework, operations: list[dict]):
        """No offer operations are simulated: explicit reconciliation answers from the agent's state only."""
        for item in operations:
            agent_id = item.get("agent_id", {}).get("value")
            agent = self.agents.get(agent_id) if agent_id is not None else None
            if agent is not None and agent.recovered:
                state, message = "OPERATION_RECOVERING", "Reconciliation: Agent is recovered but has not re-registered"
            elif agent is not None and agent.registered:
                state, message = "OPERATION_UNKNOWN", "Reconciliation: Operation is unknown"
            elif agent is not None and agent.unreachable_time is not None:
                state, message = "OPERATION_UNREACHABLE", "Reconciliation: Agent is unreachable"
            elif agent is not None and agent.gone:
                state, message = "OPERATION_GONE_BY_OPERATOR", "Reconciliation: Agent marked gone by operator"
            else:
                state, message = "OPERATION_UNKNOWN", "Reconciliation: Both operation and agent are unknown"
            status = {"operation_id": item["operation_id"], "state": state, "message": message}
            if agent_id is not None:
                status["agent_id"] = {"value": agent_id}
            self.send(framework, {"type": "UPDATE_OPERATION_STATUS", "update_operation_status": {"status": status}})

    def update_framework(self, framework: Framework, update: dict) -> tuple[int, str]:
        """Master::updateFramework: applied synchronously, 200 with an empty body, or 400 with the reason."""
        info = dict(update["framework_info"])
        error = protocol.validate_framework_info(info)
        old = framework.info
        if error is None and old.get("principal") != info.get("principal"):
            error = "Changing framework's principal is not allowed."
        if error is None and info["user"] != old["user"]:
            error = (f"Updating 'FrameworkInfo.user' is unsupported; attempted to update from '{old['user']}' "
                     f"to '{info['user']}'")
        if error is None and info.get("checkpoint", False) != old.get("checkpoint", False):
            error = (f"Updating 'FrameworkInfo.checkpoint' is unsupported; attempted to update from "
                     f"'{str(old.get('checkpoint', False)).lower()}' to '{str(info.get('checkpoint', False)).lower()}'")
        suppressed = set(update.get("suppressed_roles", []))
        if error is None and suppressed - set(protocol.framework_roles(info)):
            error = ("Suppressed roles { " + ", ".join(sorted(suppressed - set(protocol.framework_roles(info)))) +
                     " } are not contained in the set of roles")
        if error:
            return 400, error
        framework.info = info
        framework.suppressed = suppressed
        for offer in list(framework.offers.values()):
            if offer.role not in framework.roles:
                self._remove_offer(offer, rescind=True)
        self.allocate_soon = True
        return 200, ""

    # -- agents: partitions and removal -----------------------------------------------------------------------------

    def disconnect_agent(self, agent: Agent):
        """The agent's connection broke: no offers from it, no kills or acknowledgements delivered to it."""
        agent.connected = False
        self.rescind_offers(agent_id=agent.id)

    def mark_unreachable(self, agent: Agent, message: str = "health check timed out"):
        """Master::markUnreachable -> __removeSlave: tasks become UNREACHABLE (LOST without PARTITION_AWARE),
        offers are rescinded, then every connected framework gets FAILURE for the agent."""
        if not agent.registered:
            return
        agent.connected = False
        agent.registered = False
        agent.unreachable_time = time.time()
        for task in sorted(agent.tasks.values(), key=lambda t: t.launched_at):
            if not task.master_known:
                continue
            framework = self.frameworks.get(task.framework_id)
            if framework is None:
                continue
            state = "TASK_UNREACHABLE" if framework.partition_aware else "TASK_LOST"
            status = self._status(task.task_id, state, "SOURCE_MASTER", agent.id, message=message,
                                  reason="REASON_AGENT_REMOVED",
                                  executor_id=task.executor_id if task.kind != "command" else None,
                                  extra={"unreachable_time": {"nanoseconds": int(agent.unreachable_time * 1e9)}})
            task.statuses.append(status)
            task.state = state
            task.su_state = None
            task.master_known = False
            task.holds_resources = False
            framework.unreachable_tasks[task.task_id] = task
            self.send(framework, {"type": "UPDATE", "update": {"status": status}})
        self.rescind_offers(agent_id=agent.id)
        for framework in self.frameworks.values():
            if framework.known and framework.connected:
                self.send(framework, {"type": "FAILURE", "failure": {"agent_id": {"value": agent.id}}})
        self.allocate_soon = True

    def mark_gone(self, agent: Agent):
        """The operator marked the agent gone: its tasks are GONE_BY_OPERATOR (LOST) and are killed."""
        for task in sorted(agent.tasks.values(), key=lambda t: t.launched_at):
            framework = self.frameworks.get(task.framework_id)
            if task.runner is not None:
                task.abandoned = True
                task.runner.terminate_now()
            if framework is None or not task.master_known:
                continue
            state = "TASK_GONE_BY_OPERATOR" if framework.partition_aware else "TASK_LOST"
            status = self._status(task.task_id, state, "SOURCE_MASTER", agent.id, message="Agent marked gone",
                                  reason="REASON_AGENT_REMOVED_BY_OPERATOR",
                                  executor_id=task.executor_id if task.kind != "command" else None)
            task.statuses.append(status)
            task.state = state
            task.holds_resources = False
            self.send(framework, {"type": "UPDATE", "update": {"status": status}})
        for task in list(agent.tasks.values()):
            task.pending.clear()
            self._complete(task, agent)
        self.rescind_offers(agent_id=agent.id)
        agent.registered = agent.connected = False
        agent.gone = True
        for framework in self.frameworks.values():
            if framework.known and framework.connected:
                self.send(framework, {"type": "FAILURE", "failure": {"agent_id": {"value": agent.id}}})

    def reregister_agent(self, agent: Agent):
        """The agent comes back (after a partition or a master failover) with the tasks it still has."""
        if agent.gone:
            return
        agent.registered = agent.connected = True
        agent.recovered = False
        agent.unreachable_time = None
        agent.registered_time = time.time()
        for task in list(agent.tasks.values()):
            framework = self.frameworks.get(task.framework_id)
            if framework is None:
                # The framework was removed meanwhile: the agent is told to shut it down.
                task.abandoned = True
                if task.runner is not None:
                    task.runner.terminate_now()
                task.pending.clear()
                self._complete(task, agent)
                continue
            framework.unreachable_tasks.pop(task.task_id, None)
            if not framework.known:
                framework.known = True
                framework.recovered = True
            task.master_known = True
            task.state = task.agent_state
            task.holds_resources = task.state not in RESOURCE_FREEING
        for key, grace in list(agent.pending_kills.items()):
            task = agent.tasks.get(key)
            if task is not None:
                self._agent_kill(task, grace)
        agent.pending_kills.clear()
        self.resume_updates(agent_id=agent.id)
        self.allocate_soon = True

    # -- master failover --------------------------------------------------------------------------------------------

    def lose_leadership(self):
        """The leading master is gone: every stream breaks; nobody leads until `elect`."""
        for framework in self.frameworks.values():
            if framework.stream is not None:
                framework.stream.close(clean=False)
                framework.stream = None
            framework.active = False
            framework.offers.clear()
        self.offers.clear()
        self.leader = None

    def elect(self, index: int, agent_reregister_delay: float = 0.0):
        """A newly elected master: it knows agents from the registry but no frameworks, tasks or offers until the
        agents re-register and the schedulers subscribe again. Failover timeouts restart from nothing
        (MESOS-4659) and removed framework ids are forgotten (they are not in the registry)."""
        if self.leader is not None:
            self.lose_leadership()
        self.leader = index
        self.masters[index].elected_time = time.time()
        self.completed_frameworks.clear()
        for framework in self.frameworks.values():
            framework.known = False
            framework.recovered = False
            framework.failover_deadline = None
            framework.filters = []
            framework.unreachable_tasks.clear()
        for agent in self.agents.values():
            if agent.gone:
                continue
            for task in agent.tasks.values():
                task.master_known = False
            agent.recovered = agent.registered or agent.unreachable_time is None
            agent.registered = False
            agent.connected = False
        if agent_reregister_delay <= 0:
            for agent in self.agents.values():
                if agent.recovered:
                    self.reregister_agent(agent)
        else:
            for agent in self.agents.values():
                if agent.recovered:
                    self.schedule(agent_reregister_delay, "reregister", agent.id)
        self.allocate_soon = True

    # -- timers -----------------------------------------------------------------------------------------------------

    def schedule(self, delay: float, action: str, argument):
        self.delayed.append((time.monotonic() + delay, action, argument))

    def _run_delayed(self, now: float):
        due = [item for item in self.delayed if item[0] <= now]
        self.delayed = [item for item in self.delayed if item[0] > now]
        for _, action, argument in due:
            agent = self.agents.get(argument) if isinstance(argument, str) else None
            if action == "unreachable" and agent is not None and not agent.connected and agent.registered:
                self.mark_unreachable(agent)
            elif action == "reregister" and agent is not None and agent.recovered and self.leader is not None:
                self.reregister_agent(agent)
            elif action == "elect" and self.leader is None:
                self.elect(*argument)

    def _tick_loop(self):
        while not self.stopping:
            time.sleep(0.02)
            try:
                self.tick()
            except Exception:  # noqa: BLE001 - the ticker must survive a bug in one step
                import traceback
                traceback.print_exc()

    def tick(self):
        now = time.monotonic()
        with self.lock:
            if self.stopping:
                return
            for framework in list(self.frameworks.values()):
                stream = framework.stream
                if stream is not None and now >= stream.next_heartbeat:
                    if framework.heartbeats:
                        stream.send({"type": "HEARTBEAT"})
                    stream.next_heartbeat = max(stream.next_heartbeat + self.config.heartbeat_interval,
                                                now + self.config.heartbeat_interval / 2)
                if (framework.stream is None and framework.known and framework.failover_deadline is not None
                        and now >= framework.failover_deadline and self.leader is not None):
                    self.remove_framework(framework, "failover timeout")
            self._run_delayed(now)
            for agent in self.agents.values():
                for task in list(agent.tasks.values()):
                    if task.pending and task.next_resend is not None and now >= task.next_resend:
                        task.backoff = min(task.backoff * 2, self.config.update_retry_max)
                        self.forward_head(task)
            if self.config.offer_timeout is not None:
                for offer in list(self.offers.values()):
                    if now - offer.created >= self.config.offer_timeout:
                        self._remove_offer(offer, rescind=True)
            if self.allocate_soon or now - self.last_allocation >= self.config.allocation_interval:
                self.allocate()

    # -- shutdown ---------------------------------------------------------------------------------------------------

    def stop(self):
        with self.lock:
            self.stopping = True
            runners = [task.runner for agent in self.agents.values() for task in agent.tasks.values()
                       if task.runner is not None]
            for framework in self.frameworks.values():
                if framework.stream is not None:
                    framework.stream.close(clean=True)
        for runner in runners:
            runner.terminate_now()


def _as_list(value) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _validate_environment(command: dict) -> str | None:
    for variable in command.get("environment", {}).get("variables", []):
        kind = variable.get("type", "VALUE")
        name = variable["name"]
        if kind == "SECRET":
            if "secret" not in variable:
                return f"Environment variable '{name}' of type 'SECRET' must have a secret set"
            if "value" in variable:
                return f"Environment variable '{name}' of type 'SECRET' must not have a value set"
        elif kind == "VALUE":
            if "value" not in variable:
                return f"Environment variable '{name}' of type 'VALUE' must have a value set"
            if "secret" in variable:
                return f"Environment variable '{name}' of type 'VALUE' must not have a secret set"
        else:
            return "Environment variable of type 'UNKNOWN' is not allowed"
    return None


def _validate_container(container: dict) -> str | None:
    for volume in container.get("volumes", []):
        count = sum(1 for key in ("host_path", "image", "source") if key in volume)
        if count != 1:
            return "Invalid volume: Only one of them should be set: 'host_path', 'image' and 'source'"
    if container["type"] == "DOCKER":
        if "docker" not in container:
            return "DockerInfo 'docker' is not set for DOCKER typed ContainerInfo"
        for parameter in container["docker"].get("parameters", []):
            if parameter["key"] == "name":
                return "Parameter in DockerInfo must not be 'name'"
    return None

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
import threading
import time

from . import protocol
from .failures import Failures
from .launches import Launches
from .model import LOG_LIMIT, Agent, Config, Framework, Master, Offer, Stream, is_terminal
from .offers import Offers
from .resources import Resources
from .updates import StatusUpdates


class Cluster(Offers, Launches, StatusUpdates, Failures):
    """One cluster behind every master of the process; the state all HTTP handlers share."""

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

    def schedule(self, delay: float, action: str, argument):
        self.delayed.append((time.monotonic() + delay, action, argument))

    def _run_delayed(self, now: float):
        due = [item for item in self.delayed if item[0] <= now]
        self.delayed = [item for item in self.delayed if item[0] > now]
        for _, action, argument in due:
            agent = self.agents.get(argument) if isinstance(argument, str) else None
            if action == "unreachable" and agent is not None and agent.partitioned and agent.registered:
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

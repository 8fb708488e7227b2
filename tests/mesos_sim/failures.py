"""Partitions and failovers: agents disconnected, unreachable, gone or back; the leading master lost and elected."""

from __future__ import annotations

import time

from .model import RESOURCE_FREEING, Agent


class Failures:
    """Cluster's part for agent partitions and master failovers."""

    def disconnect_agent(self, agent: Agent):
        """The agent's connection broke: no offers from it, no kills or acknowledgements delivered to it."""
        agent.connected = False
        agent.partitioned = True
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
        agent.partitioned = False
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
        for agent in self.agents.values():
            if not agent.recovered or agent.partitioned:
                continue  # a partitioned agent stays recovered until it is restored
            if agent_reregister_delay <= 0:
                self.reregister_agent(agent)
            else:
                self.schedule(agent_reregister_delay, "reregister", agent.id)
        self.allocate_soon = True

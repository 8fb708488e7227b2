"""Status updates: the agent's update streams (resent until acknowledged), ACKNOWLEDGE, KILL, SHUTDOWN,
RECONCILE and RECONCILE_OPERATIONS."""

from __future__ import annotations

import time
import uuid

from . import protocol
from .executor import DEFAULT_KILL_GRACE
from .model import RESOURCE_FREEING, Agent, Framework, Task, is_terminal


class StatusUpdates:
    """Cluster's part for status updates, acknowledgements, kills and reconciliation."""

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

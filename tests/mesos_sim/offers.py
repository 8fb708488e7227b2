"""Offers: free resources per agent, the allocation cycle, refusal filters, DECLINE, SUPPRESS and REVIVE."""

from __future__ import annotations

import time

from . import protocol
from .model import DEFAULT_REFUSE_SECONDS, MAX_REFUSE_SECONDS, Agent, Filter, Framework, Offer
from .resources import Resources


class Offers:
    """Cluster's part for offers, filters and suppression."""

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

"""Unreserved agent resources: scalars (fixed point, 3 decimals, as Mesos keeps them), ranges and sets."""

from __future__ import annotations

import re

SCALE = 1000  # Mesos compares scalars in fixed point with three decimal digits.

# The allocator offers an agent only when at least this much is free (--min_allocatable_resources default).
MIN_CPUS = 10  # 0.01 CPU, in thousandths
MIN_MEM = 32 * SCALE

ORDER = ("cpus", "gpus", "mem", "disk", "ports")


def _merge(ranges):
    out: list[list[int]] = []
    for begin, end in sorted(ranges):
        if out and begin <= out[-1][1] + 1:
            out[-1][1] = max(out[-1][1], end)
        else:
            out.append([begin, end])
    return [(begin, end) for begin, end in out]


def _subtract_ranges(have, take):
    result = list(have)
    for tb, te in take:
        nxt = []
        for b, e in result:
            if te < b or tb > e:
                nxt.append((b, e))
                continue
            if b < tb:
                nxt.append((b, tb - 1))
            if te < e:
                nxt.append((te + 1, e))
        result = nxt
    return _merge(result)


def _contains_ranges(have, want):
    return not _subtract_ranges(want, have) if want else True


def format_scalar(millis: int):
    value = millis / SCALE
    return float(value)


def parse_ranges_text(text: str):
    """'31000-32000' or '[31000-31099,32000-32099]' or '31000-31099+32000-32099'."""
    text = text.strip().strip("[]")
    out = []
    for part in re.split(r"[,+]", text):
        part = part.strip()
        if not part:
            continue
        begin, _, end = part.partition("-")
        out.append((int(begin), int(end or begin)))
    return _merge(out)


class Resources:
    """A bag of unreserved resources. Scalars are kept in thousandths."""

    def __init__(self, scalars=None, ranges=None, sets=None):
        self.scalars: dict[str, int] = {k: v for k, v in (scalars or {}).items() if v > 0}
        self.ranges: dict[str, list[tuple[int, int]]] = {k: _merge(v) for k, v in (ranges or {}).items() if v}
        self.sets: dict[str, frozenset] = {k: frozenset(v) for k, v in (sets or {}).items() if v}

    # -- construction ---------------------------------------------------------------------------------------------

    @classmethod
    def from_config(cls, config: dict) -> "Resources":
        """{"cpus": 4, "mem": 4096, "ports": [[31000, 32000]] or "31000-32000", "zones": ["a"] (a set)}."""
        scalars, ranges, sets = {}, {}, {}
        for name, value in config.items():
            if value is None or value == "" or value == []:
                continue  # no such resource
            if isinstance(value, bool):
                raise ValueError(f"resource {name}: a boolean is not a resource value")
            if isinstance(value, (int, float)):
                scalars[name] = round(value * SCALE)
            elif isinstance(value, str) and re.fullmatch(r"\[?\s*\d+\s*-\s*\d+.*", value):
                ranges[name] = parse_ranges_text(value)
            elif isinstance(value, str):
                scalars[name] = round(float(value) * SCALE)
            elif isinstance(value, list) and all(isinstance(item, list) and len(item) == 2 for item in value):
                ranges[name] = [(int(b), int(e)) for b, e in value]
            elif isinstance(value, list):
                sets[name] = [str(item) for item in value]
            else:
                raise ValueError(f"resource {name}: cannot read {value!r}")
        return cls(scalars, ranges, sets)

    @classmethod
    def from_proto(cls, resources: list[dict]) -> "Resources":
        """Resource messages (already checked by `validate_proto`) -> a bag."""
        scalars: dict[str, int] = {}
        ranges: dict[str, list] = {}
        sets: dict[str, set] = {}
        for resource in resources:
            name, kind = resource["name"], resource["type"]
            if kind == "SCALAR":
                scalars[name] = scalars.get(name, 0) + round(resource["scalar"]["value"] * SCALE)
            elif kind == "RANGES":
                ranges.setdefault(name, []).extend(
                    (r["begin"], r["end"]) for r in resource.get("ranges", {}).get("range", []))
            elif kind == "SET":
                sets.setdefault(name, set()).update(resource.get("set", {}).get("item", []))
        return cls(scalars, ranges, sets)

    # -- arithmetic -----------------------------------------------------------------------------------------------

    def copy(self) -> "Resources":
        return Resources(dict(self.scalars), {k: list(v) for k, v in self.ranges.items()}, dict(self.sets))

    def __add__(self, other: "Resources") -> "Resources":
        out = self.copy()
        for k, v in other.scalars.items():
            out.scalars[k] = out.scalars.get(k, 0) + v
        for k, v in other.ranges.items():
            out.ranges[k] = _merge(out.ranges.get(k, []) + list(v))
        for k, v in other.sets.items():
            out.sets[k] = frozenset(out.sets.get(k, frozenset()) | v)
        return out

    def __sub__(self, other: "Resources") -> "Resources":
        scalars = dict(self.scalars)
        for k, v in other.scalars.items():
            if k in scalars:
                scalars[k] = max(0, scalars[k] - v)
        ranges = {k: _subtract_ranges(v, other.ranges.get(k, [])) for k, v in self.ranges.items()}
        sets = {k: v - other.sets.get(k, frozenset()) for k, v in self.sets.items()}
        return Resources(scalars, ranges, sets)

    def contains(self, other: "Resources") -> bool:
        for k, v in other.scalars.items():
            if self.scalars.get(k, 0) < v:
                return False
        for k, v in other.ranges.items():
            if not _contains_ranges(self.ranges.get(k, []), v):
                return False
        for k, v in other.sets.items():
            if not v <= self.sets.get(k, frozenset()):
                return False
        return True

    def empty(self) -> bool:
        return not (self.scalars or self.ranges or self.sets)

    def allocatable(self) -> bool:
        return self.scalars.get("cpus", 0) >= MIN_CPUS or self.scalars.get("mem", 0) >= MIN_MEM

    def capped(self, caps: dict) -> "Resources":
        """At most `caps` of each named scalar (used to make offers too small on purpose)."""
        out = self.copy()
        for name, value in caps.items():
            if name in out.scalars:
                out.scalars[name] = min(out.scalars[name], round(value * SCALE))
                if out.scalars[name] <= 0:
                    del out.scalars[name]
        return out

    # -- output ---------------------------------------------------------------------------------------------------

    def names(self) -> list[str]:
        names = set(self.scalars) | set(self.ranges) | set(self.sets)
        return sorted(names, key=lambda n: (ORDER.index(n) if n in ORDER else len(ORDER), n))

    def to_proto(self, *, role_field: bool, allocation_role: str | None) -> list[dict]:
        """Resource messages for an offer. `role_field`: the pre-reservation-refinement `"role":"*"`."""
        out = []
        for name in self.names():
            if name in self.scalars:
                resource = {"name": name, "type": "SCALAR", "scalar": {"value": format_scalar(self.scalars[name])}}
            elif name in self.ranges:
                resource = {"name": name, "type": "RANGES",
                            "ranges": {"range": [{"begin": b, "end": e} for b, e in self.ranges[name]]}}
            else:
                resource = {"name": name, "type": "SET", "set": {"item": sorted(self.sets[name])}}
            if role_field:
                resource["role"] = "*"
            if allocation_role is not None:
                resource["allocation_info"] = {"role": allocation_role}
            out.append(resource)
        return out

    def to_model(self) -> dict:
        """The flat object of /state: {"cpus": 4.0, "mem": 4096.0, "disk": 0.0, "gpus": 0.0, "ports": "[a-b]"}."""
        model = {"disk": 0.0, "mem": 0.0, "gpus": 0.0, "cpus": 0.0}
        for name, value in self.scalars.items():
            model[name] = format_scalar(value)
        for name, value in self.ranges.items():
            model[name] = "[" + ", ".join(f"{b}-{e}" for b, e in value) + "]"
        for name, value in self.sets.items():
            model[name] = "{" + ", ".join(sorted(value)) + "}"
        return model

    def __str__(self) -> str:
        parts = []
        for name in self.names():
            if name in self.scalars:
                value = format_scalar(self.scalars[name])
                parts.append(f"{name}:{value:g}")
            elif name in self.ranges:
                parts.append(f"{name}:[" + ", ".join(f"{b}-{e}" for b, e in self.ranges[name]) + "]")
            else:
                parts.append(f"{name}:{{" + ", ".join(sorted(self.sets[name])) + "}")
        return "; ".join(parts) if parts else "{}"


def validate_proto(resources: list[dict]) -> str | None:
    """Resources::validate, for the unreserved resources the simulator offers."""
    for resource in resources:
        name, kind = resource["name"], resource["type"]
        if not name:
            return "Empty resource name"
        if kind == "SCALAR":
            if "scalar" not in resource or "ranges" in resource or "set" in resource:
                return f"Invalid scalar resource: {name}"
            value = resource["scalar"]["value"]
            if value != value or value in (float("inf"), float("-inf")) or value < 0:
                return f"Invalid scalar resource: {name}"
        elif kind == "RANGES":
            if "ranges" not in resource or "scalar" in resource or "set" in resource:
                return f"Invalid ranges resource: {name}"
            for r in resource["ranges"].get("range", []):
                if r["begin"] > r["end"]:
                    return f"Invalid ranges resource: {name}"
        elif kind == "SET":
            if "set" not in resource or "scalar" in resource or "ranges" in resource:
                return f"Invalid set resource: {name}"
        else:
            return f"Unsupported resource type: {kind}"
    return None


def attribute_proto(name: str, value) -> dict:
    """One agent attribute from the config: text, scalar, set (list) or ranges ({"ranges": [[b, e]]})."""
    if isinstance(value, bool):
        value = "true" if value else "false"
    if isinstance(value, (int, float)):
        return {"name": name, "type": "SCALAR", "scalar": {"value": float(value)}}
    if isinstance(value, list):
        return {"name": name, "type": "SET", "set": {"item": [str(item) for item in value]}}
    if isinstance(value, dict) and "ranges" in value:
        return {"name": name, "type": "RANGES",
                "ranges": {"range": [{"begin": int(b), "end": int(e)} for b, e in value["ranges"]]}}
    return {"name": name, "type": "TEXT", "text": {"value": str(value)}}


def attribute_from_text(name: str, text: str) -> dict:
    """The agent's --attributes rules: a number is a SCALAR, [a-b,...] RANGES, {a,b} a SET, else TEXT."""
    text = text.strip()
    if re.fullmatch(r"-?\d+(\.\d+)?", text):
        return attribute_proto(name, float(text))
    if text.startswith("[") and text.endswith("]"):
        return attribute_proto(name, {"ranges": parse_ranges_text(text)})
    if text.startswith("{") and text.endswith("}"):
        return attribute_proto(name, [item.strip() for item in text[1:-1].split(",") if item.strip()])
    return attribute_proto(name, text)


def attribute_model(attribute: dict):
    """The value an attribute has in /state's "attributes" object."""
    kind = attribute["type"]
    if kind == "SCALAR":
        return attribute["scalar"]["value"]
    if kind == "TEXT":
        return attribute["text"]["value"]
    if kind == "SET":
        return "{" + ",".join(attribute["set"]["item"]) + "}"
    return "[" + ",".join(f"{r['begin']}-{r['end']}" for r in attribute["ranges"]["range"]) + "]"

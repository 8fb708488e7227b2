"""The wire format: a v1 scheduler ``Call`` read from JSON the way the master reads it, and RecordIO framing.

The master turns the JSON body into a protobuf with stout's ``protobuf::parse``, then validates the call.
This module does the same against a table of the messages the simulator looks into:

* unknown JSON fields are ignored; ``null`` leaves a field unset;
* a number or boolean may be given as a JSON string (``"5"``, ``"true"``), a double as ``"Infinity"``;
* a JSON array for a non-repeated field, an object for a scalar, a number for a string (and so on) is an error;
* an unknown enum name unsets an optional field and is an error for a required one;
* ``bytes`` are base64, decoded strictly;
* required fields missing anywhere in the tree are reported together, with their paths.

The messages and fields are those of schema.py; others are kept as the JSON object received (``ANY``).
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import re

from .schema import ANY, ENUMS, INT_KINDS, MESSAGES


class ParseError(Exception):
    """A body that stout's JSON-to-protobuf conversion would refuse; the text is stout's message."""


_JSON_NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?\Z")


def _json_kind(value) -> str:
    if isinstance(value, dict):
        return "object"
    if isinstance(value, list):
        return "array"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    return "string"


def _convert(field: str, label: str, kind, value, into: dict):
    """Applies one JSON value to field `field` of the message being built (`into`), as stout's Parser does."""
    if value is None:
        return
    if isinstance(value, list):
        if label != "rep":
            raise ParseError(f"Not expecting a JSON array for field '{field}'")
        for item in value:
            _convert(field, label, kind, item, into)
        return

    def store(converted):
        if label == "rep":
            into.setdefault(field, []).append(converted)
        else:
            into[field] = converted

    if kind == ANY:
        store(value)
        return
    if isinstance(kind, tuple) and kind[0] == "map":
        if not isinstance(value, dict):
            raise ParseError(f"Not expecting a JSON {_json_kind(value)} for field '{field}'")
        entries = into.setdefault(field, {})
        for key, item in value.items():
            holder: dict = {}
            _convert("value", "opt", kind[1], item, holder)
            entries[key] = holder.get("value")
        return
    if isinstance(kind, tuple) and kind[0] == "msg":
        if not isinstance(value, dict):
            raise ParseError(f"Not expecting a JSON {_json_kind(value)} for field '{field}'")
        if label == "rep":
            store(_parse_message(kind[1], value))
        else:
            # A second object for the same singular field merges into the first (MutableMessage).
            existing = into.get(field)
            into[field] = _parse_message(kind[1], value, existing)
        return
    if isinstance(value, dict):
        raise ParseError(f"Not expecting a JSON object for field '{field}'")

    if isinstance(kind, tuple) and kind[0] == "enum":
        if not isinstance(value, str) or isinstance(value, bool):
            raise ParseError(f"Not expecting a JSON {_json_kind(value)} for field '{field}'")
        if value not in ENUMS[kind[1]]:
            if label == "req":
                raise ParseError(f"Failed to find enum for '{value}'")
            return  # proto2: an unknown value of an optional enum leaves the field unset
        store(value)
        return

    if kind == "string":
        if not isinstance(value, str):
            raise ParseError(f"Not expecting a JSON {_json_kind(value)} for field '{field}'")
        store(value)
    elif kind == "bytes":
        if not isinstance(value, str):
            raise ParseError(f"Not expecting a JSON {_json_kind(value)} for field '{field}'")
        try:
            store(base64.b64decode(value.encode("ascii"), validate=True))
        except (binascii.Error, UnicodeEncodeError, ValueError) as error:
            raise ParseError(f"Failed to base64 decode bytes field '{field}': {error}") from None
    elif kind == "bool":
        if isinstance(value, bool):
            store(value)
        elif isinstance(value, str):
            if value not in ("true", "false"):
                raise ParseError(f"Failed to parse '{value}' as a JSON boolean for field '{field}'")
            store(value == "true")
        else:
            raise ParseError(f"Not expecting a JSON number for field '{field}'")
    elif kind == "double" or kind in INT_KINDS:
        if isinstance(value, bool):
            raise ParseError(f"Not expecting a JSON boolean for field '{field}'")
        if isinstance(value, str):
            if kind == "double" and value in ("Infinity", "-Infinity"):
                number = math.inf if value == "Infinity" else -math.inf
            elif _JSON_NUMBER.match(value):
                number = json.loads(value)
            else:
                raise ParseError(f"Failed to parse '{value}' as a JSON number for field '{field}'")
        else:
            number = value
        if kind == "double":
            store(float(number))
        else:
            store(int(number))
    else:  # pragma: no cover - the schema names only the kinds above
        raise AssertionError(kind)


def _parse_message(name: str, obj: dict, into: dict | None = None) -> dict:
    fields = MESSAGES[name]
    message = into if into is not None else {}
    for key, value in obj.items():
        spec = fields.get(key)
        if spec is None:
            continue  # unknown fields are ignored
        label, kind = spec
        _convert(key, label, kind, value, message)
    return message


def _missing(name: str, message: dict, prefix: str, out: list[str]):
    for field, (label, kind) in MESSAGES[name].items():
        present = field in message
        if label == "req" and not present:
            out.append(prefix + field)
        if not present or not (isinstance(kind, tuple) and kind[0] == "msg"):
            continue
        if label == "rep":
            for index, item in enumerate(message[field]):
                _missing(kind[1], item, f"{prefix}{field}[{index}].", out)
        else:
            _missing(kind[1], message[field], f"{prefix}{field}.", out)
    for field, (label, kind) in MESSAGES[name].items():
        if isinstance(kind, tuple) and kind[0] == "map" and isinstance(kind[1], tuple) and kind[1][0] == "msg":
            for key, item in (message.get(field) or {}).items():
                if item is None:
                    continue
                _missing(kind[1][1], item, f"{prefix}{field}[{key}].value.", out)


def parse_message(name: str, value) -> dict:
    """JSON value -> message dict, or ParseError with stout's wording."""
    if not isinstance(value, dict):
        raise ParseError("Expecting a JSON object")
    message = _parse_message(name, value)
    missing: list[str] = []
    _missing(name, message, "", missing)
    if missing:
        raise ParseError("Missing required fields: " + ", ".join(missing))
    return message


def _reject_constant(name):
    raise ValueError(f"invalid JSON literal {name}")


def loads_json(body: bytes):
    """Strict JSON, as picojson reads it (no NaN/Infinity literals)."""
    return json.loads(body.decode("utf-8"), parse_constant=_reject_constant)


# ---------------------------------------------------------------------------------------------------------------------
# Validation that the master does after the conversion (validation.cpp, common/validation.cpp).

NAME_MAX = 255


def validate_id(value: str) -> str | None:
    """Mesos's rule for task, executor, agent and framework IDs."""
    if value == "":
        return "ID must not be empty"
    if len(value.encode()) > NAME_MAX:
        return f"ID must not be greater than {NAME_MAX} characters"
    if value in (".", ".."):
        return f"'{value}' is disallowed"
    if any(ch in "/\\" or ord(ch) < 32 or ord(ch) == 127 for ch in value):
        return f"'{value}' contains invalid characters"
    return None


def valid_uuid_bytes(raw: bytes) -> bool:
    """stout's UUID::fromBytes: exactly 16 bytes with a known version."""
    if len(raw) != 16:
        return False
    version = raw[6] >> 4
    return 1 <= version <= 5


def _id(message: dict | None) -> str:
    return (message or {}).get("value", "")


def validate_call(call: dict) -> str | None:
    """The master's validation::scheduler::call::validate; returns the error text or None."""
    kind = call.get("type")
    if kind is None:
        return "Expecting 'type' to be present"
    if kind == "SUBSCRIBE":
        if "subscribe" not in call:
            return "Expecting 'subscribe' to be present"
        info = call["subscribe"]["framework_info"]
        if _id(info.get("id")) != _id(call.get("framework_id")):
            return "'framework_id' differs from 'subscribe.framework_info.id'"
        return None
    if "framework_id" not in call:
        return "Expecting 'framework_id' to be present"
    required = {
        "ACCEPT": "accept", "DECLINE": "decline", "ACCEPT_INVERSE_OFFERS": "accept_inverse_offers",
        "DECLINE_INVERSE_OFFERS": "decline_inverse_offers", "KILL": "kill", "SHUTDOWN": "shutdown",
        "ACKNOWLEDGE": "acknowledge", "ACKNOWLEDGE_OPERATION_STATUS": "acknowledge_operation_status",
        "RECONCILE": "reconcile", "RECONCILE_OPERATIONS": "reconcile_operations", "MESSAGE": "message",
        "REQUEST": "request", "UPDATE_FRAMEWORK": "update_framework",
    }
    field = required.get(kind)
    if field and field not in call:
        return f"Expecting '{field}' to be present"
    if kind == "ACKNOWLEDGE" and not valid_uuid_bytes(call["acknowledge"]["uuid"]):
        return "Not a valid UUID"
    if kind == "ACKNOWLEDGE_OPERATION_STATUS":
        if not valid_uuid_bytes(call["acknowledge_operation_status"]["uuid"]):
            return "Not a valid UUID"
        if "agent_id" not in call["acknowledge_operation_status"]:
            return "Expecting 'agent_id' to be present"
    if kind == "UPDATE_FRAMEWORK":
        if _id(call["framework_id"]) != _id(call["update_framework"]["framework_info"].get("id")):
            return "'framework_id' differs from 'update_framework.framework_info.id'"
    return None


def validate_role(role: str) -> str | None:
    if role == "*":
        return None
    if role.startswith("/"):
        return f"Role '{role}' cannot start with a slash"
    if role.endswith("/"):
        return f"Role '{role}' cannot end with a slash"
    if "//" in role:
        return f"Role '{role}' cannot contain two adjacent slashes"
    parts = [part for part in role.split("/") if part]
    if not parts:
        return "Role names cannot be the empty string"
    for part in parts:
        if part == ".":
            return f"Role '{role}' cannot include '.' as a component"
        if part == "..":
            return f"Role '{role}' cannot include '..' as a component"
        if part == "*":
            return f"Role '{role}' cannot include '*' as a component"
        if part.startswith("-"):
            return f"Role component '{part}' is invalid because it starts with a dash"
        if any(ch.isspace() or ord(ch) < 32 or ch == "\x7f" for ch in part):
            return f"Role component '{part}' is invalid because it contains backspace or whitespace"
    return None


def capabilities(info: dict) -> set[str]:
    return {cap["type"] for cap in info.get("capabilities", []) if "type" in cap}


def framework_roles(info: dict) -> list[str]:
    if "MULTI_ROLE" in capabilities(info):
        return list(info.get("roles", []))
    return [info.get("role", "*")]


def validate_framework_info(info: dict) -> str | None:
    """validation::framework::validate: roles, id and failover_timeout."""
    caps = capabilities(info)
    if "MULTI_ROLE" in caps:
        if "role" in info:
            return "'FrameworkInfo.role' must not be set when the framework is MULTI_ROLE capable"
        roles = info.get("roles", [])
        duplicates = sorted({role for role in roles if roles.count(role) > 1})
        if duplicates:
            return "'FrameworkInfo.roles' contains duplicate items: { " + ", ".join(duplicates) + " }"
        for role in roles:
            error = validate_role(role)
            if error:
                return "'FrameworkInfo.roles' contains invalid role: " + error
    else:
        if info.get("roles"):
            return "'FrameworkInfo.roles' must not be set when the framework is not MULTI_ROLE capable"
        error = validate_role(info.get("role", "*"))
        if error:
            return "'FrameworkInfo.role' is not a valid role: " + error
    framework_id = _id(info.get("id"))
    if framework_id:
        error = validate_id(framework_id)
        if error:
            return error
    timeout = info.get("failover_timeout", 0.0)
    if math.isnan(timeout) or math.isinf(timeout) or abs(timeout) * 1e9 >= 2 ** 63:
        return f"The framework failover_timeout ({_stringify_double(timeout)}) is invalid"
    return None


def _stringify_double(value: float) -> str:
    if math.isnan(value):
        return "nan"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    return repr(value)


# ---------------------------------------------------------------------------------------------------------------------
# Output.

def dumps(value) -> bytes:
    """Compact JSON without newlines, as the master writes it."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def recordio(event: dict) -> bytes:
    """One RecordIO record: the decimal byte length, a newline, the JSON bytes."""
    data = dumps(event)
    return str(len(data)).encode("ascii") + b"\n" + data


def b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")

"""The agent's /files endpoints (libprocess FilesProcess): read, browse and download of sandbox files.

Each executor's sandbox is attached, as the agent attaches it, under three paths: its real directory,
``.../executors/<executor>/runs/latest`` beside it, and the virtual ``/frameworks/<framework>/executors/
<executor>/runs/latest``. A path is resolved by its longest attached prefix and must stay inside it.
"""

from __future__ import annotations

import grp
import os
import pwd
import stat
import urllib.parse

PAGE_CAP = os.sysconf("SC_PAGESIZE") * 16  # /files/read returns at most 16 pages at a time


class Reply:
    def __init__(self, status: int, body: bytes = b"", content_type: str = "text/plain; charset=utf-8",
                 headers: dict | None = None):
        self.status = status
        self.body = body
        self.content_type = content_type
        self.headers = headers or {}


def attached(cluster, agent) -> dict[str, str]:
    paths: dict[str, str] = {}
    tasks = list(agent.tasks.values()) + agent.completed_tasks
    tasks.sort(key=lambda t: t.launched_at)
    for task in tasks:  # later runs of an executor win the "latest" paths
        run = task.executor_directory
        runs = os.path.dirname(run)
        paths[run] = run
        paths[os.path.join(runs, "latest")] = run
        paths[f"/frameworks/{task.framework_id}/executors/{task.executor_id}/runs/latest"] = run
    return paths


def resolve(paths: dict[str, str], requested: str):
    """FilesProcess::resolve: (real path, None), (None, None) for not found, or (None, error)."""
    path = requested.rstrip("/") if requested != "/" else requested
    tokens = path.split("/")
    suffix = ""
    while tokens:
        prefix = "/".join(tokens) or "/"
        if prefix not in paths:
            suffix = tokens[-1] if not suffix else tokens[-1] + "/" + suffix
            tokens.pop()
            continue
        base = paths[prefix]
        if os.path.isdir(base):
            full = os.path.join(base, suffix) if suffix else base
            if not os.path.exists(full):
                return None, None
            real = os.path.realpath(full)
            if not real.startswith(base):
                return None, f"'{full}' is inaccessible"
            return real, None
        if suffix:
            return None, None
        return base, None
    return None, None


def _json_string(data: bytes) -> bytes:
    """A JSON string holding raw bytes as stout writes it: quotes, backslashes and control bytes escaped."""
    out = bytearray(b'"')
    for byte in data:
        if byte == 0x22:
            out += b'\\"'
        elif byte == 0x5C:
            out += b"\\\\"
        elif byte == 0x0A:
            out += b"\\n"
        elif byte == 0x0D:
            out += b"\\r"
        elif byte == 0x09:
            out += b"\\t"
        elif byte == 0x08:
            out += b"\\b"
        elif byte == 0x0C:
            out += b"\\f"
        elif byte < 0x20 or byte == 0x7F:
            out += b"\\u%04x" % byte
        else:
            out.append(byte)
    out += b'"'
    return bytes(out)


def _jsonp(body: bytes, jsonp: str | None) -> Reply:
    if jsonp:
        return Reply(200, jsonp.encode() + b"(" + body + b");", "text/javascript")
    return Reply(200, body, "application/json")


def _numify(text: str):
    try:
        return int(text.strip()), None
    except ValueError:
        return None, f"Failed to convert '{text}' to number"


def read(paths: dict[str, str], query: dict) -> Reply:
    path = query.get("path")
    if not path:
        return Reply(400, b"Expecting 'path=value' in query.\n")
    offset = -1
    if "offset" in query:
        value, error = _numify(query["offset"])
        if error:
            return Reply(400, f"Failed to parse offset: {error}.\n".encode())
        if value < -1:
            return Reply(400, f"Negative offset provided: {value}.\n".encode())
        offset = value
    length = None
    if "length" in query:
        value, error = _numify(query["length"])
        if error:
            return Reply(400, f"Failed to parse length: {error}.\n".encode())
        if value < -1:
            return Reply(400, f"Negative length provided: {value}.\n".encode())
        if value > -1:
            length = value
    start = offset
    if offset == -1:  # the web UI's pailer asks for the size first
        start, length = 0, 0
    real, error = resolve(paths, urllib.parse.unquote(path) if path.startswith("file://") else path)
    if error:
        return Reply(400, (error + ".\n").encode())
    if real is None:
        return Reply(404)
    if os.path.isdir(real):
        return Reply(400, b"Cannot read a directory.\n")
    try:
        with open(real, "rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            if start >= size:
                data = b""
            else:
                if length is None:
                    length = size - start
                if length == 0:
                    data = b""
                else:
                    handle.seek(start)
                    data = handle.read(min(length, PAGE_CAP))
    except OSError as error:
        return Reply(500, f"Failed to open file at '{real}': {error.strerror}.\n".encode())
    shown = size if offset == -1 else offset
    body = b'{"data":' + _json_string(data) + b',"offset":' + str(shown).encode() + b"}"
    return _jsonp(body, query.get("jsonp"))


def _mode_string(mode: int) -> str:
    kind = "-"
    for test, char in ((stat.S_ISREG, "-"), (stat.S_ISDIR, "d"), (stat.S_ISCHR, "c"), (stat.S_ISBLK, "b"),
                       (stat.S_ISFIFO, "p"), (stat.S_ISLNK, "l"), (stat.S_ISSOCK, "s")):
        if test(mode):
            kind = char
            break
    bits = "".join(flag if mode & mask else "-" for flag, mask in (
        ("r", stat.S_IRUSR), ("w", stat.S_IWUSR), ("x", stat.S_IXUSR), ("r", stat.S_IRGRP), ("w", stat.S_IWGRP),
        ("x", stat.S_IXGRP), ("r", stat.S_IROTH), ("w", stat.S_IWOTH), ("x", stat.S_IXOTH)))
    return kind + bits


def _owner(uid: int) -> str:
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return str(uid)


def _group(gid: int) -> str:
    try:
        return grp.getgrgid(gid).gr_name
    except KeyError:
        return str(gid)


def browse(paths: dict[str, str], query: dict) -> Reply:
    import json
    path = query.get("path")
    if not path:
        return Reply(400, b"Expecting 'path=value' in query.\n")
    real, error = resolve(paths, path)
    if error:
        return Reply(400, (error + ".\n").encode())
    if real is None:
        return Reply(404)
    listing = []
    if os.path.isdir(real):
        for entry in sorted(os.listdir(real)):
            try:
                info = os.stat(os.path.join(real, entry))
            except OSError:
                continue
            listing.append({"gid": _group(info.st_gid), "mode": _mode_string(info.st_mode),
                            "mtime": float(int(info.st_mtime)), "nlink": info.st_nlink,
                            "path": os.path.join(path, entry), "size": info.st_size, "uid": _owner(info.st_uid)})
    return _jsonp(json.dumps(listing, separators=(",", ":")).encode(), query.get("jsonp"))


def download(paths: dict[str, str], query: dict) -> Reply:
    path = query.get("path")
    if not path:
        return Reply(400, b"Expecting 'path=value' in query.\n")
    real, error = resolve(paths, path)
    if error:
        return Reply(400, (error + ".\n").encode())
    if real is None:
        return Reply(404)
    if os.path.isdir(real):
        return Reply(400, b"Cannot download a directory.\n")
    with open(real, "rb") as handle:
        body = handle.read()
    return Reply(200, body, "application/octet-stream",
                 {"Content-Disposition": f"attachment; filename={os.path.basename(real)}"})

"""What the hostile proxy does to an answer: rules, matched per request, applied in order.

A rule (JSON) is
    {"path": REGEX, "body": REGEX, "times": N,                       which requests, how often
     "delay": S, "drip": S, "cut_after": BYTES, "endless": true,      timing and connection
     "status": CODE, "headers": {NAME: VALUE}, "location": URL,       status and headers
     "replace": [{"pattern": REGEX, "with": TEMPLATE, "count": N}],   the body
     "append": BYTES}
`path` is matched against the request's path and query, `body` against its body (a SOAP operation
name, say); both default to anything. `times` limits how many requests the rule changes (None:
all). `location` answers at once with `status` (default 302) and that Location, without asking
the upstream. In a `with` template, `{big:N}` is N letters "x" (a 10 MB value is `{big:10000000}`)
and \\1 is a group of the pattern. `drip` sends the answer one byte every S seconds; `cut_after`
sends that many bytes of the body, then closes the connection; `endless` streams the answer
without end (bounded by the proxy's own limits).
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from typing import Any

_BIG = re.compile(r"\{big:(\d+)\}")


@dataclass
class Rule:
    path: str = ""
    body: str = ""
    times: int | None = None
    delay: float = 0.0
    drip: float = 0.0
    cut_after: int | None = None
    endless: bool = False
    status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)
    location: str = ""
    replace: list[dict[str, Any]] = field(default_factory=list)
    append: int = 0
    used: int = 0

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Rule:
        known = set(cls.__dataclass_fields__) - {"used"}
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"unknown rule fields: {', '.join(sorted(unknown))}")
        return cls(**data)

    def matches(self, path: str, body: bytes) -> bool:
        if self.times is not None and self.used >= self.times:
            return False
        if self.path and not re.search(self.path, path):
            return False
        return not (self.body and not re.search(self.body.encode(), body))

    def rewrite(self, content: bytes) -> bytes:
        for item in self.replace:
            template = _BIG.sub(lambda m: "x" * int(m.group(1)), item.get("with", ""))
            content = re.sub(item["pattern"].encode(), template.encode(), content, count=item.get("count", 0))
        if self.append:
            content += b"x" * self.append
        return content

    def as_json(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.__dataclass_fields__}


class RuleBook:
    """The rules in force; the first rule that matches a request applies (and counts one use)."""

    def __init__(self) -> None:
        self._rules: list[Rule] = []
        self._lock = threading.Lock()

    def set(self, rules: list[dict[str, Any]]) -> list[Rule]:
        parsed = [Rule.from_json(rule) for rule in rules]
        with self._lock:
            self._rules = parsed
        return parsed

    def take(self, path: str, body: bytes) -> Rule | None:
        with self._lock:
            for rule in self._rules:
                if rule.matches(path, body):
                    rule.used += 1
                    return rule
        return None

    def as_json(self) -> list[dict[str, Any]]:
        with self._lock:
            return [rule.as_json() for rule in self._rules]

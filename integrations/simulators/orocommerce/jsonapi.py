"""JSON:API reading as Oro's back-office API does it: filters (with operators, comma lists and
ranges), sort, paging, include, sparse fieldsets, links, and Oro's error documents."""

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import urlencode

from .resources import TYPES, ResourceType
from .store import Resource, Store, format_datetime, id_key, related_ids

CONTENT_TYPE = "application/vnd.api+json"
OPERATORS = {"eq", "neq", "lt", "lte", "gt", "gte", "exists", "neq_or_null"}
TEXT_OPERATORS = {"contains", "not_contains", "starts_with", "not_starts_with", "ends_with", "not_ends_with"}
SHORTHAND = {">": "gt", "<": "lt", ">=": "gte", "<=": "lte", "<>": "neq", "!=": "neq"}
_FILTER = re.compile(r"^filter\[([^\]]+)\](?:\[(\w*)\])?(.*)$")
_SHORT_VALUE = re.compile(r"^(<>|>|<)(.+)$")


class ApiError(Exception):
    """An error answer: `status` and Oro's error objects."""

    def __init__(self, status: int, title: str, detail: str, source: dict[str, str] | None = None) -> None:
        super().__init__(detail)
        self.status = status
        self.errors = [_error(status, title, detail, source)]
        self.headers: list[tuple[str, str]] = []

    def document(self) -> dict[str, Any]:
        return {"errors": self.errors}


def _error(status: int, title: str, detail: str, source: dict[str, str] | None = None) -> dict[str, Any]:
    error: dict[str, Any] = {"status": str(status), "title": title, "detail": detail}
    if source:
        error["source"] = source
    return error


def not_found() -> ApiError:
    return ApiError(404, "not found http exception", "An entity with the requested identifier does not exist.")


def filter_error(parameter: str, detail: str) -> ApiError:
    return ApiError(400, "filter constraint", detail, {"parameter": parameter})


@dataclass(frozen=True)
class Range:
    """`a..b`: from low to high, both included."""

    low: Any
    high: Any


@dataclass
class Condition:
    name: str
    operator: str
    values: list[Any]  # each a value or a Range
    parameter: str
    exact: frozenset[Any] = frozenset()
    ranges: tuple[Range, ...] = ()

    def __post_init__(self) -> None:
        # Comma lists of hundreds of ids (tax values of a page's lines) are looked up, not scanned.
        self.exact = frozenset(v for v in self.values if not isinstance(v, Range))
        self.ranges = tuple(v for v in self.values if isinstance(v, Range))


@dataclass
class Query:
    """What a list request asks for."""

    conditions: list[Condition] = field(default_factory=list)
    sort: list[tuple[str, bool]] = field(default_factory=list)  # (field, descending)
    page_size: int = 10
    page_number: int = 1
    include: list[list[str]] = field(default_factory=list)
    fields: dict[str, set[str]] = field(default_factory=dict)


def _comparable(kind: str, text: Any, parameter: str) -> Any:
    """A filter value (or a stored value) as what it compares as."""
    if text is None:
        return None
    if kind == "id":
        text = str(text)
        return id_key(text)
    if kind == "datetime":
        if isinstance(text, str) and text.endswith("Z") and len(text) == 20:
            return text
        try:
            moment = datetime.fromisoformat(str(text).replace("Z", "+00:00"))
        except ValueError as error:
            raise filter_error(parameter, f'Expected datetime value. Given "{text}".') from error
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        return format_datetime(moment)
    if kind in ("int", "number"):
        try:
            return Decimal(str(text))
        except InvalidOperation as error:
            expected = "integer" if kind == "int" else "number"
            raise filter_error(parameter, f'Expected {expected} value. Given "{text}".') from error
    if kind == "bool":
        if isinstance(text, bool):
            return text
        lowered = str(text).lower()
        if lowered in ("1", "true", "yes"):
            return True
        if lowered in ("0", "false", "no"):
            return False
        raise filter_error(parameter, f'Expected boolean value. Given "{text}".')
    return str(text)


def parse_query(resource: ResourceType, query: dict[str, list[str]], page_size_max: int) -> Query:
    """A list request's query string, checked as Oro checks it."""
    parsed = Query()
    for key, values in query.items():
        value = values[-1]
        if key.startswith("filter["):
            parsed.conditions.append(_condition(resource, key, value))
        elif key == "sort":
            for part in value.split(","):
                name = part.removeprefix("-")
                if name not in resource.sorts:
                    raise ApiError(
                        400, "sort constraint", f'Sorting by "{name}" field is not supported.', {"parameter": "sort"}
                    )
                parsed.sort.append((name, part.startswith("-")))
        elif key == "page[size]":
            parsed.page_size = _whole(key, value)
            if parsed.page_size == 0 or parsed.page_size < -1:
                raise filter_error(key, "The value should be greater than 0 or equal to -1.")
            if page_size_max and parsed.page_size > page_size_max:
                raise filter_error(key, f"The value should be less than or equal to {page_size_max}.")
        elif key == "page[number]":
            parsed.page_number = _whole(key, value)
            if parsed.page_number < 1:
                raise filter_error(key, "The value should be greater than or equal to 1.")
        elif key == "include":
            parsed.include = [path.split(".") for path in value.split(",") if path]
            for path in parsed.include:
                _check_include(resource, path)
        elif key.startswith("fields[") and key.endswith("]"):
            parsed.fields[key[7:-1]] = {name for name in value.split(",") if name}
        elif key == "meta":
            continue
        else:
            raise filter_error(key, f'Filter "{key}" is not supported.')
    if not parsed.sort:
        parsed.sort = [("id", False)]
    return parsed


def _whole(key: str, value: str) -> int:
    try:
        return int(value)
    except ValueError as error:
        raise filter_error(key, f'Expected integer value. Given "{value}".') from error


def _check_include(resource: ResourceType, path: list[str]) -> None:
    current = resource
    for name in path:
        relation = current.relationships.get(name)
        if relation is None:
            raise ApiError(
                400,
                "value constraint",
                f'The relationship "{".".join(path)}" does not exist.',
                {"parameter": "include"},
            )
        target = relation.target if isinstance(relation.target, str) else relation.target[0]
        current = TYPES.get(target, current)


def _condition(resource: ResourceType, key: str, value: str) -> Condition:
    match = _FILTER.match(key)
    if not match:
        raise filter_error(key, f'Filter "{key}" is not supported.')
    name, operator, rest = match.group(1), match.group(2), match.group(3)
    parameter = f"filter[{name}]"
    if name != "id" and name not in resource.filters:
        raise filter_error(parameter, f'Filter "{parameter}" is not supported.')
    if rest:
        # Shorthands: `filter[id]>=5` reaches us as key `filter[id]>` and value 5 (split at the `=`),
        # `filter[id]>5` as key `filter[id]>5` and no value.
        if rest in (">", "<", "!") and value != "":
            symbol = rest + "="
        else:
            short = _SHORT_VALUE.match(rest)
            if not short or value != "":
                raise filter_error(key, f'Filter "{key}" is not supported.')
            symbol, value = short.group(1), short.group(2)
        operator = SHORTHAND[symbol]
    operator = operator or "eq"
    if operator in TEXT_OPERATORS:
        raise filter_error(f"{parameter}[{operator}]", f'The operator "{operator}" is not supported.')
    if operator not in OPERATORS:
        raise filter_error(f"{parameter}[{operator}]", f'The operator "{operator}" is not supported.')
    kind = resource.kind(name) or "string"
    if kind == "json":
        raise filter_error(parameter, f'Filter "{parameter}" is not supported.')
    if operator == "exists":
        return Condition(name, operator, [_comparable("bool", value, parameter)], parameter)
    values: list[Any] = []
    for part in value.split(",") if operator in ("eq", "neq", "neq_or_null") else [value]:
        if ".." in part and operator in ("eq", "neq"):
            low, high = part.split("..", 1)
            values.append(Range(_comparable(kind, low, parameter), _comparable(kind, high, parameter)))
        else:
            values.append(_comparable(kind, part, parameter))
    return Condition(name, operator, values, parameter)


def _stored(resource: ResourceType, item: Resource, name: str) -> list[Any]:
    """The comparable values of a field of a stored resource (a to-many relationship has many)."""
    kind = resource.kind(name) or "string"
    if name == "id":
        return [id_key(item["id"])]
    if name in resource.relationships:
        return [id_key(id_) for id_ in related_ids(item, name)]
    value = item["attributes"].get(name)
    return [] if value is None else [_comparable(kind, value, name)]


def _matches(resource: ResourceType, item: Resource, condition: Condition) -> bool:
    stored = _stored(resource, item, condition.name)
    operator = condition.operator
    if operator == "exists":
        return bool(stored) == condition.values[0]

    if operator in ("eq", "neq", "neq_or_null"):
        found = any(s in condition.exact for s in stored) or any(
            r.low <= s <= r.high for r in condition.ranges for s in stored
        )
        if operator == "eq":
            return found
        return not found and (bool(stored) or operator == "neq_or_null")
    bound = condition.values[0]
    compare = {
        "lt": lambda s: s < bound,
        "lte": lambda s: s <= bound,
        "gt": lambda s: s > bound,
        "gte": lambda s: s >= bound,
    }[operator]
    try:
        return any(compare(s) for s in stored)
    except TypeError:
        return False


def select(store: Store, resource: ResourceType, query: Query) -> list[Resource]:
    """The resources a list request matches, sorted."""
    items = [item for item in store.all(resource.name) if all(_matches(resource, item, c) for c in query.conditions)]
    for name, descending in reversed(query.sort):
        items.sort(key=lambda item, name=name: _sort_key(resource, item, name), reverse=descending)
    return items


def _sort_key(resource: ResourceType, item: Resource, name: str) -> tuple[int, Any]:
    values = _stored(resource, item, name)
    # Nulls first, as Oro (MySQL/PostgreSQL ascending with NULLS FIRST for Oro's ORM) sorts them.
    return (0, "") if not values else (1, values[0])


def page_of(items: list[Resource], query: Query) -> list[Resource]:
    if query.page_size == -1:
        return items
    start = (query.page_number - 1) * query.page_size
    return items[start : start + query.page_size]


def serialize(item: Resource, fields: dict[str, set[str]]) -> dict[str, Any]:
    """A resource object, with only the fields asked for (`fields[type]=...`)."""
    wanted = fields.get(item["type"])
    attributes, relationships = item["attributes"], item["relationships"]
    if wanted is not None:
        attributes = {k: v for k, v in attributes.items() if k in wanted}
        relationships = {k: v for k, v in relationships.items() if k in wanted}
    document: dict[str, Any] = {"type": item["type"], "id": item["id"]}
    if attributes:
        document["attributes"] = attributes
    if relationships:
        document["relationships"] = relationships
    return document


def included(store: Store, primary: list[Resource], paths: list[list[str]], fields: dict[str, set[str]]) -> list:
    """The resources `include` asks for, each once, none of the primary data again."""
    seen = {(item["type"], item["id"]) for item in primary}
    out: list[dict[str, Any]] = []
    for path in paths:
        level = primary
        for name in path:
            following = []
            for item in level:
                data = item["relationships"].get(name, {}).get("data")
                for target in data if isinstance(data, list) else [data] if data else []:
                    found = store.get(target["type"], target["id"])
                    if found is None:
                        continue
                    following.append(found)
                    if (found["type"], found["id"]) not in seen:
                        seen.add((found["type"], found["id"]))
                        out.append(serialize(found, fields))
            level = following
    return out


def list_links(url: str, query: dict[str, list[str]], parsed: Query, total: int) -> dict[str, str]:
    """self/first/prev/next (and last) links of a list answer; `next` while more pages exist."""
    flat = {key: values[-1] for key, values in query.items() if key != "page[number]"}

    def link(number: int) -> str:
        return f"{url}?{urlencode({**flat, 'page[number]': number}, safe='[],:')}"

    links = {"self": f"{url}?{urlencode({key: values[-1] for key, values in query.items()}, safe='[],:')}".rstrip("?")}
    if parsed.page_size == -1:
        return links
    pages = max(1, -(-total // parsed.page_size))
    links["first"] = link(1)
    if parsed.page_number > 1:
        links["prev"] = link(min(parsed.page_number - 1, pages))
    if parsed.page_number < pages:
        links["next"] = link(parsed.page_number + 1)
    links["last"] = link(pages)
    return links

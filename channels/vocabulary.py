"""A store's codes in words on every channels page: "checkmo" -> "Check / Money order", "holded" -> "On hold".

Each connector lists its own codes (`Connector.words`, by local field, in its own folder); a code it does
not list is shown as it is, title-cased with underscores as spaces ("pending_review" -> "Pending Review"),
so a store's own custom status still reads like a word.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from integrations.engine import registry

if TYPE_CHECKING:
    from integrations.models import Integration


def plain_words(code: str) -> str:
    """`"pending_review"` -> "Pending Review": a code no vocabulary knows, made readable (each word's first
    letter raised, the rest left as the store wrote it: "ups_GND" -> "Ups GND")."""
    return " ".join(word[:1].upper() + word[1:] for word in code.replace("_", " ").split())


def words_of(integration_type: str, field: str) -> dict[str, str]:
    """The words the connector of `integration_type` has for `field`'s codes (none: empty)."""
    try:
        return registry.connector_class(integration_type).words.get(field, {})
    except LookupError:  # a type whose connector is no longer installed
        return {}


def in_words(integration: Integration | str, field: str, code: str | None) -> str:
    """`code` of `field` in the words of the integration's store; "" for no code."""
    if not code:
        return ""
    integration_type = integration if isinstance(integration, str) else integration.integration_type
    return words_of(integration_type, field).get(code) or plain_words(code)

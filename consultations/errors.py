"""Errors that carry a translation key, so every layer can tell the user in their language."""

from __future__ import annotations

from .i18n import DEFAULT_LANG, t


class KartinnspillError(Exception):
    """Base: an error with a message key and parameters for the translation layer."""

    def __init__(self, key: str, **params: object) -> None:
        super().__init__(key)
        self.key = key
        self.params = params

    def message(self, lang: str = DEFAULT_LANG) -> str:
        return t(self.key, lang, **self.params)

    def __str__(self) -> str:
        return self.message()


class InvalidInput(KartinnspillError):
    """A resident's input was refused; nothing was stored."""


class StoreError(KartinnspillError):
    """The database cannot be used (busy, too new, unreadable)."""


class StoreUnavailable(StoreError):
    """The database does not answer now (stopped, restarting, out of reach): the statement
    was not run, and a transaction it was part of is rolled back by the server. Its message
    is the visitors' calm one wherever a page shows it; what went wrong (``detail``) is for
    the server's log and the CLI. (A connection lost during COMMIT itself leaves the
    outcome unknown to any client: the submission token makes a resident's retry safe.)"""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__("store.unavailable", path=path, reason=reason)

    def detail(self) -> str:
        return f"{self.params['path']}: {self.params['reason']}"


class ConfigError(KartinnspillError):
    """A setting has a value the app cannot use."""


class InvalidUser(KartinnspillError):
    """A staff account could not be created or changed."""


class InvalidConsultation(KartinnspillError):
    """A consultation's fields, or a change to its life cycle, were refused."""


class InvalidArea(KartinnspillError):
    """An uploaded plan area was refused; the message says what to change in the file."""


class InvalidLayer(KartinnspillError):
    """A map layer staff wanted to add was refused; nothing was stored."""


class InvalidDrawing(KartinnspillError):
    """A route or area a resident drew was refused; the message says what to change."""


class InvalidDocument(KartinnspillError):
    """An uploaded document was refused; nothing was stored."""


class MissingDocuments(InvalidConsultation):
    """Publishing was refused: documents the plan process asks for are not attached."""

    def __init__(self, kinds: tuple[str, ...]) -> None:
        super().__init__("required_documents.missing", kinds=kinds)

    def message(self, lang: str = DEFAULT_LANG) -> str:
        names = ", ".join(t(f"document_kind.{kind}", lang) for kind in self.params["kinds"])
        return t(self.key, lang, names=names)


class NotFound(KartinnspillError):
    """What a store method was asked to change is not (or no longer) there; nothing changed."""


class Conflict(KartinnspillError):
    """A store method refused a change that would break a rule the data keeps; nothing changed."""


class DuplicateText(Conflict):
    """The same text came again from the same network address."""

    def __init__(self) -> None:
        super().__init__("input.duplicate_text")


class SupportedFromAddress(Conflict):
    """The input already has a support from this network address today."""

    def __init__(self) -> None:
        super().__init__("input.already_supported_from_address")

"""Who may do what: every staff command asks here first, with the user it was given.

A staff page draws its buttons for the user it found at the start of the run; the click
comes later (a widget callback, a deferred download), by which time the account may have
been deactivated or demoted. So the rule is checked when the action runs, against the user
as the store holds it now — never against the ``User`` the page kept — and the command then
writes (and audits) as that fresh user.

The roles: a teacher opens class sessions (barnetråkk) and manages only their own; a
planner moderates, tags, answers, registers letters, builds and moves
consultations, manages their documents and downloads exports; an administrator may do all
that, and also delete an input for good, manage users, take backups and anonymise.
"""

from __future__ import annotations

from .errors import KartinnspillError
from .model import ClassSession, Role, User
from .store import Store


class NotAllowed(KartinnspillError):
    """The acting user may not (or no longer) do this; nothing was changed."""


# The command line runs with the operator's rights: whoever can run it can read the
# database file itself. Only code can hold this object (it is compared by identity).
OPERATOR = User(id=0, username="cli", email=None, role=Role.ADMIN, active=True)
_NAMED_OPERATORS: list[User] = []


def operator(name: str | None) -> User:
    """The operator's rights under the name its audit entries carry (``KARTINNSPILL_ACTOR``
    names who ran a command); ``OPERATOR`` itself without a name."""
    name = (name or "").strip()
    if not name or name == OPERATOR.username:
        return OPERATOR
    found = next((u for u in _NAMED_OPERATORS if u.username == name), None)
    if found is None:
        found = User(id=0, username=name, email=None, role=Role.ADMIN, active=True)
        _NAMED_OPERATORS.append(found)
    return found


def require(store: Store, actor: User, role: Role) -> User:
    """``actor`` as the store has it now, if that account is active and has ``role``;
    otherwise ``NotAllowed`` with the reason."""
    if actor is OPERATOR or any(actor is named for named in _NAMED_OPERATORS):
        return actor
    current = store.get_user(actor.id)
    if current is None or not current.active:
        raise NotAllowed("permission.inactive")
    if not current.can(role):
        raise NotAllowed(f"permission.need_{role.value}")
    return current


def may_manage_class(user: User, session: ClassSession) -> bool:
    """A teacher manages the classes they opened; planners and administrators every class."""
    return user.active and (user.can(Role.PLANNER) or (user.can(Role.TEACHER) and session.teacher_id == user.id))


def require_class(store: Store, actor: User, session: ClassSession) -> User:
    """``actor`` as the store has it now, if that account may manage ``session``; otherwise
    ``NotAllowed``: a teacher never reaches another teacher's class."""
    current = require(store, actor, Role.TEACHER)
    if not may_manage_class(current, session):
        raise NotAllowed("permission.not_your_class")
    return current

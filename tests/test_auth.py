"""Staff accounts: argon2 hashes, roles, and logins that never say which part was wrong."""

from __future__ import annotations

import subprocess
import sys

import pytest

from consultations.auth import check_login, create_user
from consultations.errors import InvalidUser
from consultations.model import Role
from consultations.store import Store
from tests.pg import on_both_backends as store_location  # noqa: F401  (store tests on both)

PASSWORD = "riktig-hest-batteri"


def test_created_user_can_log_in_and_the_password_is_not_stored(store, db_path):
    user = create_user(store, "Kari.Planlegger", "planner", PASSWORD, email="kari@asker.kommune.no")
    assert user.username == "kari.planlegger" and user.role == Role.PLANNER
    assert check_login(store, "kari.planlegger", PASSWORD) == user
    _, stored = store.login_record("kari.planlegger")
    assert stored.startswith("$argon2") and PASSWORD not in stored


@pytest.mark.parametrize("username, password", [("kari", "feil-passord-her"), ("ukjent", PASSWORD), ("kari", "")])
def test_wrong_username_or_password_is_refused(store, username, password):
    create_user(store, "kari", "planner", PASSWORD)
    assert check_login(store, username, password) is None


def test_deactivated_user_cannot_log_in(store):
    user = create_user(store, "kari", "planner", PASSWORD)
    store.update_user(user.id, "admin", active=False)
    assert check_login(store, "kari", PASSWORD) is None


def test_oidc_user_without_password_cannot_use_the_local_form(store):
    create_user(store, "ola", "admin", email="ola@asker.kommune.no")
    assert check_login(store, "ola", "") is None
    assert store.user_by_email("OLA@asker.kommune.no").role == Role.ADMIN


def test_admin_can_do_what_a_planner_can_but_not_the_other_way():
    from consultations.model import User

    admin = User(1, "a", None, Role.ADMIN, True)
    planner = User(2, "p", None, Role.PLANNER, True)
    assert admin.can(Role.PLANNER) and admin.can(Role.ADMIN)
    assert planner.can(Role.PLANNER) and not planner.can(Role.ADMIN)
    assert not User(3, "x", None, Role.ADMIN, False).can(Role.PLANNER)


@pytest.mark.parametrize(
    "kwargs, key",
    [
        (dict(username="Ø!", role="planner", password=PASSWORD), "user.username_invalid"),
        (dict(username="kari", role="sjef", password=PASSWORD), "user.role_unknown"),
        (dict(username="kari", role="planner", password="kort"), "user.password_short"),
        (dict(username="kari", role="planner"), "user.needs_password_or_email"),
        (dict(username="kari", role="planner", email="ikke-epost"), "user.email_invalid"),
    ],
)
def test_bad_user_data_is_refused_with_a_reason(store, kwargs, key):
    with pytest.raises(InvalidUser) as info:
        create_user(store, **kwargs)
    assert info.value.key == key and info.value.message()
    assert store.users() == []


def test_usernames_and_emails_are_unique(store):
    create_user(store, "kari", "planner", PASSWORD, email="kari@asker.kommune.no")
    with pytest.raises(InvalidUser):
        create_user(store, "KARI", "admin", PASSWORD)
    with pytest.raises(InvalidUser):
        create_user(store, "kari2", "admin", PASSWORD, email="Kari@asker.kommune.no")
    assert len(store.users()) == 1


def test_user_changes_are_in_the_audit_log(store):
    user = create_user(store, "kari", "planner", PASSWORD, actor="ola")
    store.update_user(user.id, "ola", role=Role.ADMIN)
    actions = [(e.actor, e.action, e.object_id) for e in store.audit_entries()]
    assert actions == [("ola", "user.update", "kari"), ("ola", "user.create", "kari")]
    assert PASSWORD not in str(store.audit_entries())


def _cli(db_path, *args, stdin=""):
    return subprocess.run(
        [sys.executable, "-m", "consultations", *args],
        input=stdin,
        env={"KARTINNSPILL_DB": str(db_path)},
        capture_output=True,
        text=True,
    )


def test_cli_creates_a_user_with_the_password_from_stdin(db_path):
    result = _cli(
        db_path,
        "create-user",
        "--username",
        "kari",
        "--role",
        "admin",
        "--password-stdin",
        "--email",
        "kari@asker.kommune.no",
        stdin=PASSWORD + "\n",
    )
    assert result.returncode == 0, result.stderr
    store = Store.open(db_path)
    try:
        assert check_login(store, "kari", PASSWORD).role == Role.ADMIN
    finally:
        store.close()


def test_cli_refuses_a_bad_user_in_one_line(db_path):
    result = _cli(db_path, "create-user", "--username", "kari", "--role", "sjef", "--password-stdin", stdin=PASSWORD)
    assert result.returncode == 2
    assert result.stderr.strip() == "Ukjent rolle «sjef». Bruk planner eller admin."

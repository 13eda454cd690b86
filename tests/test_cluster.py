"""`make cluster` (deploy/cluster.py): the balancer's configuration, what each replica is
given, the local PostgreSQL, and the orchestrator's start and stop."""

from __future__ import annotations

import os
import shutil
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from consultations import keys
from deploy.cluster import (
    BALANCER_SOURCE,
    Backend,
    ClusterError,
    LocalPostgres,
    database_url,
    haproxy_config,
    main,
    postgres_bin,
    replica_env,
)
from tests.conftest import need_cluster_tools

TWO_HOSTS = [Backend("app1", "10.0.0.11:8501"), Backend("app2", "10.0.0.12:8501")]


def _haproxy_check(config: str, tmp_path: Path) -> subprocess.CompletedProcess:
    haproxy = shutil.which("haproxy") or "/usr/sbin/haproxy"
    path = tmp_path / "haproxy.cfg"
    path.write_text(config)
    return subprocess.run([haproxy, "-c", "-f", str(path)], capture_output=True, text=True, check=False)


# --------------------------------------------------------------------------- configuration


def test_config_for_replicas_on_several_machines_is_accepted_by_haproxy(tmp_path):
    need_cluster_tools()
    config = haproxy_config(":8080", TWO_HOSTS, stats_socket=tmp_path / "s.sock", log_target="/dev/log")
    checked = _haproxy_check(config, tmp_path)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "server app1 10.0.0.11:8501 cookie app1" in config
    assert "server app2 10.0.0.12:8501 cookie app2" in config


def test_config_for_this_machine_is_accepted_by_haproxy(tmp_path):
    need_cluster_tools()
    local = [Backend("r1", "127.0.0.1:40001"), Backend("r2", "127.0.0.1:40002")]
    config = haproxy_config(":8501", local, stats_socket=tmp_path / "s.sock", source=BALANCER_SOURCE)
    checked = _haproxy_check(config, tmp_path)
    assert checked.returncode == 0, checked.stdout + checked.stderr


def _lines(config: str) -> list[str]:
    return [line.strip() for line in config.splitlines() if line.strip() and not line.strip().startswith("#")]


def test_balancer_keeps_a_browser_on_its_replica_by_an_inserted_cookie_not_by_address():
    lines = _lines(haproxy_config(":8080", TWO_HOSTS, stats_socket="/run/s.sock"))
    cookie = next(line for line in lines if line.startswith("cookie "))
    assert cookie.split()[1:6] == [
        "kartinnspill-replica",
        "insert",
        "indirect",
        "nocache",
        "httponly",
    ]
    assert "balance leastconn" in lines
    assert not any("balance source" in line or "hash-type" in line for line in lines)


def test_affinity_cookie_is_secure_exactly_when_the_balancer_speaks_tls():
    plain = haproxy_config(":80", TWO_HOSTS, stats_socket="/run/s.sock")
    tls = haproxy_config(":443 ssl crt /etc/haproxy/k.pem", TWO_HOSTS, stats_socket="/run/s.sock")
    assert " secure" not in next(line for line in _lines(plain) if line.startswith("cookie "))
    assert " secure " in next(line for line in _lines(tls) if line.startswith("cookie "))


def test_replicas_are_checked_on_the_apps_ready_address_and_websockets_get_a_long_tunnel_timeout():
    lines = _lines(haproxy_config(":8080", TWO_HOSTS, stats_socket="/run/s.sock"))
    assert "option httpchk GET /_kartinnspill/ready" in lines  # warm, not only alive (ui/warmup.py)
    assert "http-check expect status 200" in lines
    assert "timeout tunnel 1h" in lines
    assert any(line.startswith("default-server check ") for line in lines)


def test_balancer_adds_the_client_address_and_says_the_protocol_itself():
    lines = _lines(haproxy_config(":8080", TWO_HOSTS, stats_socket="/run/s.sock"))
    assert "option forwardfor" in lines
    assert "http-request set-header X-Forwarded-Proto https if { ssl_fc }" in lines
    assert "http-request set-header X-Forwarded-Proto http if !{ ssl_fc }" in lines


def test_on_one_machine_the_balancer_connects_from_the_one_address_replicas_trust():
    config = haproxy_config(
        ":8501",
        [Backend("r1", "127.0.0.1:40001")],
        stats_socket="/s",
        source=BALANCER_SOURCE,
    )
    assert f"source {BALANCER_SOURCE}" in next(line for line in _lines(config) if line.startswith("default-server"))
    env = replica_env(
        {},
        db_url="postgresql://x@/y",
        secret_file=Path("/d/secret.key"),
        cookie_secret="c" * 64,
        trusted_proxy=BALANCER_SOURCE,
    )
    assert env["KARTINNSPILL_TRUSTED_PROXIES"] == BALANCER_SOURCE != "127.0.0.1"
    assert env["FORWARDED_ALLOW_IPS"] == ""  # uvicorn rewrites nothing: the app decides


def test_every_replica_gets_the_same_database_and_secrets_and_keeps_the_operators_settings():
    base = {
        "KARTINNSPILL_TILES": "none",
        "KARTINNSPILL_DB": "data/old.duckdb",
        "KARTINNSPILL_PROFILE": "asker",
    }
    env = replica_env(
        base,
        db_url="postgresql://kartinnspill@/kartinnspill?host=/d/pg",
        secret_file=Path("/d/secret.key"),
        cookie_secret="c" * 64,
        trusted_proxy=BALANCER_SOURCE,
    )
    assert env["KARTINNSPILL_DB"] == "postgresql://kartinnspill@/kartinnspill?host=/d/pg"
    assert env["KARTINNSPILL_SECRET_FILE"] == "/d/secret.key"
    assert env["STREAMLIT_SERVER_COOKIE_SECRET"] == "c" * 64
    assert env["KARTINNSPILL_TILES"] == "none" and env["KARTINNSPILL_PROFILE"] == "asker"


def test_a_server_that_is_not_name_host_port_is_refused_with_a_message(capsys):
    with pytest.raises(SystemExit):
        main(["haproxy-config", "--bind", ":80", "--server", "10.0.0.11:8501"])
    assert "NAVN=VERT:PORT" in capsys.readouterr().err
    with pytest.raises(ClusterError):
        Backend("app 1", "10.0.0.11:8501")
    with pytest.raises(ClusterError):
        haproxy_config(":80", [], stats_socket="/s")


def test_database_url_is_one_shell_word_even_for_a_path_with_spaces(tmp_path):
    socket_dir = tmp_path / "a dir" / "pg"
    url = database_url(socket_dir)
    env_file = tmp_path / "cluster.env"
    env_file.write_text(f"KARTINNSPILL_DB={url}\n")
    sourced = subprocess.run(
        ["bash", "-c", f"set -a; . '{env_file}'; set +a; printf %s \"$KARTINNSPILL_DB\""],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert sourced == url
    assert url.startswith("postgresql://kartinnspill@/kartinnspill?host=/") and " " not in url


def test_haproxy_config_command_prints_the_template_filled_in(capsys):
    assert main(["haproxy-config", "--bind", ":80", "--server", "app1=10.0.0.11:8501"]) == 0
    out = capsys.readouterr().out
    assert "server app1 10.0.0.11:8501 cookie app1" in out and "$" not in out


# --------------------------------------------------------------------------- PostgreSQL


def _psql(pg: LocalPostgres, user: str, query: str) -> str:
    argv = [str(pg.bin / "psql"), "-X", "-tA", "-h", str(pg.dir), "-U", user, "-d", "kartinnspill", "-c", query]
    return subprocess.run(argv, capture_output=True, text=True, check=True).stdout.strip()


# --------------------------------------------------------------------------- orchestration


def _alive(pid: int) -> bool:
    """Running, not a zombie waiting for init to reap it."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (FileNotFoundError, ProcessLookupError):
        return False


def _environ(pid: int) -> dict[str, str]:
    raw = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    return dict(item.decode().split("=", 1) for item in raw if b"=" in item)


def test_cluster_shares_its_secrets_restarts_a_dead_replica_and_stops_everything_on_sigterm(
    start_cluster,
):
    run = start_cluster(replicas=2, restart=True)
    data = run.data
    state = run.state()

    # secrets made once, private, and the same in every replica
    for name in ("cookie-secret", "secret.key"):
        assert stat.S_IMODE((data / name).stat().st_mode) == 0o600
    cookie_secret = keys.load_secret(None, data / "cookie-secret").decode()
    envs = [_environ(r["pid"]) for r in state["replicas"]]
    for env in envs:
        assert env["STREAMLIT_SERVER_COOKIE_SECRET"] == cookie_secret
        assert env["KARTINNSPILL_SECRET_FILE"] == str(data / "secret.key")
        assert env["KARTINNSPILL_DB"] == state["database"]
        assert env["KARTINNSPILL_TRUSTED_PROXIES"] == BALANCER_SOURCE
    assert f"KARTINNSPILL_DB={state['database']}\n" in (data / "cluster.env").read_text()

    # PostgreSQL: a 0700 directory not owned by root, no TCP port, the app no superuser
    pg = LocalPostgres(data / "pg", postgres_bin())
    assert stat.S_IMODE(pg.dir.stat().st_mode) == 0o700
    if os.geteuid() == 0:
        assert pg.dir.stat().st_uid != 0  # initdb refuses root
    assert _psql(pg, "kartinnspill", "SHOW listen_addresses") == ""
    assert _psql(pg, "kartinnspill", "SELECT rolsuper FROM pg_roles WHERE rolname = current_user") == "f"
    # lists sort by code point and lower() knows æøå, as on DuckDB
    assert (
        _psql(
            pg, "kartinnspill", "SELECT datcollate || ' ' || datctype FROM pg_database WHERE datname = 'kartinnspill'"
        )
        == "C C.UTF-8"
    )
    pg.ensure_database()  # the next start finds role and database made

    # a second orchestrator on the same data directory is refused, the first untouched
    second = subprocess.run(
        [sys.executable, "-m", "deploy.cluster", "run", "--port", "1", "--data", str(data)],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=Path(__file__).resolve().parent.parent,
        check=False,
    )
    assert second.returncode == 1 and "kjører allerede" in second.stderr
    assert run.running()

    # a replica that dies is started again
    dead = state["replicas"][0]
    os.kill(dead["pid"], signal.SIGKILL)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        now = run.state()["replicas"][0]
        if now["pid"] != dead["pid"] and _alive(now["pid"]):
            break
        time.sleep(0.5)
    else:
        pytest.fail(f"replica not restarted:\n{run.log()}")
    assert "Starter replika r1 på nytt" in run.output.read_text()

    # SIGTERM (systemd, or Ctrl-C's SIGINT alike): everything it started is gone
    pids = [r["pid"] for r in run.state()["replicas"]] + [run.state()["balancer"]["pid"]]
    pg_pid = int((data / "pg" / "postmaster.pid").read_text().split("\n", 1)[0])
    assert run.stop() == 0, run.log()
    alive = [pid for pid in pids + [pg_pid] if _alive(pid)]
    assert not alive, [Path(f"/proc/{pid}/cmdline").read_bytes() for pid in alive]
    assert not (data / "pg" / "postmaster.pid").exists()  # a clean PostgreSQL shutdown


def test_replica_settings_for_several_machines_name_everything_make_cluster_gives_a_replica():
    root = Path(__file__).resolve().parent.parent
    example = (root / "deploy" / "replica.env.example").read_text()
    names = {line.split("=", 1)[0] for line in example.splitlines() if line and not line.startswith("#")}
    given = replica_env({}, db_url="u", secret_file=Path("s"), cookie_secret="c", trusted_proxy="t")
    assert set(given) - {"PYTHONUNBUFFERED"} <= names
    known = (root / "consultations" / "config.py").read_text()
    assert all(f'"{n}"' in known for n in names if n.startswith("KARTINNSPILL_"))


def test_a_busy_port_is_named_before_anything_is_started(tmp_path, capsys):
    need_cluster_tools()
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        code = main(
            [
                "run",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--data",
                str(tmp_path / "data"),
            ]
        )
    assert code == 1
    assert f"Port {port} er i bruk" in capsys.readouterr().err
    assert not (tmp_path / "data" / "pg").exists()

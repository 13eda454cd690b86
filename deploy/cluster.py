"""`make cluster`: Kartinnspill as several processes on one machine, wired the way several
machines run it (deploy/README.md): a PostgreSQL cluster under ``data/pg``, ``REPLICAS``
`streamlit run serve.py` replicas on loopback ports, and HAProxy on ``PORT`` in front.

    python -m deploy.cluster run [--port 8501] [--replicas 2] [--data data]
    python -m deploy.cluster haproxy-config --bind … --server NAME=HOST:PORT …

Ctrl-C (SIGINT) or SIGTERM stops everything it started, in this order: the balancer (no new
visitors), the replicas (a write under way finishes), PostgreSQL last (a fast shutdown:
what was committed is on disk). A second Ctrl-C stops at once. A replica that dies is taken
out by HAProxy's health check within four seconds and started again here (``--no-restart``
leaves it down).

Files, all under the data directory (``data/``, as `make run`'s; gitignored):
  pg/            the PostgreSQL cluster (initdb on first run) and its only socket: no TCP
                 port; owned by the ``postgres`` user when run as root (initdb refuses root)
  cluster.env    KARTINNSPILL_DB=postgresql://… (and the secret file) for the command line
  cookie-secret  Streamlit's server.cookieSecret, one for every replica (mode 0600)
  secret.key     the app's hashing secret (consultations/keys.py), one for every replica
  cluster/       haproxy.cfg, each process's log, state.json (the replicas' ports and pids)
"""

from __future__ import annotations

import argparse
import ctypes
import fcntl
import json
import os
import pwd
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from string import Template
from urllib.parse import quote

from consultations import keys
from consultations.errors import KartinnspillError
from consultations.i18n import t, tn
from consultations.ui.warmup import READY_PATH

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = Path(__file__).with_name("haproxy.cfg.template")
HEALTH = "/_stcore/health"
# HAProxy talks to the replicas from this loopback address, so the replicas can trust
# X-Forwarded-For from it alone: a client on this machine connecting to a replica the
# ordinary way comes from 127.0.0.1 and is counted as itself.
BALANCER_SOURCE = "127.0.0.2"
DB_USER = DB_NAME = "kartinnspill"
PG_SUPERUSER = "postgres"
STARTUP_TIMEOUT_S = 300.0  # a replica is waited for until warm (ui/warmup.py): imports, its pages once
RESTART_AFTER_S = 5.0  # a replica that keeps dying is restarted at most this often
_NAME = re.compile(r"[A-Za-z0-9_-]{1,32}")
_NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))


class ClusterError(KartinnspillError):
    """The cluster cannot start or keep running; the message says why and what to do."""


# --------------------------------------------------------------------------- configuration


@dataclass(frozen=True)
class Backend:
    """One replica as HAProxy sees it: ``name`` is also the affinity cookie's value."""

    name: str
    address: str  # host:port

    def __post_init__(self) -> None:
        host, _, port = self.address.rpartition(":")
        if not _NAME.fullmatch(self.name) or not host or not port.isdigit():
            raise ClusterError("cluster.bad_server", value=f"{self.name}={self.address}")


def haproxy_config(
    bind: str,
    backends: Sequence[Backend],
    *,
    stats_socket: Path | str,
    log_target: str = "stderr",
    source: str | None = None,
) -> str:
    """The balancer's configuration from ``deploy/haproxy.cfg.template``. The affinity cookie
    is ``Secure`` when the balancer speaks TLS (``ssl`` in ``bind``); ``source`` is the
    address HAProxy connects to the replicas from (the one they trust)."""
    if not backends:
        raise ClusterError("cluster.no_servers")
    servers = "".join(f"    server {b.name} {b.address} cookie {b.name}\n" for b in backends)
    return Template(TEMPLATE.read_text(encoding="utf-8")).substitute(
        bind=bind,
        servers=servers,
        stats_socket=str(stats_socket),
        log_target=log_target,
        source=f" source {source}" if source else "",
        cookie_secure=" secure" if " ssl" in f" {bind} " else "",
    )


def database_url(socket_dir: Path) -> str:
    """libpq's URL for a server listening only on a socket in ``socket_dir``. The path is
    percent-encoded, so the line stays one shell word for ``. data/cluster.env``."""
    return f"postgresql://{DB_USER}@/{DB_NAME}?host={quote(str(socket_dir), safe='/')}"


def replica_env(
    base: Mapping[str, str],
    *,
    db_url: str,
    secret_file: Path,
    cookie_secret: str,
    trusted_proxy: str,
) -> dict[str, str]:
    """A replica's environment: the operator's own settings (tiles, profile, demo …) plus
    what every replica must share — the database, the hashing secret, the cookie secret —
    and whom to believe about client addresses: the balancer only (docs/security/ratelimit.md).
    FORWARDED_ALLOW_IPS="": uvicorn reports the real peer and the app alone decides."""
    return {
        **base,
        "KARTINNSPILL_DB": db_url,
        "KARTINNSPILL_SECRET_FILE": str(secret_file),
        "KARTINNSPILL_TRUSTED_PROXIES": trusted_proxy,
        "FORWARDED_ALLOW_IPS": "",
        "STREAMLIT_SERVER_COOKIE_SECRET": cookie_secret,
        "PYTHONUNBUFFERED": "1",
    }


def replica_command(port: int) -> list[str]:
    return [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        "serve.py",
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
    ]


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


# --------------------------------------------------------------------------- PostgreSQL


def postgres_bin() -> Path | None:
    """The directory of pg_ctl: on PATH, else Debian's newest /usr/lib/postgresql/N/bin."""
    on_path = shutil.which("pg_ctl")
    if on_path:
        return Path(on_path).resolve().parent
    found = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"),
        key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0,
    )
    return found[-1].parent if found else None


class LocalPostgres:
    """A PostgreSQL cluster in ``directory`` that listens only on a socket inside it: the
    directory is mode 0700, so only its owner (and root) can connect, and ``trust`` within
    it needs no password. As root, every tool runs as the ``postgres`` user (runuser)."""

    def __init__(self, directory: Path, bin_dir: Path) -> None:
        self.dir = directory.resolve()
        self.bin = bin_dir
        self.log = self.dir / "server.log"  # inside: the postgres user can write it
        self.as_root = os.geteuid() == 0
        self.url = database_url(self.dir)

    def _tool(self, name: str, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        argv = [str(self.bin / name), *args]
        if self.as_root:
            argv = ["runuser", "-u", PG_SUPERUSER, "--", *argv]
        done = subprocess.run(
            argv,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            cwd="/",
            check=False,
        )
        if check and done.returncode != 0:
            raise ClusterError(
                "cluster.tool_failed",
                command=shlex.join(argv),
                code=done.returncode,
                output=(done.stdout + done.stderr).strip()[-2000:],
            )
        return done

    def initialised(self) -> bool:
        return (self.dir / "PG_VERSION").exists()

    def init(self) -> None:
        """initdb into an empty directory, owned by the user the server runs as."""
        self.dir.mkdir(parents=True, exist_ok=True)
        self.dir.chmod(0o700)
        if self.as_root:
            try:
                account = pwd.getpwnam(PG_SUPERUSER)
            except KeyError:
                raise ClusterError("cluster.no_postgres_user") from None
            os.chown(self.dir, account.pw_uid, account.pw_gid)
            if not self._reachable():
                raise ClusterError("cluster.pg_unreachable", path=self.dir)
        self._tool(
            "initdb",
            "-D",
            str(self.dir),
            "-U",
            PG_SUPERUSER,
            "--auth=trust",
            # lists sort by code point as on DuckDB; lower() knows æøå (docs/store-backends.md)
            "--encoding=UTF8",
            "--lc-collate=C",
            "--lc-ctype=C.UTF-8",
            "--no-instructions",
        )

    def _reachable(self) -> bool:
        argv = ["runuser", "-u", PG_SUPERUSER, "--", "test", "-w", str(self.dir)]
        return subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, check=False).returncode == 0

    def running(self) -> bool:
        return self._tool("pg_ctl", "status", "-D", str(self.dir), check=False).returncode == 0

    def pid(self) -> int | None:
        """The postmaster's pid from its pid file, if it is running."""
        try:
            pid = int((self.dir / "postmaster.pid").read_text().split("\n", 1)[0])
            os.kill(pid, 0)
            return pid
        except (OSError, ValueError):
            return None

    def start(self) -> None:
        options = shlex.join(["-c", "listen_addresses=", "-k", str(self.dir)])
        done = self._tool(
            "pg_ctl",
            "start",
            "-D",
            str(self.dir),
            "-l",
            str(self.log),
            "-w",
            "-t",
            "60",
            "-o",
            options,
            check=False,
        )
        if done.returncode != 0:
            raise ClusterError("cluster.pg_failed", log=self.log, tail=_tail(self.log))

    def stop(self, immediate: bool = False) -> None:
        self._tool(
            "pg_ctl",
            "stop",
            "-D",
            str(self.dir),
            "-w",
            "-t",
            "60",
            "-m",
            "immediate" if immediate else "fast",
            check=False,
        )

    def _sql(self, query: str, database: str = "postgres") -> str:
        return self._tool(
            "psql",
            "-X",
            "-q",
            "-tA",
            "-v",
            "ON_ERROR_STOP=1",
            "-h",
            str(self.dir),
            "-U",
            PG_SUPERUSER,
            "-d",
            database,
            "-c",
            query,
        ).stdout.strip()

    def ensure_database(self) -> None:
        """The app's role (no superuser) and its database, made once."""
        if not self._sql(f"SELECT 1 FROM pg_roles WHERE rolname = '{DB_USER}'"):
            self._sql(f"CREATE ROLE {DB_USER} LOGIN")
        if not self._sql(f"SELECT 1 FROM pg_database WHERE datname = '{DB_NAME}'"):
            self._sql(f"CREATE DATABASE {DB_NAME} OWNER {DB_USER}")


# --------------------------------------------------------------------------- processes


def _die_with_parent() -> None:
    """In the child before exec: SIGTERM when the orchestrator dies, even by SIGKILL, so no
    replica or balancer is left behind holding a port."""
    libc = ctypes.CDLL("libc.so.6", use_errno=True)
    libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


class Process:
    """A child in its own process group (a Ctrl-C in the terminal reaches only the
    orchestrator, which stops the children in order), its output in a log file."""

    def __init__(self, name: str, argv: list[str], env: Mapping[str, str], log: Path) -> None:
        self.name, self.argv, self.env, self.log = name, argv, dict(env), log
        self.proc: subprocess.Popen | None = None
        self.started = 0.0

    def start(self) -> None:
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with open(self.log, "ab") as out:
            self.proc = subprocess.Popen(
                self.argv,
                cwd=ROOT,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                # the orchestrator starts children from its one thread only
                preexec_fn=_die_with_parent if sys.platform == "linux" else None,  # noqa: PLW1509
            )
        self.started = time.monotonic()

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc else None

    def exit_code(self) -> int | None:
        """None while running (or never started)."""
        return self.proc.poll() if self.proc else None

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def terminate(self) -> None:
        if self.alive():
            self.proc.terminate()

    def kill(self) -> None:
        if self.alive():
            self.proc.kill()
            self.proc.wait(timeout=10)


def _port_free(host: str, port: int) -> bool:
    """Whether HAProxy will be able to bind: found out before anything is started."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host if host not in ("", "*") else "0.0.0.0", port))
        except OSError:
            return False
    return True


def _healthy(url: str, path: str = HEALTH) -> bool:
    try:
        with _NO_PROXY.open(url + path, timeout=2) as r:
            return r.status == 200 and r.read().strip() == b"ok"
    except (urllib.error.URLError, OSError):
        return False


def _tail(path: Path, lines: int = 15) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


# --------------------------------------------------------------------------- the cluster


class _Stop(Exception):
    """Raised out of a wait when a stop signal came."""


@dataclass(frozen=True)
class Options:
    data: Path
    port: int = 8501
    host: str = ""  # the balancer's address; "" is every interface, as `make run`
    replicas: int = 2
    restart: bool = True


class Cluster:
    def __init__(self, options: Options, env: Mapping[str, str] | None = None) -> None:
        self.o = options
        self.data = options.data.resolve()
        self.run_dir = self.data / "cluster"
        self.env = dict(os.environ if env is None else env)
        self.stopping = False
        self.hurry = False
        self.pg: LocalPostgres | None = None
        self.replicas: list[tuple[Process, int]] = []  # (process, port)
        self.balancer: Process | None = None
        self._lock_file = None

    # ------------------------------------------------------------------ signals

    def _signal(self, signum: int, frame: object) -> None:
        if self.stopping:
            self.hurry = True
        self.stopping = True

    def _sleep(self, seconds: float) -> None:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            if self.stopping:
                raise _Stop
            time.sleep(min(0.1, max(0.0, end - time.monotonic())))

    # ------------------------------------------------------------------ run

    def run(self) -> int:
        before = {s: signal.signal(s, self._signal) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
        try:
            self._start()
            return self._watch()
        except _Stop:
            return 0
        except KartinnspillError as exc:
            print(exc.message(), file=sys.stderr, flush=True)
            return 1
        finally:
            self._stop()
            for signum, handler in before.items():
                signal.signal(signum, handler)

    def _start(self) -> None:
        haproxy = shutil.which("haproxy") or ("/usr/sbin/haproxy" if Path("/usr/sbin/haproxy").exists() else None)
        if not haproxy:
            raise ClusterError("cluster.missing_haproxy")
        pg_bin = postgres_bin()
        if pg_bin is None:
            raise ClusterError("cluster.missing_postgres")
        self.run_dir.mkdir(parents=True, exist_ok=True)
        self._lock()
        if not _port_free(self.o.host, self.o.port):
            raise ClusterError("cluster.port_busy", port=self.o.port)
        # the secrets every replica must share, each made once (consultations/keys.py)
        secret_file = self.data / "secret.key"
        keys.load_secret(None, secret_file)
        cookie_secret = keys.load_secret(None, self.data / "cookie-secret").decode()

        env_file = self._start_database(pg_bin, secret_file)
        self._start_replicas(
            replica_env(
                self.env,
                db_url=self.pg.url,
                secret_file=secret_file,
                cookie_secret=cookie_secret,
                trusted_proxy=BALANCER_SOURCE,
            )
        )
        self._start_balancer(haproxy)
        shown = "localhost" if self.o.host in ("", "0.0.0.0", "*") else self.o.host
        _say(
            tn(
                "cluster.ready",
                self.o.replicas,
                url=f"http://{shown}:{self.o.port}",
                pg=self.pg.dir,
                env=env_file,
                logs=self.run_dir,
            )
        )

    def _start_database(self, pg_bin: Path, secret_file: Path) -> Path:
        """PostgreSQL made (first run), started (or taken over), with the app's role and
        database; data/cluster.env for the command line."""
        self.pg = pg = LocalPostgres(self.data / "pg", pg_bin)
        if not pg.initialised():
            _say(t("cluster.initdb", path=pg.dir))
            pg.init()
        if pg.running():
            _say(t("cluster.pg_adopted", path=pg.dir))
        else:
            _say(t("cluster.starting_pg", path=pg.dir))
            pg.start()
        pg.ensure_database()
        env_file = self.data / "cluster.env"
        env_file.write_text(
            "# make cluster's database (deploy/cluster.py); for the command line:\n"
            "#   set -a; . data/cluster.env; set +a\n"
            f"KARTINNSPILL_DB={pg.url}\n"
            f"KARTINNSPILL_SECRET_FILE={shlex.quote(str(secret_file))}\n",
            encoding="utf-8",
        )
        return env_file

    def _start_replicas(self, env: Mapping[str, str]) -> None:
        """REPLICAS streamlit processes on free loopback ports, until each is healthy."""
        _say(tn("cluster.starting_replicas", self.o.replicas))
        for k in range(1, self.o.replicas + 1):
            port, name = free_port(), f"r{k}"
            proc = Process(name, replica_command(port), env, self.run_dir / f"{name}.log")
            proc.start()
            self.replicas.append((proc, port))
        self._write_state()
        self._wait_replicas()

    def _start_balancer(self, haproxy: str) -> None:
        """HAProxy in the foreground (-db), configured from the template for these replicas."""
        backends = [Backend(p.name, f"127.0.0.1:{port}") for p, port in self.replicas]
        config = self.run_dir / "haproxy.cfg"
        config.write_text(
            haproxy_config(
                f"{self.o.host}:{self.o.port}",
                backends,
                stats_socket=self.run_dir / "haproxy.sock",
                source=BALANCER_SOURCE,
            ),
            encoding="utf-8",
        )
        command = [haproxy, "-db", "-f", str(config)]
        self.balancer = Process("haproxy", command, self.env, self.run_dir / "haproxy.log")
        self.balancer.start()
        self._write_state()
        self._wait_balancer()

    def _lock(self) -> None:
        """One orchestrator per data directory: a second one would initdb, bind, and stop
        the first one's database."""
        self._lock_file = open(self.run_dir / "lock", "a+")  # noqa: SIM115 - held while running
        try:
            fcntl.flock(self._lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self._lock_file.seek(0)
            pid = self._lock_file.read().strip() or "?"
            self._lock_file.close()
            self._lock_file = None
            raise ClusterError("cluster.already_running", path=self.data, pid=pid) from None
        self._lock_file.seek(0)
        self._lock_file.truncate()
        self._lock_file.write(str(os.getpid()))
        self._lock_file.flush()

    def _write_state(self) -> None:
        """What a test or an operator needs to find the processes: ports, pids, logs."""
        state = {
            "url": f"http://127.0.0.1:{self.o.port}",
            "database": self.pg.url if self.pg else None,
            "balancer": {
                "pid": self.balancer.pid if self.balancer else None,
                "log": str(self.run_dir / "haproxy.log"),
                "stats_socket": str(self.run_dir / "haproxy.sock"),
            },
            "replicas": [{"name": p.name, "port": port, "pid": p.pid, "log": str(p.log)} for p, port in self.replicas],
        }
        tmp = self.run_dir / "state.json.tmp"
        tmp.write_text(json.dumps(state, indent=2), encoding="utf-8")
        tmp.replace(self.run_dir / "state.json")

    def _wait_replicas(self) -> None:
        waiting = dict(self.replicas)
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while waiting:
            for proc, port in list(waiting.items()):
                if not proc.alive():
                    raise ClusterError(
                        "cluster.replica_failed",
                        name=proc.name,
                        log=proc.log,
                        tail=_tail(proc.log),
                    )
                if _healthy(f"http://127.0.0.1:{port}", READY_PATH):  # warm: its pages run once
                    del waiting[proc]
            if waiting and time.monotonic() > deadline:
                proc = next(iter(waiting))
                raise ClusterError(
                    "cluster.replica_failed",
                    name=proc.name,
                    log=proc.log,
                    tail=_tail(proc.log),
                )
            if waiting:
                self._sleep(0.2)

    def _wait_balancer(self) -> None:
        url = f"http://{self.o.host if self.o.host not in ('', '0.0.0.0', '*') else '127.0.0.1'}:{self.o.port}"
        deadline = time.monotonic() + 30
        while not _healthy(url):
            if not self.balancer.alive() or time.monotonic() > deadline:
                raise ClusterError(
                    "cluster.haproxy_failed",
                    log=self.balancer.log,
                    tail=_tail(self.balancer.log),
                )
            self._sleep(0.1)

    def _watch(self) -> int:
        """Until a stop signal: a dead replica is reported (HAProxy has taken it out) and,
        unless --no-restart, started again on its port; a dead balancer or database ends it."""
        reported: set[int] = set()
        while True:
            try:
                self._sleep(0.5)
            except _Stop:
                return 0
            if not self.balancer.alive():
                print(
                    t(
                        "cluster.haproxy_died",
                        code=self.balancer.exit_code(),
                        log=self.balancer.log,
                    ),
                    file=sys.stderr,
                )
                return 1
            if self.pg.pid() is None:
                print(t("cluster.pg_died", log=self.pg.log), file=sys.stderr)
                return 1
            for proc, _port in self.replicas:
                if proc.alive():
                    continue
                if proc.pid not in reported:
                    reported.add(proc.pid)
                    _say(
                        t(
                            "cluster.replica_died",
                            name=proc.name,
                            pid=proc.pid,
                            code=proc.exit_code(),
                        )
                    )
                if self.o.restart and time.monotonic() - proc.started >= RESTART_AFTER_S:
                    _say(t("cluster.replica_restarting", name=proc.name))
                    proc.start()
                    self._write_state()

    def _stop(self) -> None:
        """The balancer, then the replicas, then PostgreSQL; each waited for."""
        started = self.balancer or self.replicas or self.pg
        if started:
            _say(t("cluster.stopping"))
        if self.balancer:
            self.balancer.terminate()  # HAProxy's hard stop: open websockets are cut
            self._wait([self.balancer], 10)
        replicas = [proc for proc, _port in self.replicas]
        for proc in replicas:
            proc.terminate()
        self._wait(replicas, 15)
        if self.pg and self.pg.running():
            self.pg.stop(immediate=self.hurry)
        if self._lock_file:
            self._lock_file.close()
        if started:
            _say(t("cluster.stopped"))

    def _wait(self, procs: list[Process], timeout: float) -> None:
        """Until every one has exited; past ``timeout``, or at a second Ctrl-C, SIGKILL."""
        deadline = time.monotonic() + timeout
        while any(p.alive() for p in procs) and time.monotonic() < deadline and not self.hurry:
            time.sleep(0.1)
        for p in procs:
            p.kill()


def _say(message: str) -> None:
    print(message, flush=True)


# --------------------------------------------------------------------------- command line


def _server(value: str) -> Backend:
    name, sep, address = value.partition("=")
    if not sep:
        raise argparse.ArgumentTypeError(t("cluster.bad_server", value=value))
    try:
        return Backend(name, address)
    except ClusterError as exc:
        raise argparse.ArgumentTypeError(exc.message()) from None


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m deploy.cluster", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="PostgreSQL, replicas and HAProxy on this machine (make cluster)")
    run.add_argument("--port", type=int, default=8501, help="the balancer's port (PORT)")
    run.add_argument("--host", default="", help="the balancer's address (default: every interface)")
    run.add_argument(
        "--replicas",
        type=int,
        default=2,
        help="how many streamlit processes (REPLICAS)",
    )
    run.add_argument("--data", type=Path, default=Path("data"), help="the data directory")
    run.add_argument(
        "--no-restart",
        dest="restart",
        action="store_false",
        help="leave a dead replica down",
    )
    cfg = sub.add_parser(
        "haproxy-config",
        help="HAProxy's configuration for replicas on several machines",
    )
    cfg.add_argument(
        "--bind",
        required=True,
        help="e.g. ':443 ssl crt /etc/haproxy/kartinnspill.pem'",
    )
    cfg.add_argument(
        "--server",
        type=_server,
        action="append",
        required=True,
        metavar="NAME=HOST:PORT",
    )
    cfg.add_argument("--stats-socket", default="/run/haproxy/kartinnspill.sock")
    cfg.add_argument("--log", default="/dev/log", help="HAProxy's log target (syslog socket)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "haproxy-config":
        sys.stdout.write(
            haproxy_config(
                args.bind,
                args.server,
                stats_socket=args.stats_socket,
                log_target=args.log,
            )
        )
        return 0
    if args.replicas < 1:
        print(t("cluster.no_servers"), file=sys.stderr)
        return 2
    options = Options(
        data=args.data,
        port=args.port,
        host=args.host,
        replicas=args.replicas,
        restart=args.restart,
    )
    return Cluster(options).run()


if __name__ == "__main__":
    sys.exit(main())

"""tools/wings.py moves modules into wings and rewrites every import of them, once: a tiny
package («town») in a throw-away git repository, with each way this code imports a module,
is moved, imported and run; a second run changes nothing."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
spec = importlib.util.spec_from_file_location("wings_tool", ROOT / "tools" / "wings.py")
wings_tool = sys.modules["wings_tool"] = importlib.util.module_from_spec(spec)
spec.loader.exec_module(wings_tool)

MOVES = {"report": "outputs.summary", "lifecycle": "planning.lifecycle", "plan": "planning.plan"}
WINGS = {"planning": "Planning.", "outputs": "Outputs."}
STAY = {"__init__", "geo", "store", "cli"}

FILES = {
    "town/__init__.py": "",
    "town/geo.py": "ORIGIN = (0, 0)\n",
    "town/store.py": "class Store:\n    name = 'store'\n",
    "town/plan.py": "STAGES = ('idea', 'hearing')\n",
    "town/lifecycle.py": """\
        from pathlib import Path

        from . import geo, plan
        from .plan import STAGES  # the stages
        from .store import Store

        DATA = Path(__file__).with_name("data") / "x.txt"
        TOP = Path(__file__).resolve().parent.parent


        def stages():
            return STAGES, plan.STAGES, geo.ORIGIN, Store.name
        """,
    "town/report.py": """\
        from . import lifecycle
        from .lifecycle import stages as all_stages


        def build():
            return ("report", all_stages())
        """,
    "town/cli.py": """\
        import town.report as rep
        from town import report
        from town.lifecycle import stages


        def main():
            return report.build(), rep.build(), stages()
        """,
    # a module the table does not know (another branch's): stays, its imports follow
    "town/newcomer.py": """\
        from . import report
        from .report import build


        def run(report_name="report"):
            report_ = report.build()
            return report_, build(), report_name
        """,
    "town/shadow.py": """\
        from town import report


        def run():
            summary = report.build()
            return summary
        """,
    "town/ui/__init__.py": "",
    "town/ui/page.py": """\
        from .. import report
        from ..report import build  # consultations-style comment: town.report


        def show():
            return report.build() == build()
        """,
    "tests/test_town.py": """\
        import town.report


        def test_build(monkeypatch):
            monkeypatch.setattr("town.report.build", lambda: "patched")  # see town/report.py
            assert town.report.build() == "patched"
        """,
    "Makefile": "report:\n\tpython -m town.report  # town/report.py, not town.reports\n",
}


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=root, check=True, capture_output=True, text=True).stdout


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    for name, text in FILES.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    (tmp_path / "town" / "data").mkdir()
    (tmp_path / "town" / "data" / "x.txt").write_text("x")
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", "-A")
    git(tmp_path, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "flat")
    return tmp_path


def run(root: Path) -> wings_tool.Plan:
    tool = wings_tool.Wings(root, moves=MOVES, package="town", wings=WINGS, stay=STAY)
    plan = tool.plan()
    tool.apply(plan)
    return plan


def python(root: Path, code: str) -> str:
    done = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_modules_move_with_git_into_wings_that_say_what_they_hold(repo):
    plan = run(repo)
    assert sorted((s.as_posix(), d.as_posix()) for s, d in plan.moves) == [
        ("town/lifecycle.py", "town/planning/lifecycle.py"),
        ("town/plan.py", "town/planning/plan.py"),
        ("town/report.py", "town/outputs/summary.py"),
    ]
    status = git(repo, "status", "--porcelain")
    assert "town/report.py -> town/outputs/summary.py" in status  # a rename, as git sees it
    assert (repo / "town/planning/__init__.py").read_text() == '"""Planning."""\n'
    assert not (repo / "town/report.py").exists()


def test_every_kind_of_import_is_rewritten_and_the_package_still_runs(repo):
    run(repo)
    read = lambda name: (repo / name).read_text()  # noqa: E731
    lifecycle = read("town/planning/lifecycle.py")
    # a moved module: same-wing and kernel imports at their new depth, split where they part
    assert "from .. import geo\nfrom . import plan\n" in lifecycle
    assert "from .plan import STAGES  # the stages\nfrom ..store import Store\n" in lifecycle
    # its file anchors still reach the files beside its old place
    assert 'DATA = Path(__file__).parent.with_name("data")' in lifecycle
    assert "TOP = Path(__file__).resolve().parent.parent.parent" in lifecycle
    summary = read("town/outputs/summary.py")
    assert "from ..planning import lifecycle\nfrom ..planning.lifecycle import stages as all_stages" in summary
    cli = read("town/cli.py")
    assert "import town.outputs.summary as rep\nfrom town.outputs import summary\n" in cli
    assert "return summary.build(), rep.build(), stages()" in cli  # the renamed binding follows
    # an unknown module: imports follow; a renamed module keeps its old name where it is taken
    newcomer = read("town/newcomer.py")
    assert "from .outputs import summary\nfrom .outputs.summary import build\n" in newcomer
    assert "report_ = summary.build()" in newcomer and 'report_name="report"' in newcomer
    assert "from town.outputs import summary as report\n" in read("town/shadow.py")
    ui = read("town/ui/page.py")
    assert "from ..outputs import summary\n" in ui
    assert "from ..outputs.summary import build  # consultations-style comment: town.outputs.summary" in ui
    test = read("tests/test_town.py")
    assert 'monkeypatch.setattr("town.outputs.summary.build", lambda: "patched")  # see town/outputs/summary.py' in test
    assert "assert town.outputs.summary.build()" in test and "import town.outputs.summary\n" in test
    assert (
        read("Makefile") == "report:\n\tpython -m town.outputs.summary  # town/outputs/summary.py, not town.reports\n"
    )

    assert python(
        repo,
        "import town.cli, town.newcomer, town.shadow, town.ui.page;"
        "print(town.cli.main()[0], town.ui.page.show(), town.newcomer.run()[2])",
    ) == ("('report', (('idea', 'hearing'), ('idea', 'hearing'), (0, 0), 'store')) True report")
    assert python(repo, "from town.planning import lifecycle; print(lifecycle.DATA.read_text())") == "x"


def test_a_second_run_changes_nothing(repo):
    run(repo)
    git(repo, "add", "-A")
    git(repo, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "wings")
    again = run(repo)
    assert (again.moves, again.edits, again.new_wings) == ([], {}, [])
    assert git(repo, "status", "--porcelain") == ""


def test_a_module_the_table_does_not_know_is_named_and_left_at_the_top(repo):
    plan = run(repo)
    assert plan.unknown == ["newcomer", "shadow"]
    assert (repo / "town/newcomer.py").exists()


def test_a_module_in_both_places_is_refused_before_anything_changes(repo):
    (repo / "town/outputs").mkdir()
    (repo / "town/outputs/summary.py").write_text("")
    with pytest.raises(SystemExit, match="both town/report.py and town/outputs/summary.py"):
        run(repo)
    assert "from . import lifecycle" in (repo / "town/report.py").read_text()


def test_the_real_table_names_wings_in_the_import_graphs_order():
    from tests.helpers_layers import WINGS as LAYERS

    assert tuple(wings_tool.WINGS) == LAYERS
    assert {new.split(".")[0] for new in wings_tool.MOVES.values()} == set(LAYERS)
    assert not set(wings_tool.MOVES) & (wings_tool.KERNEL | wings_tool.APP)

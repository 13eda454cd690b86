"""Move the consultations package's domain modules into wings, and rewrite every import.

    .venv/bin/python tools/wings.py            # move and rewrite (needs a clean git tree)
    .venv/bin/python tools/wings.py --check    # say what a run would change; exit 1 if anything

One table drives it: ``MOVES`` (old top-level module → its place in a wing). A run

1. rewrites, in every Python file of the project (consultations/, pages/, tests/, bench/,
   deploy/, tools/, app.py, serve.py), each import of a moved module — absolute
   (``import consultations.x as y``, ``from consultations.x import …``, ``from consultations
   import x``) and relative (``from .x import …``, ``from . import x``, ``from ..x import …``
   in consultations/ui and consultations/store) —, the dotted names ``consultations.x`` in
   code, strings (monkeypatch and mock targets, logger names) and comments, and the paths
   ``consultations/x.py``; in a module that moves, its relative imports get the new depth and
   its ``Path(__file__)`` anchors one more ``.parent``; a module renamed on the way
   (report → merknadsbehandling) is renamed where a file binds it by name, or imported
   ``as`` its old name where the file also uses that name for something else;
2. rewrites the same dotted names and paths in the project's other text files (Makefile,
   README, docs, .ci/run, deploy/, pyproject.toml), so ``python -m consultations.x`` stays true;
3. moves the modules with ``git mv`` into wing packages it creates (``__init__.py`` with the
   wing's description from ``WINGS``).

A module the table does not name stays at the top (the kernel, or a module another branch
added): its imports of moved modules are rewritten like everyone's, and the run lists it so
a person can decide its wing. A second run finds nothing to move and no old name to rewrite:
it changes nothing (``--check`` then exits 0).

Standard library only; the source is read with ``ast`` (where imports and names are) and
``tokenize`` (where strings and comments are), and edited in place at those positions, so
formatting and comments elsewhere stay as they were.
"""

from __future__ import annotations

import argparse
import ast
import io
import re
import subprocess
import sys
import tokenize
from dataclasses import dataclass, field
from pathlib import Path

PACKAGE = "consultations"

# The wings, lowest first: a wing may import the kernel (the package's top-level modules and
# consultations/store) and the wings before it, never one after it
# (tests/test_import_graph.py holds the same order).
WINGS = {
    "casework": "Casework: what planners do with the inputs — review and moderation, merknadspunkter,\n"
    "letters staff register, retention, and the analyses they read (summaries, themes, the\n"
    "school classes' results).",
    "planning": "Planning: the plan and its process — life cycle and plan process, import of plans,\n"
    "documents, context layers, hearing parties, innsigelser, the medvirkning activities.",
    "participation": "Participation: what a resident does and sees — the submission and its checks,\n"
    "attachments, questions, drawing, place search, the receipt, the public view, embedding.",
    "children": "Children: school classes and Barnetråkk.",
    "outputs": "Outputs: what leaves the app — the merknadsbehandling, the medvirkningsrapport,\n"
    "exports and downloads, the archive package, the varslingslister, «hørte → gjør», open data\n"
    "(OGC API, feeds).",
}

# old top-level module -> its new name below the package. A key must be a top-level module
# (consultations/<key>.py); a value is "<wing>.<module>".
MOVES = {
    # casework
    "analysis": "casework.analysis",
    "class_results": "casework.class_results",  # the planners' analysis of the classes; public.py reads it
    "letters": "casework.letters",
    "moderation": "casework.moderation",
    "points": "casework.points",
    "points_sheet": "casework.points_sheet",
    "retention": "casework.retention",
    "review": "casework.review",
    "themes": "casework.themes",
    # planning
    "activities": "planning.activities",
    "context_layers": "planning.context_layers",
    "documents": "planning.documents",
    "hearing_parties": "planning.hearing_parties",
    "importing": "planning.importing",
    "lifecycle": "planning.lifecycle",
    "objections": "planning.objections",
    "planprocess": "planning.planprocess",
    # participation
    "attachments": "participation.attachments",
    "drawing": "participation.drawing",
    "embed": "participation.embed",
    "places": "participation.places",
    "public": "participation.public",
    "questions": "participation.questions",
    "receipt": "participation.receipt",
    "submission": "participation.submission",
    # children
    "barnetrakk": "children.barnetrakk",
    "classes": "children.classes",
    # outputs
    "archive": "outputs.archive",
    "barnetrakk_print": "outputs.barnetrakk_print",  # draws with the medvirkningsrapport's map
    "charts": "outputs.charts",
    "downloads": "outputs.downloads",
    "export": "outputs.export",
    "feedback": "outputs.feedback",
    "feeds": "outputs.feeds",
    "medvirkning_report": "outputs.medvirkningsrapport",
    "notification": "outputs.notification",
    "ogcapi": "outputs.ogcapi",
    "opendata": "outputs.opendata",
    "postal_list": "outputs.postal_list",
    "report": "outputs.merknadsbehandling",
    "report_facts": "outputs.merknadsbehandling_facts",
}

# What stays at the top by decision (the run names any other top-level module it finds).
# The kernel: imported by every wing. word and pdfa are format helpers (a proper Word case
# document, PDF/A) that the resident's receipt uses as much as the outputs do.
KERNEL = {
    "__init__",
    "__main__",
    "addresses",
    "assets",
    "auth",
    "background_gc",
    "browser",
    "compounds",
    "config",
    "errors",
    "geo",
    "http_policy",
    "hyphenation",
    "i18n",
    "keys",
    "mail",
    "mail_model",
    "mail_routes",
    "mail_sender",
    "model",
    "pdf_fonts",
    "pdfa",
    "permissions",
    "ratelimit",
    "tcp_nodelay",
    "text",
    "users",
    "word",
}
# The application's top: modules that put the wings together (they may import any wing).
APP = {"cli", "demo", "web"}

# Where Python files are rewritten (relative to the project root).
PY_DIRS = ("pages", "tests", "bench", "deploy", "tools")  # and the package itself
PY_FILES = ("app.py", "serve.py")
# Never rewritten: this script and its test hold old names on purpose.
EXCLUDE = ("tools/wings.py", "tests/test_wings.py")
# Other tracked text files are rewritten too, except what is not ours or not text.
TEXT_SKIP = ("static/", "geodata/", "schemas/", "wordlists/", "locales/")


@dataclass
class Plan:
    """What one run does, worked out before anything is touched."""

    moves: list[tuple[Path, Path]] = field(default_factory=list)  # (old file, new file), relative
    edits: dict[Path, str] = field(default_factory=dict)  # file (current place) -> new text
    new_wings: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)  # top-level modules the table does not name
    warnings: list[str] = field(default_factory=list)


class Wings:
    def __init__(
        self,
        root: Path,
        moves: dict[str, str] = MOVES,
        package: str = PACKAGE,
        wings: dict[str, str] = WINGS,
        stay: set[str] = KERNEL | APP,
    ) -> None:
        self.root = root
        self.package = package
        self.moves = dict(moves)
        self.wings = wings
        self.stay = stay
        for old, new in self.moves.items():
            if "." in old or new.count(".") != 1 or new.split(".")[0] not in wings:
                raise SystemExit(f"MOVES: {old!r} -> {new!r} is not <top-level module> -> <wing>.<module>")
            if new.split(".")[0] in self.moves:
                raise SystemExit(f"MOVES: the wing {new.split('.')[0]!r} is also a module that moves")
        names = "|".join(sorted(map(re.escape, self.moves), key=len, reverse=True))
        pkg = re.escape(package)
        # `consultations.report` (not `consultations.reports`, not `x.consultations.report`)
        self._dotted = re.compile(rf"(?<![\w.]){pkg}\.({names})(?!\w)")
        # `consultations/report.py`
        self._path = re.compile(rf"(?<![\w/]){pkg}/({names})\.py(?!\w)")

    # -- names ---------------------------------------------------------------------------------

    def remap(self, module: str) -> str:
        """The new dotted name of ``module`` (or ``module`` if it does not move)."""
        parts = module.split(".")
        if len(parts) >= 2 and parts[0] == self.package and parts[1] in self.moves:
            return ".".join([self.package, *self.moves[parts[1]].split("."), *parts[2:]])
        return module

    def _text(self, text: str) -> str:
        text = self._dotted.sub(lambda m: f"{self.package}.{self.moves[m.group(1)]}", text)
        return self._path.sub(lambda m: f"{self.package}/{self.moves[m.group(1)].replace('.', '/')}.py", text)

    def module_of(self, rel: Path) -> str | None:
        parts = list(rel.with_suffix("").parts)
        if parts and parts[-1] == "__init__":
            parts.pop()
        return ".".join(parts) if parts else None

    # -- the plan ------------------------------------------------------------------------------

    def plan(self) -> Plan:
        plan = Plan()
        pkg_dir = self.root / self.package
        destination: dict[Path, Path] = {}
        for old, new in sorted(self.moves.items()):
            src = Path(self.package, f"{old}.py")
            dst = Path(self.package, *new.split(".")).with_suffix(".py")
            here, there = (self.root / src).exists(), (self.root / dst).exists()
            if here and there:
                raise SystemExit(f"both {src} and {dst} exist: merge them by hand, then run again")
            if here:
                plan.moves.append((src, dst))
                destination[src] = dst
            elif not there:
                plan.warnings.append(f"{src}: in MOVES but not found (gone? renamed?)")
        for wing in sorted({new.split(".")[0] for _, new in self.moves.items()}):
            if any(dst.parts[1] == wing for _, dst in plan.moves) and not (pkg_dir / wing / "__init__.py").exists():
                plan.new_wings.append(wing)
        for path in sorted(pkg_dir.glob("*.py")):
            if path.stem not in self.moves and path.stem not in self.stay:
                plan.unknown.append(path.stem)

        # every module there is (old and new names), to tell `from p import m` (a module)
        # from `from p import name` (a name in p)
        self.modules = {self.package}
        for path in pkg_dir.rglob("*.py"):
            name = self.module_of(path.relative_to(self.root))
            self.modules.add(name)
            self.modules.add(self.remap(name))
        self.modules |= {f"{self.package}.{w}" for w in self.wings}

        for rel in self._python_files():
            text = (self.root / rel).read_text("utf-8")
            dest = destination.get(rel, rel)
            try:
                new = self.rewrite_python(text, rel, dest, plan.warnings)
            except SyntaxError as exc:
                plan.warnings.append(f"{rel}: not rewritten, it does not parse ({exc.msg}, line {exc.lineno})")
                continue
            if new != text:
                plan.edits[rel] = new
        for rel in self._text_files():
            try:
                text = (self.root / rel).read_text("utf-8")
            except (UnicodeDecodeError, FileNotFoundError):
                continue
            new = self._text(text)
            if new != text:
                plan.edits[rel] = new
        return plan

    def _tracked(self) -> list[Path]:
        done = subprocess.run(["git", "ls-files", "-z"], cwd=self.root, capture_output=True, check=True)
        return [Path(p) for p in done.stdout.decode("utf-8").split("\0") if p]

    def _python_files(self) -> list[Path]:
        found = set()
        for top in (self.package, *PY_DIRS):
            if (self.root / top).is_dir():
                found |= {p.relative_to(self.root) for p in (self.root / top).rglob("*.py")}
        found |= {Path(f) for f in PY_FILES if (self.root / f).is_file()}
        return sorted(p for p in found if p.as_posix() not in EXCLUDE and ".venv" not in p.parts)

    def _text_files(self) -> list[Path]:
        return sorted(
            p
            for p in self._tracked()
            if p.suffix != ".py"
            and p.as_posix() not in EXCLUDE
            and not p.as_posix().removeprefix(f"{self.package}/").startswith(TEXT_SKIP)
            and (self.root / p).is_file()
            and (self.root / p).stat().st_size < 2_000_000
        )

    # -- one Python file -----------------------------------------------------------------------

    def rewrite_python(self, text: str, rel: Path, dest: Path, warnings: list[str]) -> str:
        """``text`` (the file ``rel``, written for that place) rewritten for the place ``dest``."""
        tree = ast.parse(text, str(rel))
        lines = text.splitlines(keepends=True)
        starts = [0]
        for line in lines:
            starts.append(starts[-1] + len(line))

        def offset(lineno: int, col: int) -> int:  # ast columns count UTF-8 bytes
            line = lines[lineno - 1]
            return starts[lineno - 1] + len(line.encode("utf-8")[:col].decode("utf-8"))

        def span(node: ast.AST) -> tuple[int, int]:
            return offset(node.lineno, node.col_offset), offset(node.end_lineno, node.end_col_offset)

        edits: list[tuple[int, int, str]] = []
        module, new_module = self.module_of(rel), self.module_of(dest)
        is_init = rel.name == "__init__.py"
        package = module if is_init else (module or "").rpartition(".")[0]
        new_package = new_module if is_init else (new_module or "").rpartition(".")[0]
        moving = rel != dest

        imports = [(node, self._resolve(node, package)) for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)]
        renamed = self._renamed_bindings(tree, imports)
        for node, base in imports:
            if base is not None:
                edits += self._import_from(node, base, text, span, new_package, moving, renamed, warnings, rel)
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    new = self.remap(alias.name)
                    if new != alias.name:
                        start = offset(alias.lineno, alias.col_offset)
                        if text[start : start + len(alias.name)] != alias.name:
                            warnings.append(f"{rel}:{alias.lineno}: `import {alias.name}` not rewritten (spacing)")
                            continue
                        edits.append((start, start + len(alias.name), new))
            elif (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id == self.package
                and node.attr in self.moves
            ):
                start, end = span(node)
                if text[start:end] == f"{self.package}.{node.attr}":
                    edits.append((start, end, f"{self.package}.{self.moves[node.attr]}"))
                else:
                    warnings.append(f"{rel}:{node.lineno}: `{text[start:end]}` not rewritten (spacing)")
            elif isinstance(node, ast.Name) and node.id in renamed:
                start, end = span(node)
                edits.append((start, end, renamed[node.id]))

        # strings and comments: dotted names, module paths
        for tok in tokenize.generate_tokens(io.StringIO(text).readline):
            if tok.type in (tokenize.STRING, tokenize.COMMENT):
                new = self._text(tok.string)
                start, end = starts[tok.start[0] - 1] + tok.start[1], starts[tok.end[0] - 1] + tok.end[1]
                if new != tok.string and not any(a <= start < b for a, b, _ in edits):
                    edits.append((start, end, new))

        if moving:
            edits += self._file_anchors(text, rel, dest, warnings)
        return _apply(text, edits, rel)

    def _resolve(self, node: ast.ImportFrom, package: str) -> str | None:
        """The absolute module a ``from … import`` reads from, if it is in our package."""
        if node.level:
            parts = package.split(".") if package else []
            if node.level > len(parts):
                return None
            base = ".".join(parts[: len(parts) - node.level + 1] + ([node.module] if node.module else []))
        else:
            base = node.module or ""
        return base if base.split(".")[0] == self.package else None

    def _submodule(self, base: str, alias: ast.alias) -> str | None:
        full = f"{base}.{alias.name}"
        return full if alias.name != "*" and full in self.modules else None

    def _renamed_bindings(self, tree: ast.Module, imports: list) -> dict[str, str]:
        """Old names of renamed modules this file binds by ``from p import old`` that may be
        renamed in the whole file: bound only there, used only as names (never assigned, a
        parameter, a definition, in an f-string), and the new name free."""
        wanted: dict[str, str] = {}
        ours: set[int] = set()
        for node, base in imports:
            for alias in node.names if base is not None else ():
                full = self._submodule(base, alias)
                if full and alias.asname is None:
                    new = self.remap(full).rpartition(".")[2]
                    if new != alias.name:
                        wanted[alias.name] = new
                        ours.add(id(alias))
        if not wanted:
            return {}
        used: set[str] = set()
        blocked: set[str] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Name):
                used.add(node.id)
                if not isinstance(node.ctx, ast.Load):
                    blocked.add(node.id)
            elif isinstance(node, ast.arg):
                blocked.add(node.arg)
            elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                blocked.add(node.name)
            elif isinstance(node, ast.Global | ast.Nonlocal):
                blocked.update(node.names)
            elif isinstance(node, ast.alias):
                bound = node.asname or node.name.split(".")[0]
                if id(node) not in ours:
                    blocked.add(bound)  # bound by another import as well
                used.add(bound)
            elif isinstance(node, ast.JoinedStr):
                blocked.update(n.id for n in ast.walk(node) if isinstance(n, ast.Name))
        return {old: new for old, new in wanted.items() if old not in blocked and new not in used}

    def _import_from(self, node, base, text, span, new_package, moving, renamed, warnings, rel):
        # each imported name: the package/module it now comes from, and how it is written
        groups: dict[str, list[str]] = {}
        names_changed = False
        for alias in node.names:
            as_written = alias.name if alias.asname is None else f"{alias.name} as {alias.asname}"
            full = self._submodule(base, alias)
            if full:
                source, _, name = self.remap(full).rpartition(".")
                if name == alias.name:
                    written = as_written
                elif alias.asname:
                    written = f"{name} as {alias.asname}"
                elif alias.name in renamed:
                    written = name
                else:
                    written = f"{name} as {alias.name}"
            else:
                source, written = self.remap(base), as_written
            names_changed |= written != as_written
            groups.setdefault(source, []).append(written)
        if list(groups) == [base] and not names_changed and not (moving and node.level):
            return []

        def spelled(target: str) -> str:
            if not node.level:
                return target
            here, there = new_package.split("."), target.split(".")
            common = 0
            while common < min(len(here), len(there)) and here[common] == there[common]:
                common += 1
            return "." * (len(here) - common + 1) + ".".join(there[common:])

        start, end = span(node)
        original = text[start:end]
        if len(groups) == 1 and not names_changed:
            # one source, names as they were: change only the module between `from` and `import`
            toks = list(tokenize.generate_tokens(io.StringIO(original).readline))
            first = next(i for i, t in enumerate(toks) if t.string == "from")
            last = next(i for i, t in enumerate(toks) if t.string == "import" and i > first)
            a = _pos(original, toks[first + 1].start)
            b = _pos(original, toks[last - 1].end)
            new = spelled(next(iter(groups)))
            return [] if original[a:b] == new else [(start + a, start + b, new)]
        # several sources, or renamed names: the statement written anew, one per source
        comments = [
            self._text(t.string)
            for t in tokenize.generate_tokens(io.StringIO(original).readline)
            if t.type == tokenize.COMMENT
        ]
        line_start = text.rfind("\n", 0, start) + 1
        indent = text[line_start:start]
        if indent.strip():
            warnings.append(f"{rel}:{node.lineno}: an import after other code on its line, rewritten in place")
            indent = ""
        statements = []
        for source, names in groups.items():
            one = f"from {spelled(source)} import {', '.join(names)}"
            if len(indent) + len(one) > 110:
                one = (
                    f"from {spelled(source)} import (\n" + "".join(f"{indent}    {n},\n" for n in names) + f"{indent})"
                )
            statements.append(one)
        if comments:
            statements[0] += "  " + "  ".join(comments)
        return [(start, end, f"\n{indent}".join(statements))]

    def _file_anchors(self, text: str, rel: Path, dest: Path, warnings: list[str]) -> list[tuple[int, int, str]]:
        """A module one folder deeper: ``Path(__file__)`` anchors one more ``.parent``, so
        ``.with_name(…)`` and ``.parent`` still reach the files beside the old place."""
        deeper = len(dest.parts) - len(rel.parts)
        if deeper < 0:
            raise SystemExit(f"{rel} -> {dest}: moving a module up is not supported")
        edits = []
        anchors = list(re.finditer(r"Path\(__file__\)", text))
        for m in anchors:
            after = text[m.end() : m.end() + 40]
            at = m.end() + (len(".resolve()") if after.startswith(".resolve()") else 0)
            if re.match(r"\.(with_name\(|parent\b|parents\[)", text[at : at + 20]):
                edits.append((at, at, ".parent" * deeper))
            else:
                warnings.append(f"{rel}: `Path(__file__){after[:20]}…` left as it is: check it by hand")
        if text.count("__file__") > len(anchors):
            warnings.append(f"{rel}: uses __file__ other than through Path(__file__): check it by hand")
        return edits

    # -- doing it ------------------------------------------------------------------------------

    def apply(self, plan: Plan) -> None:
        for rel, text in plan.edits.items():
            (self.root / rel).write_text(text, "utf-8")
        for wing in plan.new_wings:
            init = self.root / self.package / wing / "__init__.py"
            init.parent.mkdir(exist_ok=True)
            init.write_text(f'"""{self.wings[wing]}"""\n', "utf-8")
            _git(self.root, "add", str(init.relative_to(self.root)))
        for src, dst in plan.moves:
            _git(self.root, "mv", str(src), str(dst))


def _pos(text: str, rowcol: tuple[int, int]) -> int:
    row, col = rowcol
    return sum(len(line) for line in text.splitlines(keepends=True)[: row - 1]) + col


def _apply(text: str, edits: list[tuple[int, int, str]], rel: Path) -> str:
    edits = sorted(set(edits))
    for (a1, b1, _), (a2, _, _) in zip(edits, edits[1:]):
        if a2 < b1:
            raise SystemExit(f"{rel}: overlapping rewrites at {a1}-{b1} and {a2}: fix by hand")
    for start, end, new in reversed(edits):
        text = text[:start] + new + text[end:]
    return text


def _git(root: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=root, check=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 if a run would change something")
    parser.add_argument("--allow-dirty", action="store_true", help="run on a tree with uncommitted changes")
    parser.add_argument("--root", type=Path, default=Path(__file__).resolve().parent.parent)
    args = parser.parse_args(argv)
    root = args.root.resolve()
    wings = Wings(root)
    plan = wings.plan()
    for warning in plan.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    if plan.unknown:
        print(
            f"left at the top (not in MOVES, KERNEL or APP; add each to one): {', '.join(plan.unknown)}",
            file=sys.stderr,
        )
    moved = {src for src, _ in plan.moves}
    print(
        f"{len(plan.moves)} modules to move, {len(plan.edits)} files to rewrite "
        f"({len(set(plan.edits) - moved)} besides the moved ones)"
    )
    if args.check:
        for src, dst in plan.moves:
            print(f"  move {src} -> {dst}")
        for rel in plan.edits:
            print(f"  rewrite {rel}")
        return 1 if plan.moves or plan.edits else 0
    if not plan.moves and not plan.edits:
        return 0
    dirty = subprocess.run(["git", "status", "--porcelain"], cwd=root, capture_output=True, text=True, check=True)
    if dirty.stdout.strip() and not args.allow_dirty:
        print("the git tree has uncommitted changes: commit them first (or --allow-dirty)", file=sys.stderr)
        return 2
    wings.apply(plan)
    return 0


if __name__ == "__main__":
    sys.exit(main())

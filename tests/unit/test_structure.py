"""Code structure rules of docs/design.md, checked on the source tree (AST only, nothing imported).

Requirements (exact; run time about 4 s on 2 busy cores):
* T1 Only stressfem/_dolfinx.py imports dolfinx, petsc4py, ufl or basix.
* T2 No module imports an underscore (private) name, or an underscore module, from another
  stressfem module.
* T3 No module in stressfem/ is over 500 lines.
* T4 No import circle between the modules of stressfem/ (any import, also inside functions or under
  TYPE_CHECKING: a circle means two modules that cannot be understood apart).
* T5 No merge-conflict markers in the package, tests, docs, cases or the README.
"""

from __future__ import annotations

import ast

from conftest import ROOT

PACKAGE = ROOT / "stressfem"
FENICS = ("dolfinx", "petsc4py", "ufl", "basix")


def _modules():
    for f in sorted(PACKAGE.rglob("*.py")):
        yield f.relative_to(ROOT).as_posix(), f.read_text(encoding="utf-8")


def test_fenics_imports_go_through_dolfinx_shim():
    bad = []
    for name, src in _modules():
        if name == "stressfem/_dolfinx.py":
            continue
        for node in ast.walk(ast.parse(src)):
            if isinstance(node, ast.Import):
                mods = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                mods = [node.module or ""]
            else:
                continue
            bad += [f"{name}:{node.lineno} {m}" for m in mods if m.split(".")[0] in FENICS]
    assert bad == []


def test_no_private_names_across_modules():
    bad = []
    for name, src in _modules():
        for node in ast.walk(ast.parse(src)):
            if isinstance(node, ast.ImportFrom) and node.module != "__future__":
                mod = (node.module or "").split(".")[-1]
                private = [a.name for a in node.names if a.name.startswith("_") and not a.name.startswith("__")]
                if mod.startswith("_") and mod != "_dolfinx":
                    private.append(node.module)
                bad += [f"{name}:{node.lineno} {p}" for p in private]
    assert bad == []


def test_module_size():
    sizes = {name: src.count("\n") for name, src in _modules()}
    assert {n: s for n, s in sizes.items() if s > 500} == {}


def _imports(name: str, src: str) -> set[str]:
    """The stressfem modules (dotted) that a module imports."""
    pkg = name.removesuffix(".py").replace("/", ".").removesuffix(".__init__")
    here = pkg.split(".") if name.endswith("__init__.py") else pkg.split(".")[:-1]
    out = set()
    for node in ast.walk(ast.parse(src)):
        if isinstance(node, ast.ImportFrom):
            base = here[: len(here) - node.level + 1] if node.level else []
            mod = ".".join(base + ([node.module] if node.module else []))
            out |= {f"{mod}.{a.name}" for a in node.names} | {mod}
        elif isinstance(node, ast.Import):
            out |= {a.name for a in node.names}
    return {m for m in out if m.startswith("stressfem")}


def test_no_import_circles():
    files = {name.removesuffix(".py").replace("/", ".").removesuffix(".__init__"): name for name, _ in _modules()}
    graph = {mod: {m for m in _imports(files[mod], (ROOT / files[mod]).read_text(encoding="utf-8"))
                   if m in files and m != mod} for mod in files}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    circles = []

    def visit(v: str) -> None:  # Tarjan's strongly connected components
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                circles.append(sorted(comp))

    for v in graph:
        if v not in index:
            visit(v)
    assert circles == [], circles


def test_no_merge_conflict_markers():
    markers = ("<<<<<<< ", ">>>>>>> ", "=======\n")
    files = [ROOT / "README.md"] + [f for d in ("stressfem", "tests", "docs", "cases", "benchmarks")
                                    for f in sorted((ROOT / d).rglob("*")) if f.suffix in (".py", ".md", ".toml")]
    bad = []
    for f in files:
        for k, line in enumerate(f.read_text(encoding="utf-8").splitlines(keepends=True), 1):
            if line.startswith(markers[:2]) or line == markers[2]:
                bad.append(f"{f.relative_to(ROOT)}:{k}")
    assert bad == []

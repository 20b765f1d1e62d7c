"""Code structure rules of docs/design.md, checked on the source tree (AST only, nothing imported).

Requirements (exact; run time under 1 s):
* T1 Only stressfem/_dolfinx.py imports dolfinx, petsc4py, ufl or basix.
* T2 No module imports an underscore (private) name from another stressfem module, nor reads an
  underscore attribute of an object it does not own through a module name.
* T3 No module in stressfem/ is over 500 lines.
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

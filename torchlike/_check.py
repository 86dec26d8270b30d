"""`python -m torchlike check PATH ...`: list the torch APIs a program uses that torchlike lacks.

The code is read, never run: imports and their aliases (`import torch.nn as nn`,
`from torch import optim`, `from torch.nn import functional as F`) are followed into
attribute chains (`torch.foo.bar`, `nn.Conv2d`, `F.relu`), and each chain is resolved
against torchlike's modules with getattr. Methods called on tensors and modules (`x.view`,
`model.parameters`) are not seen: their receivers' types are unknown without running.
"""

import argparse
import ast
import importlib
import os
import sys
import types
from dataclasses import dataclass

_SKIP_DIRS = {
    ".git",
    ".hg",
    ".svn",
    "__pycache__",
    "node_modules",
    "site-packages",
    ".tox",
    ".venv",
    "venv",
    "env",
    "build",
    "dist",
    ".eggs",
    ".mypy_cache",
    ".pytest_cache",
}
# Packages that import the real torch themselves; under the drop-in runner they get torchlike.
_ECOSYSTEM = {
    "torchvision",
    "torchaudio",
    "torchtext",
    "torchdata",
    "torchmetrics",
    "functorch",
    "lightning",
    "pytorch_lightning",
    "timm",
    "transformers",
    "accelerate",
    "torch_geometric",
    "torch_xla",
    "triton",
}


@dataclass(frozen=True)
class Use:
    """One use of a torch API in a file."""

    path: str
    line: int
    col: int
    api: str  # dotted, as torch spells it: "torch.nn.functional.relu"
    store: bool = False  # assigned to (`torch.backends.cudnn.benchmark = True`)


def _is_torch(name):
    return name == "torch" or name.startswith("torch.")


def _chain(node):
    """['a', 'b', 'c'] for the expression a.b.c, or None if it does not start at a name."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    return parts[::-1]


class _Collector(ast.NodeVisitor):
    """Finds the torch APIs a module's code refers to."""

    def __init__(self, path):
        self.path = path
        self.aliases = {}  # local name -> dotted torch name it is bound to
        self.uses = []
        self.notes = []

    def collect_imports(self, tree):
        # Imports are gathered first, so uses inside functions defined above an import count.
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for a in node.names:
                    root = a.name.partition(".")[0]
                    if root in _ECOSYSTEM:
                        self._note(node, a.name)
                    if not _is_torch(a.name):
                        continue
                    self._use(node, a.name)
                    if a.asname:
                        self.aliases[a.asname] = a.name
                    else:
                        self.aliases["torch"] = "torch"
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                root = node.module.partition(".")[0]
                if root in _ECOSYSTEM:
                    self._note(node, node.module)
                if not _is_torch(node.module):
                    continue
                for a in node.names:
                    if a.name == "*":
                        self._use(node, node.module)
                        continue
                    full = f"{node.module}.{a.name}"
                    self._use(node, full)
                    self.aliases[a.asname or a.name] = full

    def _use(self, node, api, store=False):
        self.uses.append(Use(self.path, node.lineno, node.col_offset + 1, api, store))

    def _note(self, node, name):
        self.notes.append(
            (
                self.path,
                node.lineno,
                (
                    f"imports {name}, which imports the real torch itself "
                    "(under `python -m torchlike` it gets torchlike and "
                    "may not work)"
                ),
            )
        )

    def visit_Attribute(self, node):
        parts = _chain(node)
        if parts is None or parts[0] not in self.aliases:
            self.generic_visit(node)
            return
        api = ".".join([self.aliases[parts[0]], *parts[1:]])
        self._use(node, api, store=isinstance(node.ctx, (ast.Store, ast.Del)))


def _resolve(api, store=False):
    """None if torchlike has `api` (dotted torch name), else the first missing dotted prefix."""
    parts = api.split(".")
    if store:
        # Assigning an attribute creates it; only what it is assigned on must exist.
        parts = parts[:-1]
    obj = importlib.import_module("torchlike")
    for i, part in enumerate(parts[1:], start=2):
        try:
            obj = getattr(obj, part)
            continue
        except AttributeError:
            pass
        except NotImplementedError:
            return ".".join(parts[:i])
        except Exception:  # noqa: BLE001 - a descriptor that fails on a class: it exists
            return None
        if isinstance(obj, types.ModuleType):
            try:
                obj = importlib.import_module(f"{obj.__name__}.{part}")
                continue
            except ModuleNotFoundError:
                pass
        return ".".join(parts[:i])
    return None


def iter_files(paths):
    """The .py files named, and those under the folders named (sorted)."""
    for p in paths:
        if os.path.isdir(p):
            for root, dirs, files in os.walk(p):
                dirs[:] = sorted(d for d in dirs if d not in _SKIP_DIRS and not d.startswith("."))
                for f in sorted(files):
                    if f.endswith(".py"):
                        yield os.path.join(root, f)
        else:
            yield p


def check_source(source, path="<string>"):
    """(uses, missing, notes) for one file's source: missing is [(Use, missing_api)]."""
    tree = ast.parse(source, filename=path)
    c = _Collector(path)
    c.collect_imports(tree)
    c.visit(tree)
    cache = {}
    missing = []
    for u in c.uses:
        key = (u.api, u.store)
        if key not in cache:
            cache[key] = _resolve(u.api, u.store)
        if cache[key] is not None:
            missing.append((u, cache[key]))
    return c.uses, missing, c.notes


def check(paths, out=sys.stdout, verbose=False):
    """Check files and folders; print one line per missing API use and a verdict; return 0/1/2."""
    files = list(iter_files(paths))
    all_uses, all_missing, errors = [], [], 0
    for path in files:
        try:
            with open(path, "rb") as f:
                source = f.read()
            uses, missing, notes = check_source(source, path)
        except SyntaxError as e:
            print(f"{path}:{e.lineno or 0}: cannot parse: {e.msg}", file=out)
            errors += 1
            continue
        except OSError as e:
            print(f"{path}: cannot read: {e.strerror}", file=out)
            errors += 1
            continue
        all_uses += uses
        all_missing += missing
        seen = set()
        for u, api in missing:
            if (u.line, api) not in seen:
                seen.add((u.line, api))
                print(f"{u.path}:{u.line}:{u.col}: {api} is not in torchlike", file=out)
        for p, line, msg in notes:
            print(f"{p}:{line}: note: {msg}", file=out)
        if verbose:
            for u in uses:
                print(f"{u.path}:{u.line}:{u.col}: uses {u.api}", file=out)
    used = {u.api for u in all_uses}
    lacking = sorted({api for _, api in all_missing})
    nfiles = f"{len(files)} file{'s' * (len(files) != 1)}"
    if lacking:
        print(
            f"torchlike check: {len(lacking)} torch API{'s' * (len(lacking) != 1)} used in "
            f"{nfiles} {'are' if len(lacking) != 1 else 'is'} missing from torchlike: "
            f"{', '.join(lacking)}",
            file=out,
        )
        return 1
    if errors:
        print(f"torchlike check: {errors} of {nfiles} could not be checked", file=out)
        return 2
    print(
        f"torchlike check: OK, all {len(used)} torch APIs used in {nfiles} are in torchlike",
        file=out,
    )
    return 0


def main(argv=None):
    """Entry point of `python -m torchlike check`."""
    parser = argparse.ArgumentParser(
        prog="python -m torchlike check",
        description="List the torch APIs used in Python files that torchlike lacks.",
    )
    parser.add_argument("paths", nargs="+", metavar="PATH", help="a .py file or a folder")
    parser.add_argument("-v", "--verbose", action="store_true", help="also list every API used")
    args = parser.parse_args(argv)
    return check(args.paths, verbose=args.verbose)

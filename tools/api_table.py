"""Generate the README's API coverage table: torchlike's names against PyTorch's, per namespace.

Run: python tools/api_table.py [--write]   (needs real PyTorch, the oracle; --write updates the
README between the API-TABLE markers).
"""

import importlib
import re
import sys

NAMESPACES = ["", ".Tensor", ".nn", ".nn.functional", ".nn.init", ".nn.utils", ".optim",
              ".optim.lr_scheduler", ".utils.data", ".autograd", ".func", ".linalg", ".fft",
              ".special", ".cuda", ".amp", ".backends", ".distributions", ".distributed",
              ".nn.parallel", ".jit", ".testing", ".profiler", ".hub"]


def _public(obj):
    names = set()
    for n in dir(obj):
        if n.startswith("_"):
            continue
        names.add(n)
    return names


def _resolve(root, path):
    obj = importlib.import_module(root)
    for part in path.strip(".").split("."):
        if part:
            obj = getattr(obj, part)
    return obj


def table():
    import torch  # noqa: F401  (the oracle)
    rows = []
    for ns in NAMESPACES:
        try:
            ref = _public(_resolve("torch", ns))
        except (AttributeError, ImportError):
            continue
        try:
            ours = _resolve("torchlike", ns)
            have = {n for n in ref if _has(ours, n)}
        except (AttributeError, ImportError, NotImplementedError):
            have = set()
        rows.append((f"torch{ns}", len(ref), len(have)))
    lines = ["| namespace | PyTorch public names | in torchlike | share |", "|---|---|---|---|"]
    for name, n, h in rows:
        lines.append(f"| `{name}` | {n} | {h} | {100 * h / max(n, 1):.0f}% |")
    return "\n".join(lines)


def _has(obj, name):
    try:
        getattr(obj, name)
        return True
    except (AttributeError, NotImplementedError, ImportError):
        return False
    except Exception:
        return False


def main():
    t = table()
    if "--write" in sys.argv:
        path = "README.md"
        text = open(path).read()
        new = re.sub(r"<!-- API-TABLE -->.*?<!-- /API-TABLE -->",
                     f"<!-- API-TABLE -->\n{t}\n<!-- /API-TABLE -->", text, flags=re.S)
        open(path, "w").write(new)
    print(t)


if __name__ == "__main__":
    main()

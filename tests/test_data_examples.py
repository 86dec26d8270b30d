"""The data-loading examples run under torchlike and, with `import torch`, under real PyTorch: same numbers."""

import os
import sys
import types

import pytest

from tests._oracle import import_torch

import_torch()
pytestmark = [
    pytest.mark.filterwarnings("ignore:os.fork:RuntimeWarning"),
    pytest.mark.filterwarnings("ignore:This process:DeprecationWarning"),
]

EXAMPLES = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "examples")


def load(name, lib):
    """The example as a module; for real PyTorch, with its torchlike imports switched to torch."""
    with open(os.path.join(EXAMPLES, f"{name}.py")) as f:
        source = f.read()
    if lib == "torch":
        source = source.replace("import torchlike as torch", "import torch")
        source = source.replace("from torchlike", "from torch")
    module = types.ModuleType(f"_example_{name}_{lib}")
    module.__file__ = os.path.join(EXAMPLES, f"{name}.py")
    sys.modules[module.__name__] = module  # workers unpickle the example's Dataset by name
    exec(compile(source, module.__file__, "exec"), module.__dict__)  # noqa: S102
    return module


@pytest.mark.parametrize("name", ["data_csv", "data_npz"])
def test_example_matches_torch(name, capsys):
    ours = load(name, "torchlike").main(epochs=1)
    ours_out = capsys.readouterr().out
    ref = load(name, "torch").main(epochs=1)
    ref_out = capsys.readouterr().out
    assert ours == pytest.approx(ref, rel=1e-4)
    assert ours_out.splitlines()[:1] == ref_out.splitlines()[:1]  # per-epoch metrics

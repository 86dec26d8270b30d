"""The drop-in runner (`python -m torchlike script.py`) and the checker (`... check`)."""

import io
import os
import subprocess
import sys
import textwrap

import pytest

from torchlike._check import check, check_source

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run_torchlike(*args, cwd):
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    return subprocess.run(
        [sys.executable, "-m", "torchlike", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text))
    return path


SCRIPT = """\
    import os, sys
    import torch
    import torch.nn as nn
    import torch.nn.functional as F
    import torch.optim as optim
    from torch.utils.data import DataLoader
    import torchlike
    import helper  # the script's own module, next to it
    import torch.no_such_submodule as nss
    from torch.no_such_submodule.deeper import thing

    print("argv", sys.argv[1:])
    print("name", __name__)
    print("file", __file__ == os.path.abspath(sys.argv[0]))
    print("path0", sys.path[0] == os.path.dirname(os.path.abspath(__file__)))
    print("same", torch is torchlike, nn is torchlike.nn, F is torchlike.nn.functional,
          optim is torchlike.optim, DataLoader is torchlike.utils.data.DataLoader)
    print("spec", torchlike.__spec__.name, nn.__spec__.name)
    print("helper", helper.answer(), (torch.ones(2) * 3).tolist())
    try:
        thing(1)
    except NotImplementedError as e:
        print("placeholder", e)
    nss.config.flag = 3  # set-up code that assigns into unsupported modules still runs
    print("config", nss.config.flag)
    if __name__ == "__main__":
        if sys.argv[1] == "raise":
            raise ValueError("boom from the script")
        sys.exit(int(sys.argv[1]))
"""


@pytest.fixture
def project(tmp_path):
    write(tmp_path / "proj" / "helper.py", "def answer():\n    return 42\n")
    write(tmp_path / "proj" / "train.py", SCRIPT)
    return tmp_path


def test_runner_runs_script_as_python_would(project):
    r = run_torchlike("proj/train.py", "0", "--flag", "x y", cwd=project)
    assert r.returncode == 0, r.stderr
    out = r.stdout.splitlines()
    assert out[0] == "argv ['0', '--flag', 'x y']"
    assert out[1:5] == ["name __main__", "file True", "path0 True", "same True True True True True"]
    assert out[5] == "spec torchlike torchlike.nn"
    assert out[6] == "helper 42 [3.0, 3.0]"
    assert out[7] == (
        "placeholder torch.no_such_submodule.deeper.thing is not supported by torchlike yet"
    )
    assert out[8] == "config 3"


def test_runner_exit_codes(project):
    assert run_torchlike("proj/train.py", "3", cwd=project).returncode == 3
    r = run_torchlike("proj/train.py", "raise", cwd=project)
    assert r.returncode == 1
    assert "ValueError: boom from the script" in r.stderr
    # The traceback reads as the script's own: the runner's frames are not in it.
    assert "__main__.py" not in r.stderr and "train.py" in r.stderr
    r = run_torchlike("proj/missing.py", cwd=project)
    assert r.returncode == 2 and "can't open file" in r.stderr


def test_runner_module_and_code(project):
    write(project / "pkg" / "__init__.py", "")
    write(
        project / "pkg" / "tool.py",
        """\
        import sys, torch
        print(__name__, sys.argv[1:], torch.__name__, torch.nn.Module.__module__)
    """,
    )
    r = run_torchlike("-m", "pkg.tool", "a", cwd=project)
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == ["__main__", "['a']", "torchlike", "torchlike.nn.modules.module"]
    r = run_torchlike(
        "-c", "import sys, torch.nn; print(sys.argv, torch.nn.__name__)", "b", cwd=project
    )
    assert r.stdout.strip() == "['-c', 'b'] torchlike.nn", r.stderr


def test_check_reports_missing_api_with_file_and_line(project):
    bad = write(
        project / "bad.py",
        """\
        import torch
        import torch.nn as nn
        from torch import optim
        from torch.nn import functional as F

        x = torch.zeros(3)
        y = F.relu(x) + torch.not_a_real_api(x)
        m = nn.NotARealModule(3)
        torch.backends.cudnn.benchmark = True
        opt = optim.SGD
    """,
    )
    out = io.StringIO()
    assert check([str(bad)], out=out) == 1
    lines = out.getvalue().splitlines()
    assert f"{bad}:7:17: torch.not_a_real_api is not in torchlike" in lines
    assert f"{bad}:8:5: torch.nn.NotARealModule is not in torchlike" in lines
    assert len(lines) == 3, lines
    assert lines[-1].startswith("torchlike check: 2 torch APIs used in 1 file are missing")
    # Through the command line: the same report, exit code 1.
    r = run_torchlike("check", str(bad), cwd=project)
    assert r.returncode == 1 and "bad.py:7:17: torch.not_a_real_api" in r.stdout


def test_check_ok_and_folders(tmp_path):
    write(tmp_path / "d" / "a.py", "import torch\nx = torch.zeros(2).sum()\n")
    write(tmp_path / "d" / "sub" / "b.py", "from torch import tensor as T\nT([1])\n")
    write(tmp_path / "d" / "__pycache__" / "c.py", "import torch\ntorch.nope\n")
    out = io.StringIO()
    assert check([str(tmp_path / "d")], out=out) == 0
    assert out.getvalue().startswith("torchlike check: OK, all 3 torch APIs used in 2 files")


def test_check_aliases_and_scope():
    src = textwrap.dedent("""\
        import torch as th
        import torch.nn
        from torch.nn import Linear as L, not_there as nt
        import numpy as np
        def f():
            return th.zeros(1), torch.nn.Module, L, np.nope, th.zeros(1).nope
        import torch.no_module.deep
    """)
    uses, missing, _ = check_source(src)
    assert {m[1] for m in missing} == {"torch.nn.not_there", "torch.no_module"}
    apis = {u.api for u in uses}
    assert {"torch.zeros", "torch.nn.Module", "torch.nn.Linear"} <= apis
    assert not any("np" in a or "nope" in a for a in apis)


def test_check_syntax_error(tmp_path):
    p = write(tmp_path / "broken.py", "def f(:\n")
    out = io.StringIO()
    assert check([str(p)], out=out) == 2
    assert "broken.py:1: cannot parse" in out.getvalue()


def test_runner_spawned_children_see_torchlike(tmp_path):
    # Spawned processes (DataLoader workers under spawn/forkserver) re-import the script's
    # modules; their `import torch` must resolve to torchlike too.
    write(tmp_path / "kind.py", "import torch\n\n\ndef kind(_):\n    return torch.__name__\n")
    write(
        tmp_path / "main.py",
        """\
        import multiprocessing as mp
        import kind

        if __name__ == "__main__":
            for method in ("spawn",):  # forkserver starts its server the same way
                with mp.get_context(method).Pool(1) as pool:
                    print(method, pool.map(kind.kind, [0])[0])
        """,
    )
    r = run_torchlike("main.py", cwd=tmp_path)
    assert r.stdout.split() == ["spawn", "torchlike"], r.stderr


def test_check_notes_tensor_methods_torchlike_lacks(monkeypatch):
    import torchlike

    # A Tensor method torch has and torchlike (for this test) lacks is noted, not failed.
    monkeypatch.delattr(torchlike.Tensor, "addcmul_")
    src = textwrap.dedent("""\
        import numpy as np
        import torch
        x = torch.zeros(3)
        x.addcmul_(x, x)
        self_like = x.view(-1).sum()
        np.addcmul_ = None
        x.numpy().addcmul_()
        {}.values()
    """)
    _, missing, notes = check_source(src, "m.py")
    assert missing == []
    assert notes == [("m.py", 4, "Tensor.addcmul_ is not in torchlike (if `x` is a tensor)")]


def test_runner_hint_names_the_missing_torch_api():
    import torchlike
    from torchlike.__main__ import _missing_api_hint

    e = AttributeError("no", name="not_a_real_api", obj=torchlike)
    assert _missing_api_hint(e).startswith(
        "torchlike: torch.not_a_real_api is not implemented in torchlike yet."
    )
    e = AttributeError("no", name="ravel_x", obj=torchlike.zeros(1))
    assert _missing_api_hint(e).startswith("torchlike: Tensor.ravel_x is not implemented")
    assert _missing_api_hint(AttributeError("no", name="foo", obj={})) is None
    assert _missing_api_hint(ValueError("x")) is None


def test_install_refuses_when_real_torch_is_loaded(monkeypatch):
    import types

    from torchlike._dropin import install_as_torch, is_installed

    monkeypatch.setitem(sys.modules, "torch", types.ModuleType("torch"))
    with pytest.raises(RuntimeError, match="real torch is already imported"):
        install_as_torch()
    assert not is_installed()

"""`python -m torchlike script.py`: run an unmodified PyTorch script on torchlike."""

import builtins
import importlib.machinery
import os
import runpy
import sys
import types

USAGE = """\
usage: python -m torchlike script.py [args ...]   run a PyTorch script, `import torch` = torchlike
       python -m torchlike -m module [args ...]   the same for a module (like python -m)
       python -m torchlike -c code [args ...]     the same for a string of code
       python -m torchlike check PATH [PATH ...]  list the torch APIs used in PATH (files or
                                                  folders) that torchlike lacks; exit 1 if any
"""


def _fresh_main(file=None, loader=None, spec=None):
    """A new, empty `__main__` module in sys.modules, as the interpreter makes for a script."""
    main = types.ModuleType("__main__")
    main.__builtins__ = builtins
    main.__spec__ = spec
    main.__loader__ = loader
    if file is not None:
        main.__file__ = file
        main.__cached__ = None
    sys.modules["__main__"] = main
    return main


def _strip_own_frames(tb):
    """Drop this runner's frames from a traceback so it reads as `python script.py`'s would."""
    while tb is not None and tb.tb_frame.f_code.co_filename == __file__:
        tb = tb.tb_next
    return tb


def _exec(code, main) -> int:
    try:
        exec(code, main.__dict__)  # noqa: S102 - running the user's script is the job
    except (SystemExit, KeyboardInterrupt):
        raise
    except BaseException as e:  # noqa: BLE001 - reported like the interpreter does
        # The default hook prints e.__traceback__, not its argument: strip it on e itself.
        tb = _strip_own_frames(e.__traceback__)
        sys.excepthook(type(e), e.with_traceback(tb), tb)
        hint = _missing_api_hint(e)
        if hint:
            print(hint, file=sys.stderr)
        return 1
    return 0


def _missing_api_hint(e):
    """A line naming the torch API behind an AttributeError on torchlike, or None."""
    if not isinstance(e, AttributeError) or getattr(e, "name", None) is None:
        return None
    obj = getattr(e, "obj", None)
    if isinstance(obj, types.ModuleType):
        owner = obj.__name__
    else:
        cls = obj if isinstance(obj, type) else type(obj)
        owner = cls.__name__ if cls.__module__.startswith("torchlike") else None
        if owner == "Parameter":
            owner = "Tensor"
    if not owner or not (owner.startswith("torchlike") or owner[:1].isupper()):
        return None
    api = "torch" + owner[len("torchlike") :] if owner.startswith("torchlike") else owner
    return (
        f"torchlike: {api}.{e.name} is not implemented in torchlike yet. "
        f"`python -m torchlike check {sys.argv[0]}` lists every torch API the script uses "
        "that torchlike lacks."
    )


def _run_path(path: str, args: list) -> int:
    """Run a file, a folder or a zip with a __main__.py, as `python path args` does."""
    sys.argv = [path, *args]
    if not os.path.exists(path):
        print(
            f"{sys.executable}: can't open file {os.path.abspath(path)!r}: "
            f"[Errno 2] No such file or directory",
            file=sys.stderr,
        )
        return 2
    if os.path.isdir(path) or not path.endswith((".py", ".pyw")) and _is_zip(path):
        sys.path[0] = path
        runpy.run_path(path, run_name="__main__")
        return 0
    # The interpreter puts the script's own folder (symlinks resolved) first on sys.path,
    # so the script imports its helper modules.
    sys.path[0] = os.path.dirname(os.path.realpath(path))
    file = os.path.abspath(path)
    with open(file, "rb") as f:
        source = f.read()
    code = compile(source, file, "exec", dont_inherit=True)
    loader = importlib.machinery.SourceFileLoader("__main__", file)
    return _exec(code, _fresh_main(file, loader))


def _is_zip(path: str) -> bool:
    import zipfile

    return zipfile.is_zipfile(path)


def _run_module(name: str, args: list) -> int:
    """Run a module as `python -m name args` does."""
    sys.argv = ["-m", *args]
    sys.path[0] = os.getcwd()
    _fresh_main()
    # runpy's own entry point for `python -m`: runs in sys.modules['__main__'] and sets argv[0].
    runpy._run_module_as_main(name, alter_argv=True)
    return 0


def _run_code(source: str, args: list) -> int:
    sys.argv = ["-c", *args]
    sys.path[0] = ""
    return _exec(compile(source, "<string>", "exec", dont_inherit=True), _fresh_main())


def main(argv=None) -> int:
    """Entry point of `python -m torchlike` and the `torchlike` console script."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv:
        print(USAGE, end="", file=sys.stderr)
        return 2
    first = argv[0]
    if first in ("-h", "--help"):
        print(USAGE, end="")
        return 0
    if first == "--version":
        import torchlike

        print(f"torchlike {torchlike.__version__}")
        return 0
    if first == "check":
        from torchlike._check import main as check_main

        return check_main(argv[1:])
    if first in ("-m", "-c") and len(argv) < 2:
        print(f"Argument expected for the {first} option\n{USAGE}", end="", file=sys.stderr)
        return 2
    if first.startswith("-") and first not in ("-m", "-c"):
        print(f"unknown option {first}\n{USAGE}", end="", file=sys.stderr)
        return 2

    if first not in ("-m", "-c") and not os.path.exists(first):
        return _run_path(first, argv[1:])  # reports the missing file without importing jax
    from torchlike._dropin import install_as_torch

    install_as_torch()
    if first == "-m":
        return _run_module(argv[1], argv[2:])
    if first == "-c":
        return _run_code(argv[1], argv[2:])
    return _run_path(first, argv[1:])


if __name__ == "__main__":
    sys.exit(main())

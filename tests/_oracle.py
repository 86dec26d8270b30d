"""Import real PyTorch, the test oracle.

Where it is missing the oracle tests skip, except under TORCHLIKE_REQUIRE_ORACLE=1 (CI),
where a missing oracle is an error: CI must never pass by skipping them.
"""

import os

import pytest


def import_torch():
    try:
        import torch
    except ImportError:
        if os.environ.get("TORCHLIKE_REQUIRE_ORACLE") == "1":
            raise
        pytest.skip("real PyTorch (the oracle) is not installed", allow_module_level=True)
    return torch


def assert_same_error(call, torch, lib):
    """call(torch) and call(lib) raise the same exception type with the same message."""
    with pytest.raises(Exception) as want:
        call(torch)
    with pytest.raises(type(want.value)) as got:
        call(lib)
    assert str(got.value) == str(want.value)

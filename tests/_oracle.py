"""Import real PyTorch, the test oracle.

Where it is missing the oracle tests skip, except under TORCHLIKE_REQUIRE_ORACLE=1 (CI),
where a missing oracle is an error: CI must never pass by skipping them.
"""

import os
import warnings

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


def same_result_or_error(call, torch, lib, host, same):
    """call(torch) and call(lib) give the same result (compared as same(host(r, torch),
    host(r, lib))) or raise the same exception type; warnings are silenced."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            want = host(call(torch), torch)
        except Exception as e:  # noqa: BLE001 (the oracle's exception type is the expectation)
            with pytest.raises(type(e)):
                call(lib)
            return
        got = host(call(lib), lib)
    same(want, got)

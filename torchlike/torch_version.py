"""torch.torch_version.TorchVersion: a str that compares as a version (PEP 440)."""

import re
from collections.abc import Iterable

__all__ = ["TorchVersion"]

_VERSION = re.compile(
    r"^\s*v?(?:(?P<epoch>\d+)!)?(?P<release>\d+(?:\.\d+)*)"
    r"(?:[-_.]?(?P<pre_l>a|b|c|rc|alpha|beta|pre|preview)[-_.]?(?P<pre_n>\d+)?)?"
    r"(?:-(?P<post_n1>\d+)|[-_.]?(?:post|rev|r)[-_.]?(?P<post_n2>\d+)?)?"
    r"(?:[-_.]?dev[-_.]?(?P<dev_n>\d+)?)?"
    r"(?:\+(?P<local>[a-z0-9]+(?:[-_.][a-z0-9]+)*))?\s*$", re.IGNORECASE)
_PRE = {"a": 0, "alpha": 0, "b": 1, "beta": 1, "c": 2, "rc": 2, "pre": 2, "preview": 2}


def _key(text: str):
    """The sort key packaging.version.Version uses; ValueError for an invalid version."""
    m = _VERSION.match(text)
    if m is None:
        raise ValueError(f"Invalid version: {text!r}")
    release = [int(p) for p in m["release"].split(".")]
    while len(release) > 1 and release[-1] == 0:
        release.pop()
    post_n = m["post_n1"] or m["post_n2"]
    has_post = m["post_n1"] is not None or re.search(r"(post|rev|r)\d*", text[m.end("release"):] or "")
    if m["pre_l"] is None:
        pre = (-1,) if (m["dev_n"] is not None or "dev" in text) and not has_post else (3,)
    else:
        pre = (_PRE[m["pre_l"].lower()], int(m["pre_n"] or 0))
    post = (0, int(post_n or 0)) if has_post else (-1,)
    dev = (0, int(m["dev_n"] or 0)) if "dev" in text.split("+")[0] else (1,)
    local = () if m["local"] is None else tuple(
        (1, int(p), "") if p.isdigit() else (0, 0, p.lower()) for p in re.split(r"[-_.]", m["local"]))
    return (int(m["epoch"] or 0), tuple(release), pre, post, dev, local)


class TorchVersion(str):
    """A string with magic powers to compare to both version strings and tuples like (2, 1)."""

    __slots__ = ()

    def _convert(self, other):
        if isinstance(other, str):
            return _key(other)
        if isinstance(other, Iterable):
            return _key(".".join(str(item) for item in other))
        raise TypeError(f"Invalid version: {other!r}")

    def _cmp(self, other, op):
        try:
            return getattr(_key(str(self)), op)(self._convert(other))
        except ValueError:
            # An invalid version (like 'parrot') compares as a plain string, as in PyTorch.
            return getattr(str(self), op)(other)

    def __gt__(self, other):
        return self._cmp(other, "__gt__")

    def __lt__(self, other):
        return self._cmp(other, "__lt__")

    def __ge__(self, other):
        return self._cmp(other, "__ge__")

    def __le__(self, other):
        return self._cmp(other, "__le__")

    def __eq__(self, other):
        return self._cmp(other, "__eq__")

    def __ne__(self, other):
        return not self.__eq__(other)

    __hash__ = str.__hash__

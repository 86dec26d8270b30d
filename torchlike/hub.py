"""torch.hub: the cache directory, local hubconf repos, and checkpoints from URLs.

Differs from PyTorch: repos are not downloaded from GitHub; `load`/`list`/`help` work on a
local directory (source='local') or a repo already in the hub cache, and otherwise raise the
RuntimeError PyTorch raises offline.
"""

import importlib.util
import os
import shutil
import sys
import tempfile
import urllib.parse
import urllib.request
import warnings

__all__ = ["download_url_to_file", "get_dir", "help", "list", "load", "load_state_dict_from_url",
           "set_dir"]

_hub_dir = None
_builtin_list = list


def _get_torch_home():
    return os.path.expanduser(os.getenv(
        "TORCH_HOME", os.path.join(os.getenv("XDG_CACHE_HOME", "~/.cache"), "torch")))


def get_dir() -> str:
    """The hub cache directory: set_dir's, else $TORCH_HOME/hub."""
    if os.getenv("TORCH_HUB"):
        warnings.warn("TORCH_HUB is deprecated, please use env TORCH_HOME instead", stacklevel=2)
    if _hub_dir is not None:
        return _hub_dir
    return os.path.join(_get_torch_home(), "hub")


def set_dir(d) -> None:
    global _hub_dir
    _hub_dir = os.path.expanduser(d)


def _repo_dir(github):
    repo_info, _, ref = github.partition(":")
    owner, name = repo_info.split("/")
    for r in ([ref] if ref else ["main", "master"]):
        d = os.path.join(get_dir(), "_".join([owner, name, r.replace("/", "_")]))
        if os.path.isdir(d):
            return d
    raise RuntimeError("It looks like there is no internet connection and the repo could not "
                       f"be found in the cache ({get_dir()})")


def _hubconf(repo_dir):
    path = os.path.join(repo_dir, "hubconf.py")
    if not os.path.exists(path):
        raise FileNotFoundError(f"Cannot find hubconf.py in {repo_dir}")
    sys.path.insert(0, repo_dir)
    try:
        spec = importlib.util.spec_from_file_location("hubconf", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(repo_dir)
    return module


def _resolve(repo_or_dir, source):
    if source not in ("github", "local"):
        raise ValueError(f'Unknown source: "{source}". Allowed values: "github" | "local".')
    return repo_or_dir if source == "local" else _repo_dir(repo_or_dir)


def _entry(module, model):
    fn = getattr(module, model, None)
    if fn is None or not callable(fn):
        raise RuntimeError(f"Cannot find callable {model} in hubconf")
    return fn


def list(github, force_reload=False, skip_validation=False, trust_repo="check", verbose=True):
    module = _hubconf(_repo_dir(github))
    return [f for f in dir(module) if callable(getattr(module, f)) and not f.startswith("_")]


def help(github, model, force_reload=False, skip_validation=False, trust_repo="check"):
    return _entry(_hubconf(_repo_dir(github)), model).__doc__


def load(repo_or_dir, model, *args, source="github", trust_repo="check", force_reload=False,
         verbose=True, skip_validation=False, **kwargs):
    """Call `model` from the repo's hubconf.py (a local directory or a cached repo)."""
    source = source.lower()
    return _entry(_hubconf(_resolve(repo_or_dir, source)), model)(*args, **kwargs)


def download_url_to_file(url, dst, hash_prefix=None, progress=True) -> None:
    """Download `url` to `dst` (through a temporary file, so `dst` is never half-written)."""
    import hashlib

    dst = os.path.expanduser(dst)
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(dst) or ".")
    try:
        with os.fdopen(fd, "wb") as f, urllib.request.urlopen(url) as r:
            sha = hashlib.sha256()
            while chunk := r.read(1 << 16):
                f.write(chunk)
                sha.update(chunk)
        if hash_prefix is not None and not sha.hexdigest().startswith(hash_prefix):
            raise RuntimeError(f'invalid hash value (expected "{hash_prefix}", got '
                               f'"{sha.hexdigest()}")')
        shutil.move(tmp, dst)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def load_state_dict_from_url(url, model_dir=None, map_location=None, progress=True,
                             check_hash=False, file_name=None, weights_only=False):
    """torch.load a checkpoint from `url`, downloaded once into <hub dir>/checkpoints."""
    from .serialization import load as _load

    if model_dir is None:
        model_dir = os.path.join(get_dir(), "checkpoints")
    os.makedirs(model_dir, exist_ok=True)
    filename = file_name or os.path.basename(urllib.parse.urlparse(url).path)
    cached = os.path.join(model_dir, filename)
    if not os.path.exists(cached):
        sys.stderr.write(f'Downloading: "{url}" to {cached}\n')
        import re

        m = re.search(r"-([a-f0-9]*)\.", filename) if check_hash else None
        download_url_to_file(url, cached, m.group(1) if m else None, progress=progress)
    return _load(cached, map_location=map_location, weights_only=weights_only)

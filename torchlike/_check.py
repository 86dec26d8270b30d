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

# Public attributes of torch.Tensor in PyTorch 2.13 (dir(torch.Tensor)), so the checker can
# flag tensor methods torchlike lacks without importing torch.
_TORCH_TENSOR_NAMES = frozenset(
    """
H T abs abs_ absolute absolute_ acos acos_ acosh acosh_ add add_ addbmm addbmm_ addcdiv
addcdiv_ addcmul addcmul_ addmm addmm_ addmv addmv_ addr addr_ adjoint all allclose amax amin
aminmax angle any apply_ arccos arccos_ arccosh arccosh_ arcsin arcsin_ arcsinh arcsinh_
arctan arctan2 arctan2_ arctan_ arctanh arctanh_ argmax argmin argsort argwhere as_strided
as_strided_ as_strided_scatter as_subclass asin asin_ asinh asinh_ atan atan2 atan2_ atan_
atanh atanh_ backward baddbmm baddbmm_ bernoulli bernoulli_ bfloat16 bincount bitwise_and
bitwise_and_ bitwise_left_shift bitwise_left_shift_ bitwise_not bitwise_not_ bitwise_or
bitwise_or_ bitwise_right_shift bitwise_right_shift_ bitwise_xor bitwise_xor_ bmm bool
broadcast_to byte cauchy_ ccol_indices cdouble ceil ceil_ cfloat chalf char cholesky
cholesky_inverse cholesky_solve chunk clamp clamp_ clamp_max clamp_max_ clamp_min clamp_min_
clip clip_ clone coalesce col_indices conj conj_physical conj_physical_ const_data_ptr
contiguous copy_ copysign copysign_ corrcoef cos cos_ cosh cosh_ count_nonzero cov cpu cross
crow_indices cuda cummax cummin cumprod cumprod_ cumsum cumsum_ data data_ptr deg2rad deg2rad_
dense_dim dequantize det detach detach_ device diag diag_embed diagflat diagonal
diagonal_scatter diff digamma digamma_ dim dim_order dist div div_ divide divide_ dot double
dsplit dtype eig element_size eq eq_ equal erf erf_ erfc erfc_ erfinv erfinv_ exp exp2 exp2_
exp_ expand expand_as expm1 expm1_ exponential_ fill_ fill_diagonal_ fix fix_ flatten flip
fliplr flipud float float_power float_power_ floor floor_ floor_divide floor_divide_ fmax fmin
fmod fmod_ frac frac_ frexp gather gcd gcd_ ge ge_ geometric_ geqrf ger get_device grad
grad_dtype grad_fn greater greater_ greater_equal greater_equal_ gt gt_ half hardshrink
hash_tensor heaviside heaviside_ histc histogram hsplit hypot hypot_ i0 i0_ igamma igamma_
igammac igammac_ imag index index_add index_add_ index_copy index_copy_ index_fill index_fill_
index_put index_put_ index_reduce index_reduce_ index_select indices inner int int_repr
inverse ipu is_coalesced is_complex is_conj is_contiguous is_cpu is_cuda is_distributed
is_floating_point is_inference is_ipu is_leaf is_maia is_meta is_mkldnn is_mps is_mtia is_neg
is_nested is_nonzero is_pinned is_quantized is_same_size is_set_to is_shared is_signed
is_sparse is_sparse_csr is_vulkan is_xla is_xpu isclose isfinite isinf isnan isneginf isposinf
isreal istft item itemsize kron kthvalue layout lcm lcm_ ldexp ldexp_ le le_ lerp lerp_ less
less_ less_equal less_equal_ lgamma lgamma_ log log10 log10_ log1p log1p_ log2 log2_ log_
log_normal_ log_softmax logaddexp logaddexp2 logcumsumexp logdet logical_and logical_and_
logical_not logical_not_ logical_or logical_or_ logical_xor logical_xor_ logit logit_
logsumexp long lstsq lt lt_ lu lu_solve mH mT map2_ map_ masked_fill masked_fill_
masked_scatter masked_scatter_ masked_select matmul matrix_exp matrix_power max maximum mean
median min minimum mm mode module_load moveaxis movedim msort mtia mul mul_ multinomial
multiply multiply_ mv mvlgamma mvlgamma_ name nan_to_num nan_to_num_ nanmean nanmedian
nanquantile nansum narrow narrow_copy nbytes ndim ndimension ne ne_ neg neg_ negative
negative_ nelement new new_empty new_empty_strided new_full new_ones new_tensor new_zeros
nextafter nextafter_ nonzero nonzero_static norm normal_ not_equal not_equal_ numel numpy
orgqr ormqr outer output_nr permute pin_memory pinverse polygamma polygamma_ positive pow pow_
prelu prod put put_ q_per_channel_axis q_per_channel_scales q_per_channel_zero_points q_scale
q_zero_point qr qscheme quantile rad2deg rad2deg_ random_ ravel real reciprocal reciprocal_
record_stream register_hook register_post_accumulate_grad_hook reinforce relu relu_ remainder
remainder_ renorm renorm_ repeat repeat_interleave requires_grad requires_grad_ reshape
reshape_as resize resize_ resize_as resize_as_ resize_as_sparse_ resolve_conj resolve_neg
retain_grad retains_grad roll rot90 round round_ row_indices rsqrt rsqrt_ scatter scatter_
scatter_add scatter_add_ scatter_reduce scatter_reduce_ select select_scatter set_ sgn sgn_
shape share_memory_ short sigmoid sigmoid_ sign sign_ signbit sin sin_ sinc sinc_ sinh sinh_
size slice_inverse slice_scatter slogdet smm softmax solve sort sparse_dim sparse_mask
sparse_resize_ sparse_resize_and_clear_ split split_with_sizes sqrt sqrt_ square square_
squeeze squeeze_ sspaddmm std stft storage storage_offset storage_type stride sub sub_
subtract subtract_ sum sum_to_size svd swapaxes swapaxes_ swapdims swapdims_ symeig t t_ take
take_along_dim tan tan_ tanh tanh_ tensor_split tile to to_dense to_mkldnn to_padded_tensor
to_sparse to_sparse_bsc to_sparse_bsr to_sparse_coo to_sparse_csc to_sparse_csr tolist topk
trace transpose transpose_ triangular_solve tril tril_ triu triu_ true_divide true_divide_
trunc trunc_ type type_as unbind unflatten unfold uniform_ unique unique_consecutive
unsafe_chunk unsafe_split unsafe_split_with_sizes unsqueeze unsqueeze_ untyped_storage values
var vdot view view_as volatile vsplit where xlogy xlogy_ xpu zero_
""".split()  # noqa: SIM905
)
# Tensor method names that are as likely to be another object's (dict.values, list.index).
_GENERIC = frozenset(
    {
        "values",
        "index",
        "indices",
        "name",
        "new",
        "put",
        "storage",
        "resize",
        "apply_",
        "map_",
        "record_stream",
        "volatile",
        "is_set_to",
        "module_load",
        "output_nr",
        "data",
        "grad",
    }
)


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
        self.maybe = []  # (Attribute node, receiver source): x.foo where foo is a Tensor name
        self.other_modules = set()  # names bound to non-torch imports (np, math, ...)

    def collect_imports(self, tree):
        # Imports are gathered first, so uses inside functions defined above an import count.
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for a in node.names:
                    root = a.name.partition(".")[0]
                    if root in _ECOSYSTEM:
                        self._note(node, a.name)
                    if not _is_torch(a.name):
                        self.other_modules.add(a.asname or root)
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
                    self.other_modules.update(a.asname or a.name for a in node.names)
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

    def _maybe_tensor_attr(self, node, parts):
        """Whether `recv.name` could be a Tensor attribute (its receiver's type is unknown)."""
        if node.attr not in _TORCH_TENSOR_NAMES or node.attr in _GENERIC:
            return False
        if parts is not None and (parts[0] == "self" or parts[0] in self.other_modules):
            return False  # a module's own attribute, or numpy's (np.ravel)
        recv = node.value
        # x.numpy().ravel(), t.tolist().index(...): the receiver is no longer a tensor.
        return not (
            isinstance(recv, ast.Call)
            and isinstance(recv.func, ast.Attribute)
            and recv.func.attr in ("numpy", "tolist", "item")
        )

    def visit_Attribute(self, node):
        parts = _chain(node)
        if parts is None or parts[0] not in self.aliases:
            if self._maybe_tensor_attr(node, parts):
                self.maybe.append((node, ast.unparse(node.value)))
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
            except ModuleNotFoundError as e:
                if not (e.name or "").startswith("torchlike"):
                    # torchlike has it; it needs an optional package (as torch.utils.tensorboard
                    # needs tensorboard), whose absence the import reports as PyTorch's does.
                    return None
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
    tensor = importlib.import_module("torchlike").Tensor
    for node, receiver in c.maybe:
        if not hasattr(tensor, node.attr):
            note = f"Tensor.{node.attr} is not in torchlike (if `{receiver}` is a tensor)"
            c.notes.append((path, node.lineno, note))
    return c.uses, missing, c.notes


def check(paths, out=sys.stdout, verbose=False):
    """Check files and folders; print one line per missing API use and a verdict; return 0/1/2."""
    files = list(iter_files(paths))
    all_uses, all_missing, errors, maybe = [], [], 0, 0
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
        for p, line, msg in sorted(notes, key=lambda n: n[1]):
            print(f"{p}:{line}: note: {msg}", file=out)
            maybe += msg.startswith("Tensor.")
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
    extra = f"; {maybe} tensor method use(s) may be missing (notes above)" if maybe else ""
    print(
        f"torchlike check: OK, all {len(used)} torch APIs used in {nfiles} are in torchlike"
        + extra,
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

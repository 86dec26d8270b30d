"""torch.optim: optimizers and learning-rate schedulers."""

from torchlike.optim import lr_scheduler
from torchlike.optim._adafactor import Adafactor
from torchlike.optim._muon import Muon
from torchlike.optim._stateless import swap_in_optimizer_params_and_state
from torchlike.optim.adadelta import Adadelta
from torchlike.optim.adagrad import Adagrad
from torchlike.optim.adam import Adam
from torchlike.optim.adamax import Adamax
from torchlike.optim.adamw import AdamW
from torchlike.optim.asgd import ASGD
from torchlike.optim.lbfgs import LBFGS
from torchlike.optim.nadam import NAdam
from torchlike.optim.optimizer import Optimizer
from torchlike.optim.radam import RAdam
from torchlike.optim.rmsprop import RMSprop
from torchlike.optim.rprop import Rprop
from torchlike.optim.sgd import SGD
from torchlike.optim.sparse_adam import SparseAdam

__all__ = [
    "ASGD",
    "LBFGS",
    "SGD",
    "Adadelta",
    "Adafactor",
    "Adagrad",
    "Adam",
    "AdamW",
    "Adamax",
    "Muon",
    "NAdam",
    "Optimizer",
    "RAdam",
    "RMSprop",
    "Rprop",
    "SparseAdam",
    "lr_scheduler",
    "swa_utils",
    "swap_in_optimizer_params_and_state",
]


def __getattr__(name):
    # swa_utils needs torchlike.nn, which needs nothing from optim; load it on first use.
    if name == "swa_utils":
        import importlib

        return importlib.import_module("torchlike.optim.swa_utils")
    raise AttributeError(f"module 'torchlike.optim' has no attribute {name!r}")

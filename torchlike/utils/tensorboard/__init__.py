"""torch.utils.tensorboard: SummaryWriter, writing TensorBoard event files.

As in PyTorch, importing it needs the `tensorboard` package (ModuleNotFoundError otherwise).
Differs from PyTorch: images, figures, audio, video, graphs, embeddings, meshes and PR
curves raise NotImplementedError; scalars, histograms, text and hparams-free logging work.
"""

import tensorboard  # noqa: F401 - as PyTorch: fails where TensorBoard is not installed

from .writer import FileWriter, SummaryWriter

__all__ = ["FileWriter", "SummaryWriter"]

"""torch.distributed.elastic: only what single-process scripts started by torchrun import."""

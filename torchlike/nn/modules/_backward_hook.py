"""Full module backward hooks, built from identity autograd Functions around forward."""

import torchlike as torch
from torchlike._core.tensor import Tensor


class BackwardHook:
    """Call hook(module, grad_input, grad_output) once the module's input gradients are known.

    Like torch.utils.hooks.BackwardHook: an identity Function on the outputs records
    grad_output (running backward pre-hooks first), and one on the inputs receives
    grad_input and runs the hooks, which may replace it.
    """

    def __init__(self, module, user_hooks, user_pre_hooks):
        self.module = module
        self.user_hooks = user_hooks
        self.user_pre_hooks = user_pre_hooks
        self.grad_outputs = None
        self.n_outputs = -1
        self.input_tensors_index = None
        self.n_inputs = 0

    def _run_hooks(self, grad_inputs):
        for hook in self.user_hooks:
            res = hook(self.module, grad_inputs, self.grad_outputs)
            if res is not None:
                if not isinstance(res, tuple):
                    res = (res,)
                if len(res) != len(grad_inputs):
                    raise RuntimeError(
                        "Backward hook returned an invalid number of grad_input, "
                        f"got {len(res)}, but expected {len(grad_inputs)}"
                    )
                grad_inputs = res
        return grad_inputs

    def setup_input_hook(self, args):
        idx = [i for i, a in enumerate(args) if isinstance(a, Tensor)]
        self.n_inputs = len(idx)
        self.input_tensors_index = [i for i in idx if args[i].requires_grad]
        if not self.input_tensors_index or not torch.is_grad_enabled():
            self.input_tensors_index = []
            return args
        hook = self

        class _InputHook(torch.autograd.Function):
            @staticmethod
            def forward(ctx, *tensors):
                return tuple(t.clone() for t in tensors)

            @staticmethod
            def backward(ctx, *grads):
                full = [None] * len(args)
                for i, g in zip(hook.input_tensors_index, grads):
                    full[i] = g
                grad_inputs = tuple(full[i] for i in idx)
                grad_inputs = hook._run_hooks(grad_inputs)
                pos = {i: k for k, i in enumerate(idx)}
                return tuple(grad_inputs[pos[i]] for i in hook.input_tensors_index)

        outs = _InputHook.apply(*[args[i] for i in self.input_tensors_index])
        if isinstance(outs, Tensor):
            outs = (outs,)
        new_args = list(args)
        for i, o in zip(self.input_tensors_index, outs):
            new_args[i] = o
        return tuple(new_args)

    def setup_output_hook(self, result):
        is_tuple = isinstance(result, tuple)
        outputs = result if is_tuple else (result,)
        idx = [i for i, o in enumerate(outputs) if isinstance(o, Tensor) and o.requires_grad]
        if not idx or not torch.is_grad_enabled():
            return result
        hook = self
        n_out = len(outputs)

        class _OutputHook(torch.autograd.Function):
            @staticmethod
            def forward(ctx, *tensors):
                return tuple(t.clone() for t in tensors)

            @staticmethod
            def backward(ctx, *grads):
                full = [None] * n_out
                for i, g in zip(idx, grads):
                    full[i] = g
                grad_outputs = tuple(full)
                for pre in hook.user_pre_hooks:
                    res = pre(hook.module, grad_outputs)
                    if res is not None:
                        grad_outputs = res if isinstance(res, tuple) else (res,)
                hook.grad_outputs = grad_outputs
                if not hook.input_tensors_index:
                    # No input needs a gradient: hooks still run, with grad_input all None.
                    hook._run_hooks((None,) * max(hook.n_inputs, 1))
                return tuple(grad_outputs[i] for i in idx)

        outs = _OutputHook.apply(*[outputs[i] for i in idx])
        if isinstance(outs, Tensor):
            outs = (outs,)
        new = list(outputs)
        for i, o in zip(idx, outs):
            new[i] = o
        return tuple(new) if is_tuple else new[0]

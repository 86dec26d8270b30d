"""scaled_dot_product_attention and multi_head_attention_forward, each one registered op."""

import math
import warnings

import jax
import jax.numpy as jnp

from torchlike._ops.registry import op

__all__ = ["multi_head_attention_forward", "scaled_dot_product_attention"]


def _safe_softmax(scores):
    """Softmax over the last dim whose fully masked (all -inf) rows are 0, as torch's SDPA."""
    dead = jnp.all(scores == -jnp.inf, axis=-1, keepdims=True)
    w = jax.nn.softmax(jnp.where(dead, 0, _up(scores)), axis=-1).astype(scores.dtype)
    return jnp.where(dead, 0, w)


def _up(x):
    """Half-precision values in float32 for softmax (torch's opmath), others unchanged."""
    return x.astype(jnp.float32) if x.dtype in (jnp.float16, jnp.bfloat16) else x


def _causal(L, S):
    return jnp.tril(jnp.ones((L, S), bool))


def _as_bias(mask, dtype):
    """A boolean mask (True = take part) or an additive float mask, as an additive bias."""
    if mask.dtype == jnp.bool_:
        return jnp.where(mask, jnp.zeros((), dtype), jnp.array(-jnp.inf, dtype))
    return mask.astype(dtype)


def _sdpa(query, key, value, attn_mask, dropout_mask, dropout_p, is_causal, scale, enable_gqa):
    L, S = query.shape[-2], key.shape[-2]
    if enable_gqa and query.ndim >= 3 and key.shape[-3] != query.shape[-3]:
        if query.shape[-3] % key.shape[-3] or query.shape[-3] % value.shape[-3]:
            raise RuntimeError(
                "Number of heads in key and value must divide the number of heads in query"
            )
        key = jnp.repeat(key, query.shape[-3] // key.shape[-3], axis=-3)
        value = jnp.repeat(value, query.shape[-3] // value.shape[-3], axis=-3)
    for name, t in (("key", key), ("value", value)):
        batch_q, batch_t = query.shape[:-2], t.shape[:-2]
        for i in range(1, min(len(batch_q), len(batch_t)) + 1):
            a, b = batch_q[-i], batch_t[-i]
            if a != b and 1 not in (a, b):
                raise RuntimeError(
                    f"The size of tensor a ({a}) must match the size of tensor b ({b}) at "
                    f"non-singleton dimension {max(len(batch_q), len(batch_t)) - i}"
                )
    if query.shape[-1] != key.shape[-1]:
        raise RuntimeError(
            f"Expected query and key to have the same embedding dimension, got "
            f"{query.shape[-1]} and {key.shape[-1]}"
        )
    if key.shape[-2] != value.shape[-2]:
        raise RuntimeError("Expected key and value to have the same sequence length")
    scale = 1.0 / math.sqrt(query.shape[-1]) if scale is None else scale
    scores = jnp.matmul(query, jnp.swapaxes(key, -2, -1)) * scale
    if is_causal:
        scores = jnp.where(_causal(L, S), scores, -jnp.inf)
    if attn_mask is not None:
        try:
            jnp.broadcast_shapes(scores.shape, attn_mask.shape)
        except ValueError:
            # a mask that does not broadcast to (..., L, S) is a RuntimeError in PyTorch
            raise RuntimeError(
                f"attn_mask of shape {list(attn_mask.shape)} does not broadcast to the "
                f"attention scores of shape {list(scores.shape)}"
            ) from None
        scores = scores + _as_bias(attn_mask, scores.dtype)
    weights = _safe_softmax(scores)
    if dropout_mask is not None:
        weights = weights * dropout_mask / (1.0 - dropout_p)
    return jnp.matmul(weights.astype(value.dtype), value)


@op(
    tensor_args=("query", "key", "value", "attn_mask", "dropout_mask"),
    method=False,
    name="scaled_dot_product_attention",
    save_residuals=True,  # keep the attention probabilities, as PyTorch's math kernel does
)
def _scaled_dot_product_attention(
    query,
    key,
    value,
    attn_mask=None,
    dropout_mask=None,
    dropout_p=0.0,
    is_causal=False,
    scale=None,
    enable_gqa=False,
):
    return _sdpa(
        query, key, value, attn_mask, dropout_mask, dropout_p, is_causal, scale, enable_gqa
    )


def _dropout_mask(shape, p, dtype, device):
    """A keep-mask drawn like torch's CPU dropout (bernoulli(1 - p)), from the global generator."""
    import torchlike as torch

    return torch.empty(shape, dtype=dtype, device=device).bernoulli_(1 - p)


def scaled_dot_product_attention(
    query, key, value, attn_mask=None, dropout_p=0.0, is_causal=False, scale=None, enable_gqa=False
):
    """softmax(q k^T * scale + mask) v, with optional causal mask and dropout."""
    if attn_mask is not None and not (
        attn_mask.dtype.is_floating_point or str(attn_mask.dtype) == "torch.bool"
    ):
        raise RuntimeError(
            "Expected attn_mask dtype to be bool or float or to match query dtype, but got "
            f"attn_mask.dtype: {attn_mask.dtype} and  query.dtype: {query.dtype} instead."
        )
    if is_causal and attn_mask is not None:
        raise RuntimeError(
            "_scaled_dot_product_attention: Explicit attn_mask should not be set when "
            "is_causal=True"
        )
    dropout_mask = None
    if dropout_p > 0.0:
        qs, ks = tuple(query.shape), tuple(key.shape)
        batch = jnp.broadcast_shapes(qs[:-2], ks[:-2]) if not enable_gqa else qs[:-2]
        dropout_mask = _dropout_mask(batch + (qs[-2], ks[-2]), dropout_p, query.dtype, query.device)
    return _scaled_dot_product_attention(
        query,
        key,
        value,
        attn_mask,
        dropout_mask,
        float(dropout_p),
        bool(is_causal),
        None if scale is None else float(scale),
        bool(enable_gqa),
    )


# ---- multi-head attention ------------------------------------------------------------------


def _pad_last(m):
    """One more (zero: attend) key position at the end of a mask."""
    return None if m is None else jnp.pad(m, [(0, 0)] * (m.ndim - 1) + [(0, 1)])


def _linear(x, w, b):
    y = jnp.matmul(x, w.T)
    return y if b is None else y + b


@op(
    tensor_args=(
        "query",
        "key",
        "value",
        "in_proj_weight",
        "in_proj_bias",
        "bias_k",
        "bias_v",
        "out_proj_weight",
        "out_proj_bias",
        "q_proj_weight",
        "k_proj_weight",
        "v_proj_weight",
        "key_padding_mask",
        "attn_mask",
        "static_k",
        "static_v",
        "dropout_mask",
    ),
    method=False,
    name="multi_head_attention_forward",
    save_residuals=True,  # keep the attention probabilities: no QK^T recompute in backward
)
def _mha(
    query,
    key,
    value,
    in_proj_weight,
    in_proj_bias,
    bias_k,
    bias_v,
    out_proj_weight,
    out_proj_bias,
    q_proj_weight,
    k_proj_weight,
    v_proj_weight,
    key_padding_mask,
    attn_mask,
    static_k,
    static_v,
    dropout_mask,
    num_heads=1,
    add_zero_attn=False,
    dropout_p=0.0,
    need_weights=True,
    average_attn_weights=True,
    causal_sdpa=False,
    use_separate_proj_weight=False,
    packing="",
):
    """Batched (L, N, E) multi-head attention after the shape checks; mirrors torch's code.

    `packing` is torch's _in_projection_packed: "qkv" (self-attention: key and value are the
    query, passed once) projects with one matmul, "kv" (value is the key) with two."""
    if packing == "qkv":
        key = value = query
    elif packing == "kv":
        value = key
    tgt_len, bsz, embed_dim = query.shape
    head_dim = embed_dim // num_heads
    dtype = query.dtype
    if key_padding_mask is not None:
        key_padding_mask = _as_bias(
            ~key_padding_mask if key_padding_mask.dtype == jnp.bool_ else key_padding_mask, dtype
        )
    if attn_mask is not None:
        attn_mask = _as_bias(~attn_mask if attn_mask.dtype == jnp.bool_ else attn_mask, dtype)
    if packing == "qkv":
        q, k, v = jnp.split(_linear(query, in_proj_weight, in_proj_bias), 3, axis=-1)
    elif packing == "kv":
        w_q, w_kv = jnp.split(in_proj_weight, [embed_dim])
        b_q, b_kv = (None, None) if in_proj_bias is None else jnp.split(in_proj_bias, [embed_dim])
        q = _linear(query, w_q, b_q)
        k, v = jnp.split(_linear(key, w_kv, b_kv), 2, axis=-1)
    else:
        if not use_separate_proj_weight:
            w_q, w_k, w_v = jnp.split(in_proj_weight, 3)
        else:
            w_q, w_k, w_v = q_proj_weight, k_proj_weight, v_proj_weight
        b_q = b_k = b_v = None
        if in_proj_bias is not None:
            b_q, b_k, b_v = jnp.split(in_proj_bias, 3)
        q = _linear(query, w_q, b_q)
        k = _linear(key, w_k, b_k)
        v = _linear(value, w_v, b_v)
    if attn_mask is not None and attn_mask.ndim == 2:
        attn_mask = attn_mask[None]
    if bias_k is not None:
        k = jnp.concatenate([k, jnp.tile(bias_k, (1, bsz, 1))])
        v = jnp.concatenate([v, jnp.tile(bias_v, (1, bsz, 1))])
        attn_mask, key_padding_mask = _pad_last(attn_mask), _pad_last(key_padding_mask)
    q = jnp.swapaxes(q.reshape(tgt_len, bsz * num_heads, head_dim), 0, 1)
    k = (
        static_k
        if static_k is not None
        else jnp.swapaxes(k.reshape(k.shape[0], bsz * num_heads, head_dim), 0, 1)
    )
    v = (
        static_v
        if static_v is not None
        else jnp.swapaxes(v.reshape(v.shape[0], bsz * num_heads, head_dim), 0, 1)
    )
    if add_zero_attn:
        k = jnp.concatenate([k, jnp.zeros((bsz * num_heads, 1, head_dim), k.dtype)], axis=1)
        v = jnp.concatenate([v, jnp.zeros((bsz * num_heads, 1, head_dim), v.dtype)], axis=1)
        attn_mask, key_padding_mask = _pad_last(attn_mask), _pad_last(key_padding_mask)
    src_len = k.shape[1]
    if key_padding_mask is not None:
        if key_padding_mask.shape != (bsz, src_len):
            raise AssertionError(
                f"expecting key_padding_mask shape of {(bsz, src_len)}, but got "
                f"{key_padding_mask.shape}"
            )
        kpm = jnp.broadcast_to(key_padding_mask[:, None, None, :], (bsz, num_heads, 1, src_len))
        kpm = kpm.reshape(bsz * num_heads, 1, src_len)
        attn_mask = kpm if attn_mask is None else attn_mask + kpm
    if need_weights:
        scores = jnp.matmul(q * math.sqrt(1.0 / head_dim), jnp.swapaxes(k, -2, -1))
        if attn_mask is not None:
            scores = scores + attn_mask
        weights = jax.nn.softmax(_up(scores), axis=-1).astype(scores.dtype)
        if dropout_mask is not None:
            weights = weights * dropout_mask.reshape(weights.shape) / (1.0 - dropout_p)
        out = jnp.matmul(weights, v)
        out = _linear(
            jnp.swapaxes(out, 0, 1).reshape(tgt_len * bsz, embed_dim),
            out_proj_weight,
            out_proj_bias,
        ).reshape(tgt_len, bsz, -1)
        weights = weights.reshape(bsz, num_heads, tgt_len, src_len)
        if average_attn_weights:
            weights = jnp.mean(weights, axis=1)
        return out, weights
    if attn_mask is not None:
        attn_mask = (
            attn_mask[None]
            if attn_mask.shape[0] == 1
            else attn_mask.reshape(bsz, num_heads, -1, src_len)
        )
    q = q.reshape(bsz, num_heads, tgt_len, head_dim)
    k = k.reshape(bsz, num_heads, src_len, head_dim)
    v = v.reshape(bsz, num_heads, src_len, head_dim)
    dm = None if dropout_mask is None else dropout_mask.reshape(bsz, num_heads, tgt_len, src_len)
    out = _sdpa(q, k, v, attn_mask, dm, dropout_p, causal_sdpa, None, False)
    out = jnp.transpose(out, (2, 0, 1, 3)).reshape(bsz * tgt_len, embed_dim)
    return _linear(out, out_proj_weight, out_proj_bias).reshape(tgt_len, bsz, -1)


def _mha_shape_check(query, key, value, key_padding_mask, attn_mask, num_heads):
    if query.dim() == 3:
        if key.dim() != 3 or value.dim() != 3:
            raise AssertionError(
                "For batched (3-D) `query`, expected `key` and `value` to be 3-D but found "
                f"{key.dim()}-D and {value.dim()}-D tensors respectively"
            )
        if key_padding_mask is not None and key_padding_mask.dim() != 2:
            raise AssertionError(
                "For batched (3-D) `query`, expected `key_padding_mask` to be `None` or 2-D but "
                f"found {key_padding_mask.dim()}-D tensor instead"
            )
        if attn_mask is not None and attn_mask.dim() not in (2, 3):
            raise AssertionError(
                "For batched (3-D) `query`, expected `attn_mask` to be `None`, 2-D or 3-D but "
                f"found {attn_mask.dim()}-D tensor instead"
            )
        return True
    if query.dim() == 2:
        if key.dim() != 2 or value.dim() != 2:
            raise AssertionError(
                "For unbatched (2-D) `query`, expected `key` and `value` to be 2-D but found "
                f"{key.dim()}-D and {value.dim()}-D tensors respectively"
            )
        if key_padding_mask is not None and key_padding_mask.dim() != 1:
            raise AssertionError(
                "For unbatched (2-D) `query`, expected `key_padding_mask` to be `None` or 1-D "
                f"but found {key_padding_mask.dim()}-D tensor instead"
            )
        if attn_mask is not None:
            if attn_mask.dim() not in (2, 3):
                raise AssertionError(
                    "For unbatched (2-D) `query`, expected `attn_mask` to be `None`, 2-D or 3-D "
                    f"but found {attn_mask.dim()}-D tensor instead"
                )
            if attn_mask.dim() == 3:
                expected = (num_heads, query.shape[0], key.shape[0])
                if tuple(attn_mask.shape) != expected:
                    raise AssertionError(
                        f"Expected `attn_mask` shape to be {expected} but got {attn_mask.shape}"
                    )
        return False
    raise AssertionError(
        "query should be unbatched 2D or batched 3D tensor but received "
        f"{query.dim()}-D query tensor"
    )


def _check_mask_dtype(mask, name):
    if mask is not None and not (mask.dtype.is_floating_point or str(mask.dtype) == "torch.bool"):
        raise AssertionError(f"only bool and floating types of {name} are supported")


def multi_head_attention_forward(
    query,
    key,
    value,
    embed_dim_to_check,
    num_heads,
    in_proj_weight,
    in_proj_bias,
    bias_k,
    bias_v,
    add_zero_attn,
    dropout_p,
    out_proj_weight,
    out_proj_bias,
    training=True,
    key_padding_mask=None,
    need_weights=True,
    attn_mask=None,
    use_separate_proj_weight=False,
    q_proj_weight=None,
    k_proj_weight=None,
    v_proj_weight=None,
    static_k=None,
    static_v=None,
    average_attn_weights=True,
    is_causal=False,
):
    """Multi-head attention on (L, N, E) or unbatched (L, E) inputs."""
    is_batched = _mha_shape_check(query, key, value, key_padding_mask, attn_mask, num_heads)
    if not is_batched:
        query, key, value = query.unsqueeze(1), key.unsqueeze(1), value.unsqueeze(1)
        if key_padding_mask is not None:
            key_padding_mask = key_padding_mask.unsqueeze(0)
    tgt_len, bsz, embed_dim = query.shape
    src_len = key.shape[0]
    _check_mask_dtype(key_padding_mask, "key_padding_mask")
    if (
        key_padding_mask is not None
        and attn_mask is not None
        and key_padding_mask.dtype != attn_mask.dtype
    ):
        warnings.warn(
            "Support for mismatched key_padding_mask and attn_mask is deprecated. Use same "
            "type for both instead.",
            stacklevel=2,
        )
    if is_causal and attn_mask is None:
        raise RuntimeError(
            "Need attn_mask if specifying the is_causal hint. You may use the Transformer "
            "module method `generate_square_subsequent_mask` to create this mask."
        )
    causal_sdpa = False
    if is_causal and key_padding_mask is None and not need_weights:
        # The mask is only a hint here: SDPA applies its own causal mask.
        attn_mask = None
        causal_sdpa = True
    else:
        _check_mask_dtype(attn_mask, "attn_mask")
    if embed_dim != embed_dim_to_check:
        raise AssertionError(
            f"was expecting embedding dimension of {embed_dim_to_check}, but got {embed_dim}"
        )
    head_dim = embed_dim // num_heads
    if head_dim * num_heads != embed_dim:
        raise AssertionError(f"embed_dim {embed_dim} not divisible by num_heads {num_heads}")
    if use_separate_proj_weight:
        if tuple(key.shape[:2]) != tuple(value.shape[:2]):
            raise AssertionError(
                f"key's sequence and batch dims {key.shape[:2]} do not match value's "
                f"{value.shape[:2]}"
            )
        for name, w in (("q", q_proj_weight), ("k", k_proj_weight), ("v", v_proj_weight)):
            if w is None:
                raise AssertionError(
                    f"use_separate_proj_weight is True but {name}_proj_weight is None"
                )
        Eq, Ek, Ev = query.shape[-1], key.shape[-1], value.shape[-1]
        for name, w, shape in (
            ("query", q_proj_weight, (Eq, Eq)),
            ("key", k_proj_weight, (Eq, Ek)),
            ("value", v_proj_weight, (Eq, Ev)),
        ):
            if tuple(w.shape) != shape:
                raise AssertionError(
                    f"expecting {name} weights shape of {shape}, but got {w.shape}"
                )
    else:
        if tuple(key.shape) != tuple(value.shape):
            raise AssertionError(f"key shape {key.shape} does not match value shape {value.shape}")
        if in_proj_weight is None:
            raise AssertionError("use_separate_proj_weight is False but in_proj_weight is None")
    if attn_mask is not None:
        if attn_mask.dim() == 2:
            if tuple(attn_mask.shape) != (tgt_len, src_len):
                raise RuntimeError(
                    f"The shape of the 2D attn_mask is {attn_mask.shape}, but should be "
                    f"{(tgt_len, src_len)}."
                )
        elif attn_mask.dim() == 3:
            if tuple(attn_mask.shape) != (bsz * num_heads, tgt_len, src_len):
                raise RuntimeError(
                    f"The shape of the 3D attn_mask is {attn_mask.shape}, but should be "
                    f"{(bsz * num_heads, tgt_len, src_len)}."
                )
        else:
            raise RuntimeError(f"attn_mask's dimension {attn_mask.dim()} is not supported")
    if bias_k is not None and bias_v is not None:
        if static_k is not None:
            raise AssertionError("bias cannot be added to static key.")
        if static_v is not None:
            raise AssertionError("bias cannot be added to static value.")
    elif bias_k is not None:
        raise AssertionError("bias_k is set but bias_v is None")
    elif bias_v is not None:
        raise AssertionError("bias_v is set but bias_k is None")
    for name, s in (("static_k", static_k), ("static_v", static_v)):
        if s is not None:
            if s.size(0) != bsz * num_heads:
                raise AssertionError(
                    f"expecting {name}.size(0) of {bsz * num_heads}, but got {s.size(0)}"
                )
            if s.size(2) != head_dim:
                raise AssertionError(f"expecting {name}.size(2) of {head_dim}, but got {s.size(2)}")
    if not training:
        dropout_p = 0.0
    dropout_mask = None
    if dropout_p > 0.0:
        s_len = static_k.shape[1] if static_k is not None else src_len + (bias_k is not None)
        s_len += bool(add_zero_attn)
        dropout_mask = _dropout_mask(
            (bsz * num_heads, tgt_len, s_len), dropout_p, query.dtype, query.device
        )
    # torch projects a self-attention's q, k, v with one matmul (and k, v with one when the
    # value is the key): the same tensor passed again is then not an input of its own
    packing = ""
    if not use_separate_proj_weight and key is value:
        packing = "qkv" if query is key else "kv"
    out = _mha(
        query,
        None if packing == "qkv" else key,
        None if packing else value,
        in_proj_weight,
        in_proj_bias,
        bias_k,
        bias_v,
        out_proj_weight,
        out_proj_bias,
        q_proj_weight,
        k_proj_weight,
        v_proj_weight,
        key_padding_mask,
        attn_mask,
        static_k,
        static_v,
        dropout_mask,
        int(num_heads),
        bool(add_zero_attn),
        float(dropout_p),
        bool(need_weights),
        bool(average_attn_weights),
        causal_sdpa,
        bool(use_separate_proj_weight),
        packing,
    )
    if need_weights:
        out, weights = out
    else:
        weights = None
    if not is_batched:
        out = out.squeeze(1)
        if weights is not None:
            weights = weights.squeeze(0)
    return out, weights

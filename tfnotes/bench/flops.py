"""FLOP counts of recurrent layers, to compare a step's speed with the matmul peak."""

# Matrix products per step, in multiples of `units` output columns: an LSTM has
# four gates, a GRU two gates plus a candidate, a plain RNN one.
GATE_BLOCKS = {"lstm": 4, "gru": 3, "rnn": 1}


def forward_flops(kind, batch, time, inputs, units):
    """FLOPs of a forward pass: `2 * B * T * blocks * units * (inputs + units)`.

    Counts the multiply-adds of `[x, h] @ kernel` only (the gate arithmetic is
    a few percent and bounded by memory, not the arithmetic units).
    """
    if kind not in GATE_BLOCKS:
        raise ValueError(f"unknown cell kind {kind!r}; choose one of {sorted(GATE_BLOCKS)}")
    return 2 * batch * time * GATE_BLOCKS[kind] * units * (inputs + units)


def step_flops(kind, batch, time, inputs, units, training=True):
    """FLOPs of one inference pass, or one training step (backward ~ 2x forward)."""
    forward = forward_flops(kind, batch, time, inputs, units)
    return 3 * forward if training else forward

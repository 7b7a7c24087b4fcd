"""The issue's four cases at batch 64, 50 steps, 64 inputs, 256 units, interleaved (docs table).

    make bench ARGS="config=single_size"
    make experiment NAME=cell_benchmark ARGS="config=single_size"   # the same

The fused path against keras.layers.* and TF1 for lstm, bilstm, gru and lstm_stack,
training, on TensorFlow (XLA on and off), on JAX and in TF1's graph mode, 7 rounds;
the figures are in docs/cell_benchmark.md.
"""


def get_config():
    """The keys this preset sets; every other key keeps its Config default."""
    return dict(
        sizes=((64, 50, 64, 256),),  # one (batch, time, inputs, units) size: the ratios use it
        cases=("lstm", "bilstm", "gru", "lstm_stack"),  # the cases the targets name
        rounds=7,  # interleaved rounds: medians and spreads over 7
    )

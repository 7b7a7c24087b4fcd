"""Your own seq.in / seq.out corpus: the SNIPS recipe without its SNIPS-only keys.

    make experiment NAME=slot_filling ARGS="config=real_corpus data_dir=DIR"

DIR holds train/, valid/ (or dev/) and test/, each with seq.in, seq.out and label.
The base of the SNIPS presets: config=snips adds data_dir and substitution_shared_types
(which names SNIPS' title slot types). It has no figure of its own; on SNIPS it is
config=snips_per_intent_copies.
"""


def get_config():
    """The keys this preset sets; every other key keeps its Config default."""
    return dict(
        cell="lstm",  # tfnotes.cells.LSTMCell, read both ways (bidirectional is the default)
        units=128,  # hidden units per direction
        embedding_dim=128,  # word vector size
        char_encoder=True,  # a character CNN per word beside the word vector
        dropout=0.5,  # DropoutWrapper output drop rate (also the attention's dropout)
        word_dropout=0.2,  # drop whole word vectors before the recurrence
        unknown_word_rate=0.3,  # read a training word as <unk> this often, so <unk> is learned
        attention_heads=4,  # self-attention over the recurrent outputs
        intent_to_slots=True,  # every token's slot classifier also sees the sentence vector
        slots_to_intent=True,  # the intent also sees the average slot distribution
        crf=True,  # linear-chain CRF output, decoded with Viterbi
        decode="joint",  # the best (intent, BIO path) pair with slot types seen with that intent
        substitution_copies=1,  # one copy of each sentence with its slot values swapped
        batch_size=64,  # utterances per step
        learning_rate=2e-3,  # Adam step size
        learning_rate_schedule="cosine",  # cosine decay to 0 over all epochs
        epochs=20,  # passes over the training split (and its copies)
        patience=5,  # stop after 5 epochs without a better validation slot F1
    )

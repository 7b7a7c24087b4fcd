"""What the slot-filling run shows each epoch: validation scores and tagged examples."""

import keras


def tagged_examples_markdown(utterances, tags, intents):
    """A markdown table of sentences with gold and predicted tags; mistakes in bold."""
    rows = ["| sentence | gold | predicted | intent (gold / predicted) |", "|---|---|---|---|"]
    for utterance, predicted, intent in zip(utterances, tags, intents):
        marked = [f"**{p}**" if p != g else p for p, g in zip(predicted, utterance.tags)]
        intent_text = (
            utterance.intent if intent == utterance.intent else f"{utterance.intent} / **{intent}**"
        )
        rows.append(
            f"| {' '.join(utterance.tokens)} | {' '.join(utterance.tags)} "
            f"| {' '.join(marked)} | {intent_text} |"
        )
    return "\n".join(rows)


class ValidationScores(keras.callbacks.Callback):
    """Adds val_slot_f1 / val_intent_accuracy to the epoch's logs; keeps examples to show."""

    def __init__(self, utterances, tagger):
        super().__init__()
        self.utterances, self.tagger = utterances, tagger
        self.examples = ""

    def on_epoch_end(self, epoch, logs=None):
        scores, (tags, intents) = self.tagger.evaluate(self.utterances)
        for name in ("slot_f1", "intent_accuracy", "sentence_accuracy"):
            logs["val_" + name] = scores[name]
        shown = self.tagger.config.examples_to_log
        self.examples = tagged_examples_markdown(
            self.utterances[:shown], tags[:shown], intents[:shown]
        )

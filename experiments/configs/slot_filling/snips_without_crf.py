"""SNIPS, BiLSTM + characters + attention + sentence context, softmax output: slot F1 0.921.

    make experiment NAME=slot_filling ARGS="config=snips_without_crf"
    make experiment NAME=slot_filling ARGS="config=snips_without_crf crf=True"   # 0.929

The first rows of the SNIPS ladder in docs/slot_filling_history.md are this preset with
key=value changes (crf=True, then slots_to_intent=True, ...).
"""

from experiments.configs.slot_filling import snips_without_copies


def get_config():
    """snips_without_copies with a softmax output: no CRF, no joint decoding, no slot mix."""
    values = snips_without_copies.get_config()
    for key in ("crf", "decode", "slots_to_intent"):
        del values[key]
    return values

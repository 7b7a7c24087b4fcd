"""Caption text handling, masking (padding never counts), and BLEU/CIDEr on known examples."""

import math

import keras
import numpy as np
import pytest

from tfnotes.captioning.bleu_cider import caption_scores
from tfnotes.captioning.text import (
    END_ID,
    PAD_ID,
    START_ID,
    build_caption_vocabulary,
    encode_captions,
    ids_to_words,
    load_caption_vocabulary,
    save_caption_vocabulary,
    tokenize_caption,
)


def test_tokenize_lowercases_and_drops_punctuation():
    assert tokenize_caption("A dog, running on the Beach .") == [
        "a",
        "dog",
        "running",
        "on",
        "the",
        "beach",
    ]
    assert tokenize_caption("The dog's ball") == ["the", "dog's", "ball"]


def test_vocabulary_reserves_pad_unk_start_end_and_caps_size(tmp_path):
    vocabulary = build_caption_vocabulary([["a", "dog"], ["a", "cat"], ["a", "dog"]], max_size=6)
    assert vocabulary.tokens == ["<pad>", "<unk>", "<start>", "<end>", "a", "dog"]
    ids = encode_captions([["a", "cat", "dog"], ["dog"]], vocabulary, max_words=4)
    assert ids.tolist() == [[START_ID, 4, 1, 5, END_ID, 0], [START_ID, 5, END_ID, 0, 0, 0]]
    assert encode_captions([["a"] * 9], vocabulary, max_words=3).tolist() == [[2, 4, 4, 4, 3]]
    save_caption_vocabulary(tmp_path / "v.json", vocabulary, extra={"max_len": 5})
    loaded, extra = load_caption_vocabulary(tmp_path / "v.json")
    assert loaded.tokens == vocabulary.tokens and extra == {"max_len": 5}


def test_generated_ids_stop_at_end_and_skip_padding():
    vocabulary = build_caption_vocabulary([["a", "dog"]])
    assert ids_to_words([4, 5, END_ID, 4, 4], vocabulary) == ["a", "dog"]
    assert ids_to_words([START_ID, 4, PAD_ID, 5], vocabulary) == ["a", "dog"]


def test_padding_never_changes_the_loss():
    rng = np.random.default_rng(0)
    targets = np.array([[5, 6, END_ID, 0], [7, END_ID, 0, 0]])
    logits = rng.normal(size=(2, 4, 9)).astype("float32")
    loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True, ignore_class=0)
    padded_targets = np.concatenate([targets, np.zeros((2, 5), int)], axis=1)
    padded_logits = np.concatenate(
        [logits, rng.normal(size=(2, 5, 9)).astype("float32") * 9], axis=1
    )
    assert float(loss(targets, logits)) == pytest.approx(
        float(loss(padded_targets, padded_logits)), rel=1e-6
    )
    # ...and equals the mean over the five real tokens only.
    log_probs = logits - np.log(np.exp(logits).sum(-1, keepdims=True))
    real = [-log_probs[r, t, targets[r, t]] for r in range(2) for t in range(4) if targets[r, t]]
    assert float(loss(targets, logits)) == pytest.approx(np.mean(real), rel=1e-5)


def test_padding_never_changes_bleu():
    vocabulary = build_caption_vocabulary([["a", "red", "circle"], ["a", "blue", "square"]])
    refs = [["a red circle", "a circle"], ["a blue square"]]
    rows = [
        [vocabulary.index[w] for w in "a red circle".split()] + [END_ID],
        [vocabulary.index[w] for w in "a blue".split()] + [END_ID],
    ]
    plain = [" ".join(ids_to_words(row, vocabulary)) for row in rows]
    padded = [" ".join(ids_to_words(row + [PAD_ID] * 6, vocabulary)) for row in rows]
    assert caption_scores(refs, plain) == caption_scores(refs, padded)


def test_bleu_on_known_examples():
    # hypothesis vs one reference, same length (no brevity penalty):
    # p1 = 5/6, p2 = 3/5, p3 = 1/4, p4 = 0/3.
    scores = caption_scores([["the cat is on the mat"]], ["the cat sat on the mat"])
    assert scores["bleu1"] == pytest.approx(5 / 6, abs=1e-6)
    assert scores["bleu2"] == pytest.approx(math.sqrt(5 / 6 * 3 / 5), abs=1e-6)
    assert scores["bleu3"] == pytest.approx((5 / 6 * 3 / 5 * 1 / 4) ** (1 / 3), abs=1e-6)
    assert scores["bleu4"] < 1e-4
    # Brevity penalty exp(1 - 6/2) for a 2-word hypothesis; all its n-grams match.
    short = caption_scores([["the cat sat on the mat"]], ["the cat"])
    assert short["bleu1"] == pytest.approx(math.exp(-2), abs=1e-6)
    # Corpus BLEU pools counts over images and uses every reference (closest length).
    corpus = caption_scores([["a b c d", "x y"], ["e f g h"]], ["a b c d", "e f g h"])
    assert corpus["bleu4"] == pytest.approx(1.0, abs=1e-6)


def test_cider_on_known_examples():
    # Exact matches with no n-gram shared between images: every tf-idf cosine is 1 -> 10.
    refs = [["a red circle on the left"], ["two blue squares side by side"]]
    assert caption_scores(refs, [r[0] for r in refs])["cider"] == pytest.approx(10.0, abs=1e-6)
    assert caption_scores(refs, ["x y z", "q r s"])["cider"] == pytest.approx(0.0, abs=1e-9)
    # A partial match, recomputed from the CIDEr-D definition below.
    refs = [["a red circle", "the red circle"], ["a blue square", "one blue square"]]
    hyps = ["a red square", "a blue square"]
    assert caption_scores(refs, hyps)["cider"] == pytest.approx(cider_d(refs, hyps), rel=1e-6)


def cider_d(references, hypotheses, n=4, sigma=6.0):
    """CIDEr-D (Vedantam et al. 2015, coco-caption's variant), written out independently."""

    def grams(sentence, k):
        words = sentence.split()
        counts = {}
        for i in range(len(words) - k + 1):
            counts[tuple(words[i : i + k])] = counts.get(tuple(words[i : i + k]), 0) + 1
        return counts

    log_images = math.log(len(references))
    total = 0.0
    for refs, hyp in zip(references, hypotheses):
        per_ref = []
        for ref in refs:
            score = 0.0
            for k in range(1, n + 1):
                df = lambda g: sum(any(g in grams(r, k) for r in rs) for rs in references)  # noqa: E731
                vec = lambda s: {  # noqa: E731
                    g: c * (log_images - math.log(max(1.0, df(g)))) for g, c in grams(s, k).items()
                }
                vh, vr = vec(hyp), vec(ref)
                norm_h = math.sqrt(sum(v * v for v in vh.values()))
                norm_r = math.sqrt(sum(v * v for v in vr.values()))
                dot = sum(min(vh[g], vr[g]) * vr[g] for g in vh if g in vr)
                cosine = dot / (norm_h * norm_r) if norm_h and norm_r else 0.0
                delta = len(hyp.split()) - len(ref.split())
                score += cosine * math.exp(-delta * delta / (2 * sigma * sigma))
            per_ref.append(score / n)
        total += 10.0 * sum(per_ref) / len(refs)
    return total / len(references)

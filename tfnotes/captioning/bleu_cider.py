"""Corpus BLEU-1..4 and CIDEr-D with the COCO caption evaluation code (`pycocoevalcap`).

`pycocoevalcap` (pip ``pycocoevalcap``, the maintained Python 3 package of the
coco-caption toolkit that captioning papers report) scores a corpus: BLEU counts
n-grams over all images against all of each image's references, with the brevity
penalty from the closest reference length; ``Cider`` is CIDEr-D (tf-idf n-gram
vectors from the test references, Gaussian length penalty, sigma 6, x10). Both are
pure Python; only METEOR, SPICE and the PTB tokenizer need Java, and they are not
used: captions are tokenised by `tfnotes.captioning.text.tokenize_caption` instead.
"""

from __future__ import annotations

from collections.abc import Sequence

from tfnotes.errors import UsageError


def caption_scores(references: Sequence[Sequence[str]], hypotheses: Sequence[str]) -> dict:
    """``{"bleu1".."bleu4", "cider"}`` for one hypothesis per image against its references.

    Args:
        references: per image, its reference captions as space-separated token strings.
        hypotheses: per image, the generated caption (may be empty).
    """
    try:
        from pycocoevalcap.bleu.bleu import Bleu
        from pycocoevalcap.cider.cider import Cider
    except ImportError:
        raise UsageError(
            "caption metrics need pycocoevalcap: pip install 'pycocoevalcap>=1.2,<2'") from None
    if len(references) != len(hypotheses):
        raise ValueError(f"{len(references)} reference sets for {len(hypotheses)} hypotheses")
    if not hypotheses:
        return {"bleu1": 0.0, "bleu2": 0.0, "bleu3": 0.0, "bleu4": 0.0, "cider": 0.0}
    gts = {index: [str(r) for r in refs] for index, refs in enumerate(references)}
    res = {index: [str(hypothesis)] for index, hypothesis in enumerate(hypotheses)}
    bleu, _ = Bleu(4).compute_score(gts, res, verbose=0)
    cider, _ = Cider().compute_score(gts, res)
    scores = {f"bleu{n}": float(value) for n, value in enumerate(bleu, start=1)}
    scores["cider"] = float(cider)
    return scores

"""`DigitSplits`: the train and eval digits every digit source returns."""

from dataclasses import dataclass

import numpy as np


@dataclass
class DigitSplits:
    """Train and eval digits from one source.

    Images are uint8 `[N, 28, 28]`, labels uint8 `[N]`. `source` says where the
    digits came from (for logs and metrics.json); `note` says anything the run
    should log about how the splits were made (empty when nothing to say).
    """

    train_images: np.ndarray
    train_labels: np.ndarray
    eval_images: np.ndarray
    eval_labels: np.ndarray
    source: str
    note: str = ""

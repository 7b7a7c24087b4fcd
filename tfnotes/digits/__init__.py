"""28x28 digits for the VAE and GAN: one `DigitSplits` from idx files, tfds or rendering.

`load_digits` picks the source (`idx_files`, `tfds_mnist`, `rendering`); `judge` is
the cached MNIST classifier whose features and predictions score generated digits.
"""

from tfnotes.digits.idx_files import load_idx_dir, read_idx
from tfnotes.digits.loading import load_digits, load_digits_for_run
from tfnotes.digits.splits import DigitSplits

__all__ = ["DigitSplits", "load_digits", "load_digits_for_run", "load_idx_dir", "read_idx"]

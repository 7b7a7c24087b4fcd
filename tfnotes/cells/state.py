"""`LSTMStateTuple`: the (c, h) state of the LSTM cells, as in TF1."""

import collections


class LSTMStateTuple(collections.namedtuple("LSTMStateTuple", ("c", "h"))):
    """Tuple used by LSTM cells for `state_size`, `zero_state` and the state.

    Stores two elements, `(c, h)`: `c` is the memory cell, `h` the hidden
    state (the output, after the projection when the cell has one).
    """

    __slots__ = ()

    @property
    def dtype(self):
        """The dtype shared by `c` and `h`; a `TypeError` if they differ."""
        c, h = self
        if c.dtype != h.dtype:
            raise TypeError(
                f"Inconsistent dtypes in LSTMStateTuple: c is {c.dtype}, h is {h.dtype}"
            )
        return c.dtype

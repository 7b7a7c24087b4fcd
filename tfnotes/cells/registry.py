"""The one list of cell names the experiments accept (`cell=`) and `make_cell`."""

from tfnotes.cells.basic_lstm import BasicLSTMCell
from tfnotes.cells.basic_rnn import BasicRNNCell
from tfnotes.cells.clockwork import ClockworkRNNCell
from tfnotes.cells.elman import ElmanCell
from tfnotes.cells.gru import GRUCell
from tfnotes.cells.jordan import JordanCell
from tfnotes.cells.lstm import LSTMCell
from tfnotes.errors import UsageError

CELL_CLASSES = {
    "lstm": LSTMCell,
    "basic_lstm": BasicLSTMCell,
    "gru": GRUCell,
    "basic_rnn": BasicRNNCell,
    "elman": ElmanCell,
    "jordan": JordanCell,
    "clockwork": ClockworkRNNCell,
}
CELL_NAMES = tuple(CELL_CLASSES)  # the values of `cell=`


def make_cell(kind: str, units: int, **options):
    """A new `kind` cell of `units` units; `options` go to its constructor (``name=``, ...).

    Raises UsageError (one line, listing `CELL_NAMES`) for an unknown kind.
    """
    if kind not in CELL_CLASSES:
        raise UsageError(f"cell={kind} is not allowed; choose one of: {', '.join(CELL_NAMES)}")
    return CELL_CLASSES[kind](units, **options)

"""TF1-faithful recurrent cells for Keras 3, `dynamic_rnn` and TF1 checkpoint import.

Every cell is a `keras.layers.Layer` following the Keras RNN cell contract
and registered for `.keras` saving under the package name `tfnotes`.
"""

from tfnotes.cells.base import RNNCellBase
from tfnotes.cells.basic_lstm import BasicLSTMCell
from tfnotes.cells.basic_rnn import BasicRNNCell
from tfnotes.cells.clockwork import ClockworkRNNCell
from tfnotes.cells.dropout_wrapper import DropoutWrapper
from tfnotes.cells.elman import ElmanCell
from tfnotes.cells.fused import FusedRNN, recurrent_layer
from tfnotes.cells.gru import GRUCell
from tfnotes.cells.jordan import JordanCell
from tfnotes.cells.lstm import LSTMCell
from tfnotes.cells.multi_rnn import MultiRNNCell
from tfnotes.cells.registry import CELL_CLASSES, CELL_NAMES, make_cell
from tfnotes.cells.rnn import bidirectional_dynamic_rnn, dynamic_rnn, reverse_sequence
from tfnotes.cells.state import LSTMStateTuple
from tfnotes.cells.tf1_checkpoint import load_tf1_checkpoint

__all__ = [
    "BasicLSTMCell",
    "CELL_CLASSES",
    "CELL_NAMES",
    "BasicRNNCell",
    "ClockworkRNNCell",
    "DropoutWrapper",
    "ElmanCell",
    "FusedRNN",
    "GRUCell",
    "JordanCell",
    "LSTMCell",
    "LSTMStateTuple",
    "MultiRNNCell",
    "make_cell",
    "recurrent_layer",
    "RNNCellBase",
    "bidirectional_dynamic_rnn",
    "dynamic_rnn",
    "load_tf1_checkpoint",
    "reverse_sequence",
]

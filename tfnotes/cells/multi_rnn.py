"""`MultiRNNCell`: a stack of cells run one after the other at each step."""

import keras
from keras import ops

from tfnotes.cells.base import RNNCellBase


@keras.saving.register_keras_serializable(package="tfnotes")
class MultiRNNCell(RNNCellBase):
    """Stacks cells: the output of cell i is the input of cell i + 1.

    As in TF1 the state is the tuple of the children's states (or, with
    `state_is_tuple=False`, their concatenation, which needs every child to
    have a one-tensor state), and the output is the last cell's output. In a
    TF1 checkpoint child i lives under `<scope>/cell_<i>/<child scope>`.

    Args:
        cells: list of cells (any `tfnotes.cells` cell, wrappers included).
        state_is_tuple: state as a tuple of child states (True) or one tensor.
    """

    tf1_scope_name = "multi_rnn_cell"

    def __init__(self, cells, state_is_tuple=True, **kwargs):
        super().__init__(**kwargs)
        cells = list(cells)
        if not cells:
            raise ValueError("MultiRNNCell needs at least one cell, received an empty list.")
        self.cells = cells
        self.state_is_tuple = bool(state_is_tuple)
        if not self.state_is_tuple:
            sizes = [cell.flat_state_sizes() for cell in cells]
            if any(len(s) != 1 for s in sizes):
                raise ValueError(
                    "MultiRNNCell(state_is_tuple=False) needs cells with a one-tensor state; "
                    f"the cells' state sizes are {[cell.state_size for cell in cells]}."
                )

    def _child_counts(self):
        return [len(cell.flat_state_sizes()) for cell in self.cells]

    def flat_state_sizes(self):
        sizes = [size for cell in self.cells for size in cell.flat_state_sizes()]
        return sizes if self.state_is_tuple else [sum(sizes)]

    @property
    def output_size(self):
        return self.cells[-1].output_size

    def state_dropout_filter(self):
        if not self.state_is_tuple:
            return [True]
        return [keep for cell in self.cells for keep in cell.state_dropout_filter()]

    def _split_flat(self, flat_states):
        """Flat states of the stack -> one flat list per child."""
        if not self.state_is_tuple:
            pieces, start = [], 0
            for cell in self.cells:
                size = cell.flat_state_sizes()[0]
                pieces.append([flat_states[0][:, start:start + size]])
                start += size
            return pieces
        pieces, start = [], 0
        for count in self._child_counts():
            pieces.append(list(flat_states[start:start + count]))
            start += count
        return pieces

    def pack_state(self, flat_states):
        if not self.state_is_tuple:
            return flat_states[0]
        return tuple(
            cell.pack_state(piece)
            for cell, piece in zip(self.cells, self._split_flat(flat_states))
        )

    def unpack_state(self, state):
        if not self.state_is_tuple:
            return super().unpack_state(state)
        if len(state) != len(self.cells):
            raise ValueError(
                f"Expected a state tuple of length {len(self.cells)}, received {len(state)}."
            )
        return [leaf for cell, s in zip(self.cells, state) for leaf in cell.unpack_state(s)]

    def get_initial_state(self, batch_size=None):
        if not self.state_is_tuple:
            return super().get_initial_state(batch_size)
        # The children's own initial states (a DropoutWrapper's seed slot under JAX).
        return [s for cell in self.cells for s in cell.get_initial_state(batch_size=batch_size)]

    def build(self, input_shape):
        depth = input_shape[-1]
        for cell in self.cells:
            if not cell.built:
                cell.build((input_shape[0], depth))
            depth = cell.output_size

    def step(self, inputs, states, training=None):
        output, new_states = inputs, []
        for cell, piece in zip(self.cells, self._split_flat(states)):
            output, new_piece = cell(output, piece, training=training)
            new_states.append(list(new_piece))
        if self.state_is_tuple:
            return output, [leaf for piece in new_states for leaf in piece]
        return output, [ops.concatenate([piece[0] for piece in new_states], axis=-1)]

    def tf1_variables(self, scope):
        variables = {}
        for index, cell in enumerate(self.cells):
            variables.update(cell.tf1_variables(f"{scope}/cell_{index}/{cell.tf1_scope_name}"))
        return variables

    def tf1_input_depth(self, shape_of, scope):
        first = self.cells[0]
        return first.tf1_input_depth(shape_of, f"{scope}/cell_0/{first.tf1_scope_name}")

    def get_config(self):
        return {
            **super().get_config(),
            "cells": [keras.saving.serialize_keras_object(cell) for cell in self.cells],
            "state_is_tuple": self.state_is_tuple,
        }

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        cells = [keras.saving.deserialize_keras_object(c) for c in config.pop("cells")]
        return cls(cells, **config)

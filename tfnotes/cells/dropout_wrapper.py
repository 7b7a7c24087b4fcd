"""`DropoutWrapper`: dropout on a cell's inputs, outputs and state (TF1)."""

import keras
from keras import ops

from tfnotes.cells.base import RNNCellBase
from tfnotes.cells.dropout_noise import keep_mask

# Under JAX the masks' random seed travels in the state (see `DropoutWrapper`).
_SEED_RANGE = 2**24  # seeds are carried in float32 slots: exact below 2**24


def _check_keep_prob(name, value):
    value = float(value)
    if not 0.0 < value <= 1.0:
        raise ValueError(f"DropoutWrapper: {name} must be in (0, 1], received {value}.")
    return value


@keras.saving.register_keras_serializable(package="tfnotes")
class DropoutWrapper(RNNCellBase):
    """Applies dropout to the inputs, the outputs and the new state of a cell.

    Kept values are scaled by `1 / keep_prob`. As TF1's default state filter,
    the memory `c` of an `LSTMStateTuple` is never dropped (nor the step
    counter of `ClockworkRNNCell`, nor private slots of nested wrappers).
    Dropout acts only when the layer is called with `training=True`.

    With `variational_recurrent=False` a fresh mask is drawn at every step.
    With `variational_recurrent=True` (Gal & Ghahramani 2016) each sequence
    gets one mask per dropped tensor, used at every time step and drawn anew
    for each call of the RNN. *How:* the masks live in the cell state. The
    flat state (what `keras.layers.RNN` carries) is the wrapped cell's state
    followed by one slot per mask and a one-column "drawn" flag; the zero
    initial state has the flag at 0, so the first step draws the masks and
    sets the flag, and later steps reuse the masks carried in the state. This
    keeps the loop body free of Python-side caches, so it works inside
    `keras.layers.RNN`, `Bidirectional`, `MultiRNNCell`, `dynamic_rnn` and
    under XLA. The TF1 form of the state (`zero_state`, `dynamic_rnn`'s final
    state) is the wrapped cell's state alone, as in TF1.

    *JAX:* a `keras.random.SeedGenerator` cannot advance inside `lax.scan`
    (the loop is traced once, its state updates are dropped), so there the
    flat state also carries a two-column seed: `get_initial_state` and
    `unpack_state` (run once per call, outside the loop) draw it from the
    generator, and each step derives its masks from it and advances it. Masks
    thus still differ across steps and calls, and jit-compiled training works.

    The wrapper adds no TF1 variable scope: its weights are the wrapped cell's.

    Args:
        cell: the wrapped cell.
        input_keep_prob, output_keep_prob, state_keep_prob: keep probabilities in (0, 1].
        variational_recurrent: one mask per sequence for all steps (see above).
        input_size: depth of the inputs; needed, as in TF1, when
            `variational_recurrent=True` and `input_keep_prob < 1`.
        seed: seed of the wrapper's `keras.random.SeedGenerator`.
    """

    def __init__(
        self,
        cell,
        input_keep_prob=1.0,
        output_keep_prob=1.0,
        state_keep_prob=1.0,
        variational_recurrent=False,
        input_size=None,
        seed=None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.cell = cell
        self.input_keep_prob = _check_keep_prob("input_keep_prob", input_keep_prob)
        self.output_keep_prob = _check_keep_prob("output_keep_prob", output_keep_prob)
        self.state_keep_prob = _check_keep_prob("state_keep_prob", state_keep_prob)
        self.variational_recurrent = bool(variational_recurrent)
        self.input_size = None if input_size is None else int(input_size)
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)
        if self.variational_recurrent and self.input_keep_prob < 1.0 and self.input_size is None:
            raise ValueError(
                "When variational_recurrent=True and input_keep_prob < 1.0, "
                "input_size must be provided."
            )
        self._mask_sizes = self._variational_mask_sizes()
        may_drop = min(self.input_keep_prob, self.output_keep_prob, self.state_keep_prob) < 1.0
        self._carries_seed = may_drop and keras.backend.backend() == "jax"

    @property
    def wrapped_cell(self):
        """The cell inside the wrapper (TF1's name for it)."""
        return self.cell

    @property
    def tf1_scope_name(self):
        return self.cell.tf1_scope_name

    # ----- state layout --------------------------------------------------------
    def _dropped_state_slots(self):
        if self.state_keep_prob >= 1.0:
            return []
        return [i for i, keep in enumerate(self.cell.state_dropout_filter()) if keep]

    def _variational_mask_sizes(self):
        """Sizes of the mask slots appended to the state: input, states, output."""
        if not self.variational_recurrent:
            return []
        sizes = []
        if self.input_keep_prob < 1.0:
            sizes.append(self.input_size)
        inner_sizes = self.cell.flat_state_sizes()
        sizes += [inner_sizes[i] for i in self._dropped_state_slots()]
        if self.output_keep_prob < 1.0:
            sizes.append(self.cell.output_size)
        return sizes

    def _extra_sizes(self):
        sizes = self._mask_sizes + [1] if self._mask_sizes else []
        return sizes + [2] if self._carries_seed else sizes

    def flat_state_sizes(self):
        return list(self.cell.flat_state_sizes()) + self._extra_sizes()

    @property
    def output_size(self):
        return self.cell.output_size

    def state_dropout_filter(self):
        return list(self.cell.state_dropout_filter()) + [False] * len(self._extra_sizes())

    def pack_state(self, flat_states):
        count = len(self.cell.flat_state_sizes())
        return self.cell.pack_state(list(flat_states)[:count])

    def unpack_state(self, state):
        flat = self.cell.unpack_state(state)
        batch_size = ops.shape(flat[0])[0]
        return self._with_fresh_seed(flat + [
            ops.zeros((batch_size, size), dtype=flat[0].dtype) for size in self._extra_sizes()
        ])

    def get_initial_state(self, batch_size=None):
        inner = list(self.cell.get_initial_state(batch_size=batch_size))
        return self._with_fresh_seed(inner + [
            ops.zeros((batch_size, size), dtype=self.compute_dtype) for size in self._extra_sizes()
        ])

    def _with_fresh_seed(self, flat):
        """`flat` with its seed slot (JAX only) drawn from the seed generator."""
        if not self._carries_seed:
            return flat
        first = keras.random.randint((), 0, _SEED_RANGE, seed=self.seed_generator)
        seed = ops.stack([ops.cast(first, flat[-1].dtype), ops.zeros((), flat[-1].dtype)])
        return flat[:-1] + [ops.zeros_like(flat[-1]) + seed]

    # ----- computation ---------------------------------------------------------
    def build(self, input_shape):
        if not self.cell.built:
            self.cell.build(input_shape)

    def _fresh_mask(self, like, keep_prob, seed):
        return keep_mask(like, keep_prob, seed)  # Philox on TensorFlow: see dropout_noise

    def step(self, inputs, states, training=None):
        count = len(self.cell.flat_state_sizes())
        inner_states, extras = list(states[:count]), list(states[count:])
        if not training:
            output, new_inner = self.cell(inputs, inner_states, training=training)
            return output, list(new_inner) + extras
        seed_slots = []
        if self._carries_seed:
            seed_slot = extras.pop()
            draws_per_step = 2 + len(self._dropped_state_slots())  # input, states, output
            step_offset = ops.convert_to_tensor([0.0, draws_per_step], seed_slot.dtype)
            seed_slots = [seed_slot + step_offset]
            base = ops.cast(seed_slot[0], "uint32")
            draws = iter(range(draws_per_step))

            def fresh_mask(like, keep_prob):
                offset = ops.convert_to_tensor([0, next(draws)], "uint32")
                return self._fresh_mask(like, keep_prob, base + offset)

        else:

            def fresh_mask(like, keep_prob):
                return self._fresh_mask(like, keep_prob, self.seed_generator)

        if self.variational_recurrent and self._mask_sizes:
            # Masks carried in the state; drawn on the first step only.
            drawn = extras[-1] > 0
            carried = [
                ops.where(drawn, mask, fresh_mask(mask, keep))
                for mask, keep in zip(extras[:-1], self._mask_keep_probs())
            ]
            new_extras = carried + [ops.ones_like(extras[-1])]
            pending = iter(carried)

            def dropout(value, keep_prob):
                return value * next(pending)

        else:
            new_extras = extras

            def dropout(value, keep_prob):
                return value * fresh_mask(value, keep_prob)

        if self.input_keep_prob < 1.0:
            inputs = dropout(inputs, self.input_keep_prob)
        output, new_inner = self.cell(inputs, inner_states, training=training)
        new_inner = list(new_inner)
        for slot in self._dropped_state_slots():
            new_inner[slot] = dropout(new_inner[slot], self.state_keep_prob)
        if self.output_keep_prob < 1.0:
            output = dropout(output, self.output_keep_prob)
        return output, new_inner + new_extras + seed_slots

    def _mask_keep_probs(self):
        probs = []
        if self.input_keep_prob < 1.0:
            probs.append(self.input_keep_prob)
        probs += [self.state_keep_prob] * len(self._dropped_state_slots())
        if self.output_keep_prob < 1.0:
            probs.append(self.output_keep_prob)
        return probs

    # ----- TF1 checkpoints and serialization -----------------------------------
    def tf1_variables(self, scope):
        return self.cell.tf1_variables(scope)

    def tf1_input_depth(self, shape_of, scope):
        return self.cell.tf1_input_depth(shape_of, scope)

    def get_config(self):
        return {
            **super().get_config(),
            "cell": keras.saving.serialize_keras_object(self.cell),
            "input_keep_prob": self.input_keep_prob,
            "output_keep_prob": self.output_keep_prob,
            "state_keep_prob": self.state_keep_prob,
            "variational_recurrent": self.variational_recurrent,
            "input_size": self.input_size,
            "seed": self.seed,
        }

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        cell = keras.saving.deserialize_keras_object(config.pop("cell"))
        return cls(cell, **config)

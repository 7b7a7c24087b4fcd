# tfnotes: every target sets itself up (a .venv made by `make install`).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
NAME ?= slot_filling
ARGS ?=
LOGDIR ?= tensorboard_logs
PORT ?= 6006
# Keep TensorFlow's C++ start-up chatter out of the way of our one-line errors.
export TF_CPP_MIN_LOG_LEVEL ?= 2

.PHONY: install test experiment experiments tensorboard bench clean

install: $(STAMP)

$(STAMP): setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

# The second line runs the cells again on the JAX backend (TF1 golden cases,
# dynamic_rnn, the fused path, dropout, the worked examples) and the layers (CRF included).
test: install
	$(PY) -m pytest -q tests
	KERAS_BACKEND=jax $(PY) -m pytest -q -p no:cacheprovider tests/cells/test_tf1_golden.py tests/cells/test_dynamic_rnn.py tests/cells/test_fused.py tests/cells/test_worked_examples.py tests/cells/test_dropout_wrapper.py tests/layers

experiment: install
	$(PY) -m experiments $(NAME) $(ARGS)

experiments: install
	$(PY) -m experiments --list

tensorboard: install
	$(VENV)/bin/tensorboard --logdir $(LOGDIR) --host 127.0.0.1 --port $(PORT)

bench: install
	$(PY) -m experiments cell_benchmark $(ARGS)

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache

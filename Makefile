# tfnotes: every target sets itself up (a .venv made by `make install`).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
NAME ?= slot_filling
ARGS ?=
LOGDIR ?= tensorboard_logs
PORT ?= 6006
RUN ?=
EPISODES ?= 10
# Keep TensorFlow's C++ start-up chatter out of the way of our one-line errors.
export TF_CPP_MIN_LOG_LEVEL ?= 2

.PHONY: install test experiment experiments tensorboard bench play clean

install: $(STAMP)

$(STAMP): setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

# Lint, the suite on TensorFlow, then the tests marked `jax` (the cells and the
# slot-filling layers, which are backend-neutral) again on the JAX backend.
test: install
	$(VENV)/bin/ruff check .
	$(PY) -m pytest -q tests
	KERAS_BACKEND=jax $(PY) -m pytest -q -p no:cacheprovider -m jax tests

experiment: install
	$(PY) -m experiments $(NAME) $(ARGS)

experiments: install
	$(PY) -m experiments --list

tensorboard: install
	$(VENV)/bin/tensorboard --logdir $(LOGDIR) --host 127.0.0.1 --port $(PORT)

bench: install
	$(PY) -m experiments cell_benchmark $(ARGS)

# Play a finished policy_gradient or dqn run's policy: make play RUN=RUN_DIR EPISODES=10
play: install
	$(PY) -m experiments --play $(RUN) --episodes $(EPISODES)

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache

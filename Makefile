# tfnotes: every target sets itself up (a .venv made by `make install`).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
WEB_STAMP := web/node_modules/.installed-stamp
NAME ?= slot_filling
ARGS ?=
LOGDIR ?= tensorboard_logs
PORT ?= 6006
GAN_PORT ?= 0
RUN ?=
EPISODES ?= 10
# Keep TensorFlow's C++ start-up chatter out of the way of our one-line errors.
export TF_CPP_MIN_LOG_LEVEL ?= 2

.PHONY: install test experiment experiments tensorboard bench play serve-gan web clean

install: $(STAMP)

$(STAMP): setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

# Lint, the suite on TensorFlow, then the tests marked `jax` (the cells and the
# slot-filling layers, which are backend-neutral) again on the JAX backend.
test: install
	@# The browser test's page runtime; without npm (or the registry) that test skips.
	@if command -v npm >/dev/null; then $(MAKE) --no-print-directory web \
	  || echo "web: npm ci failed; the GAN page's browser test will skip"; \
	  else echo "web: no npm; the GAN page's browser test will skip"; fi
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

# The GAN page's runtime (ONNX Runtime Web, pinned in web/package-lock.json), from npm.
web: $(WEB_STAMP)

$(WEB_STAMP): web/package.json web/package-lock.json
	cd web && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $(WEB_STAMP)

# Serve a finished gan run's generator in a web page: make serve-gan RUN=RUN_DIR [GAN_PORT=N]
serve-gan: install web
	@if [ -z "$(RUN)" ]; then echo "error: make serve-gan needs RUN=RUN_DIR (a finished gan run)" >&2; exit 2; fi
	$(PY) -m experiments --serve-gan $(RUN) --port $(GAN_PORT)

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache web/node_modules

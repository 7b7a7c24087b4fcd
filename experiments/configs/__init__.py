"""Named configurations (presets) of the experiments: `config=PRESET` on the command line."""

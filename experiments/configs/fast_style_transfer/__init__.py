"""Named configurations of the fast_style_transfer experiment, chosen with config=PRESET."""

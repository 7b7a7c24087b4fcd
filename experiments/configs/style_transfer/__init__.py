"""Named configurations of the style_transfer experiment, chosen with config=PRESET."""

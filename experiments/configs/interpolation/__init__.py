"""Named configurations of the interpolation experiment, chosen with config=PRESET."""

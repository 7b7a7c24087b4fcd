"""Named configurations of the gan experiment, chosen with config=PRESET."""

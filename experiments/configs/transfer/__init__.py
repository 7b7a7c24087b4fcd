"""Named configurations of the transfer experiment, chosen with config=PRESET."""

"""Named configurations of the cell_benchmark experiment, chosen with config=PRESET."""

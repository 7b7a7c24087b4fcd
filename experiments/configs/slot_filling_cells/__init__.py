"""Named configurations of the slot_filling_cells experiment, chosen with config=PRESET."""

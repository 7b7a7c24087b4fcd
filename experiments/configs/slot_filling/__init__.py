"""Named configurations of the slot_filling experiment, chosen with config=PRESET."""

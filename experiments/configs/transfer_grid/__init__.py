"""Named configurations of the transfer_grid experiment, chosen with config=PRESET."""

"""Named configurations of the vae experiment, chosen with config=PRESET."""

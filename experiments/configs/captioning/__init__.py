"""Named configurations of the captioning experiment, chosen with config=PRESET."""

"""Named configurations of the language_model experiment, chosen with config=PRESET."""

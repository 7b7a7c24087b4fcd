"""Named configurations of the language_model_vs_keras experiment, chosen with config=PRESET."""

"""Named configurations of the policy_gradient experiment, chosen with config=PRESET."""

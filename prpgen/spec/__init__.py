"""The feature spec: what a user writes, loaded and validated, its references resolved."""

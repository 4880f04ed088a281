"""Generation: the project model, its tables, the render context, templates rendered and formatted by ruff."""

"""Regeneration: the project on disk, its manifest, the plan against the last generation, three-way merges, writing."""

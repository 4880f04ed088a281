"""A team's own copy of prpgen's templates: export and drift."""

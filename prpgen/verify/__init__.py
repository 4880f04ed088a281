"""`prpgen verify`: the PRP's quality gates run against a generated project."""

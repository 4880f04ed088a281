"""The benchmark's own bookkeeping, which runs only at the end of a long `make bench`."""

from benchmarks.run import statement_counts


def test_statements_per_request_of_the_benchmark_app() -> None:
    """What RESULTS.md reports beside the round trips: the user's lookup plus each endpoint's."""
    assert statement_counts() == {"list": 3, "get": 2, "create": 2, "update": 2, "delete": 2}

"""Tick a PRP's checklists from `prpgen verify`'s results, and rewrite its validation report.

An item is ticked only when every gate behind it ran and passed and every test it names as proof
passed; it is unticked when one of them failed; items no gate can judge are left as they are.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path

from prpgen.verify.gates import GateResult

# The seed's checklist items (their text before any "(proof: ...)") and the gates that judge them.
BACKING: Mapping[str, tuple[str, ...]] = {
    # Success criteria
    "All API endpoints working with proper status codes": ("tests", "openapi"),
    ">90% test coverage with pytest-asyncio": ("tests",),
    "Database schema properly designed and migrated": ("migrate", "rollback"),
    "Response times <200ms for all endpoints (async optimized)": ("performance",),
    "Security validations passing": ("security", "bandit", "auth"),
    "OpenAPI docs auto-generated": ("openapi",),
    # Task breakdown
    "**Quality Gate**: Async migration runs successfully, schema validated": ("migrate",),
    "**Quality Gate**: All endpoints working async, >90% test coverage, <200ms response": ("tests", "performance"),
    "**Quality Gate**: All async tests passing, coverage >90%": ("tests",),
    "**Quality Gate**: Complete async integration working, docs accurate": ("tests", "openapi"),
    # Quality gates
    "Alembic migration script created and tested (async compatible)": ("migrate",),
    "Async migration rollback tested successfully": ("rollback",),
    "Pydantic schemas with proper validation": ("tests",),
    "JWT authentication integrated correctly with async dependencies": ("security", "auth"),
    "Async error handling with proper HTTP status codes": ("tests",),
    "Response times <200ms for all async endpoints": ("performance",),
    "OpenAPI docs auto-generated and accurate for async endpoints": ("openapi",),
    "Proper async pagination implemented": ("tests",),
    "Input validation working correctly with async processing": ("tests",),
    "JWT tokens properly validated with async dependencies": ("security",),
    "Password hashing with bcrypt (async compatible)": ("security",),
    "Authorization checks on all protected async endpoints": ("auth",),
    # Final validation checklist
    "All API endpoints fully async and working correctly": ("tests",),
    "Database schema properly designed with async migrations": ("migrate", "rollback"),
    ">90% test coverage achieved with pytest-asyncio": ("tests",),
    "Security requirements satisfied with async dependencies": ("security", "bandit", "auth"),
    "Performance requirements met with async optimizations (<200ms)": ("performance",),
    "OpenAPI documentation complete for async endpoints": ("openapi",),
    "Async error handling comprehensive": ("tests",),
}
REPORT_HEADING = "## Validation Report"
FIGURE_SEPARATOR = " — "
_ITEM = re.compile(r"^(?P<indent>\s*)- \[(?P<mark>[ x])\] (?P<text>.*)$")


def update_prp(text: str, results: Sequence[GateResult], now: datetime | None = None) -> str:
    """The PRP with its checklist items judged and its validation report rewritten."""
    by_id = {result.id: result for result in results}
    tests: dict[str, bool] = {}
    for result in results:
        tests.update(result.tests)
    lines = [_judge(line, by_id, tests) for line in text.split("\n")]
    return _with_report("\n".join(lines), results, now or datetime.now(UTC))


def _judge(line: str, results: Mapping[str, GateResult], tests: Mapping[str, bool]) -> str:
    match = _ITEM.match(line)
    if match is None:
        return line
    text = match["text"].split(FIGURE_SEPARATOR)[0]
    gates = BACKING.get(text.split(" (proof: ")[0])
    if gates is None or any(gate not in results for gate in gates):
        return line
    proofs = re.findall(r"`(tests/[^`]+)`", text.partition(" (proof: ")[2])
    proven = [_proof_passed(proof, tests) for proof in proofs]
    if proofs and "tests" not in results and not {"performance", "security"} & set(results):
        return line
    ok = all(results[gate].passed for gate in gates) and all(p is True for p in proven)
    figures = ", ".join(_figure(results[gate]) for gate in gates)
    return f"{match['indent']}- [{'x' if ok else ' '}] {text}{FIGURE_SEPARATOR}{figures}"


def _proof_passed(proof: str, tests: Mapping[str, bool]) -> bool | None:
    """Whether every test the proof names passed; None when none of them ran."""
    outcomes = [ok for node, ok in tests.items() if node == proof or node.startswith((proof + "::", proof + "["))]
    return all(outcomes) if outcomes else None


def _figure(result: GateResult) -> str:
    mark = "✓" if result.passed else "✗"
    return f"{mark} {result.id}" + (f": {result.figure}" if result.figure else "")


def _with_report(text: str, results: Sequence[GateResult], now: datetime) -> str:
    passed = sum(result.passed for result in results)
    rows = "\n".join(f"| {r.title} | {r.status} | {r.figure.replace('|', '/')} | {r.seconds:.1f} s |" for r in results)
    report = (
        f"{REPORT_HEADING}\n"
        f"_Run by `prpgen verify` on {now:%Y-%m-%d %H:%M} UTC: {passed} of {len(results)} gates passed._\n\n"
        "| Gate | Result | Figure | Time |\n| --- | --- | --- | --- |\n"
        f"{rows}\n"
    )
    start = text.find(f"\n{REPORT_HEADING}\n")
    if start == -1:
        return text.rstrip("\n") + "\n\n" + report
    end = text.find("\n## ", start + 1)
    rest = text[end:] if end != -1 else ""
    return text[: start + 1] + report + rest


def update_prps(project: Path, results: Sequence[GateResult]) -> list[Path]:
    """Update every PRP of the project; returns the files written."""
    written = []
    for path in sorted(project.glob("PRPs/*/prp.md")):
        text = path.read_text(encoding="utf-8")
        updated = update_prp(text, results)
        if updated != text:
            path.write_text(updated, encoding="utf-8")
            written.append(path)
    return written

"""Source text for values: Python literals (the templates' `py` and `py_str` filters), the calls
of Alembic operations as migrations write them (`tables`, `schema_diff`), all on one line for
ruff to lay out (`formatting`), and user text made safe in Markdown."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any


def py_str(text: str) -> str:
    """A string literal with the formatter's preferred quotes (double, unless that needs more escapes)."""
    # ruff's rule: double quotes, unless the text holds more double than single quotes.
    quote = "'" if text.count('"') > text.count("'") else '"'
    out = []
    for char in text:
        if char == "\\":
            out.append("\\\\")
        elif char == quote:
            out.append("\\" + char)
        elif char == "\n":
            out.append("\\n")
        elif char == "\r":
            out.append("\\r")
        elif char == "\t":
            out.append("\\t")
        elif ord(char) < 32 or ord(char) == 127:
            out.append(f"\\x{ord(char):02x}")
        elif 0xD800 <= ord(char) <= 0xDFFF:
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(char)
    return quote + "".join(out) + quote


def py_literal(value: Any) -> str:
    """Python source for a JSON-like value (str, bool, int, float, Decimal, None, list, dict)."""
    if isinstance(value, str):
        return py_str(value)
    if value is None or isinstance(value, bool | int):
        return repr(value)
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, Decimal):
        return f"Decimal({py_str(str(value))})"
    if isinstance(value, list | tuple):
        return Collection("[", "]", tuple(py_literal(item) for item in value)).flat()
    if isinstance(value, dict):
        return Collection("{", "}", tuple(f"{py_literal(k)}: {py_literal(v)}" for k, v in value.items())).flat()
    raise TypeError(f"no Python literal for {value!r}")


@dataclass(frozen=True)
class Arg:
    """`keyword=value` inside a call."""

    keyword: str
    value: str | Call | Collection

    def flat(self) -> str:
        return f"{self.keyword}={_flat(self.value)}"


@dataclass(frozen=True)
class Call:
    """`func(arg, ...)`; args are source strings, nested calls, collections or `Arg`s."""

    func: str
    args: tuple[str | Call | Collection | Arg, ...]

    def flat(self) -> str:
        return f"{self.func}({', '.join(_flat(arg) for arg in self.args)})"


@dataclass(frozen=True)
class Collection:
    """A list, tuple, set or dict display; items are source strings or nested nodes."""

    start: str
    end: str
    items: tuple[str | Call | Collection | Arg, ...]

    def flat(self) -> str:
        inner = ", ".join(_flat(item) for item in self.items)
        if self.start == "(" and len(self.items) == 1:
            inner += ","
        return f"{self.start}{inner}{self.end}"


def call(func: str, *args: str | Call | Collection | Arg | None, **kwargs: str | Call | Collection | None) -> Call:
    """Build a call, dropping `None` arguments so optional options read naturally at the call site."""
    items: list[str | Call | Collection | Arg] = [arg for arg in args if arg is not None]
    items.extend(Arg(key, value) for key, value in kwargs.items() if value is not None)
    return Call(func, tuple(items))


def _flat(node: str | Call | Collection | Arg) -> str:
    return node if isinstance(node, str) else node.flat()


def statement(prefix: str, node: str | Call | Collection) -> str:
    """`prefix` followed by `node`, on one line: ruff lays it out (`formatting`)."""
    return prefix + _flat(node)


def isorted(names: Iterable[str]) -> list[str]:
    """Imported names in isort's order: constants (`V4`, `MAX`), then classes, then the rest."""
    return sorted(names, key=_isort_key)


def _isort_key(name: str) -> tuple[int, str]:
    if name.isupper() and len(name) > 1:
        group = 0
    elif name[:1].isupper():
        group = 1
    else:
        group = 2
    return (group, name.lower())


def md_text(text: str) -> str:
    """User text for a Markdown paragraph: it may say anything but cannot open a heading, a code
    fence or a checklist item of the document it lands in."""
    lines = []
    for line in text.splitlines() or [""]:
        stripped = line.lstrip()
        if stripped.startswith(("#", "```", "~~~", "- [", "* [")):
            line = line[: len(line) - len(stripped)] + "\\" + stripped
        lines.append(line)
    return "\n".join(lines)


def md_cell(text: str) -> str:
    """User text for one Markdown table cell: pipes escaped, line breaks kept as <br>."""
    return text.replace("|", "\\|").replace("\r\n", "<br>").replace("\n", "<br>").replace("\r", "<br>")


def md_code(text: str) -> str:
    """An inline code span for any text, backticks included."""
    fence = "``" if "`" in text else "`"
    pad = " " if "`" in text else ""
    return f"{fence}{pad}{text}{pad}{fence}"

"""Python source fragments laid out the way `ruff format` lays them out.

Generated code must already be `ruff format` clean. Calls and collections either fit on one line or
are exploded one item per line with a trailing comma, which the formatter keeps as it is (the
"magic trailing comma"), so the output is stable whatever the user's data makes the lines' length.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

LINE_LENGTH = 88
INDENT = "    "


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

    def open(self) -> str:
        return f"{self.func}("


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

    def open(self) -> str:
        return self.start


def call(func: str, *args: str | Call | Collection | Arg | None, **kwargs: str | Call | Collection | None) -> Call:
    """Build a call, dropping `None` arguments so optional options read naturally at the call site."""
    items: list[str | Call | Collection | Arg] = [arg for arg in args if arg is not None]
    items.extend(Arg(key, value) for key, value in kwargs.items() if value is not None)
    return Call(func, tuple(items))


def kw(keyword: str, value: str | Call | Collection) -> Arg:
    return Arg(keyword, value)


def _flat(node: str | Call | Collection | Arg) -> str:
    return node if isinstance(node, str) else node.flat()


def _lines(node: str | Call | Collection | Arg, indent: int, prefix: str, suffix: str) -> list[str]:
    if isinstance(node, Arg):
        return _lines(node.value, indent, f"{prefix}{node.keyword}=", suffix)
    pad = INDENT * indent
    flat = _flat(node)
    if isinstance(node, str) or not _items(node) or len(pad + prefix + flat + suffix) <= LINE_LENGTH:
        return [pad + prefix + flat + suffix]
    lines = [pad + prefix + node.open()]
    for item in _items(node):
        lines.extend(_lines(item, indent + 1, "", ","))
    closing = ")" if isinstance(node, Call) else node.end
    lines.append(pad + closing + suffix)
    return lines


def _items(node: Call | Collection) -> tuple[str | Call | Collection | Arg, ...]:
    return node.args if isinstance(node, Call) else node.items


def statement(prefix: str, node: str | Call | Collection, indent: int = 0) -> str:
    """`prefix` followed by `node` at `indent` levels, exploded only if it does not fit in 88 columns.

    The first line is returned without its indentation, ready to follow template text that
    already carries it.
    """
    lines = _lines(node, indent, prefix, "")
    return "\n".join([lines[0][len(INDENT * indent) :], *lines[1:]])


def import_from(module: str, names: Iterable[str]) -> str:
    """`from module import a, B` with names in isort's order (constants, classes, then the rest)."""
    ordered = sorted(set(names), key=_isort_key)
    return statement(
        f"from {module} import ", Collection("(", ")", tuple(ordered)) if _long(module, ordered) else ", ".join(ordered)
    )


def _long(module: str, names: list[str]) -> bool:
    return len(f"from {module} import {', '.join(names)}") > LINE_LENGTH


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


_OPEN = {"(": ")", "[": "]", "{": "}"}


def fit(line: str, indent: int, *, item: bool = False) -> str:
    """Lay out one logical line of Python as `ruff format` accepts it.

    A line that fits is kept. Otherwise the bracket ruff would split (the parameters of a
    `def`, else the last bracket pair on the line) is exploded one item per line with a trailing
    comma, and each item is fitted in turn. The first line is returned without indentation.
    """
    pad = INDENT * indent
    if len(pad) + len(line) <= LINE_LENGTH:
        return line
    if item and _is_comprehension(line):
        cuts = [i for i, _ in _code_chars(line) if line[i : i + 4] in (" for", " if ") and _depth_at(line, i) == 0]
        cuts = [i for i in cuts if line[i : i + 5] in (" for ", " if ") or line[i : i + 4] == " if "]
        parts = [line[a:b].strip() for a, b in zip([0, *cuts], [*cuts, len(line)], strict=True)]
        return "\n".join([fit(parts[0], indent, item=True), *(pad + part for part in parts[1:])])
    if line.startswith("from ") and " import " in line and "(" not in line:
        module, names = line.split(" import ", 1)
        inner = [f"{INDENT * (indent + 1)}{name.strip()}," for name in names.split(",")]
        return "\n".join([f"{module} import (", *inner, pad + ")"])
    head, expression = _statement_head(line)
    if head and _is_string(expression) and len(pad + INDENT + expression) <= LINE_LENGTH:
        # ruff parenthesizes a long string on the right of `=` when that makes it fit.
        return "\n".join([f"{head}(", pad + INDENT + expression, pad + ")"])
    chain = _fluent_chain(line)
    if chain is not None:
        head, links = chain
        flat = INDENT * (indent + 1) + "".join(links)
        if len(flat) <= LINE_LENGTH:
            return "\n".join([f"{head}(", flat, pad + ")"])
        inner = [INDENT * (indent + 1) + fit(link, indent + 1) for link in links]
        return "\n".join([f"{head}(", *inner, pad + ")"])
    pairs = _top_level_pairs(line)
    if not pairs:
        return line
    is_def = line.lstrip().startswith(("def ", "async def "))
    start, end = pairs[0] if is_def else pairs[-1]
    content = line[start + 1 : end].strip()
    # A comprehension is one item, whatever commas its `for` target holds.
    items = [content] if _is_comprehension(content) else _split_items(content)
    if not items:
        return line
    attached = start > 0 and (line[start - 1].isalnum() or line[start - 1] in "_)]}")
    subscript = attached and line[start] == "["
    body = INDENT * (indent + 1) + ", ".join(items)
    if attached and line[start] in "([" and len(body) <= LINE_LENGTH and not _ends_with_comma(line, end):
        # What ruff does first for arguments, parameters and subscripts (not for displays):
        # the bracket's contents on one line of their own.
        return "\n".join([line[: start + 1], body, pad + line[end:]])
    # A lone comprehension takes no trailing comma (a syntax error), nor a lone subscript or
    # parenthesized expression (either would become a tuple).
    grouping = not attached and line[start] == "("
    comma = "" if len(items) == 1 and (subscript or grouping or _is_comprehension(items[0])) else ","
    # The trailing comma counts towards the line's length, so it is fitted with its item.
    inner = [INDENT * (indent + 1) + fit(part + comma, indent + 1, item=True) for part in items]
    return "\n".join([line[: start + 1], *inner, pad + line[end:]])


def _fluent_chain(line: str) -> tuple[str, list[str]] | None:
    """Split `x = a(...).b(...).c(...)` the way ruff does for call chains: `x = (`, then the chain's
    links one per line. Only chains with at least two calls after the first element qualify."""
    head, expression = _statement_head(line)
    dots = [i for i, char in _code_chars(expression) if char == "." and _depth_at(expression, i) == 0]
    dots = [i for i in dots if i > 0 and not expression[i - 1].isdigit()]
    parts, last = [], 0
    for dot in dots:
        parts.append(expression[last:dot])
        last = dot
    parts.append(expression[last:])
    lead = parts.pop(0)
    while parts and "(" not in lead:
        lead += parts.pop(0)
    if len([part for part in parts if "(" in part]) < 2:
        return None
    return head, [lead, *parts]


def _statement_head(line: str) -> tuple[str, str]:
    """(`x = ` or `return `, the expression) of a simple statement."""
    if line.startswith("return "):
        return "return ", line[len("return ") :]
    for index, char in _code_chars(line):
        if char == "=" and _depth_at(line, index) == 0:
            before, after = line[index - 1 : index], line[index + 1 : index + 2]
            if before not in "=!<>" and after != "=":
                return line[: index + 1] + " ", line[index + 1 :].strip()
    return "", line


def _depth_at(text: str, position: int) -> int:
    depth = 0
    for _, char in _code_chars(text[:position]):
        if char in _OPEN:
            depth += 1
        elif char in _OPEN.values():
            depth -= 1
    return depth


def _is_string(expression: str) -> bool:
    """A single string literal (no concatenation, call or operator after it)."""
    if not expression or expression[0] not in "'\"":
        return False
    return not any(True for _ in _code_chars(expression))


def _ends_with_comma(line: str, end: int) -> bool:
    return line[:end].rstrip().endswith(",")


def _is_comprehension(item: str) -> bool:
    return any(item[i : i + 5] == " for " and _depth_at(item, i) == 0 for i, _ in _code_chars(item))


def _top_level_pairs(line: str) -> list[tuple[int, int]]:
    pairs: list[tuple[int, int]] = []
    stack: list[int] = []
    for index, char in _code_chars(line):
        if char in _OPEN:
            stack.append(index)
        elif char in _OPEN.values() and stack:
            opened = stack.pop()
            if not stack:
                pairs.append((opened, index))
    return pairs


def _split_items(text: str) -> list[str]:
    items: list[str] = []
    depth = 0
    last = 0
    for index, char in _code_chars(text):
        if char in _OPEN:
            depth += 1
        elif char in _OPEN.values():
            depth -= 1
        elif char == "," and depth == 0:
            items.append(text[last:index].strip())
            last = index + 1
    tail = text[last:].strip()
    if tail:
        items.append(tail)
    return items


def _code_chars(text: str) -> Iterable[tuple[int, str]]:
    """The characters of `text` outside string literals, with their positions."""
    quote = ""
    escaped = False
    for index, char in enumerate(text):
        if quote:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == quote:
                quote = ""
        elif char in "'\"":
            quote = char
        else:
            yield index, char


def fit_source(source: str) -> str:
    """Fit every overlong line of a Python module; string blocks and comments are left alone."""
    out: list[str] = []
    in_string = False
    for line in source.split("\n"):
        stripped = line.lstrip()
        if not in_string and len(line) > LINE_LENGTH and not stripped.startswith("#"):
            indent = (len(line) - len(stripped)) // len(INDENT)
            line = INDENT * indent + fit(stripped, indent)
        if line.count('"""') % 2 == 1:
            in_string = not in_string
        out.append(line)
    return "\n".join(out)


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

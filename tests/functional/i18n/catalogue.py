"""Reading gettext catalogues and finding the translatable texts of the sources,
in plain Python, so the catalogue tests need no GNU gettext on the machine."""

from __future__ import annotations

import ast
import io
import re
import tokenize
from dataclasses import dataclass, field
from pathlib import Path

from django.utils.translation.template import templatize

BASE_DIR = Path(__file__).resolve().parents[3]
GERMAN_PO = BASE_DIR / "locale" / "de" / "LC_MESSAGES" / "django.po"
GERMAN_MO = GERMAN_PO.with_suffix(".mo")
# What `make messages` reads (Django's makemessages: .py, .html, .txt outside tests/, var/, static/).
SOURCE_DIRS = ("erp", "templates")
SOURCE_SUFFIXES = {".py", ".html", ".txt"}

# Function name -> positions of (context, singular, plural) among its arguments, as xgettext is told by Django.
KEYWORDS: dict[str, tuple[int | None, int, int | None]] = {
    "_": (None, 0, None),
    "gettext": (None, 0, None),
    "gettext_lazy": (None, 0, None),
    "gettext_noop": (None, 0, None),
    "ngettext": (None, 0, 1),
    "ngettext_lazy": (None, 0, 1),
    "pgettext": (0, 1, None),
    "pgettext_lazy": (0, 1, None),
    "npgettext": (0, 1, 2),
    "npgettext_lazy": (0, 1, 2),
}


@dataclass(frozen=True)
class Message:
    msgid: str
    context: str | None = None
    plural: str | None = None


@dataclass
class Entry:
    message: Message
    translations: list[str] = field(default_factory=list)
    flags: set[str] = field(default_factory=set)


def read_po(path: Path = GERMAN_PO) -> list[Entry]:
    """The entries of a .po file (header and obsolete entries left out)."""
    entries: list[Entry] = []
    for block in re.split(r"\n\s*\n", path.read_text(encoding="utf-8")):
        fields: dict[str, str] = {}
        flags: set[str] = set()
        current = None
        for line in block.splitlines():
            if line.startswith("#,"):
                flags.update(flag.strip() for flag in line[2:].split(","))
            elif line.startswith("#"):
                continue
            elif line.startswith('"'):
                fields[current] += ast.literal_eval(line)
            else:
                current, _space, value = line.partition(" ")
                fields[current] = ast.literal_eval(value)
        if not fields.get("msgid"):
            continue
        message = Message(fields["msgid"], fields.get("msgctxt"), fields.get("msgid_plural"))
        if message.plural is None:
            translations = [fields.get("msgstr", "")]
        else:
            translations = [fields[key] for key in sorted(fields) if key.startswith("msgstr[")]
        entries.append(Entry(message, translations, flags))
    return entries


def _message(args: list, keyword: str) -> Message | None:
    context_at, singular_at, plural_at = KEYWORDS[keyword]
    needed = max(position for position in (context_at, singular_at, plural_at) if position is not None)
    if len(args) <= needed or not all(isinstance(arg, str) for arg in args[: needed + 1]):
        return None
    return Message(
        msgid=args[singular_at],
        context=args[context_at] if context_at is not None else None,
        plural=args[plural_at] if plural_at is not None else None,
    )


def _python_messages(source: str) -> set[Message]:
    found = set()
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", None)
        if name not in KEYWORDS:
            continue
        args = [arg.value if isinstance(arg, ast.Constant) else None for arg in node.args]
        message = _message(args, name)
        if message is not None:
            found.add(message)
    return found


def _template_messages(source: str, origin: str) -> set[Message]:
    """Django turns a template into gettext(...) calls among filler; read the calls' string arguments."""
    found = set()
    for line in templatize(source, origin=origin).splitlines():
        found |= _calls(list(tokenize.generate_tokens(io.StringIO(line.strip()).readline)))
    return found


def _calls(tokens: list[tokenize.TokenInfo]) -> set[Message]:
    found = set()
    for index, token in enumerate(tokens):
        if token.type != tokenize.NAME or token.string not in KEYWORDS or tokens[index + 1].string != "(":
            continue
        args: list = []
        for argument in tokens[index + 2 :]:
            if argument.string == ")":
                break
            if argument.type == tokenize.STRING:
                args.append(ast.literal_eval(argument.string))
            elif argument.type == tokenize.NAME:
                args.append(None)
        message = _message(args, token.string)
        if message is not None:
            found.add(message)
    return found


def source_messages() -> set[Message]:
    """Every translatable text in erp/ and templates/, as makemessages would extract it."""
    found: set[Message] = set()
    for directory in SOURCE_DIRS:
        for path in sorted((BASE_DIR / directory).rglob("*")):
            if path.suffix not in SOURCE_SUFFIXES or "migrations" in path.parts or not path.is_file():
                continue
            source = path.read_text(encoding="utf-8")
            if path.suffix == ".py":
                found |= _python_messages(source)
            else:
                found |= _template_messages(source, str(path))
    return found

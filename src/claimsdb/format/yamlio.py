"""Safe YAML reading that remembers where each mapping key was written.

Error messages must point at the line a user has to fix, so mappings are built as
``LineDict``s carrying the line of every key. Only the safe schema is accepted (tags
that construct objects are refused by PyYAML's safe constructor), duplicate keys are
an error instead of silently keeping the last one, and a document whose aliases
would expand past a limit (the "billion laughs" attack) is refused before anything
walks it. libyaml's C parser is used when PyYAML was built with it.

PyYAML drops comments, yet one kind of comment is a mistake worth catching: a plain
(unquoted) value cut short by `` #`` ("quote: the G20 summit #1 of leading
economies" reads as "the G20 summit"). So for each plain value followed by a comment
on its last line, the mapping remembers that comment (``LineDict.comment_after``),
read from the raw source line at the value's end, for the validator to compare with
the article text.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

try:  # pragma: no cover - depends on how PyYAML was built
    from yaml import CSafeLoader as _BaseLoader
except ImportError:  # pragma: no cover
    from yaml import SafeLoader as _BaseLoader  # type: ignore[assignment]

MAX_EXPANDED_NODES = 2_000_000
# Where an alias (*name) could start: the start of a node. Text such as "5 * 3" or a
# "* item" bullet does not match; a false match only costs the expansion walk.
_ALIAS = re.compile(r"(?:^|[\s\[\{,])\*[^\s\[\]\{\},]")


class YamlProblem(Exception):
    def __init__(self, message: str, line: int | None = None):
        super().__init__(message)
        self.message = message
        self.line = line


class LineDict(dict):
    """A mapping from the file, with the 1-based line of itself and of each key."""

    line: int | None = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.lines: dict[Any, int] = {}

    def line_of(self, key: Any) -> int | None:
        return self.lines.get(key, self.line)

    def comment_after(self, key: Any) -> tuple[str, str] | None:
        """(the spaces before ``#``, the comment's text after ``#``) when the key's value
        is plain (unquoted) text followed by a comment on the line where it ends."""
        comments = self.__dict__.get("comments")
        return comments.get(key) if comments else None


# A comment after a plain value: at least one space or tab, then "#" and its text.
_COMMENT_AFTER = re.compile(r"([ \t]+)#(.*)")


class _Loader(_BaseLoader):
    def __init__(self, stream: str):
        super().__init__(stream)
        # Lines of the source holding a "#", by 0-based number; set by ``load``.
        self.comment_lines: dict[int, str] = {}

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        # PyYAML's scalar constructors raise bare ValueErrors (an explicit "!!int 0x",
        # "!!float abc"); without this they would escape as crashes with no line.
        try:
            return super().construct_object(node, deep=deep)
        except (ValueError, TypeError, AttributeError) as error:
            raise YamlProblem(
                f"not valid YAML: cannot read {_clip_value(node)} as {node.tag}: {error}",
                node.start_mark.line + 1,
            ) from None


def _clip_value(node: yaml.Node) -> str:
    value = node.value if isinstance(node.value, str) else "this value"
    return repr(value if len(value) <= 60 else value[:59] + "…")


_STR = "tag:yaml.org,2002:str"
_MERGE = "tag:yaml.org,2002:merge"
_FLATTENED = (_MERGE, "tag:yaml.org,2002:value")  # the keys flatten_mapping rewrites


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> LineDict:
    # Keys brought in by merge keys (<<: *anchor) come first after flattening and are
    # overridden by the mapping's own keys, as YAML defines; only a key written twice
    # in the mapping itself is a duplicate.
    first_own = 0
    if any(key_node.tag in _FLATTENED for key_node, _ in node.value):
        own = sum(1 for key_node, _ in node.value if key_node.tag != _MERGE)
        loader.flatten_mapping(node)
        first_own = len(node.value) - own
    mapping = LineDict()
    mapping.line = node.start_mark.line + 1
    written: dict[Any, int] = {}
    scalar = yaml.ScalarNode
    for index, (key_node, value_node) in enumerate(node.value):
        line = key_node.start_mark.line + 1
        # Plain text is most of an article file: take it straight from the node, which
        # is what PyYAML's str constructor returns, without its four calls per scalar.
        if key_node.tag == _STR and type(key_node) is scalar:
            key = key_node.value
        else:
            key = loader.construct_object(key_node, deep=True)
            try:
                hash(key)
            except TypeError:
                raise YamlProblem("a mapping key must be a plain value", line) from None
        if index >= first_own:
            if key in written:
                raise YamlProblem(
                    f"'{key}' is given twice in the same mapping (first on line {written[key]})",
                    line,
                )
            written[key] = line
        if value_node.tag == _STR and type(value_node) is scalar:
            mapping[key] = value_node.value
            if not value_node.style and value_node.end_mark.line in loader.comment_lines:
                _note_comment(loader, mapping, key, value_node)
        else:
            mapping[key] = loader.construct_object(value_node, deep=True)
        mapping.lines[key] = line
    return mapping


def _note_comment(loader: _Loader, mapping: LineDict, key: Any, node: yaml.ScalarNode
                  ) -> None:
    end = node.end_mark
    rest = loader.comment_lines[end.line][end.column:]
    found = _COMMENT_AFTER.match(rest)
    if found:
        mapping.__dict__.setdefault("comments", {})[key] = (
            found.group(1), found.group(2).rstrip("\r \t"))


def _construct_sequence(loader: _Loader, node: yaml.SequenceNode) -> list[Any]:
    if not isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node)  # raises PyYAML's own error, with its line
    scalar = yaml.ScalarNode
    return [child.value if child.tag == _STR and type(child) is scalar
            else loader.construct_object(child, deep=True) for child in node.value]


def _construct_timestamp(loader: _Loader, node: yaml.ScalarNode) -> Any:
    """An impossible date (2025-02-30) stays text, so the validator reports it against
    its field instead of PyYAML failing on the whole file."""
    try:
        return loader.construct_yaml_timestamp(node)
    except (ValueError, AttributeError):
        return loader.construct_scalar(node)


_Loader.add_constructor("tag:yaml.org,2002:map", _construct_mapping)
_Loader.add_constructor("tag:yaml.org,2002:seq", _construct_sequence)
_Loader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp)


def _expanded_size(node: yaml.Node, memo: dict[int, int], limit: int) -> int:
    """Nodes the document would have with every alias written out (memoised, so linear)."""
    known = memo.get(id(node))
    if known is not None:
        return known
    memo[id(node)] = 1  # a recursive document counts a cycle once; construction rejects it
    total = 1
    if isinstance(node, yaml.SequenceNode):
        for child in node.value:
            total += _expanded_size(child, memo, limit)
            if total > limit:
                break
    elif isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            total += _expanded_size(key, memo, limit) + _expanded_size(value, memo, limit)
            if total > limit:
                break
    memo[id(node)] = total
    return total


def load(text: str, *, max_nodes: int = MAX_EXPANDED_NODES) -> Any:
    """Parse one YAML (or JSON) document; raises YamlProblem with a line number."""
    problem = _line_break_problem(text)
    if problem is not None:
        raise problem
    loader = _Loader(text)
    # Only lines with a "#" can hold a comment; most values are on other lines, so the
    # check per value is one dictionary lookup.
    loader.comment_lines = {number: line for number, line in enumerate(text.split("\n"))
                            if "#" in line} if "#" in text else {}
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        # Without an alias every node is written out in the text, so the file's size
        # limit already bounds the document: the walk is needed only when one occurs.
        if _ALIAS.search(text) and _expanded_size(node, {}, max_nodes) > max_nodes:
            raise YamlProblem(
                f"the document expands to more than {max_nodes:,} values through YAML "
                "aliases (&anchor/*alias); this looks like an alias bomb and is refused"
            )
        return loader.construct_document(node)
    except YamlProblem:
        raise
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark is not None else None
        what = error.problem or str(error)
        if error.context and error.problem:
            # "while parsing a flow sequence" is reported where the parser gave up; an
            # unclosed bracket is usually where the sequence began, so say that too.
            began = error.context_mark
            where = f" (begun on line {began.line + 1})" if began is not None and \
                mark is not None and began.line != mark.line else ""
            what = f"{error.context}{where}: {error.problem}"
        if "could not determine a constructor" in what:
            what = (f"{what.split(';')[0].strip()}; only plain YAML values are allowed "
                    "(no tags that build objects)")
        raise YamlProblem(f"not valid YAML: {what}", line) from None
    except yaml.reader.ReaderError as error:
        # libyaml reports the position in UTF-8 bytes, the pure-Python reader in
        # characters; the first occurrence of the refused character is exact for both.
        found = text.find(chr(error.character)) if isinstance(error.character, int) else -1
        line = text.count("\n", 0, found if found >= 0 else error.position) + 1
        raise YamlProblem(
            f"contains the {describe_character(error.character)}, which YAML does not "
            "allow; remove it", line
        ) from None
    except yaml.YAMLError as error:
        raise YamlProblem(f"not valid YAML: {error}") from None
    except RecursionError:
        raise YamlProblem("the YAML is nested too deeply (or refers to itself)") from None
    finally:
        loader.dispose()


# Characters YAML 1.1 reads as line breaks but that are not line breaks anywhere else.
# NEL (U+0085) is also a C1 control character, which article files must not contain:
# in a plain or quoted value YAML turns it into a space and in a "|" block into a line
# feed, so the stored text would silently differ from the file, and PyYAML counts it
# as a line, so every later line number would be wrong. It is refused before parsing.
_NEL = "\x85"


def _line_break_problem(text: str) -> YamlProblem | None:
    found = text.find(_NEL)
    if found < 0:
        return None
    return YamlProblem(
        "contains the character U+0085 (NEXT LINE, a C1 control character), which YAML "
        "reads as a line break, so the text would silently change; replace it with a "
        "line break or a space (it usually comes from text decoded as Latin-1 that was "
        "Windows-1252, where byte 0x85 is '…')", text.count("\n", 0, found) + 1)


def describe_character(code: int) -> str:
    """"control character U+001B" or, for what is not a control, "character U+FFFE"."""
    control = code < 0x20 or 0x7F <= code <= 0x9F
    return f"{'control character' if control else 'character'} U+{code:04X}"


def dump(data: Any) -> str:
    """YAML for humans: keys in the given order, Unicode as is, block style."""
    return yaml.dump(
        data,
        Dumper=_Dumper,
        allow_unicode=True,
        sort_keys=False,
        default_flow_style=False,
        width=100,
    )


try:  # pragma: no cover - depends on how PyYAML was built
    from yaml import CSafeDumper as _BaseDumper
except ImportError:  # pragma: no cover
    from yaml import SafeDumper as _BaseDumper  # type: ignore[assignment]


class _Dumper(_BaseDumper):
    pass


def _str_representer(dumper: _Dumper, value: str) -> yaml.Node:
    # Multi-line text (article bodies) reads best as a literal block; PyYAML falls back
    # to a quoted scalar by itself when a block cannot represent the string exactly.
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str_representer)
_Dumper.add_representer(LineDict, _Dumper.represent_dict)

"""Writing article files as YAML that reads back exactly, in the docs' layout.

Both writers of article files use it: ``claimsdb export article`` (claimsdb.output)
and ``claimsdb draft`` (claimsdb.draft). Lists are indented under their key, small
mappings and key lists go on one line (``Flow``, ``FlowList``), and every string is
written in a style that reads back as the same string: a literal block for
multi-line text when that is exact, else double quotes, which carry any character.
"""

from __future__ import annotations

import yaml


class Flow(dict):
    """A small mapping written on one line: ``{actor: bloomberg, cue: according to}``."""


class FlowList(list):
    """A list of keys or names written on one line: ``about: [putin, ukraine]``."""


class Dumper(yaml.SafeDumper):
    """Block style with indented lists, which reads like the examples in the docs."""

    def increase_indent(self, flow: bool = False, indentless: bool = False):
        return super().increase_indent(flow, False)


def _exact(value: str, style: str | None) -> bool:
    text = yaml.dump(value, Dumper=yaml.SafeDumper, default_style=style, allow_unicode=True,
                     width=100)
    return yaml.safe_load(text) == value


def _represent_str(dumper: Dumper, value: str) -> yaml.Node:
    # A literal block for multi-line text (article bodies, long quotes); YAML's
    # default choice otherwise (which already double-quotes tabs and other controls).
    # Either must read back exactly, or the value is double-quoted.
    if "\n" in value:
        style = "|" if _exact(value, "|") else '"'
    else:
        style = '"' if any(ch in value for ch in "\r\x85\u2028\u2029\ufeff") else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


def _represent_flow(dumper: Dumper, value: Flow) -> yaml.Node:
    return dumper.represent_mapping("tag:yaml.org,2002:map", value, flow_style=True)


def _represent_flow_list(dumper: Dumper, value: FlowList) -> yaml.Node:
    return dumper.represent_sequence("tag:yaml.org,2002:seq", value, flow_style=True)


Dumper.add_representer(str, _represent_str)
Dumper.add_representer(Flow, _represent_flow)
Dumper.add_representer(FlowList, _represent_flow_list)

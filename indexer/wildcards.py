"""Wildcards in the query language, read whole.

Whoosh's WildcardPlugin joins a wildcard character with the word before it and the one
after it, but only one node after it: in `stra??e` the second `?` is taken and the `e` left
as a word of its own (dropped as too short), so the query became `stra??`. Here a wildcard
takes every word and wildcard character that touches it, on both sides.
"""

from __future__ import annotations

from typing import Any

from whoosh.qparser import PrefixPlugin, WildcardPlugin, syntax


class WholeWildcardPlugin(WildcardPlugin):  # type: ignore[misc]  # Whoosh has no type hints
    def do_wildcards(self, parser: Any, group: Any) -> Any:
        i = 0
        while i < len(group):
            node = group[i]
            if isinstance(node, self.WildcardNode):
                while i > 0 and group[i - 1].is_text():
                    before = group.pop(i - 1)
                    node.text = before.text + node.text
                    node.startchar = before.startchar
                    i -= 1
                while i + 1 < len(group) and group[i + 1].is_text():
                    after = group.pop(i + 1)
                    node.text += after.text
                    node.endchar = after.endchar
                if _is_prefix(node.text, self.qmarks):
                    prefix = PrefixPlugin.PrefixNode(node.text[:-1])
                    prefix.startchar, prefix.endchar = node.startchar, node.endchar
                    group[i] = prefix
            elif isinstance(node, syntax.GroupNode):
                self.do_wildcards(parser, node)
            i += 1
        return group


def _is_prefix(text: str, qmarks: str) -> bool:
    """`word*`: Whoosh's cheaper prefix query does the same."""
    return len(text) > 1 and text.find("*") == len(text) - 1 and not any(q in text for q in qmarks)

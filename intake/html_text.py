"""HTML letters as plain text for reading and for the registration summary.

Written on the standard library's parser on purpose: inscriptis brings lxml, which changes how
openpyxl reads and writes our Excel exports, and html2text writes Markdown (``**``, ``|`` tables,
``#`` headings) and glues table cells when told not to draw tables. A letter needs less: block
elements on their own lines, table cells apart, list items marked, links with their address,
nothing of scripts, styles or the head."""

from __future__ import annotations

import re
from html import unescape
from html.parser import HTMLParser

# paragraphs stand apart by a blank line; rows, list items and divisions start a new line
_PARAGRAPHS = frozenset(
    [
        "address",
        "article",
        "aside",
        "blockquote",
        "center",
        "dl",
        "fieldset",
        "figure",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "main",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "table",
        "ul",
    ]
)
_LINES = frozenset(["dd", "div", "dt", "figcaption", "li", "tbody", "thead", "tfoot", "tr"])
_SKIP = frozenset({"script", "style", "head", "title", "template", "noscript", "svg"})
_SPACES = re.compile(r"[ \t\r\f\v\u00a0]+")


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0
        self.pre = 0
        self.href: list[str] = []

    def handle_starttag(self, tag, attrs) -> None:
        if tag in _SKIP:
            self.skipping += 1
        elif tag == "br":
            self.parts.append("\n")
        elif tag in ("td", "th"):
            self.parts.append("\t")
        elif tag in _PARAGRAPHS:
            self._break(2)
            if tag == "pre":
                self.pre += 1
        elif tag in _LINES:
            self._break(1)
            if tag == "li":
                self.parts.append("• ")
        if tag == "a":
            self.href.append(dict(attrs).get("href") or "")

    def handle_startendtag(self, tag, attrs) -> None:
        if tag in ("br", "hr"):
            self.parts.append("\n")

    def handle_endtag(self, tag) -> None:
        if tag in _SKIP:
            self.skipping = max(0, self.skipping - 1)
        elif tag in _PARAGRAPHS:
            self._break(2)
            if tag == "pre":
                self.pre = max(0, self.pre - 1)
        elif tag in _LINES:
            self._break(1)
        elif tag == "a" and self.href:
            href = self.href.pop()
            if href.startswith(("http://", "https://")) and not self._ends_with(href):
                self.parts.append(f" ({href})")

    def handle_data(self, data) -> None:
        if self.skipping:
            return
        self.parts.append(data if self.pre else _SPACES.sub(" ", data.replace("\n", " ")))

    def _break(self, lines: int) -> None:
        """End the current line and leave ``lines`` newlines, counting those already there."""
        tail = "".join(self.parts[-4:]).replace(" ", "").replace("\t", "")
        have = len(tail) - len(tail.rstrip("\n"))
        if have < lines:
            self.parts.append("\n" * (lines - have))

    def _ends_with(self, text: str) -> bool:
        return "".join(self.parts[-3:]).rstrip().endswith(text)


def html_to_text(html: str) -> str:
    parser = _Text()
    try:
        parser.feed(html)
        parser.close()
    except (AssertionError, ValueError):  # html.parser is lenient; this is belt and braces
        return _SPACES.sub(" ", unescape(re.sub(r"<[^>]+>", " ", html))).strip()
    lines = []
    for line in "".join(parser.parts).split("\n"):
        cells = [c.strip() for c in line.split("\t")]
        lines.append("   ".join(c for c in cells if c))
    text = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip()

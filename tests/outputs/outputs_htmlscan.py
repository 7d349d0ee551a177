"""A tiny HTML scanner for the report tests (stdlib html.parser only)."""

from __future__ import annotations

from html.parser import HTMLParser


class Scan(HTMLParser):
    """Collects traced numbers (elements with data-key/data-field), visible text, tags and ids."""

    VOID = {"meta", "br", "img", "input", "link", "hr", "path", "use", "rect", "line", "circle"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, dict[str, str | None], list[str]]] = []
        self.traced: list[tuple[dict[str, str | None], str]] = []
        self.text: list[str] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.ids: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        self.tags.append((tag, a))
        if a.get("id"):
            self.ids.append(str(a["id"]))
        self._in_style = tag == "style"
        if tag not in self.VOID:
            self.stack.append((tag, a, []))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        self.tags.append((tag, a))
        if a.get("id"):
            self.ids.append(str(a["id"]))

    def handle_endtag(self, tag: str) -> None:
        self._in_style = False
        while self.stack:
            t, a, buf = self.stack.pop()
            if "data-key" in a:
                self.traced.append((a, "".join(buf).strip()))
            if self.stack:
                self.stack[-1][2].extend(buf)
            if t == tag:
                break

    def handle_data(self, data: str) -> None:
        if self._in_style:
            return
        self.text.append(data)
        if self.stack:
            self.stack[-1][2].append(data)


def scan(html: str) -> Scan:
    s = Scan()
    s.feed(html)
    s.close()
    return s

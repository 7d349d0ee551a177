"""A tiny HTML scanner shared by the report and output tests (stdlib html.parser only): traced numbers
(elements with ``data-key``), visible text, tags and ids of a page."""

from __future__ import annotations

from html.parser import HTMLParser


class Scan(HTMLParser):
    """Traced numbers (elements with data-key), visible text, tags and ids of a page."""

    VOID = {"meta", "br", "img", "input", "link", "hr", "path", "use", "rect", "line", "circle"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, dict[str, str | None], list[str]]] = []
        self.traced: list[tuple[dict[str, str | None], str]] = []
        self.rp_traced: list[tuple[dict[str, str | None], str]] = []  # data-rp-key (risk profiles)
        self.text: list[str] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.ids: list[str] = []
        self._skip = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        self.tags.append((tag, a))
        if a.get("id"):
            self.ids.append(str(a["id"]))
        self._skip = tag == "style"
        if tag not in self.VOID:
            self.stack.append((tag, a, []))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        self.tags.append((tag, a))
        if a.get("id"):
            self.ids.append(str(a["id"]))

    def handle_endtag(self, tag: str) -> None:
        self._skip = False
        while self.stack:
            t, a, buf = self.stack.pop()
            if "data-key" in a:
                self.traced.append((a, "".join(buf).strip()))
            if "data-rp-key" in a:
                self.rp_traced.append((a, "".join(buf).strip()))
            if self.stack:
                self.stack[-1][2].extend(buf)
            if t == tag:
                break

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        self.text.append(data)
        if self.stack:
            self.stack[-1][2].append(data)

    def count(self, tag: str) -> int:
        return sum(1 for t, _a in self.tags if t == tag)


def scan(html: str) -> Scan:
    s = Scan()
    s.feed(html)
    s.close()
    return s

"""A small Server-Sent Events reader for tests: text chunks in, parsed events out."""

import json
from dataclasses import dataclass
from typing import Any


@dataclass
class SseEvent:
    event: str = "message"
    data: Any = None
    id: int | None = None
    comment: str = ""


class SseParser:
    def __init__(self) -> None:
        self._buffer = ""

    def feed(self, text: str) -> list[SseEvent]:
        self._buffer += text.replace("\r\n", "\n")
        events = []
        while "\n\n" in self._buffer:
            block, self._buffer = self._buffer.split("\n\n", 1)
            events.append(self._parse(block))
        return events

    @staticmethod
    def _parse(block: str) -> SseEvent:
        event = SseEvent()
        data_lines = []
        for line in block.split("\n"):
            if line.startswith(":"):
                event.comment = line[1:].strip()
                continue
            name, _, value = line.partition(":")
            value = value[1:] if value.startswith(" ") else value
            if name == "event":
                event.event = value
            elif name == "data":
                data_lines.append(value)
            elif name == "id":
                event.id = int(value)
        if data_lines:
            event.data = json.loads("\n".join(data_lines))
        elif not event.comment:
            event.event = ""
        return event

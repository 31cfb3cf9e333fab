"""Geometry for the small SVG charts the desk draws itself (no external service).

Templates draw the shapes with attributes only (x, y, width, height) and colour
them with CSS classes, so the Content Security Policy needs no inline style.
"""

from __future__ import annotations

from dataclasses import dataclass, field

WIDTH = 640
HEIGHT = 220
LEFT = 36  # room for the axis labels
BOTTOM = 36  # room for the bar labels
TOP = 12


@dataclass
class Segment:
    key: str
    label: str
    value: int
    y: float
    height: float


@dataclass
class Column:
    label: str
    total: int
    x: float
    width: float
    label_x: float
    segments: list[Segment] = field(default_factory=list)

    @property
    def top(self) -> float:
        return min((s.y for s in self.segments), default=HEIGHT - BOTTOM)

    @property
    def value_y(self) -> float:
        return round(self.top - 4, 1)


@dataclass
class Tick:
    value: int
    y: float


@dataclass
class Chart:
    title: str
    width: int
    height: int
    columns: list[Column]
    ticks: list[Tick]
    legend: list[tuple[str, str]]
    baseline: float
    left: int = LEFT

    @property
    def tick_x(self) -> int:
        return self.left - 6

    @property
    def label_y(self) -> float:
        return self.baseline + 16

    @property
    def empty(self) -> bool:
        return not any(column.total for column in self.columns)


def _nice_ceiling(value: int) -> int:
    """The smallest 1, 2 or 5 times a power of ten that is >= ``value``."""
    if value <= 0:
        return 1
    magnitude = 1
    while True:
        for step in (1, 2, 5):
            if step * magnitude >= value:
                return step * magnitude
        magnitude *= 10


def stacked_chart(
    title: str,
    data: list[tuple[str, dict[str, int]]],
    series: list[tuple[str, str]],
    *,
    width: int = WIDTH,
    height: int = HEIGHT,
) -> Chart:
    """Columns of stacked segments, one per label; ``series`` fixes the order."""
    top_value = _nice_ceiling(max((sum(v.values()) for _l, v in data), default=0))
    plot_height = height - TOP - BOTTOM
    baseline = height - BOTTOM
    slot = (width - LEFT) / max(len(data), 1)
    bar_width = max(min(slot * 0.7, 64), 2)
    columns = []
    for index, (label, values) in enumerate(data):
        x = LEFT + index * slot + (slot - bar_width) / 2
        column = Column(
            label=label,
            total=sum(values.values()),
            x=round(x, 1),
            width=round(bar_width, 1),
            label_x=round(x + bar_width / 2, 1),
        )
        y = baseline
        for key, series_label in series:
            value = values.get(key, 0)
            if not value:
                continue
            segment_height = plot_height * value / top_value
            y -= segment_height
            column.segments.append(
                Segment(
                    key=key,
                    label=series_label,
                    value=value,
                    y=round(y, 1),
                    height=round(segment_height, 1),
                )
            )
        columns.append(column)
    ticks = [
        Tick(value=value, y=round(baseline - plot_height * value / top_value, 1))
        for value in sorted({0, top_value // 2, top_value})
    ]
    return Chart(
        title=title,
        width=width,
        height=height,
        columns=columns,
        ticks=ticks,
        legend=list(series),
        baseline=baseline,
    )


def bar_chart(
    title: str,
    data: list[tuple[str, int]],
    *,
    key: str = "bar",
    width: int = WIDTH,
    height: int = HEIGHT,
) -> Chart:
    """Plain bars: a stacked chart of one series."""
    chart = stacked_chart(
        title,
        [(label, {key: value}) for label, value in data],
        [(key, title)],
        width=width,
        height=height,
    )
    chart.legend = []
    return chart

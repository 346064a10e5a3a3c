"""Server-rendered SVG charts: no JavaScript, no CDN, printable, each with a text alternative.

Every chart is a <figure> holding an <svg role="img"> with <title> and <desc>, and a <details>
data table with the same numbers. Colours are set as SVG attributes (they print without the
stylesheet) and every coloured mark also carries its number or a legend entry, so the chart
still reads in black and white. `data-count` on the svg is the number of data points drawn.
"""

from dataclasses import dataclass, field
from itertools import count

from flask_babel import gettext as _
from markupsafe import Markup, escape

_ids = count(1)

INK, MUTED, LINE, BRAND = "#1d2733", "#5b6776", "#d9dee5", "#0b6e4f"
PRIORITY_FILL = {"laag": "#e6f4ea", "middel": "#fff1c2", "hoog": "#f9d3cf"}
STATUS_FILL = {
    "gepland": "#b8c2cc",
    "in_uitvoering": "#e0a100",
    "uitgevoerd": "#2e8b57",
    "geevalueerd": "#0b6e4f",
    "vervallen": "#eef1f4",
}
STATUS_INK = {
    "gepland": INK,
    "in_uitvoering": INK,
    "uitgevoerd": "#fff",
    "geevalueerd": "#fff",
    "vervallen": MUTED,
}
RATE_FILL, RATE_LOW_FILL = "#c9d8ea", "#f3c1bc"


def _n(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


_ATTR_NAMES: dict[str, str] = {}


def _attrs(attrs: dict) -> str:
    """key="value" pairs: stroke_width becomes stroke-width, class_ class; numbers need no escaping."""
    parts = []
    for key, value in attrs.items():
        if value is None:
            continue
        name = _ATTR_NAMES.get(key) or _ATTR_NAMES.setdefault(key, key.rstrip("_").replace("_", "-"))
        if isinstance(value, float):
            text = _n(value)
        elif isinstance(value, int) and not isinstance(value, bool):
            text = str(value)
        else:
            text = escape(value)
        parts.append(f'{name}="{text}"')
    return " ".join(parts)


def el(tag: str, text=None, tip=None, **attrs) -> str:
    """One SVG element; text is escaped. A tip becomes a <title> child: the tooltip of that mark.

    (Not aria-label: a shape has no role that allows one, and inside the svg role="img" its
    children are presentational anyway; the numbers are in the text alternative and the table.)
    """
    inner = "" if text is None else str(escape(text))
    if tip is not None:
        inner = f"<title>{escape(tip)}</title>{inner}"
    return f"<{tag} {_attrs(attrs)}>{inner}</{tag}>"


def _table(caption: str, head: list, rows: list[list]) -> str:
    head_html = "".join(f'<th scope="col">{escape(h)}</th>' for h in head)
    body = "".join(
        "<tr>"
        + "".join(
            (f'<th scope="row">{escape(c)}</th>' if i == 0 else f'<td class="num">{escape(c)}</td>')
            for i, c in enumerate(row)
        )
        + "</tr>"
        for row in rows
    )
    summary = _("Toon de cijfers als tabel")  # not inside the f-string: Babel does not extract from those
    return (
        f'<details class="chart-data"><summary>{escape(summary)}</summary>'
        f'<div class="table-wrap"><table><caption>{escape(caption)}</caption><thead><tr>{head_html}'
        f"</tr></thead><tbody>{body}</tbody></table></div></details>"
    )


def _figure(
    name: str,
    title: str,
    desc: str,
    width: int,
    height: int,
    body: str,
    points: int,
    table: str,
    legend: str = "",
    role: str = "img",
) -> Markup:
    uid = f"chart{next(_ids)}"
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart-svg" viewBox="0 0 {width} {height}" '
        f'role="{role}" aria-labelledby="{uid}-t {uid}-d" data-chart="{escape(name)}" data-count="{points}" '
        f'preserveAspectRatio="xMinYMin meet" width="{width}" height="{height}">'
        f'<title id="{uid}-t">{escape(title)}</title><desc id="{uid}-d">{escape(desc)}</desc>{body}</svg>'
    )
    # Every text and attribute value above went through escape().
    return Markup(f'<figure class="chart chart-{escape(name)}">{svg}{legend}{table}</figure>')  # noqa: S704


def _legend(entries: list[tuple[str, str]]) -> str:
    items = "".join(
        f'<li><svg width="14" height="14" aria-hidden="true"><rect width="14" height="14" rx="2" fill="{c}" '
        f'stroke="{MUTED}" stroke-width="0.5"/></svg> {escape(label)}</li>'
        for label, c in entries
    )
    return f'<ul class="chart-legend">{items}</ul>'


def empty(name: str, title: str, message: str) -> Markup:
    """A placeholder with the reason there is nothing to draw."""
    body = el("text", message, x=10, y=34, fill=MUTED, font_size=14)
    return _figure(name, title, message, 460, 60, body, 0, "")


# --- risk heatmap ---------------------------------------------------------------------


PRIORITY_ORDER = ("hoog", "middel", "laag")


def _priority_names() -> dict:
    return {"hoog": _("hoog"), "middel": _("middel"), "laag": _("laag")}


def heatmap(grid, title: str, link=None, open_table: bool = False) -> Markup:
    """One method's grid (riecycle.services.risks.HeatmapGrid): kans in the rows (most likely on
    top) × effect in the columns (most serious on the right), the same on every page.

    Each cell shows how many risks it holds and how many of them are hoog/middel/laag by their
    own score, and is coloured by the highest of those, so it never contradicts the register.
    link(kans, effect) gives a URL for a cell with risks (also in the data table), or None.
    """
    names = _priority_names()
    cw, ch, left, top = 116, 58, 150, 34
    width, height = left + cw * len(grid.effect) + 10, top + ch * len(grid.kans) + 58
    parts, rows = [], []
    for row, (kans, kans_label) in enumerate(reversed(grid.kans)):
        y = top + row * ch
        parts.append(
            el(
                "text",
                f"{kans} {kans_label}",
                x=left - 8,
                y=y + ch / 2 + 5,
                text_anchor="end",
                font_size=12,
                fill=INK,
            )
        )
        table_row = [f"{kans} {kans_label}"]
        for col, (effect, _label) in enumerate(grid.effect):
            x = left + col * cw
            number, worst = grid.count(kans, effect), grid.worst(kans, effect)
            split = grid.cells.get((kans, effect), {})
            detail = ", ".join(f"{split[p]} {names[p]}" for p in PRIORITY_ORDER if split.get(p))
            cell = [
                el(
                    "rect",
                    x=x,
                    y=y,
                    width=cw - 2,
                    height=ch - 2,
                    fill=PRIORITY_FILL.get(worst, "#fff"),
                    stroke=LINE,
                    data_kans=kans,
                    data_effect=effect,
                    data_count=number,
                    data_priority=worst or "leeg",
                    **{f"data_{p}": split.get(p, 0) for p in PRIORITY_ORDER},
                )
            ]
            if number:
                cell.append(
                    el(
                        "text",
                        str(number),
                        x=x + cw / 2 - 1,
                        y=y + 25,
                        text_anchor="middle",
                        font_size=19,
                        font_weight="700",
                        fill=INK,
                    )
                )
                cell.append(
                    el(
                        "text",
                        detail,
                        x=x + cw / 2 - 1,
                        y=y + 44,
                        text_anchor="middle",
                        font_size=11,
                        fill=INK,
                    )
                )
            href = link(kans, effect) if (link and number) else None
            if href:
                parts.append(f'<a href="{escape(href)}" tabindex="-1">{"".join(cell)}</a>')
            else:
                parts.extend(cell)
            text = f"{number} ({detail})" if number else "0"
            table_row.append(Markup('<a href="{}">{}</a>').format(href, text) if href else text)
        rows.append(table_row)
    base = top + ch * len(grid.kans)
    for col, (effect, effect_label) in enumerate(grid.effect):
        parts.append(
            el(
                "text",
                f"{effect} {effect_label}",
                x=left + col * cw + cw / 2 - 1,
                y=base + 16,
                text_anchor="middle",
                font_size=12,
                fill=INK,
            )
        )
    parts.append(
        el(
            "text",
            _("Effect →"),
            x=left + cw * len(grid.effect) / 2,
            y=base + 40,
            text_anchor="middle",
            font_size=12,
            font_weight="600",
            fill=MUTED,
        )
    )
    parts.append(el("text", _("Kans ↑"), x=8, y=top - 12, font_size=12, font_weight="600", fill=MUTED))
    desc = _(
        "%(n)s risico's geplaatst naar kans (rijen) en effect (kolommen) van hun laatste beoordeling. "
        "Elk vak telt zijn risico's per prioriteit volgens hun eigen score en heeft de kleur van de hoogste.",
        n=grid.total,
    )
    table = _table(title, [_("Kans \\ effect")] + [f"{e} {label}" for e, label in grid.effect], rows)
    if open_table:
        table = table.replace('<details class="chart-data">', '<details class="chart-data" open>', 1)
    legend = _legend(
        [
            (_("Hoogste prioriteit in het vak: laag"), PRIORITY_FILL["laag"]),
            (_("middel"), PRIORITY_FILL["middel"]),
            (_("hoog"), PRIORITY_FILL["hoog"]),
        ]
    )
    # With links in its cells the chart is a group, not an image: an image's content is
    # presentational, and a link inside it would be an interactive control nobody can reach.
    role = "group" if link else "img"
    return _figure("heatmap", title, desc, width, height, "".join(parts), grid.total, table, legend, role)


# --- stacked bars ---------------------------------------------------------------------


def stacked_bars(title: str, rows: list[tuple[str, dict]], segments: list[tuple[str, str]]) -> Markup:
    """One horizontal bar per row, split into segments (key, label); numbers inside the bars."""
    left, bar_h, gap, plot_w = 120, 30, 14, 440
    height = 10 + len(rows) * (bar_h + gap) + 8
    biggest = max([sum(values.values()) for _label, values in rows] + [1])
    parts, total = [], 0
    for i, (label, values) in enumerate(rows):
        y = 10 + i * (bar_h + gap)
        parts.append(
            el("text", label, x=left - 8, y=y + bar_h / 2 + 5, text_anchor="end", font_size=13, fill=INK)
        )
        x = left
        for key, seg_label in segments:
            number = values.get(key, 0)
            if not number:
                continue
            w = plot_w * number / biggest
            parts.append(
                el(
                    "rect",
                    x=x,
                    y=y,
                    width=w,
                    height=bar_h,
                    fill=STATUS_FILL.get(key, BRAND),
                    stroke="#fff",
                    data_segment=key,
                    data_count=number,
                    tip=f"{label}: {seg_label} {number}",
                )
            )
            if w >= 18:
                parts.append(
                    el(
                        "text",
                        str(number),
                        x=x + w / 2,
                        y=y + bar_h / 2 + 5,
                        text_anchor="middle",
                        font_size=13,
                        font_weight="600",
                        fill=STATUS_INK.get(key, "#fff"),
                    )
                )
            x += w
            total += number
        parts.append(
            el("text", str(sum(values.values())), x=x + 6, y=y + bar_h / 2 + 5, font_size=13, fill=MUTED)
        )
    desc = _("%(n)s maatregelen, per niveau verdeeld naar status.", n=total)
    head = [_("Niveau")] + [str(s) for _k, s in segments] + [_("Totaal")]
    table_rows = [
        [label] + [str(values.get(k, 0)) for k, _s in segments] + [str(sum(values.values()))]
        for label, values in rows
    ]
    legend = _legend([(str(s), STATUS_FILL.get(k, BRAND)) for k, s in segments])
    return _figure(
        "measures",
        title,
        desc,
        left + plot_w + 50,
        height,
        "".join(parts),
        total,
        _table(title, head, table_rows),
        legend,
    )


# --- pulse trend per team -------------------------------------------------------------


@dataclass
class TeamTrend:
    team: str
    labels: list  # round labels, oldest first
    rates: list  # response rate 0..1 or None (not invited)
    scores: list  # mean score 1..5 or None (hidden or not measured)
    hidden: list  # True where the team had too few respondents
    falling: bool = False
    note: str = ""


def _y(value: float, low: float, high: float, top: float, bottom: float) -> float:
    return bottom - (value - low) / (high - low) * (bottom - top)


def team_trend(trend: TeamTrend, score_label: str, minimum: int) -> Markup:
    """Bars: response rate (right axis, 0-100%); line: mean score (left axis, 1-5, higher is better)."""
    width, height, left, right, top, bottom = 320, 180, 34, 40, 28, 146
    n = max(len(trend.labels), 1)
    step = (width - left - right) / n
    parts = [
        el(
            "text",
            trend.team + (" ⚠" if trend.falling else ""),
            x=4,
            y=16,
            font_size=14,
            font_weight="700",
            fill="#b3261e" if trend.falling else INK,
        )
    ]
    for value in (1, 3, 5):
        y = _y(value, 1, 5, top, bottom)
        parts.append(el("line", x1=left, x2=width - right, y1=y, y2=y, stroke=LINE, stroke_width=1))
        parts.append(el("text", str(value), x=left - 6, y=y + 4, text_anchor="end", font_size=10, fill=MUTED))
    for pct in (0, 50, 100):
        y = _y(pct, 0, 100, top, bottom)
        parts.append(el("text", f"{pct}%", x=width - right + 4, y=y + 4, font_size=10, fill=MUTED))
    points, drawn = [], 0
    for i, (label, rate, score, hidden) in enumerate(
        zip(trend.labels, trend.rates, trend.scores, trend.hidden, strict=True)
    ):
        x = left + i * step
        if rate is not None:
            y = _y(rate * 100, 0, 100, top, bottom)
            parts.append(
                el(
                    "rect",
                    x=x + step * 0.18,
                    y=y,
                    width=step * 0.64,
                    height=bottom - y,
                    fill=RATE_LOW_FILL if hidden else RATE_FILL,
                    data_rate=round(rate * 100),
                    tip=f"{label}: {round(rate * 100)}%",
                )
            )
        if score is not None:
            points.append((x + step / 2, _y(score, 1, 5, top, bottom), label, score))
        elif hidden:
            parts.append(
                el(
                    "text",
                    f"<{minimum}",
                    x=x + step / 2,
                    y=bottom - 4,
                    text_anchor="middle",
                    font_size=9,
                    fill="#b3261e",
                )
            )
        if i in (0, n - 1) or n <= 6:
            parts.append(
                el(
                    "text",
                    label,
                    x=x + step / 2,
                    y=bottom + 14,
                    text_anchor="middle",
                    font_size=10,
                    fill=MUTED,
                )
            )
    for (x1, y1, *_a), (x2, y2, *_b) in zip(points, points[1:], strict=False):
        parts.append(el("line", x1=x1, y1=y1, x2=x2, y2=y2, stroke=BRAND, stroke_width=2.5))
    for x, y, label, score in points:
        parts.append(
            el(
                "circle",
                cx=x,
                cy=y,
                r=3.5,
                fill=BRAND,
                data_score=round(score, 2),
                tip=f"{label}: {_n(score)}",
            )
        )
        drawn += 1
    if trend.note:
        parts.append(
            el(
                "text",
                trend.note,
                x=4,
                y=height - 6,
                font_size=11,
                fill="#b3261e" if trend.falling else MUTED,
            )
        )
    desc = _(
        "%(team)s: respons per ronde (staven) en %(what)s (lijn, 1-5, hoger is beter).",
        team=trend.team,
        what=score_label,
    )
    rows = [
        [
            label,
            "—" if rate is None else f"{round(rate * 100)}%",
            (f"<{minimum}" if hidden else "—") if score is None else _n(round(score, 1)),
        ]
        for label, rate, score, hidden in zip(
            trend.labels, trend.rates, trend.scores, trend.hidden, strict=True
        )
    ]
    table = _table(trend.team, [_("Ronde"), _("Respons"), score_label], rows)
    return _figure("pulse-trend", trend.team, desc, width, height, "".join(parts), drawn, table)


def trend_legend(score_label: str, minimum: int) -> Markup:
    """The shared legend under the small multiples."""
    # _legend escapes its labels.
    line = _("lijn, linkeras")  # not inside the f-string: Babel does not extract from those
    legend = _legend(
        [
            (_("Respons (staaf, rechteras)"), RATE_FILL),
            (_("Respons onder de drempel van %(n)s: score verborgen", n=minimum), RATE_LOW_FILL),
            (f"{score_label} ({line})", BRAND),
        ]
    )
    return Markup(legend)  # noqa: S704


# --- measure completion over time -----------------------------------------------------


@dataclass
class Completion:
    labels: list  # month labels
    completed: list  # completed in that month
    cumulative: list  # completed up to the end of the month
    due: list  # measures whose termijn had passed by the end of the month (cumulative)
    extra: dict = field(default_factory=dict)


def completion(title: str, data: Completion) -> Markup:
    """Bars: measures carried out per month; solid line: carried out in total; dashed: due by termijn."""
    width, height, left, right, top, bottom = 640, 230, 40, 14, 16, 190
    n = max(len(data.labels), 1)
    step = (width - left - right) / n
    high = max(data.due + data.cumulative + [1])
    high = max(4, high + (-high % 4))
    parts = []
    for tick in range(0, high + 1, max(1, high // 4)):
        y = _y(tick, 0, high, top, bottom)
        parts.append(el("line", x1=left, x2=width - right, y1=y, y2=y, stroke=LINE))
        parts.append(el("text", str(tick), x=left - 6, y=y + 4, text_anchor="end", font_size=11, fill=MUTED))
    total = 0
    for i, (label, done) in enumerate(zip(data.labels, data.completed, strict=True)):
        x = left + i * step
        if done:
            y = _y(done, 0, high, top, bottom)
            parts.append(
                el(
                    "rect",
                    x=x + step * 0.2,
                    y=y,
                    width=step * 0.6,
                    height=bottom - y,
                    fill="#9fd5b5",
                    data_count=done,
                    tip=f"{label}: {done}",
                )
            )
            total += done
        parts.append(
            el("text", label, x=x + step / 2, y=bottom + 15, text_anchor="middle", font_size=11, fill=MUTED)
        )

    def path(values, **style):
        coords = " ".join(
            f"{_n(left + i * step + step / 2)},{_n(_y(v, 0, high, top, bottom))}"
            for i, v in enumerate(values)
        )
        return el("polyline", points=coords, fill="none", **style)

    parts.append(path(data.due, stroke="#b3261e", stroke_width=2, stroke_dasharray="6 4", data_series="due"))
    parts.append(path(data.cumulative, stroke=BRAND, stroke_width=3, data_series="cumulative"))
    last = len(data.labels) - 1
    for values, colour in ((data.cumulative, BRAND), (data.due, "#b3261e")):
        if values:
            parts.append(
                el(
                    "text",
                    str(values[-1]),
                    x=left + last * step + step / 2 + 6,
                    y=_y(values[-1], 0, high, top, bottom) - 6,
                    font_size=12,
                    font_weight="700",
                    fill=colour,
                )
            )
    desc = _(
        "Per maand het aantal uitgevoerde maatregelen; lijn: totaal uitgevoerd; stippellijn: totaal "
        "waarvan de termijn verstreken was. Nu %(done)s uitgevoerd, %(due)s volgens termijn.",
        done=data.cumulative[-1] if data.cumulative else 0,
        due=data.due[-1] if data.due else 0,
    )
    rows = [
        [label, str(done), str(cum), str(due)]
        for label, done, cum, due in zip(data.labels, data.completed, data.cumulative, data.due, strict=True)
    ]
    table = _table(
        title, [_("Maand"), _("Uitgevoerd"), _("Totaal uitgevoerd"), _("Totaal volgens termijn")], rows
    )
    legend = _legend(
        [
            (_("Uitgevoerd in de maand (staaf)"), "#9fd5b5"),
            (_("Totaal uitgevoerd (lijn)"), BRAND),
            (_("Totaal waarvan de termijn verstreken is (stippellijn)"), "#b3261e"),
        ]
    )
    points = total + sum(1 for v in data.cumulative if v)
    return _figure("completion", title, desc, width, height, "".join(parts), points, table, legend)

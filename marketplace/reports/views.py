"""Pages for platform staff: the cross-border trade report at /staff/trade-report/."""

from datetime import date
from decimal import ROUND_CEILING, Decimal
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from marketplace.accounts.permissions import is_platform_staff
from marketplace.contracting.audit import export_audit
from marketplace.csv_export import spreadsheet_safe_writer
from marketplace.db_routing import lag_tolerant
from marketplace.reports.trade import (
    GROUP_BY,
    PERIODS,
    ReportError,
    trade_report,
)

TEMPLATE = "reports/trade_report.html"
# Colours beyond these read as one "Other" series (site.css has .series-0 to .series-7).
CHART_SERIES = 8
CHART_WIDTH, CHART_HEIGHT = 760, 320
PLOT_LEFT, PLOT_RIGHT, PLOT_TOP, PLOT_BOTTOM = 96, 12, 12, 40
MAX_AXIS_LABELS = 12
PIXEL = Decimal("0.1")
ZERO = Decimal(0)


def _filters(query) -> tuple[dict, list[str]]:
    """The filters as the form shows them, and what is wrong with them."""
    today = timezone.localdate()
    months_back = today.year * 12 + today.month - 1 - 11  # the last twelve months, this one in
    default_start = date(months_back // 12, months_back % 12 + 1, 1)
    raw = {
        "from": query.get("from") or default_start.isoformat(),
        "to": query.get("to") or today.isoformat(),
        "period": query.get("period") or "month",
        "group_by": query.get("group_by") or "partner_country",
    }
    errors = []
    for name in ("from", "to"):
        try:
            raw[f"{name}_date"] = date.fromisoformat(raw[name])
        except ValueError:
            errors.append(
                _("%(value)s is not a date: write it as YYYY-MM-DD.") % {"value": raw[name]}
            )
    return raw, errors


def _coordinate(value: Decimal) -> Decimal:
    return value.quantize(PIXEL)


def _axis(maximum: Decimal) -> tuple[Decimal, list[Decimal]]:
    """A round top for the value axis at or above ``maximum``, and its gridlines (0 included)."""
    rough = maximum / 4
    magnitude = Decimal(1).scaleb(rough.adjusted())
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= rough)
    top = step * (maximum / step).to_integral_value(rounding=ROUND_CEILING)
    count = int(top / step)
    return top, [step * index for index in range(count + 1)]


def _chart(report: dict) -> dict | None:
    """Stacked bars of CNY value per period, one series per key (the largest first), with the
    geometry worked out here so the template only draws it."""
    if not report["rows"]:
        return None
    keys = report["keys"]
    shown = keys if len(keys) <= CHART_SERIES else keys[: CHART_SERIES - 1]
    series_of = {item["key"]: index for index, item in enumerate(shown)}
    legend = [{"label": item["label"], "series": index} for index, item in enumerate(shown)]
    other = len(shown)
    if len(keys) > len(shown):
        legend.append({"label": _("Other"), "series": other})

    stacks: dict[str, dict[int, dict]] = {item["period"]: {} for item in report["periods"]}
    for row in report["rows"]:
        series = series_of.get(row["key"], other)
        segment = stacks[row["period"]].setdefault(
            series,
            {"label": row["label"] if series != other else _("Other"), "value": ZERO, "deals": 0},
        )
        segment["value"] += row["value_cny"]
        segment["deals"] += row["deals"]
    maximum = max(sum(s["value"] for s in stack.values()) for stack in stacks.values())
    if not maximum:
        return None
    top, gridlines = _axis(maximum)

    plot_width = Decimal(CHART_WIDTH - PLOT_LEFT - PLOT_RIGHT)
    plot_height = Decimal(CHART_HEIGHT - PLOT_TOP - PLOT_BOTTOM)
    baseline = Decimal(PLOT_TOP) + plot_height
    slot = plot_width / len(stacks)
    bar_width = slot * Decimal("0.7")
    label_every = -(-len(stacks) // MAX_AXIS_LABELS)
    bars = []
    for index, (period, stack) in enumerate(stacks.items()):
        x = PLOT_LEFT + slot * index + (slot - bar_width) / 2
        y = baseline
        segments = []
        for series in sorted(stack):
            segment = stack[series]
            height = plot_height * segment["value"] / top
            y -= height
            deals = ngettext("%(count)d deal", "%(count)d deals", segment["deals"]) % {
                "count": segment["deals"]
            }
            segments.append(
                {
                    "series": series,
                    "y": _coordinate(y),
                    "height": _coordinate(height),
                    "title": _("%(period)s · %(label)s: CNY %(value)s (%(deals)s)")
                    % {
                        "period": period,
                        "label": segment["label"],
                        "value": f"{segment['value']:,}",
                        "deals": deals,
                    },
                }
            )
        bars.append(
            {
                "period": period,
                "x": _coordinate(x),
                "width": _coordinate(bar_width),
                "label_x": _coordinate(x + bar_width / 2),
                "is_labelled": index % label_every == 0,
                "segments": segments,
            }
        )
    return {
        "width": CHART_WIDTH,
        "height": CHART_HEIGHT,
        "left": PLOT_LEFT,
        "right": CHART_WIDTH - PLOT_RIGHT,
        "baseline": _coordinate(baseline),
        "label_y": _coordinate(baseline + 18),
        "gridlines": [
            {
                "y": _coordinate(baseline - plot_height * value / top),
                "label": f"{value:,.0f}",
            }
            for value in gridlines
        ],
        "bars": bars,
        "legend": legend,
    }


def _shown(amount: Decimal | None) -> str:
    """An amount for the page, grouped the same way in both languages (as ``cny`` does)."""
    return "—" if amount is None else f"{amount:,.2f}"


def _table(report: dict) -> dict:
    return {
        "rows": [
            {
                **row,
                "value_cny": _shown(row["value_cny"]),
                "value_usd": _shown(row["value_usd"]),
                "shows_key": row["label"] != row["key"],
            }
            for row in report["rows"]
        ],
        "total_cny": _shown(report["totals"]["value_cny"]),
        "total_usd": _shown(report["totals"]["value_usd"]),
    }


def _amount_cell(value: Decimal | None) -> str:
    return "" if value is None else f"{value:f}"


def _csv(report: dict) -> HttpResponse:
    filename = (
        f"trade-report-{report['start']:%Y%m%d}-{report['end']:%Y%m%d}"
        f"-{report['group_by']}-{report['period']}.csv"
    )
    response = HttpResponse(
        content_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
    response.write("\ufeff")  # the byte order mark makes Excel read the file as UTF-8
    writer = spreadsheet_safe_writer(response)
    writer.writerow(
        [_("Period"), _("Code"), str(GROUP_BY[report["group_by"]]), _("Deals"),
         _("Value (CNY)"), _("Value (USD)")]
    )  # fmt: skip
    for row in report["rows"]:
        writer.writerow(
            [row["period"], row["key"], row["label"], row["deals"],
             _amount_cell(row["value_cny"]), _amount_cell(row["value_usd"])]
        )  # fmt: skip
    return response


@lag_tolerant  # sums over deals: a few seconds' lag is fine (who may see them: the primary)
@login_required
def trade_report_page(request):
    """Cross-border trade through the platform by period and one dimension, with a CSV download.

    Platform staff only: anyone else signed in gets a 404, as if the page were not there.
    """
    if not is_platform_staff(user=request.user):
        raise Http404
    filters, errors = _filters(request.GET)
    report = None
    if not errors:
        try:
            report = trade_report(
                start=filters["from_date"],
                end=filters["to_date"],
                group_by=filters["group_by"],
                period=filters["period"],
            )
        except ReportError as error:
            errors.append(str(error))
    context = {
        "filters": filters,
        "group_by_choices": [(value, str(label)) for value, label in GROUP_BY.items()],
        "period_choices": [(value, str(label)) for value, label in PERIODS.items()],
        "errors": errors,
    }
    if errors:
        return render(request, TEMPLATE, context, status=400)
    if request.GET.get("format") == "csv":
        export_audit(report="trade_report", actor=request.user, query=request.GET.urlencode())
        return _csv(report)
    csv_query = urlencode(
        {name: filters[name] for name in ("from", "to", "period", "group_by")} | {"format": "csv"}
    )
    return render(
        request,
        TEMPLATE,
        {
            **context,
            "report": report,
            "group_label": GROUP_BY[report["group_by"]],
            "chart": _chart(report),
            "table": _table(report),
            "rmb_percent": None
            if report["rmb_share"] is None
            else (report["rmb_share"] * 100).quantize(Decimal("0.1")),
            "csv_query": csv_query,
        },
    )

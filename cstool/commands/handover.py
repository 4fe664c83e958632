"""``cstool handover``: the shift handover (交接班) summary."""

from __future__ import annotations

import click

from cstool.cli import App, output_format, pass_app, read_options


@click.command("handover")
@click.option("--since", metavar="ISO-TIME", help="Start of the shift (default: the start of the current working range).")
@click.option("--next", "next_span", default="1d", show_default=True, metavar="DURATION", help="How far ahead the next shift looks for deadlines.")
@read_options
@pass_app
def command(app: App, since, next_span, fmt, as_json, reveal) -> None:
    """What was opened, closed and escalated since the shift began; what is still open and
    falls due in the next shift, per assignee."""
    app.check_now()
    app.open_desk()
    from cstool.time import due
    from cstool.reports import qa, render, views
    from cstool.time.clock import parse_time
    from cstool.domain.customers import load_all
    from cstool.time.durations import parse_duration
    from cstool.errors import InputError
    from cstool.messages import label
    from cstool.domain.workflow import calendar_of

    fmt = output_format(fmt, as_json)
    config = app.config
    cal = calendar_of(config)
    now = app.now
    start = parse_time(since, config.tz, "--since") if since else qa.shift_start(cal, now)
    if start > now:
        raise InputError(f"--since {since} is after now ({now.isoformat()})")
    horizon = cal.add(now, parse_duration(next_span, "--next"))
    tickets = app.desk.documents()
    items = due.collect(tickets, load_all(app.desk), config, cal, now)
    data = qa.handover(tickets, config, cal, start, now, horizon, items)
    if fmt == "json":
        click.echo(render.to_json(data))
        return
    zh = app.lang == "zh"
    lines = [("交接班 " if zh else "Shift handover ") + f"{views.short_time(data['since'])} → {views.short_time(data['until'])}"]

    def section(title_zh: str, title_en: str, rows: list[str]) -> None:
        lines.append("")
        lines.append(f"{title_zh if zh else title_en} ({len(rows)})")
        lines.extend(rows or ["  —"])

    name = lambda pid: views.person_name(config, pid) or ("未分派" if zh else "unassigned")  # noqa: E731
    section("新登记", "Opened", [f"  {r['id']}  {render.truncate(r['title'], 40)}  {name(r['assignee'])}" for r in data["opened"]])
    section("已关闭", "Closed", [f"  {r['id']}  {render.truncate(r['title'], 40)}  {name(r['assignee'])}" for r in data["closed"]])
    section("已上报", "Escalated", [f"  {r['id']}  L{r['from']}→L{r['to']}  {render.truncate(r['title'], 30)}  {r['reason'] or ''}" for r in data["escalated"]])
    lines.append("")
    lines.append("未结工单(按处理人)" if zh else "Still open, by assignee")
    for pid, rows in data["open_by_assignee"].items():
        lines.append(f"  {name(pid)} ({len(rows)})")
        for r in rows:
            lines.append(f"    {r['id']}  {render.truncate(r['title'], 40)}  [{label('status.' + str(r['status']), app.lang)}]")
    section("下一班到期", "Due in the next shift", [
        f"  {i['due'][:16].replace('T', ' ')}  {i['id']}  {i['kind']}  {name(i['assignee'])}  {'超时' if zh and i['overdue'] else ('late' if i['overdue'] else '')}".rstrip()
        for i in data["due_next_shift"]])
    click.echo("\n".join(lines))

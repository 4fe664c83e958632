"""The report page in a real browser: headless Chromium (Debian's ``chromium`` package)
opens it with every network path closed, and the test checks that the page asked for
nothing, logged nothing to the console, drew every chart and shows its Chinese; it keeps
a screenshot and an A4 PDF in the test's tmp folder. Without Chromium the tests skip,
saying so (``.ci/run`` installs it)."""

from __future__ import annotations

import json
import re
import shutil
import struct
import subprocess
from pathlib import Path

import pytest

from tests.support.report_page import AFTER, ParsedPage, fill_month

CHARTS = ("volume", "sla_trend", "backlog", "causes", "sat_group", "sat_agent", "late")
OFFLINE = ["--proxy-server=127.0.0.1:9", "--host-resolver-rules=MAP * ~NOTFOUND"]


def chromium() -> str:
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    pytest.skip("headless Chromium not found (neither chromium nor chromium-browser is on PATH): the report page was "
                "NOT checked in a browser; install it with apt-get install chromium fonts-noto-cjk")


def run_browser(page: Path, work: Path, *args: str) -> subprocess.CompletedProcess:
    """Chromium, headless, on the page, offline, logging console messages to stderr and
    every network event to ``work/net.json``."""
    cmd = [chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", f"--user-data-dir={work / 'profile'}",
           "--enable-logging=stderr", "--v=0", f"--log-net-log={work / 'net.json'}", *OFFLINE, *args, page.as_uri()]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=180, cwd=work)


def console_messages(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if ":CONSOLE" in line]


def page_requests(net_log: Path) -> list[str]:
    """The URLs the page asked for: requests with an initiator (the browser's own
    background requests have none), whatever became of them."""
    events = json.loads(net_log.read_text(encoding="utf-8"))["events"]
    return sorted({e["params"]["url"] for e in events
                   if "url" in (e.get("params") or {}) and e["params"].get("initiator", "not an origin") != "not an origin"})


@pytest.fixture
def page(desk, tmp_path) -> Path:
    fill_month(desk)
    out = tmp_path / "report.html"
    desk.ok("report", "--period", "2026-11", "-o", str(out), now=AFTER, lang="zh")
    return out


def test_the_checks_catch_a_page_that_loads_or_logs(tmp_path):
    bad = tmp_path / "bad.html"
    bad.write_text('<!DOCTYPE html><p>x</p><img src="https://fonts.example.com/x.png">'
                   '<script>console.error("boom")</script>', encoding="utf-8")
    proc = run_browser(bad, tmp_path, "--dump-dom")
    assert any('"boom"' in line for line in console_messages(proc.stderr)), proc.stderr[-2000:]
    assert page_requests(tmp_path / "net.json") == ["https://fonts.example.com/x.png"]


def test_the_page_in_chromium(page, tmp_path):
    proc = run_browser(page, tmp_path, "--dump-dom")
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert console_messages(proc.stderr) == []
    assert page_requests(tmp_path / "net.json") == []
    dom = ParsedPage(proc.stdout)
    assert len(dom.svgs) == len(CHARTS)
    for name, shapes in zip(CHARTS, dom.svgs, strict=True):
        drawn = shapes.get("rect", 0) + shapes.get("circle", 0) + shapes.get("polyline", 0)
        assert drawn > 0 and shapes.get("text", 0) > 0, (name, shapes)
    assert set(CHARTS) | {"agents"} <= set(dom.tables)
    for text in ("测试客服中心 服务统计报告 2026-11", "每日新建与解决工单", "投诉原因", "工程部", "王芳", "人员绩效"):
        assert text in proc.stdout, text
    assert re.search(r'<svg class="chart"[^>]*>\s*<title>', proc.stdout)


def test_screenshot_and_a4_pdf(page, tmp_path):
    shot, pdf = tmp_path / "report.png", tmp_path / "report.pdf"
    proc = run_browser(page, tmp_path, f"--screenshot={shot}", "--window-size=1240,1754")
    assert proc.returncode == 0 and console_messages(proc.stderr) == [], proc.stderr[-2000:]
    head = shot.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n" and struct.unpack(">II", head[16:24]) == (1240, 1754)
    proc = run_browser(page, tmp_path, f"--print-to-pdf={pdf}", "--no-pdf-header-footer")
    assert proc.returncode == 0, proc.stderr[-2000:]
    data = pdf.read_bytes()
    pages = len(re.findall(rb"/Type\s*/Page[^s]", data))
    assert data.startswith(b"%PDF") and 1 <= pages <= 6, pages
    boxes = {tuple(round(float(x)) for x in m) for m in re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)", data)}
    assert boxes == {(595, 842)}, boxes  # A4 in points
    print(f"screenshot {shot}, PDF {pdf} ({pages} pages)")

"""Prints the figures of one wrk run as `figure: NAME VALUE` lines for bench/summary.py:
requests per second, p50 and p99 in milliseconds, and non-2xx responses.

Usage: wrk_figures.py NAME WRK_OUTPUT_FILE   (wrk run with --latency)"""
import re, sys

name, text = sys.argv[1], open(sys.argv[2]).read()
scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}
rate = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
print(f"figure: {name} per second = {rate:.0f}")
for pct in ("50", "99"):
    value, unit = re.search(rf"^\s+{pct}%\s+([\d.]+)(us|ms|s)$", text, re.M).groups()
    print(f"figure: {name} p{pct} ms = {float(value) * scale[unit]:.1f}")
non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
print(f"figure: {name} non-2xx = {non2xx.group(1) if non2xx else 0}")

"""Reads bench/run's output and prints every figure as min / median / max over the runs (or its
one value when every run gave the same), by script and database, in the order they were printed.

Usage: summary.py LOG"""
import re, statistics, sys

figures = {}
script = database = None
for line in open(sys.argv[1]):
    section = re.match(r"==> run \d+: (\w+) on (\w+)", line)
    if section:
        script, database = section.groups()
    figure = re.match(r"figure: (.+?) = ([\d.]+)", line)
    if figure and database:
        figures.setdefault((script, figure.group(1), database), []).append(float(figure.group(2)))

def show(values):
    if not values:
        return "-"
    if all(v == int(v) for v in values) or max(values) >= 100:
        fmt = lambda v: f"{v:,.0f}"
    elif max(values) < 2:
        fmt = lambda v: f"{v:.2f}"
    else:
        fmt = lambda v: f"{v:.1f}"
    low, mid, high = min(values), statistics.median(values), max(values)
    return fmt(low) if low == high else f"{fmt(low)} / {fmt(mid)} / {fmt(high)}"

names = list(dict.fromkeys((script, name) for script, name, _ in figures))
print("| script | figure | SQLite | PostgreSQL | samples |")
print("|---|---|---|---|---|")
for script, name in names:
    sqlite = figures.get((script, name, "sqlite"), [])
    postgres = figures.get((script, name, "postgres"), [])
    print(f"| {script} | {name} | {show(sqlite)} | {show(postgres)} | {max(len(sqlite), len(postgres))} |")

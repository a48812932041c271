"""Reads bench/run's output and prints every figure as min / median / max over the runs, by
database, in the order the scripts print them.

Usage: summary.py LOG"""
import re, statistics, sys

figures = {}
database = None
for line in open(sys.argv[1]):
    section = re.match(r"==> run \d+: (\w+) on (\w+)", line)
    if section:
        database = section.group(2)
    figure = re.match(r"figure: (.+?) = ([\d.]+)", line)
    if figure and database:
        figures.setdefault((figure.group(1), database), []).append(float(figure.group(2)))

def show(values):
    if not values:
        return "-"
    fmt = (lambda v: f"{v:,.0f}") if all(v == int(v) for v in values) or max(values) >= 100 else (lambda v: f"{v:,.1f}")
    low, mid, high = min(values), statistics.median(values), max(values)
    return fmt(low) if low == high else f"{fmt(low)} / {fmt(mid)} / {fmt(high)}"

names = list(dict.fromkeys(name for name, _ in figures))
print(f"| figure | SQLite | PostgreSQL | samples |")
print("|---|---|---|---|")
for name in names:
    sqlite, postgres = figures.get((name, "sqlite"), []), figures.get((name, "postgres"), [])
    print(f"| {name} | {show(sqlite)} | {show(postgres)} | {max(len(sqlite), len(postgres))} |")

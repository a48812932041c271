"""Writes the personal links emailed so far (from the outbox) to OUT_DIR/links, one path a line,
and a complete valid answer of the default questionnaire to OUT_DIR/body.

Usage: links.py DATABASE_URL OUT_DIR INSTRUMENT_TOML"""
import re, subprocess, sqlite3, sys, tomllib
db, work, instrument = sys.argv[1], sys.argv[2], sys.argv[3]
if db.startswith("sqlite"):
    path = db.split("://", 1)[1].split("?")[0]
    texts = [r[0] for r in sqlite3.connect(path).execute("SELECT body_text FROM outbox")]
else:
    out = subprocess.run(["psql", db, "-Atc", "SELECT body_text FROM outbox"], capture_output=True, text=True).stdout
    texts = [out]
links = sorted({m for t in texts for m in re.findall(r"(/q/[A-Za-z0-9_-]+)", t)})
open(f"{work}/links", "w").write("\n".join(links) + "\n")
inst = tomllib.load(open(instrument, "rb"))
fields = ["profession=nursing", "role_level=middle"]
fields += [f"s-{s['key']}=4" for f in inst["factors"] for s in f["statements"]]
fields += [f"inv-{s['key']}=rarely" for s in inst["involvement"]["scopes"]]
fields += ["barriers=" + inst["barriers"][0]["key"], "c-works-well=Shared+dashboards"]
open(f"{work}/body", "w").write("&".join(fields))
print(len(links), "links")

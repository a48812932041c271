"""The two halves of one crash round for .ci/crash: the load that ends with a SIGKILL, and the
checks once the server is back. Standard library only (Python 3.11).

  crash_load.py load BASE STATE SERVER_PID DELAY ROUNDS_LEFT
      Posts complete answers to personal links nobody has used yet (at most this round's share
      of those left), from THREADS (default 24) threads, each link once. DELAY seconds after
      the first post, or when its share is used up, it kills SERVER_PID with SIGKILL; every
      thread stops at its first connection failure. Appends the links it posted to
      STATE/attempted and those whose post was acknowledged (2xx or 3xx) to STATE/acknowledged;
      this round's are kept in STATE/round-attempted and STATE/round. Prints one line.

  crash_load.py check BASE DATABASE_URL STATE REVIEW_ID
      With the server restarted: it answers /healthz; every acknowledged link is marked as
      answered, and no link that was never posted is; the review's answers, comments, marked
      participants and answer count agree (stored once: no duplicates, no orphans) and lie
      between the acknowledged and the attempted; posted again, some of this round's
      acknowledged links and all it stored unacknowledged are refused; the database passes its integrity checks (SQLite: integrity_check and
      foreign_key_check; PostgreSQL: every table reads, and amcheck on the answer tables'
      indexes when the extension could be created). Prints one line, and the totals so far
      to STATE/totals (acknowledged, lost, duplicated); exits 1 on a failure.

  crash_load.py integrity DATABASE_URL
      The integrity checks alone, for the database once the last server has stopped.

STATE also holds `links` (every personal link, from bench/common/links.py) and `body` (a
complete answer with one comment). Links are paths (/q/TOKEN) and are never logged elsewhere.
"""
import base64
import hashlib
import http.client
import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time

THREADS = int(os.environ.get("THREADS", "24"))
# A request to a live server answers well within this; after the kill the kernel closes the
# sockets, so nothing waits for it unless something is badly wrong.
TIMEOUT = 20
# Errors that mean the server has gone away (the kill), as opposed to a wrong answer.
GONE = (OSError, http.client.HTTPException)
# How many of a round's acknowledged links are posted again, from its end and from the rest.
REPOSTS = 50
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def lines(path):
    try:
        with open(path) as f:
            return [line.strip() for line in f if line.strip()]
    except FileNotFoundError:
        return []


def append(path, items):
    with open(path, "a") as f:
        f.writelines(item + "\n" for item in items)


def host_port(base):
    host, port = base.removeprefix("http://").rstrip("/").split(":")
    return host, int(port)


def link_hash(link):
    """The stored hash of a link's token, as store::hash_secret makes it."""
    digest = hashlib.sha256(link.removeprefix("/q/").encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def load(base, state, server_pid, delay, rounds_left):
    used = set(lines(f"{state}/attempted"))
    unused = [link for link in lines(f"{state}/links") if link not in used]
    # This round's share of the links left: should the server take them faster than planned
    # (a faster machine), the kill comes when they are used up, with the last posts in flight.
    budget = len(unused) // rounds_left
    body = open(f"{state}/body", "rb").read()
    host, port = host_port(base)
    lock = threading.Lock()
    queue = iter(unused[:budget])
    attempted, acknowledged, refused, early = [], [], [], []
    killed = False
    started, used_up = threading.Event(), threading.Event()

    def worker():
        conn = http.client.HTTPConnection(host, port, timeout=TIMEOUT)
        while True:
            with lock:
                link = next(queue, None)
                if link is None:
                    used_up.set()
                # No post starts after the kill: one sent to a dead server proves nothing.
                if link is None or killed:
                    return
                attempted.append(link)
            started.set()
            try:
                conn.request("POST", link, body=body, headers=FORM)
                response = conn.getresponse()
                response.read()
            except GONE as e:
                with lock:
                    if not killed:
                        early.append(f"{type(e).__name__}: {e}")
                return
            with lock:
                if 200 <= response.status < 400:
                    acknowledged.append(link)
                else:
                    refused.append(response.status)

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(THREADS)]
    for t in threads:
        t.start()
    started.wait(TIMEOUT)
    first = time.monotonic()
    used_up.wait(delay)
    with lock:
        os.kill(server_pid, signal.SIGKILL)
        killed = True
        after = time.monotonic() - first
        in_flight = len(attempted) - len(acknowledged) - len(refused)
    for t in threads:
        t.join(TIMEOUT + 5)
    hung = sum(t.is_alive() for t in threads)
    with lock:
        attempted_now, acknowledged_now = list(attempted), list(acknowledged)
    append(f"{state}/attempted", attempted_now)
    append(f"{state}/acknowledged", acknowledged_now)
    with open(f"{state}/round", "w") as f:
        f.writelines(link + "\n" for link in acknowledged_now)
    with open(f"{state}/round-attempted", "w") as f:
        f.writelines(link + "\n" for link in attempted_now)
    problems = []
    if budget < 4 * THREADS:
        problems.append(f"only {budget} links for this round: the review needs more participants")
    if refused:
        problems.append(f"posts refused before the kill, by status: {sorted(set(refused))}")
    if early:
        problems.append(f"connection failures before the kill: {early[:3]}")
    if hung:
        problems.append(f"{hung} threads still waiting {TIMEOUT + 5} s after the kill")
    why = " (its links used up)" if used_up.is_set() else ""
    report(f"killed after {after:.2f} s{why}: attempted {len(attempted_now)}, acknowledged "
           f"{len(acknowledged_now)}, {in_flight} in flight", problems)
    return not problems


def report(summary, problems):
    """One line for the round's report: the summary, or what went wrong."""
    print("; ".join(problems) if problems else summary)


def query(db, sql, *more):
    """Rows of a statement, as lists of strings, from SQLite (python's sqlite3) or psql; on
    PostgreSQL further statements may follow in the same call, their rows after the first's."""
    if db.startswith("sqlite"):
        path = db.split("://", 1)[1].split("?")[0]
        conn = sqlite3.connect(path, timeout=30)
        try:
            return [[str(v) for v in row] for row in conn.execute(sql)]
        finally:
            conn.close()
    commands = [arg for statement in (sql, *more) for arg in ("-c", statement)]
    out = subprocess.run(["psql", db, "-XAtq", "-F", "\t", "-v", "ON_ERROR_STOP=1", *commands],
                         capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError(f"psql failed: {out.stderr.strip()}")
    return [line.split("\t") for line in out.stdout.splitlines()]


def integrity(db):
    """Problems the database's own checks report (an empty list when it is sound)."""
    problems = []
    if db.startswith("sqlite"):
        result = [row[0] for row in query(db, "PRAGMA integrity_check")]
        if result != ["ok"]:
            problems.append(f"integrity_check: {result[:5]}")
        broken = query(db, "PRAGMA foreign_key_check")
        if broken:
            problems.append(f"foreign_key_check: {broken[:5]}")
        return problems
    # One psql call: every table read in full, then, where the extension could be created,
    # amcheck on the answer tables' indexes (heapallindexed: every row is found through each
    # index, not only the index's own structure checked); it prints how many it checked.
    amcheck = ("SELECT count(bt_index_check(c.oid::regclass, true)) FROM pg_index i "
               "JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_class r ON r.oid = i.indrelid "
               "JOIN pg_am a ON a.oid = c.relam WHERE a.amname = 'btree' "
               "AND r.relname IN ('responses', 'comments', 'participants', 'reviews')")
    statements = ["""DO $$
        DECLARE t text;
        BEGIN
            FOR t IN SELECT tablename FROM pg_tables WHERE schemaname = 'public' LOOP
                EXECUTE format('SELECT count(*) FROM %I', t);
            END LOOP;
        END $$"""]
    if query(db, "SELECT count(*) FROM pg_extension WHERE extname = 'amcheck'") == [["1"]]:
        statements.append(amcheck)
    try:
        out = query(db, *statements)
    except RuntimeError as e:
        problems.append(str(e))
    else:
        if len(statements) == 2 and int(out[0][0]) < 4:
            problems.append(f"amcheck checked {out[0][0]} indexes, expected at least 4")
    return problems


def repost(base, state, links):
    """Posts each link once more; the statuses (or errors) that were not a refusal (409)."""
    body = open(f"{state}/body", "rb").read()
    host, port = host_port(base)
    queue, lock, accepted = iter(links), threading.Lock(), []

    def worker():
        conn = http.client.HTTPConnection(host, port, timeout=TIMEOUT)
        while True:
            with lock:
                link = next(queue, None)
            if link is None:
                return
            try:
                conn.request("POST", link, body=body, headers=FORM)
                response = conn.getresponse()
                response.read()
                status = str(response.status)
            except GONE as e:
                status = type(e).__name__
            if status != "409":
                with lock:
                    accepted.append(status)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return accepted


def check(base, db, state, review):
    problems = []
    host, port = host_port(base)
    conn = http.client.HTTPConnection(host, port, timeout=TIMEOUT)
    conn.request("GET", "/healthz")
    if conn.getresponse().status != 200:
        problems.append("the restarted server does not answer /healthz with 200")
    acknowledged = {link_hash(link) for link in lines(f"{state}/acknowledged")}
    attempted = {link_hash(link) for link in lines(f"{state}/attempted")}
    marked = {row[0] for row in query(
        db, f"SELECT link_hash FROM participants WHERE review_id = {review} AND responded = 1")}
    responses, comments, counted = map(int, query(
        db, f"SELECT (SELECT count(*) FROM responses WHERE review_id = {review}), "
            f"(SELECT count(*) FROM comments WHERE review_id = {review}), "
            f"(SELECT answers FROM reviews WHERE id = {review})")[0])
    lost = len(acknowledged - marked)
    orphans = len(marked - attempted)
    # Each stored answer has one participant marked and one comment (the body carries one).
    duplicated = max(0, responses - len(marked))
    if lost:
        problems.append(f"{lost} acknowledged links are not marked as answered")
    if orphans:
        problems.append(f"{orphans} links marked as answered were never posted")
    if not responses == len(marked) == comments == counted:
        problems.append(f"stored {responses} answers and {comments} comments, marked "
                        f"{len(marked)} participants, counted {counted} answers: should agree")
    if not len(acknowledged) <= responses <= len(attempted):
        problems.append(f"{responses} answers stored, outside acknowledged {len(acknowledged)} "
                        f"to attempted {len(attempted)}")
    # Posted again: the round's last acknowledged links (in the last groups before the kill),
    # some others, and those stored without being acknowledged (in the group being committed
    # when the kill came). Posting every one costs a second a round for little more assurance.
    this_round = lines(f"{state}/round")
    unacknowledged = set(lines(f"{state}/round-attempted")) - set(this_round)
    unacknowledged = [link for link in unacknowledged if link_hash(link) in marked]
    again = this_round[-REPOSTS:] + random.sample(this_round[:-REPOSTS],
                                                  min(REPOSTS, len(this_round[:-REPOSTS])))
    accepted = repost(base, state, again + unacknowledged)
    if accepted:
        problems.append(f"{len(accepted)} stored links were not refused when posted again "
                        f"(statuses {sorted(set(accepted))})")
    problems += integrity(db)
    with open(f"{state}/totals", "w") as f:
        f.write(f"{len(acknowledged)} {lost} {duplicated}\n")
    report(f"in all stored {responses}, acknowledged {len(acknowledged)}, attempted "
           f"{len(attempted)}; {len(again)} + {len(unacknowledged)} re-posts refused; integrity ok",
           problems)
    return not problems


def main(args):
    match args:
        case ["load", base, state, pid, delay, rounds_left]:
            return load(base, state, int(pid), float(delay), int(rounds_left))
        case ["check", base, db, state, review]:
            return check(base, db, state, int(review))
        case ["integrity", db]:
            problems = integrity(db)
            report("integrity ok", problems)
            return not problems
    sys.exit(__doc__)


if __name__ == "__main__":
    sys.exit(0 if main(sys.argv[1:]) else 1)

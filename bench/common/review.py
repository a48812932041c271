"""Sets up a review with many participants on a running commonground, opens its questionnaire
and waits until every invitation is delivered (to the outbox, or to the SMTP server when one is
configured). Prints the ids and how long queueing and delivering took.

Usage: review.py BASE_URL DB_URL OUT_DIR PEOPLE. Talks only to BASE_URL (127.0.0.1); gives up
after ten minutes."""
import json, sys, time, urllib.request
base, db, out, people = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
def call(method, path, body=None, token=None, ctype="application/json"):
    data = body if isinstance(body, (bytes, type(None))) else json.dumps(body).encode()
    req = urllib.request.Request(base + path, method=method, data=data, headers={"Content-Type": ctype})
    if token: req.add_header("Authorization", "Bearer " + token)
    with urllib.request.urlopen(req) as r:
        text = r.read()
        return json.loads(text) if text else None
token = call("POST", "/api/v1/tokens", {"email": "load@trust.nhs.uk", "password": "load test passphrase 1"})["token"]
orgs = call("GET", "/api/v1/organisations", token=token)
org = orgs[0]["id"]
review = call("POST", f"/api/v1/organisations/{org}/reviews", {"title": "Load", "scope": "Load test", "focus_areas": ["workforce"]}, token)["id"]
for start in range(0, people, 5000):
    rows = "".join(f"P{i},p{i}@load.nhs.uk,Nursing,Middle manager or team leader\n" for i in range(start, min(people, start + 5000)))
    call("POST", f"/api/v1/organisations/{org}/reviews/{review}/participants/import", ("name,email,profession group,role level\n" + rows).encode(), token, "text/csv")
started = time.monotonic()
job = call("POST", f"/api/v1/organisations/{org}/reviews/{review}/questionnaire/open", None, token)["job_id"]
while True:
    state = call("GET", f"/api/v1/organisations/{org}/jobs/{job}", None, token)
    if state["delivered"] + state["undelivered"] >= state["total"] or time.monotonic() - started > 600:
        break
    time.sleep(0.05)
print(json.dumps({"org": org, "review": review, "job": job, "delivered": state["delivered"],
                  "undelivered": state["undelivered"], "seconds": round(time.monotonic() - started, 2)}))

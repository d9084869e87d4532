"""The reference each engine is checked against: `onstage simulate` of the
timeline the batch rule gives for a user (docs/warehouse.md): identify at
the first replayed event (or at as_of), the events in (time, row) order,
then {"decide": "*"} at as_of."""

import datetime as dt
import json
import random
import subprocess

from conftest import ONSTAGE

DAY = 86_400_000


def rfc3339(ms):
    t = dt.datetime.fromtimestamp(ms / 1000, dt.timezone.utc)
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"


def simulate(config_path, events, identify, as_of):
    """{user: decide line} from `onstage simulate --no-reasons`.
    events: dicts user, name, at (ms), props (dict or None), in row order."""
    by_user = {}
    for row, e in enumerate(events):
        by_user.setdefault(e["user"], []).append((e["at"], row, e))
    ids = {i["user"]: i for i in identify}
    lines = []
    for user in sorted(set(by_user) | set(ids)):
        evs = sorted(x for x in by_user.get(user, []) if x[0] <= as_of)
        first = evs[0][0] if evs else as_of
        if user in ids:
            body = {k: v for k, v in ids[user].items() if k != "user" and v is not None}
            lines.append({"user": user, "at": rfc3339(first), "identify": body})
        for at, _, e in evs:
            step = {"user": user, "at": rfc3339(at), "track": e["name"]}
            if e.get("props") is not None:
                step["props"] = e["props"]
            lines.append(step)
        lines.append({"user": user, "at": rfc3339(as_of), "decide": "*"})
    out = subprocess.run(
        [ONSTAGE, "simulate", "--no-reasons", str(config_path), "-"],
        input="\n".join(json.dumps(l) for l in lines), capture_output=True, text=True, check=True,
    )
    return {d["user"]: d for d in map(json.loads, out.stdout.splitlines())}


def assert_same(row, line):
    """One result row (as a dict) equals one `simulate` decide line."""
    user = row["user"]
    assert row["stage"] == line["stage"], user
    assert row["segments"] == line["segments"], user
    assert list(row["signals"]) == list(line["signals"]), user
    for k, v in line["signals"].items():
        got = row["signals"][k]
        assert (got is None) == (v is None), (user, k, got, v)
        if v is not None:
            assert abs(got - v) <= 1e-9 * max(1.0, abs(v)), (user, k, got, v)
    assert list(row["decisions"]) == list(line["decisions"]), user
    for slot, d in line["decisions"].items():
        got = row["decisions"][slot]
        want = (d["experience"], d["variation"], d["holdout"], d.get("step"))
        assert (got["experience"], got["variation"], got["holdout"], got["step"]) == want, (user, slot)


def from_timeline(path):
    """The events (track steps, at their own time) and each user's first
    identify of a shared timeline, and an as_of a day after its last step."""
    events, identify, seen, last = [], [], set(), 0
    from onstage import as_of_ms
    for text in open(path):
        if not text.strip():
            continue
        step = json.loads(text)
        at = as_of_ms(step["at"])
        last = max(last, at)
        if "track" in step:
            t = as_of_ms(step["timestamp"]) if "timestamp" in step else at
            events.append({"user": step["user"], "name": step["track"], "at": t, "props": step.get("props")})
        elif "identify" in step and step["user"] not in seen:
            seen.add(step["user"])
            identify.append({"user": step["user"], **step["identify"]})
    return events, identify, last + DAY


NAMES = ["workspace_created", "integration_connected", "report_created", "dashboard_shared",
         "automation_run", "feature_used", "teammate_invited", "premium_feature_blocked",
         "api_call", "nps_submitted"]


def population(users, seed, start=1_772_000_000_000, days=60):
    """Generated users of saas.json: events in random order (unsorted) and
    identify data for most users."""
    rnd = random.Random(seed)
    events, identify = [], []
    for u in range(users):
        user = f"u{seed}-{u:05d}"
        for _ in range(rnd.randrange(0, 60)):
            name = rnd.choice(NAMES)
            props = {
                "provider": {"provider": rnd.choice(["slack", "github", "jira"])},
                "feature": {"feature": rnd.choice(["alerts", "sql", "embeds", "api"])},
                "dashboard_shared": {"audience": rnd.choice(["team", "public", "private"])},
                "api_call": {"units": rnd.randrange(1, 500)},
                "nps_submitted": {"score": rnd.randrange(0, 11)},
            }.get(name if name in ("feature_used", "api_call", "nps_submitted", "dashboard_shared") else
                  "provider" if name == "integration_connected" else "", None)
            events.append({"user": user, "name": name, "at": start + rnd.randrange(0, days * DAY), "props": props})
        if rnd.random() < 0.8:
            identify.append({
                "user": user,
                "attributes": {"id": user, "role": rnd.choice(["owner", "admin", "member"])},
                "entitlements": {"seats_licensed": 10, "seats_active": rnd.randrange(1, 11),
                                 "limits": {"api_units": 5000}},
                "tz_offset_minutes": rnd.choice([0, 60, -300, 330]),
            })
    rnd.shuffle(events)
    return events, identify, start + days * DAY + rnd.randrange(0, DAY)


def arrow_tables(events, identify):
    """The events and identify data as pyarrow tables (props and identify
    objects as JSON text, times as timestamp[ms, UTC])."""
    import pyarrow as pa
    ev = pa.table({
        "user": [e["user"] for e in events],
        "name": [e["name"] for e in events],
        "at": pa.array([e["at"] for e in events], pa.timestamp("ms", tz="UTC")),
        "props": pa.array([None if e.get("props") is None else json.dumps(e["props"]) for e in events],
                          pa.string()),
    })
    ids = pa.table({
        "user": [i["user"] for i in identify],
        "attributes": pa.array([None if i.get("attributes") is None else json.dumps(i["attributes"])
                                for i in identify], pa.string()),
        "entitlements": pa.array([None if i.get("entitlements") is None else json.dumps(i["entitlements"])
                                  for i in identify], pa.string()),
        "tz_offset_minutes": pa.array([i.get("tz_offset_minutes") for i in identify], pa.int32()),
    })
    return ev, ids

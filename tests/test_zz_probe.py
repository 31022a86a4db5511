import pytest
from tests.meetings.support import admin, create, MEETINGS, body  # noqa
D = ["9999-12-31", "0001-01-01"]
URLS = ["/meetings?month={m}", "/api/v1/meetings.ics?from={d}", "/api/v1/meetings.ics?to={d}", "/api/v1/meetings.ics?from={d}&to={d}",
        "/api/v1/meetings?from={d}", "/api/v1/meetings?to={d}", "/api/v1/meetings?from={d}&to={d}&q=dialogue",
        "/api/v1/meetings.csv?to={d}", "/meetings?to={d}", "/meetings?from={d}", "/meetings.ics?to={d}",
        "/api/v1/gaps?from=EU&to=CN&as_of={d}", "/api/v1/comparisons/matrix?topic=consumer-protection&as_of={d}",
        "/api/v1/documents/EU/consumer-protection/versions/{d}", "/api/v1/documents/EU/consumer-protection/versions/{d}/diff/1",
        "/api/v1/actions?due_before={d}", "/api/v1/meetings/stats?from={d}", "/compare?left=EU/consumer-protection@{d}&right=CN/consumer-protection&as_of={d}",
        "/api/v1/audit?since={d}", "/api/v1/meetings/1/ics", "/api/v1/actions.csv?due_to={d}"]
def test_probe(client, admin):
    m = create(client, admin)
    for d in D:
        for url in URLS:
            u = url.format(d=d, m=d[:7])
            r = client.get(u, headers=admin)
            print("PROBE", r.status_code, u, r.text[:100].replace("\n"," ") if r.status_code >= 400 else "")
    for s, e, tz in [("9999-12-31T20:00", "9999-12-31T22:00", "Etc/GMT+12"), ("0001-01-01T01:00", "0001-01-01T02:00", "Pacific/Kiritimati"),
                     ("9999-12-31T20:00", "9999-12-31T22:00", "Europe/Berlin")]:
        r = client.post(MEETINGS, json=body(start=s, end=e, timezone=tz), headers=admin)
        print("PROBE create", s, tz, r.status_code, r.text[:150])
        if r.status_code == 201:
            i = r.json()["id"]
            for u in [f"/api/v1/meetings/{i}/ics", f"/api/v1/meetings.ics?from=9999-01-01", f"/meetings/{i}", "/meetings?month=9999-12", f"/api/v1/meetings/{i}"]:
                r2 = client.get(u, headers=admin); print("PROBE  ", r2.status_code, u, r2.text[:100] if r2.status_code >= 400 else "")
    for p in [{"markets": ["EU"], "profile": {}, "as_of": "9999-12-31"}]:
        r = client.post("/api/v1/compliance/check", json=p); print("PROBE check", r.status_code, r.text[:100])
    r = client.post("/api/v1/compare", json={"left": "EU/consumer-protection@9999-12-31", "right": "CN/consumer-protection@0001-01-01"}); print("PROBE compare", r.status_code, r.text[:100])
    r = client.post(f"/api/v1/meetings/{m['id']}/actions", json={"title": "x", "due_date": "9999-12-31"}, headers=admin); print("PROBE action", r.status_code, r.text[:100])

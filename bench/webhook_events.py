#!/usr/bin/env python3
"""Prepares the webhook benchmark: places CALLS calls through the host's
cold-call API (one per simulated agent), then writes EVENTS distinct sim
events for them, each signed as the sim provider signs its webhooks
(v1=hex(HMAC-SHA256(secret, timestamp + "." + url + "." + body))), one per
line: timestamp TAB signature TAB body. Every event is new to the host (a
unique key) and changes its call (mute toggles with increasing times), so
each request is verified, stored and applied.

  webhook_events.py BASE_URL ADMIN_KEY SECRET CALLS EVENTS OUT
"""
import hashlib
import hmac
import json
import sys
import time
import urllib.request


def main():
    base, key, secret, calls, events, out = sys.argv[1:7]
    calls, events = int(calls), int(events)
    ids = []
    for i in range(calls):
        request = urllib.request.Request(
            base + "/api/v1/cold-call/initiate",
            data=json.dumps({"to_phone": "+1555%07d" % (1000000 + i), "agent_id": "bench-%d" % i}).encode(),
            headers={"X-API-Key": key, "Content-Type": "application/json"}, method="POST")
        with urllib.request.urlopen(request) as reply:
            ids.append(json.loads(reply.read())["call_id"])
    url = base + "/webhooks/sim/events"
    now = int(time.time())
    start_ms = now * 1000
    with open(out, "w") as f:
        for j in range(events):
            call = ids[j % calls]
            body = json.dumps({"event_key": "bench-%d" % j, "type": "participant.muted", "call_id": call,
                               "leg": "contact", "muted": (j // calls) % 2 == 0,
                               "occurred_at_ms": start_ms + j, "sequence": j}, separators=(",", ":"))
            signature = "v1=" + hmac.new(secret.encode(), ("%d.%s.%s" % (now, url, body)).encode(),
                                         hashlib.sha256).hexdigest()
            f.write("%d\t%s\t%s\n" % (now, signature, body))


if __name__ == "__main__":
    main()

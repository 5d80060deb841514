#!/usr/bin/env python3
"""Cold-call API load in the original design's shape (seed-requirements.md
7.5, Locust): USERS simulated users on one admin key, each waiting 1-3 s
between tasks. Two shapes:

  original  the original's tasks as they were: initiate, status and end
            picked at random with weights 3:1:1, no agent_id (the admin board
            serves several reps through one key); status and end act on one
            of the user's own live calls. Calls pile up (three dialled for
            each one ended); what bounds them is the host's abandoned-call
            rule (no agent ever joins here) and calls.max_active.
  agents    each user an agent of the admin board (its own agent_id)
            running initiate -> status -> end in turn.

Prints per-endpoint counts, errors and latency percentiles; exits 1 on any
error.

  coldcall_load.py BASE_URL API_KEY USERS SECONDS [original|agents]
"""
import http.client
import json
import random
import sys
import threading
import time
import urllib.parse

from benchlib import percentile

PREFIX = "/api/v1/cold-call"


def main():
    base, key, users, seconds = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
    shape = sys.argv[5] if len(sys.argv) > 5 else "original"
    if shape not in ("original", "agents"):
        sys.exit("shape must be original or agents")
    url = urllib.parse.urlparse(base)
    lock = threading.Lock()
    latencies = {"initiate": [], "status": [], "end": []}
    errors = {"initiate": 0, "status": 0, "end": 0}
    samples = []
    deadline = time.time() + seconds

    def user(index):
        connection = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
        rng = random.Random(index)

        def call(name, method, path, body=None):
            headers = {"X-API-Key": key, "Content-Type": "application/json"}
            started = time.perf_counter()
            try:
                connection.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
                reply = connection.getresponse()
                data = reply.read()
                status = reply.status
            except Exception as e:  # a dropped connection is an error, then reconnect
                connection.close()
                status, data = 0, str(e).encode()
            elapsed = (time.perf_counter() - started) * 1000
            ok = status in (200, 201)
            with lock:
                latencies[name].append(elapsed)
                if not ok:
                    errors[name] += 1
                    if len(samples) < 5:
                        samples.append(f"{name} -> {status}: {data[:200]!r}")
            return json.loads(data) if ok else None

        time.sleep(rng.uniform(0, 1))  # users do not start in lockstep
        if shape == "original":
            live = []
            while time.time() < deadline:
                task = rng.choices(["initiate", "status", "end"], weights=[3, 1, 1])[0]
                if task == "initiate" or not live:
                    created = call("initiate", "POST", PREFIX + "/initiate",
                                   {"to_phone": "+1555%07d" % rng.randrange(10 ** 7)})
                    if created is not None:
                        live.append(created["conference_sid"])
                elif task == "status":
                    call("status", "GET", PREFIX + "/status/" + rng.choice(live))
                else:
                    call("end", "POST", PREFIX + "/end", {"conference_sid": live.pop(0)})
                time.sleep(rng.uniform(1, 3))
            return
        while time.time() < deadline:
            created = call("initiate", "POST", PREFIX + "/initiate",
                           {"to_phone": "+1555%07d" % rng.randrange(10 ** 7), "agent_id": "load-%d" % index})
            if created is None:
                time.sleep(rng.uniform(1, 3))
                continue
            time.sleep(rng.uniform(1, 3))
            call("status", "GET", PREFIX + "/status/" + created["conference_sid"])
            time.sleep(rng.uniform(1, 3))
            call("end", "POST", PREFIX + "/end", {"conference_sid": created["conference_sid"]})
            time.sleep(rng.uniform(1, 3))

    threads = [threading.Thread(target=user, args=(i,)) for i in range(users)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    total = sum(len(v) for v in latencies.values())
    failed = sum(errors.values())
    print(f"  {shape}: {users:3d} users, {seconds:.0f} s: {total} requests, {failed} errors")
    for name, values in latencies.items():
        print(f"    {name:8s} n={len(values):5d}  errors={errors[name]}  p50 {percentile(values, 50):7.1f} ms"
              f"  p95 {percentile(values, 95):7.1f} ms  p99 {percentile(values, 99):7.1f} ms"
              f"  max {max(values) if values else 0:7.1f} ms")
    for sample in samples:
        print("    e.g. " + sample)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()

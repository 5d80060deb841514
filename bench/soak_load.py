#!/usr/bin/env python3
"""Soak under attack (docs/BENCHMARKS.md, issue 13): CLIENTS legitimate
clients for SECONDS while an import runs in a loop, beside attackers that
once took the host down: keyless slow uploads (1 byte every few seconds),
keyed uploads that trickle, and idle connections re-opened as soon as they
are closed. A prober asks /health every 250 ms. Prints counts, errors,
/health latency, the host's memory over time, and exits 1 when the host
died, a /health took 100 ms or more, or memory grew by more than 50 MiB from
its level after warm-up.

  soak_load.py BASE_URL ADMIN_KEY AGENT_KEY HOST_PID CLIENTS SECONDS CSV_FILE
"""
import http.client
import json
import os
import random
import socket
import sys
import threading
import time
import urllib.parse

from benchlib import percentile

PREFIX = "/api/v1/cold-call"


def memory_mib(pid):
    """VmRSS and its parts (RssAnon: the heap, SQLite's page caches included;
    RssFile and RssShmem: mapped files, the WAL index among them), in MiB."""
    parts = {}
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                name = line.split(":")[0]
                if name in ("VmRSS", "RssAnon", "RssFile", "RssShmem"):
                    parts[name] = int(line.split()[1]) / 1024.0
    except OSError:
        return None
    return parts if "VmRSS" in parts else None


def rss_mib(pid):
    parts = memory_mib(pid)
    return parts["VmRSS"] if parts else None


def main():
    base, admin, agent, pid = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    clients, seconds, csv_file = int(sys.argv[5]), float(sys.argv[6]), sys.argv[7]
    # "replace": each import's list is deleted once the next one is in, so the
    # database keeps its size and memory growth cannot be its page cache.
    replace = len(sys.argv) > 8 and sys.argv[8] == "replace"
    url = urllib.parse.urlparse(base)
    host, port = url.hostname, url.port
    lock = threading.Lock()
    stats = {"requests": 0, "errors": 0, "imports": 0, "import_errors": 0, "attacks": 0, "attack_answers": {}}
    samples = []
    health = []
    memory = []
    breakdown = []
    stop = threading.Event()

    def count(name, amount=1):
        with lock:
            stats[name] += amount

    def legit(index):
        connection = http.client.HTTPConnection(host, port, timeout=30)
        rng = random.Random(index)

        def call(method, path, key, body=None):
            headers = {"X-API-Key": key, "Content-Type": "application/json"}
            try:
                connection.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
                reply = connection.getresponse()
                data = reply.read()
                status = reply.status
            except Exception as error:  # a dropped connection is an error
                connection.close()
                status, data = 0, str(error).encode()
            count("requests")
            if status not in (200, 201):
                count("errors")
                with lock:
                    if len(samples) < 8:
                        samples.append(f"{method} {path} -> {status}: {data[:160]!r}")
                return None
            return json.loads(data) if data[:1] in (b"{", b"[") else data

        while not stop.is_set():
            if index % 2 == 0:  # an agent of the admin board: a whole call
                created = call("POST", PREFIX + "/initiate", admin,
                               {"to_phone": "+1555%07d" % rng.randrange(10 ** 7), "agent_id": "soak-%d" % index})
                if created:
                    time.sleep(rng.uniform(0.2, 1))
                    call("GET", PREFIX + "/status/" + created["conference_sid"], admin)
                    time.sleep(rng.uniform(0.2, 1))
                    call("POST", PREFIX + "/end", admin, {"conference_sid": created["conference_sid"]})
            else:  # a rep's page: contacts, history, stats
                call("GET", "/api/v1/contacts?per_page=50&page=%d" % rng.randint(1, 20), agent)
                call("GET", "/api/v1/calls?per_page=25", agent)
                call("GET", "/api/v1/stats", agent)
            time.sleep(rng.uniform(0.2, 1))

    def importer():
        with open(csv_file, "rb") as source:
            payload = source.read()
        previous = None
        while not stop.is_set():
            connection = http.client.HTTPConnection(host, port, timeout=120)
            try:
                connection.request("POST", "/api/v1/contact-lists?name=soak", body=payload,
                                   headers={"X-API-Key": agent, "Content-Type": "text/csv"})
                reply = connection.getresponse()
                body = reply.read()
                count("imports")
                if reply.status == 201 and replace:
                    if previous is not None:
                        connection.request("DELETE", f"/api/v1/contact-lists/{previous}",
                                           headers={"X-API-Key": agent})
                        deleted = connection.getresponse()
                        deleted.read()
                        if deleted.status not in (200, 204):
                            count("import_errors")
                    previous = json.loads(body)["list"]["id"]
                if reply.status != 201:
                    count("import_errors")
                    with lock:
                        if len(samples) < 8:
                            samples.append(f"import -> {reply.status}")
            except Exception as error:
                count("import_errors")
                with lock:
                    if len(samples) < 8:
                        samples.append(f"import -> {error}")
            finally:
                connection.close()

    def attacker(kind):
        """Holds a connection the way an attacker does; reconnects when closed."""
        while not stop.is_set():
            try:
                sock = socket.create_connection((host, port), timeout=5)
                count("attacks")
                if kind == "idle":
                    sock.settimeout(30)
                    sock.recv(1)  # until the server closes it
                else:
                    key = ("X-API-Key: %s\r\n" % agent) if kind == "keyed" else ""
                    sock.sendall(("POST /api/v1/contact-lists?name=x HTTP/1.1\r\nHost: x\r\nContent-Type: text/csv\r\n"
                                  "%sContent-Length: 100000000\r\n\r\n" % key).encode())
                    sock.settimeout(5)
                    while not stop.is_set():
                        try:
                            answer = sock.recv(64)
                        except socket.timeout:
                            sock.sendall(b"x")  # one byte every few seconds
                            continue
                        if answer:
                            code = answer[9:12].decode(errors="replace")
                            with lock:
                                stats["attack_answers"][code] = stats["attack_answers"].get(code, 0) + 1
                        break
                sock.close()
                time.sleep(1)  # holds connections, does not flood them
            except Exception:
                time.sleep(1)

    def prober():
        while not stop.is_set():
            started = time.perf_counter()
            try:
                connection = http.client.HTTPConnection(host, port, timeout=10)
                connection.request("GET", "/health")
                ok = connection.getresponse().status == 200
                connection.close()
            except Exception:
                ok = False
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                health.append(elapsed if ok else float("inf"))
            time.sleep(0.25)

    def sampler():
        while not stop.is_set():
            parts = memory_mib(pid)
            with lock:
                memory.append((time.time(), parts["VmRSS"] if parts else None))
                if parts:
                    breakdown.append((time.time(), parts))
            time.sleep(5)

    threads = [threading.Thread(target=legit, args=(i,), daemon=True) for i in range(clients)]
    threads += [threading.Thread(target=importer, daemon=True)]
    threads += [threading.Thread(target=attacker, args=("keyless",), daemon=True) for _ in range(100)]
    threads += [threading.Thread(target=attacker, args=("keyed",), daemon=True) for _ in range(2)]
    threads += [threading.Thread(target=attacker, args=("idle",), daemon=True) for _ in range(200)]
    threads += [threading.Thread(target=prober, daemon=True), threading.Thread(target=sampler, daemon=True)]
    started = time.time()
    for thread in threads:
        thread.start()
    while time.time() - started < seconds and os.path.exists(f"/proc/{pid}"):
        time.sleep(1)
    stop.set()
    time.sleep(2)

    alive = os.path.exists(f"/proc/{pid}") and rss_mib(pid) is not None
    finite = [h for h in health if h != float("inf")]
    failed_probes = len(health) - len(finite)
    warm = [m for t, m in memory if m is not None and t - started >= 60] or [m for _, m in memory if m is not None]
    print(f"soak: {clients} clients, {seconds:.0f} s, import looping{' (each list replaced)' if replace else ''}, "
          f"100 keyless slow uploads, "
          f"2 keyed trickles, 200 idle connections")
    print(f"  requests {stats['requests']}, errors {stats['errors']}; imports {stats['imports']} "
          f"({stats['import_errors']} failed); attacker connections {stats['attacks']}, "
          f"answers to slow uploads {stats['attack_answers']}")
    print(f"  /health: {len(health)} probes, {failed_probes} failed, p50 {percentile(finite, 50):.1f} ms, "
          f"p99 {percentile(finite, 99):.1f} ms, max {max(finite) if finite else 0:.1f} ms")
    if warm:
        print(f"  host RSS after warm-up: first {warm[0]:.0f} MiB, min {min(warm):.0f}, max {max(warm):.0f}, "
              f"last {warm[-1]:.0f} MiB ({len(memory)} samples)")
    warm_parts = [p for t, p in breakdown if t - started >= 60] or [p for _, p in breakdown]
    if warm_parts:
        first, last = warm_parts[0], warm_parts[-1]
        print("  of which, first -> last after warm-up: " + ", ".join(
            f"{name} {first.get(name, 0):.0f} -> {last.get(name, 0):.0f} MiB"
            for name in ("RssAnon", "RssFile", "RssShmem")))
        middle = [p["VmRSS"] for t, p in breakdown if t - started >= seconds / 2]
        if middle:
            print(f"  RSS over the second half: min {min(middle):.0f}, max {max(middle):.0f} MiB")
    print(f"  host alive at the end: {alive}")
    for sample in samples:
        print("  e.g.", sample)
    grew = warm and max(warm) - warm[0] > 50
    slow = not finite or max(finite) >= 100 or failed_probes > 0
    return 1 if (not alive or slow or grew) else 0


if __name__ == "__main__":
    sys.exit(main())

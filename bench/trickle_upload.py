#!/usr/bin/env python3
"""Sends a file to POST /api/v1/contact-lists as text/csv, spread evenly
over SECONDS (a slow client), and prints the answer and the time taken.

  trickle_upload.py BASE_URL API_KEY FILE SECONDS
"""
import http.client
import json
import os
import sys
import time
import urllib.parse


def main():
    base, key, path, seconds = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])
    url = urllib.parse.urlparse(base)
    size = os.path.getsize(path)
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=600)
    connection.putrequest("POST", "/api/v1/contact-lists?name=trickled")
    connection.putheader("X-API-Key", key)
    connection.putheader("Content-Type", "text/csv")
    connection.putheader("Content-Length", str(size))
    connection.endheaders()
    started = time.time()
    ticks = int(seconds * 10)
    chunk = (size + ticks - 1) // ticks
    with open(path, "rb") as f:
        for i in range(ticks):
            data = f.read(chunk)
            if not data:
                break
            connection.send(data)
            time.sleep(max(0.0, started + (i + 1) * seconds / ticks - time.time()))
    sent = time.time() - started
    reply = connection.getresponse()
    body = reply.read()
    took = time.time() - started
    imported = json.loads(body).get("list", {}).get("imported") if reply.status == 201 else None
    print(f"  upload: {size / 1e6:.1f} MB sent over {sent:.1f} s; answered {reply.status} after {took:.1f} s"
          f"; imported {imported}")


if __name__ == "__main__":
    main()

"""customerio-python as a benchmark contender (same line protocol as node.mjs).

The client only speaks https, so after construction its `base_url` is pointed at the emulator and
its session sends X-Forwarded-Host (the header the emulator reads to know which API it is).
"""
import json
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from customerio import CustomerIO

site, key, base = sys.argv[1:4]
local = threading.local()


def client():
    c = getattr(local, "c", None)
    if c is None:
        c = CustomerIO(site, key)
        c.base_url = base + "/api/v1"
        c.http.headers["X-Forwarded-Host"] = "track.customer.io"
        local.c = c
    return c


def identify():
    client().identify(id="jane+1@example.com", plan="pro")


def lat(n):
    us = []
    for _ in range(n):
        t = time.perf_counter_ns()
        identify()
        us.append((time.perf_counter_ns() - t) / 1000)
    return {"us": us}


def thr(c, n):
    t = time.perf_counter()
    with ThreadPoolExecutor(max_workers=c) as pool:
        list(pool.map(lambda _: identify(), range(n)))
    return {"secs": time.perf_counter() - t}


def rss():
    with open("/proc/self/statm") as f:
        return {"rss": int(f.read().split()[1]) * 4096}


for line in sys.stdin:
    m = json.loads(line)
    if m["cmd"] == "lat":
        out = lat(m["n"])
    elif m["cmd"] == "thr":
        out = thr(m["c"], m["n"])
    elif m["cmd"] == "rss":
        out = rss()
    else:
        out = {"error": "unknown " + m["cmd"]}
    sys.stdout.write(json.dumps(out) + "\n")
    sys.stdout.flush()

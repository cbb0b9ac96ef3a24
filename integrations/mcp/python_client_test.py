"""Drives `cio-host --emulator mcp` with the official MCP Python SDK (`mcp` from PyPI).

Usage: python python_client_test.py CIO_HOST OPERATIONS_JSON WORKDIR

Over stdio: lists the tools (annotations checked against every operation's hints), calls
authenticate, identify, a raw request and a lookup, completes a lookup field through a prompt,
gets a typed error, lists and calls in read-only mode and in compact mode, and times calls. Over
Streamable HTTP (`--listen 127.0.0.1:0`): lists and calls; a non-loopback `--listen` is refused.
Every byte the server wrote (stdout through `tee`, stderr) is kept in WORKDIR for the secret scan
the shell script runs, and the measurements are written to WORKDIR/measurements.json.
"""

import asyncio
import json
import os
import shlex
import statistics
import subprocess
import sys
import time

from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client
from mcp.client.streamable_http import streamable_http_client
from mcp.types import PromptReference

CIO_HOST, OPERATIONS, WORK = sys.argv[1], sys.argv[2], sys.argv[3]
COMPONENT = os.environ["CIO_COMPONENT"]
OPS = {o["id"]: o for o in json.load(open(OPERATIONS))}
MEASURE = {}


def tool_name(op_id):
    return op_id.replace(".", "__")


def check(cond, what):
    if not cond:
        raise AssertionError(what)


def server(name, *flags):
    """stdio parameters: the server's stdout is copied to WORK/<name>.out, stderr to .err."""
    out, err = f"{WORK}/{name}.out", f"{WORK}/{name}.err"
    cmd = " ".join(shlex.quote(a) for a in [CIO_HOST, "--component", COMPONENT, "--emulator", "mcp", *flags])
    script = f"set -o pipefail; {cmd} 2>>{shlex.quote(err)} | tee -a {shlex.quote(out)}"
    return StdioServerParameters(command="bash", args=["-c", script], env=dict(os.environ))


def structured(result):
    check(result.structured_content is not None, f"no structured content: {result}")
    return result.structured_content


def error_of(result):
    """The typed connector error of a tool error (JSON text content; no structured content, which
    clients would check against the tool's output schema)."""
    check(result.is_error, f"expected a tool error, got {result}")
    check(result.structured_content is None, f"structured content on an error: {result}")
    e = json.loads(result.content[0].text)["error"]
    for key in ("kind", "message", "fix_by", "retryable", "status", "pointers"):
        check(key in e, f"typed error lacks {key}: {e}")
    return e


async def full_mode():
    async with stdio_client(server("full")) as (read, write):
        async with ClientSession(read, write) as s:
            init = await s.initialize()
            check(init.capabilities.tools is not None, "no tools capability")
            tools = (await s.list_tools()).tools
            by_name = {t.name: t for t in tools}
            check(len(tools) == len(OPS) + 1, f"{len(tools)} tools for {len(OPS)} operations")
            for op_id, op in OPS.items():
                t = by_name[tool_name(op_id)]
                a, h = t.annotations, op["hints"]
                check(
                    (a.read_only_hint, a.destructive_hint, a.idempotent_hint, a.open_world_hint)
                    == (h["read_only"], h["destructive"], h["idempotent"], True),
                    f"annotations of {t.name}: {a} vs {h}",
                )
                check(t.input_schema == op["input_schema"], f"input schema of {t.name}")
                check(t.output_schema == op["output_schema"], f"output schema of {t.name}")
            print(f"python: {len(tools)} tools, annotations match every operation's hints")

            auth = await s.call_tool("authenticate", {"connector": "app"})
            check(not auth.is_error and structured(auth)["region"] == "us", f"authenticate: {auth}")

            ident = await s.call_tool(
                "track__customer__identify",
                {"id": "py@example.com", "id_type": "email", "attributes": {"plan": "pro"}},
            )
            check(not ident.is_error and structured(ident) == {}, f"identify: {ident}")
            meta = ident.meta if isinstance(ident.meta, dict) else ident.meta.model_dump(by_alias=True)
            check(meta["status"] == 200 and meta["requests"] == 1, f"identify meta: {meta}")
            print("python: identify ok")

            raw = await s.call_tool(
                "app__raw_http_request",
                {"method": "GET", "endpoint": "/campaigns/8/triggers/1", "debug": True},
            )
            body = structured(raw)
            check(not raw.is_error and body["status"] == 200, f"raw: {raw}")
            check(body["body"]["broadcast_id"] == 8, f"raw body: {body}")
            print("python: raw request ok", body["url"])

            lookup = await s.call_tool("app__segment__lookup", {})
            options = structured(lookup)["result"]
            check(not lookup.is_error and options, f"lookup: {lookup}")
            done = await s.complete(
                PromptReference(type="ref/prompt", name="app__segment__get"),
                {"name": "segment_id", "value": ""},
            )
            values = done.completion.values
            check(sorted(values) == sorted(str(o["value"]) for o in options), f"completion {values}")
            prompt = await s.get_prompt("app__segment__get", {"segment_id": values[0]})
            check("app__segment__get" in prompt.messages[0].content.text, f"prompt: {prompt}")
            print(f"python: lookup {len(options)} options, completion {values}")

            missing = await s.call_tool("app__segment__get", {"segment_id": 999999})
            e = error_of(missing)
            check(e["kind"] == "not-found" and e["fix_by"] == "user", f"not-found error: {e}")
            bad = await s.call_tool("track__customer__identify", {"id_type": "email"})
            e = error_of(bad)
            check(e["kind"] == "invalid-input" and e["retryable"] is False, f"invalid-input: {e}")
            print("python: typed errors", "not-found,", "invalid-input", e["pointers"])

            # One call's latency through MCP (stdio, emulator on loopback).
            args = {"id": "latency@example.com", "id_type": "email", "attributes": {"n": 1}}
            samples = []
            for _ in range(30):
                t0 = time.perf_counter()
                r = await s.call_tool("track__customer__identify", args)
                samples.append((time.perf_counter() - t0) * 1000)
                check(not r.is_error, f"latency call: {r}")
            MEASURE["identify_latency_ms_median"] = round(statistics.median(samples), 2)
            MEASURE["identify_latency_ms_p90"] = round(sorted(samples)[26], 2)
            print(f"python: identify through MCP, median {MEASURE['identify_latency_ms_median']} ms")


async def read_only_mode():
    async with stdio_client(server("readonly", "--read-only")) as (read, write):
        async with ClientSession(read, write) as s:
            await s.initialize()
            tools = (await s.list_tools()).tools
            expected = sum(1 for o in OPS.values() if o["hints"]["read_only"])
            check(len(tools) == expected + 1, f"{len(tools)} read-only tools, expected {expected + 1}")
            check(all(t.annotations.read_only_hint for t in tools), "a tool that is not read-only")
            check("track__customer__delete" not in {t.name for t in tools}, "delete served")
            listed = await s.call_tool("app__segment__list", {})
            check(not listed.is_error and structured(listed)["segments"], f"list: {listed}")
            print(f"python: read-only mode {len(tools)} tools, app.segment.list ok")


async def compact_mode():
    async with stdio_client(server("compact", "--compact")) as (read, write):
        async with ClientSession(read, write) as s:
            await s.initialize()
            tools = (await s.list_tools()).tools
            names = [t.name for t in tools]
            check(
                names == ["authenticate", "search_operations", "describe_operation", "run_operation"],
                f"compact tools {names}",
            )
            found = structured(await s.call_tool("search_operations", {"query": "identify person"}))
            check(any(o["id"] == "track.customer.identify" for o in found["operations"]), f"{found}")
            d = structured(await s.call_tool("describe_operation", {"operation": "track.customer.identify"}))
            check(d["input_schema"] == OPS["track.customer.identify"]["input_schema"], "describe")
            r = await s.call_tool(
                "run_operation",
                {"operation": "track.customer.identify", "input": {"id": "compact@example.com"}},
            )
            check(not r.is_error and structured(r) == {}, f"run_operation: {r}")
            e = error_of(await s.call_tool("run_operation", {"operation": "nope.nope"}))
            check(e["kind"] == "unknown-operation", f"{e}")
            print("python: compact mode search/describe/run ok")


async def http_mode():
    err = open(f"{WORK}/http.err", "w")
    proc = subprocess.Popen(
        [CIO_HOST, "--component", COMPONENT, "--emulator", "mcp", "--listen", "127.0.0.1:0"],
        stdin=subprocess.DEVNULL,
        stdout=open(f"{WORK}/http.out", "w"),
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = proc.stderr.readline()
        err.write(line)
        url = json.loads(line)["listening"]
        check(url.startswith("http://127.0.0.1:"), url)
        async with streamable_http_client(url) as (read, write):
            async with ClientSession(read, write) as s:
                await s.initialize()
                tools = (await s.list_tools()).tools
                check(len(tools) == len(OPS) + 1, f"http: {len(tools)} tools")
                r = await s.call_tool("track__customer__identify", {"id": "http@example.com"})
                check(not r.is_error and structured(r) == {}, f"http identify: {r}")
        print(f"python: Streamable HTTP at {url} ok")
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        err.write(proc.stderr.read())
        err.close()
    refused = subprocess.run(
        [CIO_HOST, "--component", COMPONENT, "--emulator", "mcp", "--listen", "0.0.0.0:0"],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
    )
    open(f"{WORK}/refused.err", "w").write(refused.stderr)
    check(refused.returncode == 2 and "loopback" in refused.stderr, f"non-loopback: {refused}")
    print("python: --listen 0.0.0.0:0 refused")


def tool_list_bytes(name):
    """Size of the tools/list result line the server wrote."""
    for line in open(f"{WORK}/{name}.out", "rb"):
        msg = json.loads(line)
        if "tools" in msg.get("result", {}):
            return len(line.rstrip(b"\n"))
    raise AssertionError(f"no tools/list answer in {name}.out")


async def main():
    from importlib.metadata import version

    print(f"python: mcp {version('mcp')} (official Python SDK)")
    await full_mode()
    await read_only_mode()
    await compact_mode()
    await http_mode()
    MEASURE["tools_list_bytes_full"] = tool_list_bytes("full")
    MEASURE["tools_list_bytes_read_only"] = tool_list_bytes("readonly")
    MEASURE["tools_list_bytes_compact"] = tool_list_bytes("compact")
    json.dump(MEASURE, open(f"{WORK}/measurements.json", "w"), indent=1)
    print("python: measurements", json.dumps(MEASURE))


asyncio.run(main())

#!/usr/bin/env python3
"""A storm of logins with wrong bcrypt passwords against one server (issue 11).

N attackers log in as `victim` with wrong passwords, again as soon as they are refused, for
DURATION seconds. Meanwhile and right after, right passwords log in: `victim` (who logged in
once before the storm), and first logins of other users. Prints login times, refusals, the
server's thread count and RSS, and a connected pair's round trips during the storm.

    scripts/bench-login-storm.py SERVER_BINARY [ATTACKERS] [DURATION] [COST]

Needs the Python bcrypt package (pip install bcrypt) to make the config's hashes.
"""
import asyncio
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time

import bcrypt

BINARY = sys.argv[1]
ATTACKERS = int(sys.argv[2]) if len(sys.argv) > 2 else 500
DURATION = float(sys.argv[3]) if len(sys.argv) > 3 else 20
COST = int(sys.argv[4]) if len(sys.argv) > 4 else 11
USERS = ["victim", "pair"] + [f"first{i}" for i in range(12)]


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


async def log_in(port, user, password, timeout=30):
    """Seconds to PONG, or the refusal text."""
    start = time.monotonic()
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
    except OSError as e:
        return None, str(e)
    try:
        writer.write(f'CONNECT {{"user":"{user}","pass":"{password}","verbose":false}}\r\nPING\r\n'.encode())
        seen = b""
        while True:
            chunk = await asyncio.wait_for(reader.read(4096), timeout)
            if not chunk:
                return None, seen.decode(errors="replace").split("\r\n")[-2:]
            seen += chunk
            if b"PONG\r\n" in seen:
                return time.monotonic() - start, None
            if b"-ERR" in seen:
                return None, seen[seen.index(b"-ERR"):].split(b"\r\n")[0].decode()
    except (asyncio.TimeoutError, OSError) as e:
        return None, repr(e)
    finally:
        writer.close()


def proc_stats(pid):
    threads = len(os.listdir(f"/proc/{pid}/task"))
    with open(f"/proc/{pid}/status") as f:
        rss = next(int(line.split()[1]) for line in f if line.startswith("VmRSS:"))
    return threads, rss


async def main():
    hashes = {u: bcrypt.hashpw(f"{u}-right".encode(), bcrypt.gensalt(COST)).decode() for u in USERS}
    users = "\n".join(f'  {{user: {u}, password: "{h}"}}' for u, h in hashes.items())
    conf = tempfile.NamedTemporaryFile("w", suffix=".conf", delete=False)
    conf.write(f"authorization {{ users: [\n{users}\n] }}\n")
    conf.close()
    port = free_port()
    server = subprocess.Popen([BINARY, "-a", "127.0.0.1", "-p", str(port), "-c", conf.name],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port)).close()
                break
            except OSError:
                await asyncio.sleep(0.05)
        print(f"{BINARY}: {ATTACKERS} attackers, {DURATION:.0f} s, bcrypt cost {COST}")
        first, err = await log_in(port, "victim", "victim-right")
        print(f"  victim before the storm: {first if first is None else f'{first*1000:.0f} ms'} {err or ''}")
        # A connected pair measures round trips through the storm.
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b'CONNECT {"user":"pair","pass":"pair-right","verbose":false}\r\nSUB rtt 1\r\nPING\r\n')
        await reader.readuntil(b"PONG\r\n")
        stop = time.monotonic() + DURATION
        refusals = {"Authorization Violation": 0, "Authentication Timeout": 0, "other": 0}

        async def attack(i):
            n = 0
            while time.monotonic() < stop:
                n += 1
                _, err = await log_in(port, "victim", f"wrong-{i}-{n}")
                key = next((k for k in refusals if err and k in str(err)), "other")
                refusals[key] += 1

        async def pair():
            rtts = []
            while time.monotonic() < stop:
                t = time.monotonic()
                writer.write(b"PUB rtt 1\r\nx\r\n")
                await reader.readuntil(b"x\r\n")
                rtts.append(time.monotonic() - t)
                await asyncio.sleep(0.01)
            return rtts

        async def right_logins():
            results = []
            await asyncio.sleep(min(3, DURATION / 3))
            for i, user in enumerate(["victim", "first0", "first1", "victim", "first2"]):
                took, err = await log_in(port, user, f"{user}-right")
                results.append((user, took, err))
                await asyncio.sleep(DURATION / 8)
            return results

        attackers = [asyncio.create_task(attack(i)) for i in range(ATTACKERS)]
        stats = []

        async def sample():
            while time.monotonic() < stop:
                stats.append(proc_stats(server.pid))
                await asyncio.sleep(0.5)

        pair_task = asyncio.create_task(pair())
        sampler = asyncio.create_task(sample())
        during = await right_logins()
        rtts = await pair_task
        await sampler
        await asyncio.gather(*attackers)
        after = []
        for user in ["first3", "first4", "first5"]:
            took, err = await log_in(port, user, f"{user}-right")
            after.append((user, took, err))
        show = lambda took, err: f"{took*1000:.0f} ms" if took is not None else f"refused ({err})"
        for user, took, err in during:
            print(f"  during the storm, {user}: {show(took, err)}")
        for user, took, err in after:
            print(f"  right after the storm, {user}: {show(took, err)}")
        print(f"  refusals: {refusals}")
        print(f"  server threads max {max(t for t, _ in stats)}, RSS max {max(r for _, r in stats) // 1024} MiB")
        rtts.sort()
        p99 = rtts[int(len(rtts) * 0.99) - 1] if rtts else 0
        print(f"  connected pair: {len(rtts)} round trips, median {statistics.median(rtts)*1e6:.0f} us, "
              f"p99 {p99*1e6:.0f} us, max {rtts[-1]*1e6:.0f} us")
    finally:
        server.kill()
        os.unlink(conf.name)


asyncio.run(main())

"""ruff ASYNC220/221/222: creating, running and waiting on processes (asynclab: AL204)."""

import os
import subprocess


async def run_and_wait():
    subprocess.run("foo")  # expect: AL204
    subprocess.call("foo")  # expect: AL204
    subprocess.check_call("foo")  # expect: AL204
    subprocess.check_output("foo")  # expect: AL204
    subprocess.getoutput("foo")  # expect: AL204
    subprocess.getstatusoutput("foo")  # expect: AL204
    subprocess.Popen("foo")  # expect: AL204
    os.system("foo")  # expect: AL204
    os.popen("foo")  # expect: AL204
    os.posix_spawn("foo", [], {})  # expect: AL204
    os.posix_spawnp("foo", [], {})  # expect: AL204
    os.wait()  # expect: AL204
    os.wait3(0)  # expect: AL204
    os.wait4(10, 0)  # expect: AL204
    os.waitid(os.P_ALL, 0, os.WEXITED)  # expect: AL204
    os.waitpid(12, 0)  # expect: AL204
    await consume(
        subprocess.getoutput("foo")  # expect: AL204
    )
    subprocess.foo(0)
    subprocess.bar.foo()
    os.system.anything()
    os.anything()
    os.spawnllll()


async def spawns():
    os.spawnl(os.P_WAIT, "foo")  # expect: AL204
    os.spawnle(os.P_WAIT, "foo", {})  # expect: AL204
    os.spawnlp(os.P_WAIT, "foo")  # expect: AL204
    os.spawnlpe(os.P_WAIT, "foo", {})  # expect: AL204
    os.spawnv(os.P_WAIT, "foo", [])  # expect: AL204
    os.spawnve(os.P_WAIT, "foo", [], {})  # expect: AL204
    os.spawnvp(os.P_WAIT, "foo", [])  # expect: AL204
    os.spawnvpe(os.P_WAIT, "foo", [], {})  # expect: AL204
    # ruff calls a P_NOWAIT spawn ASYNC220 (creating) and a P_WAIT one ASYNC221 (running):
    # both block the loop while the process starts, one rule here.
    os.spawnl(os.P_NOWAIT, "foo")  # expect: AL204
    os.spawnl(mode=os.P_NOWAIT)  # expect: AL204


async def consume(value):
    return value


def sync_code():
    subprocess.run("foo")

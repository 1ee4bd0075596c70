#!/usr/bin/env python3
"""Runs the compile commands of a CMake build's sources under the given folders with
-fsyntax-only: the compiler's front end, and so clang's warnings (-Werror included),
without generating code. scripts/test.sh uses it for clang++'s pass over the benchmarks
and the example, whose code generation g++'s pass already does.

Usage: check_syntax.py BUILD_DIR FOLDER... [--jobs N]
BUILD_DIR must have been configured with -DCMAKE_EXPORT_COMPILE_COMMANDS=ON;
FOLDER is relative to the source tree (bench, examples). Exits 1 if any command fails.
"""
import argparse
import concurrent.futures
import json
import os
import shlex
import subprocess
import sys
import time


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("build")
    parser.add_argument("folders", nargs="+")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()

    source = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    roots = [os.path.join(source, folder) + os.sep for folder in args.folders]
    path = os.path.join(args.build, "compile_commands.json")
    try:
        with open(path) as f:
            entries = json.load(f)
    except OSError as e:
        sys.exit(f"{path}: {e.strerror} (configure with -DCMAKE_EXPORT_COMPILE_COMMANDS=ON)")
    selected = [e for e in entries if any(os.path.abspath(e["file"]).startswith(r) for r in roots)]
    if not selected:
        sys.exit(f"no compile commands for {', '.join(args.folders)} in {path}")

    def check(entry):
        command = entry["arguments"] if "arguments" in entry else shlex.split(entry["command"])
        # -fsyntax-only writes nothing, so the object file named by -o stays as it was.
        start = time.monotonic()
        done = subprocess.run(command + ["-fsyntax-only"], cwd=entry["directory"],
                              capture_output=True, text=True)
        return entry["file"], done, time.monotonic() - start

    failed = 0
    with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
        for file, done, seconds in pool.map(check, selected):
            name = os.path.relpath(file, source)
            print(f"{'ok    ' if done.returncode == 0 else 'FAILED'} {name} ({seconds:.0f} s)", flush=True)
            if done.returncode != 0:
                failed += 1
                sys.stderr.write(done.stdout + done.stderr)
    print(f"{len(selected) - failed} of {len(selected)} translation units pass the front end")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

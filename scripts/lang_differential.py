#!/usr/bin/env python3
"""CPython side of the campaign-language differential check (tests/lang_differential.rs).

Runs the unit tests of one campaign file the way UTScapy does (scapy/autorun.py): each test's
lines are fed one by one to an interactive compiler in 'single' mode, the line echoed after
`>>> ` or `... `, a trailing empty line closing a pending block; expression values are echoed
by a displayhook; the first exception prints a traceback and ends the test. The session state
(the globals) is carried from test to test within the file, as UTScapy and wirecraft do.

Unlike UTScapy, each statement is compiled with the campaign path as its file name and with
its lines at their line numbers in the campaign file, and the file is put in linecache, so the
traceback frames read `File "<campaign path>", line <N>, in <function>` followed by the source
line: the form wirecraft prints, which lets the harness compare frames too.

Two modes:
  lang_differential.py --json            read {"path", "text", "tests": [{"name", "lines":
                                         [[lineno, text], ...]}]} on stdin, write a JSON list of
                                         {"name", "transcript", "status", "exception"} on stdout
  lang_differential.py FILE.uts...       parse the files itself (a small reader of the campaign
                                         format) and print every test that does not pass
"""

import builtins
import codeop
import io
import json
import linecache
import sys
import traceback
import types


def _stub_modules():
    """`from scapy.all import *` and friends are no-ops in wirecraft: make them so here."""
    for name in (
        "scapy",
        "scapy.all",
        "scapy.layers",
        "scapy.layers.inet",
        "scapy.layers.l2",
        "scapy.layers.dns",
        "wirecraft",
        "wirecraft.all",
    ):
        mod = types.ModuleType(name)
        mod.__path__ = []
        mod.__all__ = []
        sys.modules[name] = mod


class _Display:
    """sys.displayhook as the console's: echo the repr, set `_`, remember the test's result."""

    def __init__(self, out):
        self.out = out
        self.echoed = False
        self.last = None

    def __call__(self, value):
        if value is None:
            return
        builtins._ = None
        self.out.write(repr(value) + "\n")
        builtins._ = value
        self.echoed = True
        self.last = value


_USER_LIMIT = [sys.getrecursionlimit()]


class _Budget:
    """The snippet's <module> runs below this harness's own frames: while it runs, the
    recursion limit is raised by that depth and sys.getrecursionlimit/setrecursionlimit show
    and set the limit as a top-level script sees it, so a runaway recursion repeats as many
    frames as under `python3 file.py` or the interactive console."""

    def __init__(self, shift):
        self.shift = shift
        self.saved = sys.getrecursionlimit()
        self.get, self.set = sys.getrecursionlimit, sys.setrecursionlimit
        self.done = False

        def getrecursionlimit():
            return self.get() - self.shift

        def setrecursionlimit(n):
            self.set(n)  # Python's own argument checks
            self.set(n + self.shift)

        self.set(_USER_LIMIT[0] + shift)
        sys.getrecursionlimit, sys.setrecursionlimit = getrecursionlimit, setrecursionlimit

    def end(self):
        if self.done:
            return
        self.done = True
        _USER_LIMIT[0] = self.get() - self.shift
        sys.getrecursionlimit, sys.setrecursionlimit = self.get, self.set
        self.set(self.saved)


def _depth():
    """How many frames the caller runs under (the caller included)."""
    f, n = sys._getframe(1), 0
    while f is not None:
        n += 1
        f = f.f_back
    return n


def run_test(ns, path, lines):
    """Runs one unit test: returns (transcript, status, exception line or None)."""
    out = io.StringIO()
    display = _Display(out)
    compiler = codeop.CommandCompiler()
    saved = sys.stdout, sys.stderr, sys.displayhook
    sys.stdout = sys.stderr = out
    sys.displayhook = display
    status, exc_line = "passed", None
    try:
        pending = []  # (lineno, text) of the statement being entered
        next_no = (lines[-1][0] + 1) if lines else 1
        queue = list(lines) + [(next_no, "")]
        i = 0
        while i < len(queue):
            lineno, text = queue[i]
            i += 1
            out.write(("... " if pending else ">>> ") + text + "\n")
            pending.append((lineno, text))
            source, cur = [], 1
            for no, t in pending:
                if no > cur:
                    source.append("\n" * (no - cur))
                    cur = no
                source.append(t + "\n")
                cur += 1
            src = "".join(source)[:-1]
            try:
                code = compiler(src, path, "single")
            except (SyntaxError, OverflowError, ValueError) as e:
                out.write("".join(traceback.format_exception_only(type(e), e)))
                status, exc_line = "failed", _last_line(e)
                break
            if code is None:
                continue
            pending = []
            budget = _Budget(_depth())
            try:
                exec(code, ns)
            except SystemExit:
                break
            except BaseException as e:  # noqa: B902 - the console reports everything
                budget.end()
                tb = e.__traceback__
                tb = tb.tb_next if tb is not None else None
                out.write("".join(traceback.format_exception(type(e), e, tb)))
                status, exc_line = "failed", _last_line(e)
                break
            finally:
                budget.end()
            if len(queue) - i <= 1:
                break
        else:
            if pending:
                # Input ended inside a statement: what compiling it as it stands says.
                try:
                    compile(src, path, "single")
                    status, exc_line = "failed", "SyntaxError: incomplete input"
                    out.write(exc_line + "\n")
                except (SyntaxError, OverflowError, ValueError) as e:
                    out.write("".join(traceback.format_exception_only(type(e), e)))
                    status, exc_line = "failed", _last_line(e)
    finally:
        sys.stdout, sys.stderr, sys.displayhook = saved
    if status == "passed" and display.echoed:
        try:
            if not display.last:
                status = "failed"
        except BaseException:  # noqa: B902 - a result whose truth cannot be taken fails
            status = "failed"
    return out.getvalue(), status, exc_line


def _last_line(e):
    lines = traceback.format_exception_only(type(e), e)
    return lines[-1].rstrip("\n") if lines else type(e).__name__


def run_file(path, text, tests):
    _stub_modules()
    linecache.cache[path] = (len(text), None, text.splitlines(True), path)
    ns = {"__name__": "__main__", "__builtins__": builtins}
    results = []
    for t in tests:
        lines = [(int(no), str(tx)) for no, tx in t["lines"]]
        transcript, status, exc = run_test(ns, path, lines)
        results.append(
            {"name": t["name"], "transcript": transcript, "status": status, "exception": exc}
        )
    return results


def parse_uts(path, text):
    """A small reader of the campaign format, for running this script by hand."""
    tests, cur = [], None
    for no, line in enumerate(text.split("\n"), 1):
        c = line[:1]
        if c == "=":
            cur = {"name": line[1:].strip(), "lines": []}
            tests.append(cur)
        elif c in ("%", "+"):
            cur = None
        elif c in ("~", "*", "#"):
            pass
        elif cur is not None:
            cur["lines"].append([no, line])
    for t in tests:
        ls = t["lines"]
        while ls and not ls[0][1].strip():
            ls.pop(0)
        while ls and not ls[-1][1].strip():
            ls.pop()
        if ls:
            ls[0][1] = ls[0][1].lstrip()
            ls[-1][1] = ls[-1][1].rstrip()
    return tests


def main(argv):
    if argv[1:] == ["--json"]:
        req = json.load(sys.stdin)
        results = run_file(req["path"], req["text"], req["tests"])
        sys.__stdout__.write(json.dumps(results))
        return 0
    bad = total = 0
    for path in argv[1:]:
        with open(path, encoding="utf-8") as f:
            text = f.read()
        for r in run_file(path, text, parse_uts(path, text)):
            total += 1
            if r["status"] != "passed":
                bad += 1
                print(f"=== {path}: {r['name']}: {r['status']}\n{r['transcript']}")
    print(f"{total - bad}/{total} passed in CPython {sys.version.split()[0]}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

#!/usr/bin/env python3
"""Prints the transcript CPython's interactive console gives for a snippet, as wirecraft's
console session writes it (prompts, echoed lines, output, tracebacks without the 3.11 caret
lines). Used to generate the expectations of tests/lang_syntax.rs and tests/lang_classes.rs.

Usage: pyconsole.py FILE   (each line of FILE is a console line; lines are numbered from 1)
"""
import codeop, os, re, sys, tempfile, traceback, io


def transcript(src, fname="t.uts"):
    lines = src.split("\n")
    out = io.StringIO()
    d = tempfile.mkdtemp()
    with open(os.path.join(d, fname), "w") as f:
        f.write(src + "\n")
    old = os.getcwd()
    os.chdir(d)
    ns = {"__name__": "__main__", "__builtins__": __builtins__}
    real_stdout = sys.stdout
    buf, first = [], 1

    def run(source, start):
        padded = "\n" * (start - 1) + source
        try:
            code = compile(padded, fname, "single", codeop.PyCF_DONT_IMPLY_DEDENT, True)
        except SyntaxError as e:
            out.write("".join(traceback.format_exception_only(type(e), e)))
            return False
        sys.stdout = out
        try:
            exec(code, ns)
        except BaseException as e:
            sys.stdout = real_stdout
            tb = traceback.format_exception(type(e), e, e.__traceback__.tb_next)
            text = "".join(tb)
            text = "\n".join(l for l in text.split("\n") if not re.fullmatch(r"\s*[\^~]+\s*", l))
            out.write(text)
            return False
        finally:
            sys.stdout = real_stdout
        return True

    sys.displayhook = lambda v: (v is not None and (out.write(repr(v) + "\n"), ns.__setitem__("_", v)))
    ok = True
    for i, line in enumerate(lines, 1):
        out.write(("... " if buf else ">>> ") + line + "\n")
        if not buf:
            first = i
        buf.append(line)
        source = "\n".join(buf)
        try:
            code = codeop.compile_command(source, fname, "single")
        except (SyntaxError, OverflowError, ValueError):
            code = "err"
        if code is None:
            continue
        buf = []
        if not run(source, first):
            ok = False
            break
    if ok and buf:
        out.write("... \n")
        run("\n".join(buf + [""]), first)
    os.chdir(old)
    return out.getvalue()


if __name__ == "__main__":
    src = open(sys.argv[1]).read()
    sys.stdout.write(transcript(src[:-1] if src.endswith("\n") else src))

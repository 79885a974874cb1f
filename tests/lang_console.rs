//! Console semantics: prompts, echo, `_`, blank lines, tracebacks and syntax errors, as
//! CPython 3.11's code.InteractiveInterpreter shows them when UTScapy drives it.
mod lang_support;
use lang_support::*;

use std::time::Duration;
use wirecraft::lang::{ExceptionInfo, Outcome, Session, SourceLine, StopFlag, StopReason};

fn completed(result: Option<bool>) -> Outcome {
    Outcome::Completed { result }
}

#[test]
fn demo_campaign_tests() {
    let mut s = Session::new("campaigns/examples/demo_campaign.uts", StopFlag::new());
    let (t, o) = run_in(&mut s, "a = 1\nprint(a)", 15);
    assert_eq!(t, ">>> a = 1\n>>> print(a)\n1\n");
    assert_eq!(o, completed(None));
    let (t, o) = run_in(&mut s, "b = 2\na == b", 22);
    assert_eq!(t, ">>> b = 2\n>>> a == b\nFalse\n");
    assert_eq!(o, completed(Some(false)));
    let (t, o) = run_in(&mut s, "d = b\nd is b", 35);
    assert_eq!(t, ">>> d = b\n>>> d is b\nTrue\n");
    assert_eq!(o, completed(Some(true)));
    let lines = [
        SourceLine {
            line: 41,
            text: "a = 2",
        },
        SourceLine {
            line: 42,
            text: "b = 3",
        },
        SourceLine {
            line: 43,
            text: "d = 4",
        },
        SourceLine {
            line: 44,
            text: "e = (a * b)**d",
        },
        SourceLine {
            line: 46,
            text: "e == 6",
        },
        SourceLine {
            line: 48,
            text: "assert (e == 7)",
        },
        SourceLine {
            line: 49,
            text: "e == 1296",
        },
    ];
    let mut out = String::new();
    let o = s.run_console(&lines, &mut out);
    assert_eq!(
        out,
        ">>> a = 2\n>>> b = 3\n>>> d = 4\n>>> e = (a * b)**d\n>>> e == 6\nFalse\n>>> assert (e == 7)\n\
         Traceback (most recent call last):\n  File \"campaigns/examples/demo_campaign.uts\", line 48, in <module>\n    assert (e == 7)\nAssertionError\n"
    );
    assert_eq!(
        o,
        Outcome::Raised(ExceptionInfo {
            type_name: "AssertionError".into(),
            message: String::new(),
            is_assertion: true
        })
    );
    // Variables persist from test to test.
    let (t, o) = run_in(&mut s, "print(e)\ne == 1296", 53);
    assert_eq!(t, ">>> print(e)\n1296\n>>> e == 1296\nTrue\n");
    assert_eq!(o, completed(Some(true)));
}

#[test]
fn compound_statements_echo_inside_blocks() {
    assert_eq!(
        transcript("for i in range(3):\n    i\n\nx = 5\nx"),
        ">>> for i in range(3):\n...     i\n... \n0\n1\n2\n>>> x = 5\n>>> x\n5\n"
    );
    // The trailing empty line is supplied after the last line.
    assert_eq!(
        transcript("if True:\n    'yes'"),
        ">>> if True:\n...     'yes'\n... \n'yes'\n"
    );
    assert_eq!(
        transcript("def f(x):\n    return x+1\n\nf(2)"),
        ">>> def f(x):\n...     return x+1\n... \n>>> f(2)\n3\n"
    );
    // Expressions in function bodies are not echoed.
    assert_eq!(
        transcript("def g():\n    5\n    return None\n\ng()"),
        ">>> def g():\n...     5\n...     return None\n... \n>>> g()\n"
    );
    assert_eq!(
        transcript("x = 0\nwhile x < 2:\n    x += 1\n    x\nelse:\n    'done'\n"),
        ">>> x = 0\n>>> while x < 2:\n...     x += 1\n...     x\n... else:\n...     'done'\n... \n1\n2\n'done'\n"
    );
    assert_eq!(
        transcript("if 0:\n  1\nelif 0:\n  2\nelse:\n  3\n"),
        ">>> if 0:\n...   1\n... elif 0:\n...   2\n... else:\n...   3\n... \n3\n"
    );
}

#[test]
fn blank_lines_and_comments() {
    assert_eq!(transcript("y = 1\n\ny"), ">>> y = 1\n>>> \n>>> y\n1\n");
    assert_eq!(
        transcript("# note\ny = 2  # c\ny"),
        ">>> # note\n>>> y = 2  # c\n>>> y\n2\n"
    );
}

#[test]
fn implicit_and_explicit_line_joining() {
    assert_eq!(
        transcript("a = [1,\n  2]\na"),
        ">>> a = [1,\n...   2]\n>>> a\n[1, 2]\n"
    );
    assert_eq!(
        transcript("b = 1 + \\\n  2\nb"),
        ">>> b = 1 + \\\n...   2\n>>> b\n3\n"
    );
    assert_eq!(
        transcript("a = 1; b = 2; a + b"),
        ">>> a = 1; b = 2; a + b\n3\n"
    );
    assert_eq!(
        transcript("if 1: 'x'; 'y'"),
        ">>> if 1: 'x'; 'y'\n... \n'x'\n'y'\n"
    );
}

#[test]
fn result_is_the_last_echoed_value() {
    assert_eq!(run("1\n0").1, completed(Some(false)));
    assert_eq!(run("0\n[1]").1, completed(Some(true)));
    assert_eq!(run("x = 0").1, completed(None));
    assert_eq!(run("None").1, completed(None));
    // The result is reset at each run, `_` persists.
    let mut s = Session::new("t.uts", StopFlag::new());
    assert_eq!(run_in(&mut s, "0", 1).1, completed(Some(false)));
    assert_eq!(run_in(&mut s, "y = 1", 2).1, completed(None));
    assert_eq!(run_in(&mut s, "_", 3).0, ">>> _\n0\n");
}

#[test]
fn underscore_holds_last_echo() {
    assert_eq!(
        transcript("6 * 7\n_ + 1\n_"),
        ">>> 6 * 7\n42\n>>> _ + 1\n43\n>>> _\n43\n"
    );
    assert_eq!(
        transcript("_"),
        ">>> _\nTraceback (most recent call last):\n  File \"t.uts\", line 1, in <module>\n    _\nNameError: name '_' is not defined\n"
    );
}

#[test]
fn tracebacks_name_file_lines_and_functions() {
    let src = "def f(x):\n    return 1/x\n\ndef g(y):\n    return f(y) + 1\n\ng(0)";
    let (t, o) = run(src);
    assert_eq!(
        t,
        ">>> def f(x):\n...     return 1/x\n... \n>>> def g(y):\n...     return f(y) + 1\n... \n>>> g(0)\n\
         Traceback (most recent call last):\n  File \"t.uts\", line 7, in <module>\n    g(0)\n  \
         File \"t.uts\", line 5, in g\n    return f(y) + 1\n  \
         File \"t.uts\", line 2, in f\n    return 1/x\nZeroDivisionError: division by zero\n"
    );
    assert_eq!(
        o,
        Outcome::Raised(ExceptionInfo {
            type_name: "ZeroDivisionError".into(),
            message: "division by zero".into(),
            is_assertion: false
        })
    );
    // A function defined in an earlier test keeps its own lines.
    let mut s = Session::new("t.uts", StopFlag::new());
    run_in(&mut s, "def h():\n    raise ValueError('bad')\n", 3);
    let (t, _) = run_in(&mut s, "h()", 20);
    assert_eq!(
        t,
        ">>> h()\nTraceback (most recent call last):\n  File \"t.uts\", line 20, in <module>\n    h()\n  File \"t.uts\", line 4, in h\n    raise ValueError('bad')\nValueError: bad\n"
    );
    // The first exception stops the test.
    let (t, _) = run("1/0\nprint('never')");
    assert!(!t.contains("never"));
}

#[test]
fn exception_messages() {
    for (src, last) in [
        ("assert 1 == 2, 'not equal'", "AssertionError: not equal"),
        ("raise KeyError", "KeyError"),
        ("raise KeyError('k')", "KeyError: 'k'"),
        ("raise ValueError", "ValueError"),
        ("raise 5", "TypeError: exceptions must derive from BaseException"),
        ("[1][2]", "IndexError: list index out of range"),
        ("1 + 'a'", "TypeError: unsupported operand type(s) for +: 'int' and 'str'"),
        ("x = 1\nx += 'a'", "TypeError: unsupported operand type(s) for +=: 'int' and 'str'"),
        ("'a'.foo", "AttributeError: 'str' object has no attribute 'foo'"),
        ("a, b = 1, 2, 3", "ValueError: too many values to unpack (expected 2)"),
        ("a, b, c = 1, 2", "ValueError: not enough values to unpack (expected 3, got 2)"),
        ("a, b = 1", "TypeError: cannot unpack non-iterable int object"),
        ("def f(a, b=1):\n  pass\n\nf()", "TypeError: f() missing 1 required positional argument: 'a'"),
        ("def f(a, b=1):\n  pass\n\nf(1, 2, 3)", "TypeError: f() takes from 1 to 2 positional arguments but 3 were given"),
        ("def f(a):\n  pass\n\nf(1, a=2)", "TypeError: f() got multiple values for argument 'a'"),
        ("def f(a):\n  pass\n\nf(b=2)", "TypeError: f() got an unexpected keyword argument 'b'"),
        ("def f():\n  x = x + 1\n\nf()", "UnboundLocalError: cannot access local variable 'x' where it is not associated with a value"),
        ("del zz", "NameError: name 'zz' is not defined"),
        ("d = {}\ndel d['a']", "KeyError: 'a'"),
        ("t = (1,)\nt[0] = 2", "TypeError: 'tuple' object does not support item assignment"),
    ] {
        let (t, o) = run(src);
        assert!(matches!(o, Outcome::Raised(_)), "{src}: {o:?}");
        assert_eq!(t.lines().last(), Some(last), "{src}:\n{t}");
    }
}

#[test]
fn statements() {
    assert_eq!(
        transcript("a = b = [1, 2, 3]\na[1:2] = [7, 8]\nb\ndel a[0]\na\na[::2]"),
        ">>> a = b = [1, 2, 3]\n>>> a[1:2] = [7, 8]\n>>> b\n[1, 7, 8, 3]\n>>> del a[0]\n>>> a\n[7, 8, 3]\n>>> a[::2]\n[7, 3]\n"
    );
    assert_eq!(
        eval_all("(a, [b, c]), *d = (1, (2, 3)), 4, 5\na, b, c, d"),
        "(1, 2, 3, [4, 5])"
    );
    assert_eq!(eval_all("l = [1]\nm = l\nl += [2]\nm"), "[1, 2]");
    assert_eq!(eval_all("d = {}\nd['k'] = 1\nd['k'] += 2\nd"), "{'k': 3}");
    assert_eq!(
        eval_all("s = 0\nfor i in range(10):\n    if i == 5:\n        break\n    if i % 2:\n        continue\n    s += i\nelse:\n    s = -1\n\ns"),
        "6"
    );
    assert_eq!(
        eval_all("for i in []:\n  pass\nelse:\n  r = 'else'\n\nr"),
        "'else'"
    );
    assert_eq!(
        eval_all("n = 0\ndef inc():\n    global n\n    n += 1\n\ninc(); inc()\nn"),
        "2"
    );
    assert_eq!(
        eval_all("def fact(n):\n    if n <= 1:\n        return 1\n    return n * fact(n - 1)\n\nfact(30)"),
        "265252859812191058636308480000000"
    );
    assert_eq!(
        eval_all("def f(a, b=2, c=3):\n  return a, b, c\n\nf(1, c=5)"),
        "(1, 2, 5)"
    );
    assert!(!eval_all("def f(*a):\n  pass\n\n1").is_empty());
    assert_eq!(eval_all("print(1, 2, sep='-', end='!\\n')"), "1-2!");
    assert_eq!(eval_all("x: int = 3\nx"), "3");
    assert_eq!(
        eval_all("l = [3, 1, 2]\nl.sort(reverse=True)\nl.append(0)\nl"),
        "[3, 2, 1, 0]"
    );
}

/// The console output after the last prompt line of `src`.
fn eval_all(src: &str) -> String {
    let (t, _) = run(src);
    let last_prompt = t.rfind(">>> ").unwrap_or(0);
    let tail = &t[last_prompt..];
    let after = tail.split_once('\n').map(|(_, r)| r).unwrap_or("");
    after.trim_end_matches('\n').to_string()
}

#[test]
fn syntax_errors() {
    let (t, o) = run("x = 1\nprint(\"done\"\ny");
    assert_eq!(
        t,
        ">>> x = 1\n>>> print(\"done\"\n... y\n  File \"t.uts\", line 3\n    y\n    ^\nSyntaxError: invalid syntax\n"
    );
    assert!(
        matches!(o, Outcome::Raised(ExceptionInfo { ref type_name, .. }) if type_name == "SyntaxError")
    );
    assert_eq!(
        transcript("for i in range(2):\n    i\nx = 5"),
        ">>> for i in range(2):\n...     i\n... x = 5\n  File \"t.uts\", line 3\n    x = 5\n    ^\nSyntaxError: invalid syntax\n"
    );
    assert_eq!(
        transcript("x = = 2"),
        ">>> x = = 2\n  File \"t.uts\", line 1\n    x = = 2\n        ^\nSyntaxError: invalid syntax\n"
    );
    assert_eq!(
        transcript("if 1:\ny"),
        ">>> if 1:\n... y\n  File \"t.uts\", line 2\n    y\n    ^\nIndentationError: expected an indented block after 'if' statement on line 1\n"
    );
    assert_eq!(
        transcript("   x = 1"),
        ">>>    x = 1\n  File \"t.uts\", line 1\n    x = 1\nIndentationError: unexpected indent\n"
    );
    assert_eq!(
        transcript("print \"hi\""),
        ">>> print \"hi\"\n  File \"t.uts\", line 1\n    print \"hi\"\n    ^^^^^^^^^^\nSyntaxError: Missing parentheses in call to 'print'. Did you mean print(...)?\n"
    );
    assert_eq!(
        transcript("a = (1,\n2]"),
        ">>> a = (1,\n... 2]\n  File \"t.uts\", line 2\n    2]\n     ^\nSyntaxError: closing parenthesis ']' does not match opening parenthesis '(' on line 1\n"
    );
    assert_eq!(
        transcript("s = \"abc"),
        ">>> s = \"abc\n  File \"t.uts\", line 1\n    s = \"abc\n        ^\nSyntaxError: unterminated string literal (detected at line 1)\n"
    );
    assert_eq!(
        transcript("return 1"),
        ">>> return 1\n  File \"t.uts\", line 1\n    return 1\n    ^\nSyntaxError: 'return' outside function\n"
    );
    assert_eq!(
        transcript("1 = x").lines().last(),
        Some("SyntaxError: cannot assign to literal here. Maybe you meant '==' instead of '='?")
    );
    assert_eq!(transcript("f() = 1").lines().last(), Some("SyntaxError: cannot assign to function call here. Maybe you meant '==' instead of '='?"));
    assert_eq!(
        transcript("break").lines().last(),
        Some("SyntaxError: 'break' outside loop")
    );
    assert_eq!(transcript("x = 012").lines().last(), Some("SyntaxError: leading zeros in decimal integer literals are not permitted; use an 0o prefix for octal integers"));
}

#[test]
fn unsupported_constructs_are_named() {
    for (src, msg) in [
        ("yield 3", "`yield` is not supported"),
        ("async def f(): pass", "`async` is not supported"),
        ("await x", "`await` is not supported"),
        (
            "if (n := 1): pass",
            "the walrus operator `:=` is not supported",
        ),
        ("match x:", "`match` is not supported"),
        ("x = 1j", "complex numbers are not supported"),
        ("x = a @ b", "the `@` operator is not supported"),
        ("x = yield", "`yield` is not supported"),
    ] {
        let (t, o) = run(src);
        assert_eq!(
            t.lines().last(),
            Some(format!("SyntaxError: {msg}").as_str()),
            "{src}:\n{t}"
        );
        assert!(t.contains("  File \"t.uts\", line "), "{t}");
        assert!(matches!(o, Outcome::Raised(_)));
    }
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    let src = format!("x = {}1{}", "(".repeat(300), ")".repeat(300));
    assert_eq!(
        transcript(&src).lines().last(),
        Some("SyntaxError: too many nested parentheses")
    );
    let ok = format!("x = {}1{}\nx", "(".repeat(150), ")".repeat(150));
    assert!(transcript(&ok).ends_with(">>> x\n1\n"));
    // Constant operands fold at compile time, whatever their number.
    let folded = vec!["1"; 5000].join(" + ");
    assert!(transcript(&folded).ends_with("\n5000\n"));
    // Deeper than the compiler's limit: an error, never a stack overflow.
    let long = format!("a = 1\nx = {}", vec!["a"; 5000].join(" + "));
    let t = transcript(&long);
    assert_eq!(
        t.lines().last(),
        Some("RecursionError: maximum recursion depth exceeded during compilation"),
        "{t}"
    );
    let minus = format!("a = 1\nx = {}a", "-".repeat(5000));
    assert!(transcript(&minus)
        .lines()
        .last()
        .unwrap_or("")
        .contains("RecursionError"));
}

#[test]
fn recursion_limit() {
    let (t, o) = run("def f(n):\n    return f(n + 1)\n\nf(0)");
    assert_eq!(
        t.lines().last(),
        Some("RecursionError: maximum recursion depth exceeded")
    );
    assert!(
        matches!(o, Outcome::Raised(ExceptionInfo { ref type_name, .. }) if type_name == "RecursionError")
    );
    // Recursion below the limit works.
    assert_eq!(
        eval_all("def d(n):\n    return 0 if n == 0 else 1 + d(n - 1)\n\nd(900)"),
        "900"
    );
}

#[test]
fn huge_ints_are_bounded() {
    assert_eq!(eval_all("len(str(2**10000))"), "3011");
    assert_eq!(eval_all("x = 2**100000\nx.bit_length()"), "100001");
    assert_eq!(
        transcript("2**(10**10)").lines().last(),
        Some("MemoryError")
    );
    assert_eq!(
        transcript("1 << (10**10)").lines().last(),
        Some("MemoryError")
    );
    assert_eq!(
        transcript("[0] * (10**10)").lines().last(),
        Some("MemoryError")
    );
    assert!(transcript("2**100000")
        .lines()
        .last()
        .unwrap_or("")
        .starts_with("ValueError: Exceeds the limit (4300 digits)"));
}

#[test]
fn timeout_stops_an_infinite_loop() {
    let stop = StopFlag::new();
    let s2 = stop.clone();
    let h = std::thread::Builder::new()
        .stack_size(256 << 20)
        .spawn(move || {
            let mut s = Session::new("t.uts", s2);
            let lines = [
                SourceLine {
                    line: 1,
                    text: "while True:",
                },
                SourceLine {
                    line: 2,
                    text: "    pass",
                },
            ];
            let mut out = String::new();
            let o = s.run_console(&lines, &mut out);
            (out, o)
        })
        .expect("spawn");
    std::thread::sleep(Duration::from_millis(100));
    stop.request(StopReason::Timeout);
    let (out, o) = h.join().expect("join");
    assert_eq!(o, Outcome::Stopped(StopReason::Timeout));
    assert_eq!(out, ">>> while True:\n...     pass\n... \n");
}

#[test]
fn interrupt_raises_keyboard_interrupt() {
    let stop = StopFlag::new();
    let s2 = stop.clone();
    let h = std::thread::Builder::new()
        .stack_size(256 << 20)
        .spawn(move || {
            let mut s = Session::new("t.uts", s2);
            let mut out = String::new();
            let lines = [
                SourceLine {
                    line: 7,
                    text: "def spin():",
                },
                SourceLine {
                    line: 8,
                    text: "    while 1: pass",
                },
                SourceLine { line: 9, text: "" },
                SourceLine {
                    line: 10,
                    text: "spin()",
                },
            ];
            let o = s.run_console(&lines, &mut out);
            (out, o)
        })
        .expect("spawn");
    std::thread::sleep(Duration::from_millis(100));
    stop.request(StopReason::Interrupt);
    let (out, o) = h.join().expect("join");
    assert_eq!(o, Outcome::Stopped(StopReason::Interrupt));
    assert!(
        out.ends_with("Traceback (most recent call last):\n  File \"t.uts\", line 10, in <module>\n    spin()\n  File \"t.uts\", line 8, in spin\n    while 1: pass\nKeyboardInterrupt\n"),
        "{out}"
    );
}

#[test]
fn run_module_prints_without_echo() {
    let mut s = Session::new("t.uts", StopFlag::new());
    let mut out = String::new();
    let o = s.run_module(
        "lib.py",
        "def sq(x):\n    return x * x\n\n5\nprint(sq(4))\n",
        &mut out,
    );
    assert_eq!(out, "16\n");
    assert_eq!(o, Outcome::Completed { result: None });
    let (t, _) = run_in(&mut s, "sq(3)", 1);
    assert_eq!(t, ">>> sq(3)\n9\n");
    let mut out = String::new();
    let o = s.run_module("bad.py", "x = 1\ny = (\n", &mut out);
    assert!(matches!(o, Outcome::Raised(_)));
    assert_eq!(
        out,
        "  File \"bad.py\", line 2\n    y = (\n        ^\nSyntaxError: '(' was never closed\n"
    );
}

#[test]
fn warnings_go_to_the_transcript() {
    let mut s = Session::new("t.uts", StopFlag::new());
    let mut out = String::new();
    s.warning(&mut out, "bad dataofs");
    assert_eq!(out, "WARNING: bad dataofs\n");
}

/// The console keeps the lines of an open block parsed between steps; a block typed again later
/// (same text, other lines) must still name its own lines, and a syntax error in the middle of a
/// long block is reported at the line typed.
#[test]
fn blocks_typed_again_name_their_own_lines() {
    let mut s = Session::new("t.uts", StopFlag::new());
    let block = "def f():\n    x = 1\n    raise ValueError(x)\n\nf()";
    let (t, _) = run_in(&mut s, block, 3);
    assert!(
        t.contains("File \"t.uts\", line 5, in f\n"),
        "first block: {t}"
    );
    let (t, _) = run_in(&mut s, block, 30);
    assert!(
        t.contains("File \"t.uts\", line 34, in <module>\n")
            && t.contains("File \"t.uts\", line 32, in f\n"),
        "second block: {t}"
    );
    let (t, o) = run_in(
        &mut s,
        "def g():\n    a = 1\n    b = (2 +\n    c = )\n    d = 4",
        50,
    );
    assert!(t.contains("File \"t.uts\", line 53\n"), "syntax error: {t}");
    assert!(!t.contains("d = 4"), "stops at the error: {t}");
    assert!(matches!(o, Outcome::Raised(_)));
}

//! Library behaviour that needs statements or the host: files, lazy iteration inside `for`,
//! `print(file=)`, `time.sleep` under the runner's timeout, the import hook, the name tables.
mod lang_support;
use lang_support::*;

use wirecraft::lang::{Outcome, Session, StopFlag, StopReason};

fn tmp(name: &str) -> String {
    let dir = std::env::temp_dir().join(format!("wirecraft-lang-lib-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    dir.join(name).to_string_lossy().to_string()
}

#[test]
fn files_write_read_iterate_and_close() {
    let p = tmp("f.txt");
    let src = format!(
        "f = open('{p}', 'w')\nf.write('one\\ntwo\\n')\nf.writelines(['three\\n'])\nf.close()\n\
         f = open('{p}')\nf.readline()\nf.read(3)\nf.readlines()\nf.read()\nf.close()\nf.closed\n\
         f.read()\nopen('{p}').readlines()\nfor line in open('{p}'):\n    print(repr(line))\n\n\
         f = open('{p}', 'rb')\nf.read(2)\nf\nf.__enter__() is f\nf.__exit__(None, None, None)\nf.closed\n\
         f = open('{p}', 'a')\nprint('four', file=f)\nf.close()\nopen('{p}').read()\n\
         open('{p}', 'wb').write(b'\\x00\\xff')\nopen('{p}', 'rb').read()\nopen('{p}', 'w').write(b'x')\n"
    );
    let t = transcript(&src);
    for want in [
        ">>> f.write('one\\ntwo\\n')\n8\n",
        ">>> f.readline()\n'one\\n'\n",
        ">>> f.read(3)\n'two'\n",
        ">>> f.readlines()\n['\\n', 'three\\n']\n",
        ">>> f.read()\n''\n",
        ">>> f.closed\nTrue\n",
        "ValueError: I/O operation on closed file.\n",
    ] {
        assert!(t.contains(want), "missing {want:?} in\n{t}");
    }
    let (t, _) = run(&src.replace("f.read()\nopen(", "open("));
    for want in [
        "['one\\n', 'two\\n', 'three\\n']\n",
        "'one\\n'\n'two\\n'\n'three\\n'\n",
        ">>> f.read(2)\nb'on'\n",
        &format!(">>> f\n<_io.BufferedReader name='{p}'>\n"),
        ">>> f.__enter__() is f\nTrue\n",
        // io's __exit__ returns None, which the console does not echo (CPython 3.11).
        ">>> f.__exit__(None, None, None)\n>>> f.closed\nTrue\n",
        "'one\\ntwo\\nthree\\nfour\\n'\n",
        ">>> open('",
        "b'\\x00\\xff'\n",
        "TypeError: write() argument must be str, not bytes\n",
    ] {
        assert!(t.contains(want), "missing {want:?} in\n{t}");
    }
}

#[test]
fn open_errors_are_oserrors_with_errno() {
    let t = transcript("open('/nonexistent/dir/x')");
    assert!(
        t.ends_with(
            "FileNotFoundError: [Errno 2] No such file or directory: '/nonexistent/dir/x'\n"
        ),
        "{t}"
    );
    let t = transcript("open('/tmp', 'w')");
    assert!(
        t.ends_with("IsADirectoryError: [Errno 21] Is a directory: '/tmp'\n"),
        "{t}"
    );
}

#[test]
fn for_loops_step_lazy_iterators() {
    let t = transcript(
        "it = iter([1, 2, 3, 4, 5])\nfor x in it:\n    print(x, next(it, None))\n\n\
         m = map(print, ['a', 'b'])\nm\nlist(m)\nlist(m)\n\
         for k in {'a': 1, 'b': 2}.keys():\n    print(k)\n\n\
         d = {'a': 1}\nfor k in d:\n    d['x'] = 1\n",
    );
    assert!(t.contains("1 2\n3 4\n5 None\n"), "{t}");
    assert!(t.contains(">>> m\n<map object at 0x"), "{t}");
    assert!(
        t.contains(">>> list(m)\na\nb\n[None, None]\n>>> list(m)\n[]\n"),
        "{t}"
    );
    assert!(t.contains("a\nb\n"), "{t}");
    assert!(
        t.ends_with("RuntimeError: dictionary changed size during iteration\n"),
        "{t}"
    );
}

#[test]
fn sleep_is_stopped_by_the_timeout() {
    let stop = StopFlag::new();
    let s2 = stop.clone();
    let h = std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_millis(200));
        s2.request(StopReason::Timeout);
    });
    let started = std::time::Instant::now();
    let out = std::thread::Builder::new()
        .stack_size(64 << 20)
        .spawn(move || {
            let mut s = Session::new("t.uts", stop);
            run_in(&mut s, "__import__('time').sleep(30)", 1).1
        })
        .expect("spawn")
        .join()
        .expect("join");
    let _ = h.join();
    assert_eq!(out, Outcome::Stopped(StopReason::Timeout));
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
}

#[test]
fn print_to_sys_streams_and_files() {
    let t = transcript("sys = __import__('sys')\nprint('x', 1, sep='-', file=sys.stdout)\nsys.stdout.write('y\\n')");
    assert!(t.contains("x-1\n"), "{t}");
    assert!(t.contains("y\n2\n"), "{t}");
}

#[test]
fn module_errors_carry_qualified_names() {
    let t = transcript("__import__('struct').unpack('>I', b'')");
    assert!(
        t.ends_with("struct.error: unpack requires a buffer of 4 bytes\n"),
        "{t}"
    );
    let t = transcript("__import__('binascii').unhexlify('a')");
    assert!(t.ends_with("binascii.Error: Odd-length string\n"), "{t}");
    let t = transcript("__import__('nosuch')");
    assert!(
        t.ends_with("ModuleNotFoundError: No module named 'nosuch'\n"),
        "{t}"
    );
}

#[test]
fn import_hook_contract() {
    use wirecraft::lang::import_hook;
    use wirecraft::lang::modules;
    for noop in [
        "scapy",
        "scapy.all",
        "scapy.layers.inet",
        "wirecraft",
        "wirecraft.x",
    ] {
        assert!(modules::is_noop(noop), "{noop}");
    }
    assert!(!modules::is_noop("scapyx"));
    for m in wirecraft::lang::names::module_names() {
        assert!(modules::exists(m), "{m}");
    }
    // star_names lists a module's public attributes.
    let mut st = wirecraft::lang::interp::State::new(StopFlag::new());
    let m = modules::create_in(&mut st, "math")
        .expect("math exists")
        .ok()
        .expect("builds");
    let names: Vec<String> = import_hook::star_names(&m)
        .into_iter()
        .map(|(n, _)| n)
        .collect();
    assert!(names.contains(&"sqrt".to_string()) && names.contains(&"pi".to_string()));
}

#[test]
fn name_tables_cover_the_documented_names() {
    use wirecraft::lang::names;
    let b = names::builtin_names();
    for n in [
        "print",
        "len",
        "range",
        "enumerate",
        "zip",
        "map",
        "filter",
        "sorted",
        "reversed",
        "sum",
        "min",
        "max",
        "abs",
        "all",
        "any",
        "int",
        "float",
        "str",
        "bytes",
        "bytearray",
        "bool",
        "list",
        "tuple",
        "dict",
        "set",
        "frozenset",
        "repr",
        "hex",
        "oct",
        "bin",
        "ord",
        "chr",
        "round",
        "divmod",
        "pow",
        "isinstance",
        "issubclass",
        "type",
        "hasattr",
        "getattr",
        "setattr",
        "id",
        "hash",
        "iter",
        "next",
        "callable",
        "vars",
        "dir",
        "globals",
        "locals",
        "object",
        "NotImplemented",
        "open",
        "BaseException",
        "Exception",
        "AssertionError",
        "ValueError",
        "TypeError",
        "KeyError",
        "IndexError",
        "AttributeError",
        "NameError",
        "ZeroDivisionError",
        "StopIteration",
        "KeyboardInterrupt",
        "SystemExit",
        "OSError",
        "FileNotFoundError",
        "PermissionError",
        "TimeoutError",
        "NotImplementedError",
        "RuntimeError",
        "RecursionError",
        "ImportError",
        "ModuleNotFoundError",
        "OverflowError",
        "UnicodeDecodeError",
        "UnicodeEncodeError",
        "LookupError",
        "ArithmeticError",
    ] {
        assert!(b.contains(&n), "builtin {n} missing");
    }
    assert!(names::methods_of("str").contains(&"split"));
    assert!(names::methods_of("bytearray").contains(&"append"));
    assert!(names::methods_of("dict").contains(&"setdefault"));
    for (m, f) in [
        ("time", "sleep"),
        ("struct", "pack"),
        ("random", "randint"),
        ("os", "getcwd"),
        ("os.path", "join"),
        ("re", "sub"),
        ("binascii", "crc32"),
        ("zlib", "decompress"),
        ("math", "isclose"),
        ("base64", "urlsafe_b64decode"),
        ("hashlib", "sha256"),
        ("socket", "inet_pton"),
    ] {
        assert!(
            names::module_functions(m).iter().any(|x| x == f),
            "{m}.{f} missing"
        );
    }
}

//! `sys`: the parts scripts use (argv, exit, maxsize, byteorder, version_info, stdout/stderr,
//! recursion limit).

use crate::funcs;
use crate::lang::exceptions::{Exc, ExcKind, PResult};
use crate::lang::interp::{State, Vm};
use crate::lang::objects::module::Module;
use crate::lang::objects::{native, Kw};
use crate::lang::value::{NativeObject, Value};

funcs! {
    "exit" => exit, "getrecursionlimit" => getrecursionlimit,
    "setrecursionlimit" => setrecursionlimit,
}

/// The module.
pub fn module(_st: &mut State) -> Module {
    Module::new(
        "sys",
        FUNCS,
        vec![
            ("argv", Value::list(vec![Value::str("")])),
            ("maxsize", Value::Int(i64::MAX)),
            (
                "byteorder",
                Value::str(if cfg!(target_endian = "little") {
                    "little"
                } else {
                    "big"
                }),
            ),
            ("platform", Value::str("linux")),
            ("version", Value::str("3.11.0 (wirecraft)")),
            (
                "version_info",
                Value::tuple(vec![
                    Value::Int(3),
                    Value::Int(11),
                    Value::Int(0),
                    Value::str("final"),
                    Value::Int(0),
                ]),
            ),
            ("maxunicode", Value::Int(0x10ffff)),
            ("path", Value::list(Vec::new())),
            ("stdout", native(Stream("stdout"))),
            ("stderr", native(Stream("stderr"))),
        ],
    )
}

/// `sys.stdout`/`sys.stderr`: writing goes to the transcript.
pub struct Stream(pub &'static str);

impl NativeObject for Stream {
    fn type_name(&self) -> &str {
        "TextIOWrapper"
    }
    fn repr(&self) -> String {
        format!(
            "<_io.TextIOWrapper name='<{}>' mode='w' encoding='utf-8'>",
            self.0
        )
    }
    fn method_names(&self) -> &'static [&'static str] {
        &["write", "flush", "isatty"]
    }
    fn call_method(
        &self,
        vm: &mut Vm<'_>,
        _this: &Value,
        name: &str,
        args: Vec<Value>,
        _kw: Kw,
    ) -> Option<PResult<Value>> {
        Some(match name {
            "write" => match args.as_slice() {
                [Value::Str(s)] => {
                    vm.write(&s.s);
                    Ok(Value::Int(s.char_len() as i64))
                }
                [v] => Err(Exc::type_error(format!(
                    "write() argument must be str, not {}",
                    v.type_name()
                ))),
                _ => Err(Exc::type_error(format!(
                    "write() takes exactly one argument ({} given)",
                    args.len()
                ))),
            },
            "flush" => Ok(Value::None),
            "isatty" => Ok(Value::Bool(false)),
            _ => return None,
        })
    }
}

fn exit(_vm: &mut Vm<'_>, args: Vec<Value>, _kw: Kw) -> PResult<Value> {
    if args.len() > 1 {
        return Err(Exc::type_error(format!(
            "exit expected at most 1 argument, got {}",
            args.len()
        )));
    }
    Err(Exc::with_args(ExcKind::SystemExit, args))
}

fn getrecursionlimit(vm: &mut Vm<'_>, _args: Vec<Value>, _kw: Kw) -> PResult<Value> {
    Ok(Value::Int(vm.st.recursion_limit as i64))
}

fn setrecursionlimit(vm: &mut Vm<'_>, args: Vec<Value>, _kw: Kw) -> PResult<Value> {
    let n = match args.as_slice() {
        [v] => crate::lang::objects::int_arg(v)?,
        _ => {
            return Err(Exc::type_error(format!(
                "setrecursionlimit() takes exactly one argument ({} given)",
                args.len()
            )))
        }
    };
    if n < 1 {
        return Err(Exc::value_error(
            "recursion limit must be greater or equal than 1",
        ));
    }
    vm.st.recursion_limit = n as usize;
    Ok(Value::None)
}

//! `time`: clocks, `sleep` (which the runner's timeout and Ctrl-C interrupt promptly), and
//! `struct_time` conversions through the C library.

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use crate::funcs;
use crate::lang::exceptions::{Exc, ExcKind, PResult};
use crate::lang::interp::{State, Vm};
use crate::lang::objects::module::Module;
use crate::lang::objects::{float_arg, native, Kw};
use crate::lang::value::{NativeObject, Value};
use crate::lang::StopReason;

funcs! {
    "time" => time, "time_ns" => time_ns, "sleep" => sleep, "monotonic" => monotonic,
    "monotonic_ns" => monotonic_ns, "perf_counter" => monotonic, "perf_counter_ns" => monotonic_ns,
    "process_time" => process_time, "localtime" => localtime, "gmtime" => gmtime,
    "mktime" => mktime, "strftime" => strftime, "ctime" => ctime, "asctime" => asctime,
}

extern "C" {
    fn tzset();
}

/// The module.
pub fn module(_st: &mut State) -> Module {
    let mut tz = 0;
    // SAFETY: tzset only reads the TZ environment variable and sets libc's globals.
    unsafe {
        tzset();
    }
    let now = 0 as libc::time_t;
    let mut tm: libc::tm = unsafe { std::mem::zeroed() };
    // SAFETY: localtime_r writes into the tm we own.
    if !unsafe { libc::localtime_r(&now, &mut tm) }.is_null() {
        tz = -tm.tm_gmtoff;
    }
    Module::new("time", FUNCS, vec![("timezone", Value::Int(tz))])
}

fn now() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0)
}

fn noargs(name: &str, args: &[Value]) -> PResult<()> {
    if !args.is_empty() {
        return Err(Exc::type_error(format!(
            "time.{name}() takes no arguments ({} given)",
            args.len()
        )));
    }
    Ok(())
}

fn time(_vm: &mut Vm<'_>, args: Vec<Value>, _kw: Kw) -> PResult<Value> {
    noargs("time", &args)?;
    Ok(Value::Float(now()))
}

fn time_ns(_vm: &mut Vm<'_>, args: Vec<Value>, _kw: Kw) -> PResult<Value> {
    noargs("time_ns", &args)?;
    let ns = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    Ok(Value::from_bigint(num_bigint::BigInt::from(ns)))
}

fn mono() -> Duration {
    static START: std::sync::OnceLock<Instant> = std::sync::OnceLock::new();
    START.get_or_init(Instant::now).elapsed() + Duration::from_secs(1)
}

fn monotonic(_vm: &mut Vm<'_>, args: Vec<Value>, _kw: Kw) -> PResult<Value> {
    noargs("monotonic", &args)?;
    Ok(Value::Float(mono().as_secs_f64()))
}

fn monotonic_ns(_vm: &mut Vm<'_>, args: Vec<Value>, _kw: Kw) -> PResult<Value> {
    noargs("monotonic_ns", &args)?;
    Ok(Value::Int(mono().as_nanos() as i64))
}

fn process_time(_vm: &mut Vm<'_>, args: Vec<Value>, _kw: Kw) -> PResult<Value> {
    noargs("process_time", &args)?;
    let mut ts: libc::timespec = unsafe { std::mem::zeroed() };
    // SAFETY: clock_gettime writes into the timespec we own.
    unsafe { libc::clock_gettime(libc::CLOCK_PROCESS_CPUTIME_ID, &mut ts) };
    Ok(Value::Float(ts.tv_sec as f64 + ts.tv_nsec as f64 * 1e-9))
}

/// `time.sleep(secs)`, waking every few milliseconds to honour the runner's stop flag.
fn sleep(vm: &mut Vm<'_>, args: Vec<Value>, kw: Kw) -> PResult<Value> {
    if !kw.is_empty() {
        return Err(Exc::type_error("time.sleep() takes no keyword arguments"));
    }
    if args.len() != 1 {
        return Err(Exc::type_error(format!(
            "time.sleep() takes exactly one argument ({} given)",
            args.len()
        )));
    }
    let secs = match &args[0] {
        v @ (Value::Int(_) | Value::Float(_) | Value::Bool(_) | Value::BigInt(_)) => float_arg(v)?,
        v => {
            return Err(Exc::type_error(format!(
                "'{}' object cannot be interpreted as an integer",
                v.type_name()
            )))
        }
    };
    if secs.is_nan() {
        return Err(Exc::value_error("Invalid value NaN (not a number)"));
    }
    if secs < 0.0 {
        return Err(Exc::value_error("sleep length must be non-negative"));
    }
    if secs > 1e9 {
        return Err(Exc::new(
            ExcKind::OverflowError,
            "sleep length is too large",
        ));
    }
    let end = Instant::now() + Duration::from_secs_f64(secs);
    loop {
        match vm.st.stop.requested() {
            Some(StopReason::Timeout) => return Err(Exc::Timeout),
            Some(StopReason::Interrupt) => return Err(Exc::bare(ExcKind::KeyboardInterrupt)),
            None => {}
        }
        let left = end.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Ok(Value::None);
        }
        std::thread::sleep(left.min(Duration::from_millis(10)));
    }
}

/// `time.struct_time`.
pub struct StructTime {
    /// year, mon, mday, hour, min, sec, wday, yday, isdst.
    pub fields: [i64; 9],
    /// tm_zone and tm_gmtoff.
    pub zone: String,
    pub gmtoff: i64,
}

const FIELD_NAMES: [&str; 9] = [
    "tm_year", "tm_mon", "tm_mday", "tm_hour", "tm_min", "tm_sec", "tm_wday", "tm_yday", "tm_isdst",
];

impl StructTime {
    fn from_tm(tm: &libc::tm) -> StructTime {
        let zone = if tm.tm_zone.is_null() {
            String::new()
        } else {
            // SAFETY: tm_zone points at a NUL-terminated string owned by libc.
            unsafe { std::ffi::CStr::from_ptr(tm.tm_zone) }
                .to_string_lossy()
                .to_string()
        };
        StructTime {
            fields: [
                tm.tm_year as i64 + 1900,
                tm.tm_mon as i64 + 1,
                tm.tm_mday as i64,
                tm.tm_hour as i64,
                tm.tm_min as i64,
                tm.tm_sec as i64,
                (tm.tm_wday as i64 + 6) % 7,
                tm.tm_yday as i64 + 1,
                tm.tm_isdst as i64,
            ],
            zone,
            gmtoff: tm.tm_gmtoff,
        }
    }

    fn to_tm(f: &[i64; 9]) -> libc::tm {
        let mut tm: libc::tm = unsafe { std::mem::zeroed() };
        tm.tm_year = (f[0] - 1900) as i32;
        tm.tm_mon = (f[1] - 1) as i32;
        tm.tm_mday = f[2] as i32;
        tm.tm_hour = f[3] as i32;
        tm.tm_min = f[4] as i32;
        tm.tm_sec = f[5] as i32;
        tm.tm_wday = ((f[6] + 1) % 7) as i32;
        tm.tm_yday = (f[7] - 1) as i32;
        tm.tm_isdst = f[8] as i32;
        tm
    }
}

impl NativeObject for StructTime {
    fn type_name(&self) -> &str {
        "struct_time"
    }
    fn repr(&self) -> String {
        let parts: Vec<String> = FIELD_NAMES
            .iter()
            .zip(self.fields.iter())
            .map(|(n, v)| format!("{n}={v}"))
            .collect();
        format!("time.struct_time({})", parts.join(", "))
    }
    fn as_any(&self) -> Option<&dyn std::any::Any> {
        Some(self)
    }
    fn get_attr(&self, _vm: &mut Vm<'_>, _this: &Value, name: &str) -> Option<PResult<Value>> {
        if let Some(i) = FIELD_NAMES.iter().position(|n| *n == name) {
            return Some(Ok(Value::Int(self.fields[i])));
        }
        match name {
            "tm_zone" => Some(Ok(Value::str(self.zone.clone()))),
            "tm_gmtoff" => Some(Ok(Value::Int(self.gmtoff))),
            _ => None,
        }
    }
    fn len(&self) -> Option<usize> {
        Some(9)
    }
    fn items(&self) -> Option<PResult<Vec<Value>>> {
        Some(Ok(self.fields.iter().map(|&v| Value::Int(v)).collect()))
    }
    fn iter(&self, _this: &Value) -> Option<PResult<Value>> {
        Some(Ok(crate::lang::objects::iters::make(
            "tuple_iterator",
            crate::lang::objects::iters::IterState::Items {
                items: self.fields.iter().map(|&v| Value::Int(v)).collect(),
                pos: 0,
            },
        )))
    }
    fn get_item(&self, key: &Value) -> Option<PResult<Value>> {
        let t = Value::tuple(self.fields.iter().map(|&v| Value::Int(v)).collect());
        Some(crate::lang::ops::get_item(&t, key))
    }
    fn get_slice(&self, a: Option<i64>, b: Option<i64>, c: Option<i64>) -> Option<PResult<Value>> {
        let t = Value::tuple(self.fields.iter().map(|&v| Value::Int(v)).collect());
        Some(crate::lang::ops::get_slice(&t, a, b, c))
    }
    fn eq(&self, other: &Value) -> Option<bool> {
        Some(match crate::lang::objects::downcast::<StructTime>(other) {
            Some(o) => o.fields == self.fields,
            None => false,
        })
    }
}

fn secs_arg(args: &[Value], name: &str) -> PResult<libc::time_t> {
    if args.len() > 1 {
        return Err(Exc::type_error(format!(
            "{name}() takes at most 1 argument ({} given)",
            args.len()
        )));
    }
    match args.first() {
        None | Some(Value::None) => Ok(now().floor() as libc::time_t),
        Some(v) => {
            let x = float_arg(v)?;
            if !x.is_finite() {
                return Err(Exc::value_error("Invalid value NaN (not a number)"));
            }
            Ok(x.floor() as libc::time_t)
        }
    }
}

fn convert(args: &[Value], name: &str, local: bool) -> PResult<Value> {
    let t = secs_arg(args, name)?;
    let mut tm: libc::tm = unsafe { std::mem::zeroed() };
    // SAFETY: the conversion functions write into the tm we own.
    let ok = unsafe {
        if local {
            libc::localtime_r(&t, &mut tm)
        } else {
            libc::gmtime_r(&t, &mut tm)
        }
    };
    if ok.is_null() {
        return Err(Exc::new(
            ExcKind::OverflowError,
            "timestamp out of range for platform time_t",
        ));
    }
    Ok(native(StructTime::from_tm(&tm)))
}

fn localtime(_vm: &mut Vm<'_>, args: Vec<Value>, _kw: Kw) -> PResult<Value> {
    convert(&args, "localtime", true)
}

fn gmtime(_vm: &mut Vm<'_>, args: Vec<Value>, _kw: Kw) -> PResult<Value> {
    convert(&args, "gmtime", false)
}

/// The nine fields of a struct_time or 9-tuple argument.
fn fields_of(vm: &mut Vm<'_>, v: &Value, name: &str) -> PResult<[i64; 9]> {
    if let Some(st) = crate::lang::objects::downcast::<StructTime>(v) {
        return Ok(st.fields);
    }
    let items = match v {
        Value::Tuple(_) => vm.iterate(v)?,
        _ => {
            return Err(Exc::type_error(
                "Tuple or struct_time argument required".to_string(),
            ))
        }
    };
    if items.len() != 9 {
        return Err(Exc::type_error(format!(
            "{name}(): illegal time tuple argument"
        )));
    }
    let mut out = [0i64; 9];
    for (o, it) in out.iter_mut().zip(&items) {
        *o = crate::lang::objects::int_arg(it)?;
    }
    Ok(out)
}

fn current_fields() -> [i64; 9] {
    let t = now().floor() as libc::time_t;
    let mut tm: libc::tm = unsafe { std::mem::zeroed() };
    // SAFETY: localtime_r writes into the tm we own.
    unsafe { libc::localtime_r(&t, &mut tm) };
    StructTime::from_tm(&tm).fields
}

fn mktime(vm: &mut Vm<'_>, args: Vec<Value>, _kw: Kw) -> PResult<Value> {
    if args.len() != 1 {
        return Err(Exc::type_error(format!(
            "time.mktime() takes exactly one argument ({} given)",
            args.len()
        )));
    }
    let f = fields_of(vm, &args[0], "mktime")?;
    let mut tm = StructTime::to_tm(&f);
    // SAFETY: mktime reads and normalizes the tm we own.
    let t = unsafe { libc::mktime(&mut tm) };
    if t == -1 && f[0] != 1969 {
        return Err(Exc::new(
            ExcKind::OverflowError,
            "mktime argument out of range",
        ));
    }
    Ok(Value::Float(t as f64))
}

fn format_tm(fmt: &str, f: &[i64; 9]) -> PResult<String> {
    let tm = StructTime::to_tm(f);
    let cfmt =
        std::ffi::CString::new(fmt).map_err(|_| Exc::value_error("embedded null character"))?;
    let mut size = 256usize;
    loop {
        let mut buf = vec![0u8; size];
        // SAFETY: strftime writes at most `size` bytes into buf.
        let n = unsafe {
            libc::strftime(
                buf.as_mut_ptr() as *mut libc::c_char,
                size,
                cfmt.as_ptr(),
                &tm,
            )
        };
        if n > 0 || fmt.is_empty() || size > 1 << 16 {
            buf.truncate(n);
            return Ok(String::from_utf8_lossy(&buf).to_string());
        }
        size *= 4;
    }
}

fn strftime(vm: &mut Vm<'_>, args: Vec<Value>, _kw: Kw) -> PResult<Value> {
    if args.is_empty() || args.len() > 2 {
        return Err(Exc::type_error(format!(
            "strftime expected at {} {} argument{}, got {}",
            if args.is_empty() { "least" } else { "most" },
            if args.is_empty() { 1 } else { 2 },
            if args.is_empty() { "" } else { "s" },
            args.len()
        )));
    }
    let fmt = crate::lang::objects::str_arg(&args[0], "strftime() argument 1")?.to_string();
    let f = match args.get(1) {
        Some(v) => fields_of(vm, v, "strftime")?,
        None => current_fields(),
    };
    Ok(Value::str(format_tm(&fmt, &f)?))
}

fn asctime_of(f: &[i64; 9]) -> PResult<String> {
    format_tm("%a %b %e %H:%M:%S %Y", f)
}

fn asctime(vm: &mut Vm<'_>, args: Vec<Value>, _kw: Kw) -> PResult<Value> {
    let f = match args.first() {
        Some(v) => fields_of(vm, v, "asctime")?,
        None => current_fields(),
    };
    Ok(Value::str(asctime_of(&f)?))
}

fn ctime(_vm: &mut Vm<'_>, args: Vec<Value>, _kw: Kw) -> PResult<Value> {
    let t = secs_arg(&args, "ctime")?;
    let mut tm: libc::tm = unsafe { std::mem::zeroed() };
    // SAFETY: localtime_r writes into the tm we own.
    unsafe { libc::localtime_r(&t, &mut tm) };
    Ok(Value::str(asctime_of(&StructTime::from_tm(&tm).fields)?))
}

//! Class statements over the engine's classes: `class Disney(Packet)` compiles its
//! `fields_desc` into a layer definition registered in the session (the same kind of
//! [`LayerDef`] as a built-in layer, its hooks calling the class's methods), and
//! `class VarLenQField(Field)` makes a field class whose objects override conversions.
//!
//! Each such class keeps its namespace in a *carrier*: an ordinary class of the language
//! (methods, class attributes, MRO, the `__class__` of zero-argument `super()`), whose bases
//! are the carriers of its bases. The engine's own classes get carriers when first
//! subclassed, holding their built-in methods as callables ([`BaseHook`], [`FieldMethod`]),
//! so `super().post_build(p, pay)` and `Field.__init__(self, ...)` find them.

use std::rc::Rc;

use crate::packet::{bind_top_down, LayerDef, Registry, Value as EValue};

use super::super::classes;
use super::super::exceptions::{Exc, PResult};
use super::super::interp::Vm;
use super::super::objects::{downcast, native};
use super::super::value::{Class, SymMap, Value};
use super::fieldobj::{FieldClass, FieldClassData, FieldMethod, FieldObj, CONVERSIONS};
use super::hooks::{self, BaseHook, HOOK_METHODS};
use super::objects::LayerClass;
use super::{module_of, to_engine};

/// What a layer a campaign defined keeps on its definition ([`LayerDef::host`]).
pub struct ClassInfo {
    /// The class holding its namespace.
    pub carrier: Rc<Class>,
    /// Its `fields_desc`: the field objects, in the order of the definition's fields.
    pub fields_desc: Vec<Value>,
}

/// The class information of a layer a campaign defined.
pub fn class_info(def: &LayerDef) -> Option<&ClassInfo> {
    def.host
        .as_ref()
        .and_then(|h| h.downcast_ref::<ClassInfo>())
}

/// `class NAME(BASES): ...` when a base is a layer or field class: the new class, or None
/// when no base is one (an ordinary class).
pub fn create(
    vm: &mut Vm<'_>,
    name: &str,
    bases: &[Value],
    dict: &SymMap,
) -> Option<PResult<Value>> {
    let layer = bases
        .iter()
        .position(|b| downcast::<LayerClass>(b).is_some());
    let field = bases
        .iter()
        .position(|b| downcast::<FieldClass>(b).is_some());
    match (layer, field) {
        (None, None) => None,
        (Some(_), Some(_)) => Some(Err(Exc::type_error(format!(
            "class {name} cannot derive from both a packet class and a field class"
        )))),
        (Some(_), None) => Some(packet_class(vm, name, bases, dict)),
        (None, Some(_)) => Some(field_class(vm, name, bases, dict)),
    }
}

/// The carriers of a class statement's bases, in order: ordinary classes as they are,
/// layer and field classes by their carriers.
fn carrier_bases(vm: &mut Vm<'_>, name: &str, bases: &[Value]) -> PResult<Vec<Value>> {
    let mut out = Vec::with_capacity(bases.len());
    for b in bases {
        if let Some(c) = downcast::<LayerClass>(b) {
            out.push(Value::Class(layer_class_carrier(vm, c)));
        } else if let Some(f) = downcast::<FieldClass>(b) {
            out.push(Value::Class(match &f.0.carrier {
                Some(c) => c.clone(),
                None => field_carrier(vm, &f.0.builtin),
            }));
        } else if let Value::Class(_) = b {
            out.push(b.clone());
        } else {
            return Err(Exc::type_error(format!(
                "class {name}: a base must be a class, not '{}'",
                b.type_name()
            )));
        }
    }
    Ok(out)
}

fn new_carrier(vm: &mut Vm<'_>, name: &str, bases: Vec<Value>, dict: SymMap) -> PResult<Rc<Class>> {
    match classes::create_class(vm, name.to_string(), bases, dict)? {
        Value::Class(c) => Ok(c),
        other => Err(Exc::type_error(format!(
            "class {name}: unexpected '{}'",
            other.type_name()
        ))),
    }
}

/// The carrier of a layer class: its own for a campaign's, else the engine class's.
pub fn layer_class_carrier(vm: &mut Vm<'_>, c: &LayerClass) -> Rc<Class> {
    match class_info(&c.def) {
        Some(ci) => ci.carrier.clone(),
        None => layer_carrier(vm, c, &c.reg),
    }
}

/// The carrier of one of the engine's layer classes (or of `Packet`), made once per
/// session: its hooks' built-in behaviour as callables.
fn layer_carrier(vm: &mut Vm<'_>, c: &LayerClass, reg: &Rc<Registry>) -> Rc<Class> {
    let root = c.is_root();
    let name = if root {
        "Packet"
    } else {
        c.def.class_name.as_str()
    };
    let key = format!("<layer carrier>{name}:{:p}", Rc::as_ptr(&c.def));
    if let Some(k) = vm.st.lib.error_classes.get(&key) {
        return k.clone();
    }
    let mut dict = SymMap::default();
    dict.set(vm.st.syms.module, Value::str(module_of(name)));
    for hook in HOOK_METHODS.iter().chain(&["__init__"]) {
        let sym = vm.st.interner.intern(hook);
        dict.set(
            sym,
            native(BaseHook {
                def: (!root).then(|| c.def.clone()),
                name: hook,
                reg: reg.clone(),
            }),
        );
    }
    // Built-in classes derive from `Packet` (IPerror from IP): the carriers follow.
    let bases = if root {
        Vec::new()
    } else {
        let parent = match &c.def.parent {
            Some(p) => LayerClass {
                def: p.clone(),
                reg: reg.clone(),
            },
            None => LayerClass::root(reg),
        };
        vec![Value::Class(layer_class_carrier(vm, &parent))]
    };
    let carrier = new_carrier(vm, name, bases, dict).unwrap_or_else(|_| {
        // A carrier has ordinary bases only: creating it cannot fail; an empty class keeps
        // the lookups working if it ever did.
        Rc::new(Class::builtin(name, Vec::new(), classes_object_kind()))
    });
    vm.st.lib.error_classes.insert(key, carrier.clone());
    carrier
}

fn classes_object_kind() -> super::super::value::ClassKind {
    super::super::value::ClassKind::Builtin(super::super::value::TypeTag::Object)
}

/// The carrier of one of the engine's field classes, made once per session: its
/// `__init__` and conversions as callables.
pub fn field_carrier(vm: &mut Vm<'_>, builtin: &str) -> Rc<Class> {
    let key = format!("<field carrier>{builtin}");
    if let Some(k) = vm.st.lib.error_classes.get(&key) {
        return k.clone();
    }
    let mut dict = SymMap::default();
    dict.set(vm.st.syms.module, Value::str("scapy.fields"));
    let init = vm.st.syms.init;
    dict.set(
        init,
        native(FieldMethod {
            class: builtin.to_string(),
            name: "__init__",
        }),
    );
    for (conv, _) in CONVERSIONS {
        let sym = vm.st.interner.intern(conv);
        dict.set(
            sym,
            native(FieldMethod {
                class: builtin.to_string(),
                name: conv,
            }),
        );
    }
    let carrier = new_carrier(vm, builtin, Vec::new(), dict)
        .unwrap_or_else(|_| Rc::new(Class::builtin(builtin, Vec::new(), classes_object_kind())));
    vm.st.lib.error_classes.insert(key, carrier.clone());
    carrier
}

/// A class attribute by name through the carrier's MRO.
pub fn carrier_lookup(vm: &mut Vm<'_>, carrier: &Rc<Class>, name: &str) -> Option<Value> {
    let sym = vm.st.interner.intern(name);
    carrier.lookup(sym)
}

/// A method the class (or a campaign class it derives from) defines itself, not the
/// engine's built-in one.
fn own_method(vm: &mut Vm<'_>, carrier: &Rc<Class>, name: &str) -> Option<Value> {
    match carrier_lookup(vm, carrier, name)? {
        f @ (Value::Function(_) | Value::Method(_)) => Some(f),
        _ => None,
    }
}

/// `class X(Packet)`: compiles the layer definition, registers it, binds `overload_fields`.
fn packet_class(vm: &mut Vm<'_>, name: &str, bases: &[Value], dict: &SymMap) -> PResult<Value> {
    let Some(parent) = bases.iter().find_map(|b| downcast::<LayerClass>(b)) else {
        return Err(Exc::type_error(format!("class {name}: no packet base")));
    };
    let reg = parent.reg.clone();
    let parent_def = (!parent.is_root()).then(|| parent.def.clone());
    let cbases = carrier_bases(vm, name, bases)?;
    let carrier = new_carrier(vm, name, cbases, dict.clone())?;

    // The fields: its own fields_desc, else its base's.
    let fd_sym = vm.st.interner.intern("fields_desc");
    let (fields, fields_desc) = match dict.get(fd_sym) {
        Some(v) => compile_fields(vm, name, v)?,
        None => match carrier.lookup(fd_sym) {
            Some(v) => compile_fields(vm, name, &v)?,
            None => match &parent_def {
                Some(d) => (
                    d.fields.clone(),
                    match class_info(d) {
                        Some(ci) => ci.fields_desc.clone(),
                        None => d
                            .fields
                            .iter()
                            .map(|f| super::fieldobj::builtin_field_obj(f, &d.class_name, &reg))
                            .collect(),
                    },
                ),
                None => (Vec::new(), Vec::new()),
            },
        },
    };
    let display = match carrier_lookup(vm, &carrier, "name") {
        Some(Value::Str(s)) => s.s.clone(),
        _ => parent_def
            .as_ref()
            .map_or_else(|| name.to_string(), |d| d.name.clone()),
    };
    let mut def = LayerDef::new(name, &display, fields);
    if let Some(p) = &parent_def {
        def.parent = Some(p.clone());
        def.hooks = p.hooks.clone();
        def.is_padding = p.is_padding;
        def.show_summary = p.show_summary;
    }
    if let Some(v) = carrier_lookup(vm, &carrier, "show_summary") {
        def.show_summary = v.truthy();
    }
    let mut methods = Vec::new();
    for hook in HOOK_METHODS {
        if let Some(f) = own_method(vm, &carrier, hook) {
            methods.push((*hook, f));
        }
    }
    hooks::install(&mut def.hooks, &methods, &reg);
    // ActionField(fld, "method"): assigning the field calls the class's method first.
    for v in &fields_desc {
        let Some(f) = downcast::<FieldObj>(v) else {
            continue;
        };
        let (method, fld) = {
            let st = f.state.borrow();
            if st.made_by != "ActionField" {
                continue;
            }
            let get = |k: &str| {
                st.attrs
                    .iter()
                    .find(|(n, _)| n == k)
                    .map(|(_, v)| v.clone())
            };
            match (get("action_method"), get("fld")) {
                (Some(Value::Str(m)), Some(fld)) => (m.s.clone(), fld),
                _ => continue,
            }
        };
        if let Some(func) = own_method(vm, &carrier, &method) {
            def.hooks
                .methods
                .insert(method, hooks::action(func, fld, reg.clone()));
        }
    }
    def.host = Some(Rc::new(ClassInfo {
        carrier: carrier.clone(),
        fields_desc,
    }));
    let def = reg.register(def);

    // `overload_fields = {IP: {"proto": 253}}`: the fields this layer sets below it.
    let ov_sym = vm.st.interner.intern("overload_fields");
    if let Some(Value::Dict(d)) = dict.get(ov_sym) {
        let entries: Vec<(Value, Value)> = d
            .borrow()
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        for (lower, fields) in entries {
            let Some(lower) = downcast::<LayerClass>(&lower) else {
                return Err(Exc::type_error(format!(
                    "{name}.overload_fields: keys must be layer classes, not '{}'",
                    lower.type_name()
                )));
            };
            let Value::Dict(fields) = fields else {
                return Err(Exc::type_error(format!(
                    "{name}.overload_fields: values must be dicts of field values"
                )));
            };
            let mut vals: Vec<(String, EValue)> = Vec::new();
            for (k, v) in fields.borrow().iter() {
                let Value::Str(k) = k else {
                    return Err(Exc::type_error("field names must be str"));
                };
                vals.push((k.s.clone(), to_engine(v)?));
            }
            let vals: Vec<(&str, EValue)> =
                vals.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
            bind_top_down(&lower.def, &def, &vals).map_err(super::field_err)?;
        }
    }
    Ok(LayerClass::value(&def, &reg))
}

/// A `fields_desc` list as engine fields, each object learning its owner.
fn compile_fields(
    vm: &mut Vm<'_>,
    class: &str,
    v: &Value,
) -> PResult<(Vec<crate::packet::FieldDef>, Vec<Value>)> {
    let items = match v {
        Value::List(l) => l.borrow().clone(),
        Value::Tuple(t) => t.to_vec(),
        other => {
            return Err(Exc::type_error(format!(
                "{class}.fields_desc must be a list of fields, not '{}'",
                other.type_name()
            )))
        }
    };
    let mut fields = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let Some(f) = downcast::<FieldObj>(item) else {
            return Err(Exc::type_error(format!(
                "{class}.fields_desc[{i}] is not a field: '{}'",
                item.type_name()
            )));
        };
        let mut def = f.engine_field(vm, item)?;
        // A campaign's any2i (or h2i) converts the default too, as Scapy's Field.__init__.
        if f.class.carrier.is_some() && !matches!(def.default, EValue::None) {
            let kind = def.kind.clone();
            let blank = crate::packet::LayerData::new(&crate::packet::base::packet_def());
            let d = std::mem::replace(&mut def.default, EValue::None);
            def.default = super::super::callback::lend(vm, || kind.any2i(&blank, d))?
                .map_err(super::field_err)?;
        }
        f.add_owner(class);
        fields.push(def);
    }
    if let Some(dup) = fields
        .iter()
        .enumerate()
        .find(|(i, f)| fields[..*i].iter().any(|g| g.name == f.name))
    {
        return Err(Exc::type_error(format!(
            "{class}.fields_desc: two fields are named '{}'",
            dup.1.name
        )));
    }
    Ok((fields, items))
}

/// `class F(Field)`: a field class whose objects the engine converts through its methods.
fn field_class(vm: &mut Vm<'_>, name: &str, bases: &[Value], dict: &SymMap) -> PResult<Value> {
    let Some(base) = bases.iter().find_map(|b| downcast::<FieldClass>(b)) else {
        return Err(Exc::type_error(format!("class {name}: no field base")));
    };
    let builtin = base.0.builtin.clone();
    let reg = base.0.reg.clone();
    let cbases = carrier_bases(vm, name, bases)?;
    let carrier = new_carrier(vm, name, cbases, dict.clone())?;
    Ok(native(FieldClass(Rc::new(FieldClassData {
        name: name.to_string(),
        builtin,
        carrier: Some(carrier),
        reg,
    }))))
}

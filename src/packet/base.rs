//! The layers the engine itself needs: Raw (what nothing else claims), Padding (bytes past
//! a layer's stated length) and Packet (the class the others derive from). One definition per thread, shared by the thread's registries.

use std::rc::Rc;

use super::field::FieldDef;
use super::fields::StrField;
use super::layer::LayerDef;
use super::value::Value;

fn make(class: &str, padding: bool) -> Rc<LayerDef> {
    let mut d = LayerDef::new(
        class,
        class,
        vec![FieldDef::new(
            "load",
            StrField::rest(),
            Value::Bytes(Vec::new()),
        )],
    );
    d.is_padding = padding;
    Rc::new(d)
}

thread_local! {
    static RAW: Rc<LayerDef> = make("Raw", false);
    static PADDING: Rc<LayerDef> = make("Padding", true);
    static PACKET: Rc<LayerDef> = Rc::new(LayerDef::new("Packet", "Packet", Vec::new()));
}

/// `Packet` itself: the class every layer derives from, with no field (`Packet()` is
/// `<Packet  |>`); not a registered layer.
pub fn packet_def() -> Rc<LayerDef> {
    PACKET.with(Rc::clone)
}

/// The Raw layer definition.
pub fn raw_def() -> Rc<LayerDef> {
    RAW.with(Rc::clone)
}

/// The Padding layer definition.
pub fn padding_def() -> Rc<LayerDef> {
    PADDING.with(Rc::clone)
}

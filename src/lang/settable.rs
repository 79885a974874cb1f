//! The hash table of `set` and `frozenset`, laid out as CPython 3.11 lays out its sets, so that
//! iteration (and `repr`, and `pop`) follows CPython's order: for values whose hash is
//! CPython's (ints, floats, tuples of them, and str/bytes under `PYTHONHASHSEED=0`), a set
//! prints and iterates exactly as CPython's does.
//!
//! The layout, as observed from CPython (and checked against it by the differential snippets):
//! - a power-of-two table of at least 8 slots; a slot is empty, a deleted entry ("dummy"), or an
//!   entry (hash and key);
//! - a key's probe sequence starts at `hash & mask`, looks at the next 9 slots too when they
//!   fit before the end of the table, then jumps to `(i * 5 + 1 + perturb) & mask` with
//!   `perturb` the hash (unsigned) shifted right by 5 more bits at each jump;
//! - adding a key walks its sequence to the first empty slot; the key goes to the last deleted
//!   slot seen on the way, else to that empty slot, and only then does the table count one more
//!   used slot ("fill"); when fill reaches 3/5 of the mask the table is rebuilt with room for
//!   4x the entries (2x past 50 000), entries re-placed in table order;
//! - deleting leaves a dummy; `pop` scans from a finger left after the previous pop;
//! - building from another set copies its slots when the sizes agree, else re-places its
//!   entries in its table order; from a dict, the table is first sized for both.
//!
//! The set operations (`|`, `&`, `-`, `^`, their methods and in-place forms) follow CPython's
//! algorithms over these tables, since which table is walked decides the order of the result.

use std::cell::RefCell;
use std::rc::Rc;

use super::ast::{BinOp, CmpOp, Expr};
use super::exceptions::PResult;
use super::interp::Vm;
use super::objects::frozenset::{self, FrozenSet};
use super::ops;
use super::subclass::plain;
use super::value::{HashKey, Value};

/// The smallest table.
const MIN_SIZE: usize = 8;
/// Slots looked at after the first before jumping.
const LINEAR_PROBES: usize = 9;
/// How much of the hash each jump brings in.
const PERTURB_SHIFT: u32 = 5;

/// A slot: empty (no key, hash 0), deleted (no key, hash -1) or an entry.
#[derive(Clone)]
struct Slot {
    hash: i64,
    key: Option<Value>,
}

impl Slot {
    const EMPTY: Slot = Slot { hash: 0, key: None };
    fn is_empty(&self) -> bool {
        self.key.is_none() && self.hash == 0
    }
}

/// A set's table (see the module documentation).
pub struct SetTable {
    slots: Vec<Slot>,
    /// Entries.
    used: usize,
    /// Entries and deleted slots.
    fill: usize,
    /// Where the next `pop` starts looking.
    finger: usize,
}

impl Default for SetTable {
    fn default() -> Self {
        SetTable::new()
    }
}

/// The probe sequence of a hash in a table of `mask + 1` slots.
struct Probe {
    mask: usize,
    perturb: u64,
    /// Start of the current run of slots.
    start: usize,
    /// Offset in the run.
    offset: usize,
}

impl Probe {
    fn new(hash: i64, mask: usize) -> Probe {
        Probe {
            mask,
            perturb: hash as u64,
            start: (hash as u64 as usize) & mask,
            offset: 0,
        }
    }
}

impl Iterator for Probe {
    type Item = usize;
    fn next(&mut self) -> Option<usize> {
        let run = if self.start + LINEAR_PROBES <= self.mask {
            LINEAR_PROBES
        } else {
            0
        };
        if self.offset > run {
            self.perturb >>= PERTURB_SHIFT;
            self.start = (self
                .start
                .wrapping_mul(5)
                .wrapping_add(1)
                .wrapping_add(self.perturb as usize))
                & self.mask;
            self.offset = 0;
        }
        let i = self.start + self.offset;
        self.offset += 1;
        Some(i)
    }
}

impl SetTable {
    /// An empty set.
    pub fn new() -> SetTable {
        SetTable {
            slots: vec![Slot::EMPTY; MIN_SIZE],
            used: 0,
            fill: 0,
            finger: 0,
        }
    }

    /// A set of `keys` added in order (`set(iterable)`, a set comprehension).
    pub fn from_keys(keys: impl IntoIterator<Item = HashKey>) -> SetTable {
        let mut t = SetTable::new();
        for k in keys {
            t.insert(k);
        }
        t
    }

    /// A set display of three or more constants: CPython folds it into a frozenset constant
    /// (built in order, then rebuilt from its own order when the compiler merges constants)
    /// that an empty set is updated from. `interned`: the display holds an identifier-like
    /// str that CPython had already interned, which makes its compiler rebuild the frozenset
    /// once more (when it interns the code's constants).
    pub fn from_constants(keys: impl IntoIterator<Item = HashKey>, interned: bool) -> SetTable {
        let first = SetTable::from_keys(keys);
        let mut folded = SetTable::from_keys(first.entries());
        if interned {
            folded = SetTable::from_keys(folded.entries());
        }
        let mut t = SetTable::new();
        t.merge(&folded);
        t
    }

    fn mask(&self) -> usize {
        self.slots.len() - 1
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.used
    }

    /// Whether there are no entries.
    pub fn is_empty(&self) -> bool {
        self.used == 0
    }

    /// The slot holding `key`.
    fn find(&self, key: &HashKey) -> Option<usize> {
        for i in Probe::new(key.hash, self.mask()) {
            let s = &self.slots[i];
            match &s.key {
                Some(k) if s.hash == key.hash && ops::eq_hashable(k, &key.value) => return Some(i),
                Some(_) => {}
                None if s.hash == 0 => return None,
                None => {}
            }
        }
        None
    }

    /// The stored key equal to `key`.
    pub fn get(&self, key: &HashKey) -> Option<&Value> {
        self.find(key).and_then(|i| self.slots[i].key.as_ref())
    }

    /// Whether `key` is in the set.
    pub fn contains(&self, key: &HashKey) -> bool {
        self.find(key).is_some()
    }

    /// Adds `key` (an equal key already there stays); true when it was added.
    pub fn insert(&mut self, key: HashKey) -> bool {
        let mut dummy = None;
        let mut empty = 0;
        for i in Probe::new(key.hash, self.mask()) {
            let s = &self.slots[i];
            match &s.key {
                Some(k) if s.hash == key.hash && ops::eq_hashable(k, &key.value) => return false,
                Some(_) => {}
                None if s.hash == 0 => {
                    empty = i;
                    break;
                }
                None => dummy = Some(i),
            }
        }
        self.used += 1;
        if let Some(d) = dummy {
            self.slots[d] = Slot {
                hash: key.hash,
                key: Some(key.value),
            };
            return true;
        }
        self.slots[empty] = Slot {
            hash: key.hash,
            key: Some(key.value),
        };
        self.fill += 1;
        if self.fill * 5 >= self.mask() * 3 {
            self.grow();
        }
        true
    }

    /// Rebuilds the table with room for 4x the entries (2x for big sets).
    fn grow(&mut self) {
        let used = self.used;
        self.resize(if used > 50_000 { used * 2 } else { used * 4 });
    }

    /// Rebuilds the table with more than `minused` slots, entries re-placed in table order.
    fn resize(&mut self, minused: usize) {
        let mut size = MIN_SIZE;
        while size <= minused {
            size <<= 1;
        }
        let old = std::mem::replace(&mut self.slots, vec![Slot::EMPTY; size]);
        self.fill = self.used;
        for s in old {
            if let Some(k) = s.key {
                self.insert_clean(s.hash, k);
            }
        }
    }

    /// Places an entry known to be absent in a table without deleted slots.
    fn insert_clean(&mut self, hash: i64, key: Value) {
        for i in Probe::new(hash, self.mask()) {
            if self.slots[i].is_empty() {
                self.slots[i] = Slot {
                    hash,
                    key: Some(key),
                };
                return;
            }
        }
    }

    /// Removes `key`, returning the stored key.
    pub fn remove(&mut self, key: &HashKey) -> Option<Value> {
        let i = self.find(key)?;
        let s = &mut self.slots[i];
        s.hash = -1;
        self.used -= 1;
        s.key.take()
    }

    /// `set.pop()`: the first entry at or after the finger.
    pub fn pop(&mut self) -> Option<Value> {
        if self.used == 0 {
            return None;
        }
        let mask = self.mask();
        let mut i = self.finger & mask;
        while self.slots[i].key.is_none() {
            i = (i + 1) & mask;
        }
        let s = &mut self.slots[i];
        s.hash = -1;
        self.used -= 1;
        self.finger = i + 1;
        s.key.take()
    }

    /// Removes everything.
    pub fn clear(&mut self) {
        *self = SetTable::new();
    }

    /// Takes the table of `other` (`s &= t` computes the intersection, then takes its table);
    /// the finger stays.
    pub fn replace_table(&mut self, other: SetTable) {
        self.slots = other.slots;
        self.used = other.used;
        self.fill = other.fill;
    }

    /// The keys in table order.
    pub fn iter(&self) -> impl Iterator<Item = &Value> {
        self.slots.iter().filter_map(|s| s.key.as_ref())
    }

    /// The keys in table order.
    pub fn keys(&self) -> Vec<Value> {
        self.iter().cloned().collect()
    }

    /// The entries (hash and key) in table order.
    pub fn entries(&self) -> Vec<HashKey> {
        self.slots
            .iter()
            .filter_map(|s| {
                s.key.as_ref().map(|k| HashKey {
                    hash: s.hash,
                    value: k.clone(),
                })
            })
            .collect()
    }

    /// The size of the table, for iterators that walk it.
    pub fn raw_len(&self) -> usize {
        self.slots.len()
    }

    /// The key at table position `i`: None past the end, Some(None) for a free slot.
    pub fn raw_entry(&self, i: usize) -> Option<Option<&Value>> {
        self.slots.get(i).map(|s| s.key.as_ref())
    }

    /// `set(other)`, `s.copy()`: a new set updated from `other`.
    pub fn copy(&self) -> SetTable {
        let mut t = SetTable::new();
        t.merge(self);
        t
    }

    /// Updates from another set: its slots are copied when the tables agree, else its
    /// entries added in its table order, after sizing the table once for both.
    pub fn merge(&mut self, other: &SetTable) {
        if other.used == 0 {
            return;
        }
        if (self.fill + other.used) * 5 >= self.mask() * 3 {
            self.resize((self.used + other.used) * 2);
        }
        if self.fill == 0 && self.mask() == other.mask() && other.fill == other.used {
            self.slots = other.slots.clone();
            self.fill = other.fill;
            self.used = other.used;
            return;
        }
        if self.fill == 0 {
            self.fill = other.used;
            self.used = other.used;
            for s in &other.slots {
                if let Some(k) = &s.key {
                    self.insert_clean(s.hash, k.clone());
                }
            }
            return;
        }
        for k in other.entries() {
            self.insert(k);
        }
    }

    /// Updates from a dict's `n` keys, after sizing the table once for both.
    pub fn merge_dict_keys(&mut self, n: usize, keys: impl IntoIterator<Item = HashKey>) {
        if (self.fill + n) * 5 >= self.mask() * 3 {
            self.resize((self.used + n) * 2);
        }
        for k in keys {
            self.insert(k);
        }
    }

    /// After removing many keys (`difference_update`): rebuilds the table when more than a
    /// quarter of it is deleted slots.
    fn shed_dummies(&mut self) {
        if self.fill - self.used > self.mask() / 4 {
            self.grow();
        }
    }

    /// `self -= other` with `other`'s keys (a set's in table order, or an iterable's).
    pub fn difference_update(&mut self, other: impl IntoIterator<Item = HashKey>) {
        for k in other {
            self.remove(&k);
        }
        self.shed_dummies();
    }

    /// `self ^= other` with `other`'s keys: each is removed if present, else added.
    pub fn symmetric_difference_update(&mut self, other: impl IntoIterator<Item = HashKey>) {
        for k in other {
            if self.remove(&k).is_none() {
                self.insert(k);
            }
        }
    }

    /// `a & b` for two sets: the smaller one is walked, keeping its keys found in the other.
    pub fn intersection(a: &SetTable, b: &SetTable) -> SetTable {
        let (big, small) = if b.used > a.used { (b, a) } else { (a, b) };
        SetTable::from_keys(small.entries().into_iter().filter(|k| big.contains(k)))
    }

    /// `a & iterable`: the iterable's keys found in `a`, in its order.
    pub fn intersection_iter(a: &SetTable, other: Vec<HashKey>) -> SetTable {
        SetTable::from_keys(other.into_iter().filter(|k| a.contains(k)))
    }

    /// `a - b`: for a much bigger `a`, a copy with `b`'s keys removed; else `a`'s keys not in
    /// `b`, in `a`'s order. `b_len` is `b`'s size, `b_keys` its keys, `in_b` membership.
    pub fn difference(
        a: &SetTable,
        b_len: usize,
        b_keys: impl FnOnce() -> Vec<HashKey>,
        in_b: impl Fn(&HashKey) -> bool,
    ) -> SetTable {
        if (a.used >> 2) > b_len {
            let mut t = a.copy();
            t.difference_update(b_keys());
            return t;
        }
        SetTable::from_keys(a.entries().into_iter().filter(|k| !in_b(k)))
    }

    /// `a - iterable`: a copy of `a` with the iterable's keys removed.
    pub fn difference_iter(a: &SetTable, other: Vec<HashKey>) -> SetTable {
        let mut t = a.copy();
        t.difference_update(other);
        t
    }

    /// Whether every key of `a` is in `b`.
    pub fn is_subset(a: &SetTable, b: &SetTable) -> bool {
        a.used <= b.used
            && a.slots.iter().all(|s| match &s.key {
                Some(k) => b.contains(&HashKey {
                    hash: s.hash,
                    value: k.clone(),
                }),
                None => true,
            })
    }

    /// `a == b` for sets: the same members.
    pub fn equal(a: &SetTable, b: &SetTable) -> bool {
        a.used == b.used && SetTable::is_subset(a, b)
    }

    /// `a < b` and the other orderings of sets: subset and superset tests.
    pub fn compare(op: CmpOp, a: &SetTable, b: &SetTable) -> bool {
        match op {
            CmpOp::Le => SetTable::is_subset(a, b),
            CmpOp::Lt => a.used < b.used && SetTable::is_subset(a, b),
            CmpOp::Ge => SetTable::is_subset(b, a),
            CmpOp::Gt => b.used < a.used && SetTable::is_subset(b, a),
            CmpOp::Eq => SetTable::equal(a, b),
            CmpOp::Ne => !SetTable::equal(a, b),
            _ => false,
        }
    }

    /// Whether `a` and `b` share no key.
    pub fn disjoint(a: &SetTable, b: &SetTable) -> bool {
        !a.entries().iter().any(|k| b.contains(k))
    }

    /// The hash of a frozenset of these keys (CPython's: independent of the order).
    pub fn frozen_hash(&self) -> i64 {
        let shuffle = |h: u64| ((h ^ 89_869_747) ^ (h << 16)).wrapping_mul(3_644_798_167);
        let mut h: u64 = 0;
        for s in &self.slots {
            if s.key.is_some() {
                h ^= shuffle(s.hash as u64);
            }
        }
        h ^= (self.used as u64 + 1).wrapping_mul(1_927_868_237);
        h ^= (h >> 11) ^ (h >> 25);
        h = h.wrapping_mul(69_069).wrapping_add(907_133_923);
        if h == u64::MAX {
            590_923_713
        } else {
            h as i64
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Sets as values: the tables behind set and frozenset values, and CPython's operations on them.

/// Whether a set display is built as CPython builds one of three or more constants (see
/// [`SetTable::from_constants`]): every item a literal, or an expression of literals that
/// CPython's compiler folds (operators, tuples).
pub fn display_is_constant(items: &[Expr]) -> bool {
    fn folded(e: &Expr) -> bool {
        match e {
            Expr::Const(_) => true,
            Expr::Unary(_, x) | Expr::Not(x) => folded(x),
            Expr::Binary(a, _, b) => folded(a) && folded(b),
            Expr::Tuple(items) => items.iter().all(folded),
            _ => false,
        }
    }
    items.len() >= 3 && items.iter().all(folded)
}

/// A shared set table, as set and frozenset values hold it.
pub type SharedTable = Rc<RefCell<SetTable>>;

/// The table of a set or frozenset (or of an instance of a class deriving from one).
pub fn table_of(v: &Value) -> Option<SharedTable> {
    match plain(v) {
        Value::Set(t) => Some(t.clone()),
        other => super::objects::downcast::<FrozenSet>(other).map(|f| f.items.clone()),
    }
}

/// A set value with table `t`, or a frozenset when `frozen`.
pub fn set_value(t: SetTable, frozen: bool) -> Value {
    let t = Rc::new(RefCell::new(t));
    if frozen {
        frozenset::from_table(t)
    } else {
        Value::Set(t)
    }
}

fn is_frozen(v: &Value) -> bool {
    !matches!(plain(v), Value::Set(_))
}

/// The members of an iterable, hashed (a set's or frozenset's in table order).
pub fn keys_of(vm: &mut Vm<'_>, v: &Value) -> PResult<Vec<HashKey>> {
    if let Some(t) = table_of(v) {
        return Ok(t.borrow().entries());
    }
    let items = vm.iterate(v)?;
    let mut out = Vec::with_capacity(items.len());
    for x in items {
        out.push(vm.key(&x)?);
    }
    Ok(out)
}

/// `t.update(v)`: a set is merged, a dict's keys added after one sizing, anything else added
/// item by item.
pub fn update_from(vm: &mut Vm<'_>, t: &SharedTable, v: &Value) -> PResult<()> {
    if let Some(o) = table_of(v) {
        if !Rc::ptr_eq(&o, t) {
            let o = o.borrow();
            t.borrow_mut().merge(&o);
        }
        return Ok(());
    }
    if let Value::Dict(d) = plain(v) {
        let keys = d.borrow().keys();
        let mut hashed = Vec::with_capacity(keys.len());
        for k in &keys {
            hashed.push(vm.key(k)?);
        }
        t.borrow_mut().merge_dict_keys(keys.len(), hashed);
        return Ok(());
    }
    let keys = keys_of(vm, v)?;
    let mut t = t.borrow_mut();
    for k in keys {
        t.insert(k);
    }
    Ok(())
}

/// `set(v)` / `frozenset(v)`: a new table updated from `v`.
pub fn build(vm: &mut Vm<'_>, v: Option<&Value>) -> PResult<SetTable> {
    let t: SharedTable = Rc::new(RefCell::new(SetTable::new()));
    if let Some(v) = v {
        update_from(vm, &t, v)?;
    }
    let t = Rc::try_unwrap(t).map(RefCell::into_inner);
    Ok(t.unwrap_or_default())
}

/// `a op b` for two sets or frozensets (None when one is not): the result has `a`'s type.
pub fn binary(op: BinOp, a: &Value, b: &Value) -> Option<Value> {
    let (ta, tb) = (table_of(a)?, table_of(b)?);
    let same = Rc::ptr_eq(&ta, &tb);
    let (x, y) = (ta.borrow(), tb.borrow());
    let r = match op {
        BinOp::BitOr => {
            let mut r = x.copy();
            if !same {
                r.merge(&y);
            }
            r
        }
        BinOp::BitAnd if same => x.copy(),
        BinOp::BitAnd => SetTable::intersection(&x, &y),
        BinOp::Sub => SetTable::difference(&x, y.len(), || y.entries(), |k| y.contains(k)),
        BinOp::BitXor => {
            let mut r = y.copy();
            r.symmetric_difference_update(x.entries());
            r
        }
        _ => return None,
    };
    Some(set_value(r, is_frozen(a)))
}

/// `t op= o` for two set tables (`|=`, `&=`, `-=`, `^=`), changing `t` in place.
pub fn inplace(op: BinOp, t: &SharedTable, o: &SharedTable) {
    let same = Rc::ptr_eq(t, o);
    match op {
        BinOp::BitOr if !same => {
            let o = o.borrow();
            t.borrow_mut().merge(&o);
        }
        BinOp::BitAnd => {
            let r = if same {
                t.borrow().copy()
            } else {
                SetTable::intersection(&t.borrow(), &o.borrow())
            };
            t.borrow_mut().replace_table(r);
        }
        BinOp::Sub | BinOp::BitXor if same => t.borrow_mut().clear(),
        BinOp::Sub => {
            let e = o.borrow().entries();
            t.borrow_mut().difference_update(e);
        }
        BinOp::BitXor => {
            let e = o.borrow().entries();
            t.borrow_mut().symmetric_difference_update(e);
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn k(i: i64) -> HashKey {
        ops::key(&Value::Int(i)).unwrap_or(HashKey {
            hash: 0,
            value: Value::None,
        })
    }

    fn ints(t: &SetTable) -> Vec<i64> {
        t.iter()
            .map(|v| match v {
                Value::Int(i) => *i,
                _ => i64::MIN,
            })
            .collect()
    }

    #[test]
    fn small_ints_sit_at_their_value() {
        let t = SetTable::from_keys([3, 1, 2].map(k));
        assert_eq!(ints(&t), [1, 2, 3]);
    }

    #[test]
    fn collisions_probe_linearly_then_jump() {
        // 8 and 16 collide with 0 in an 8-slot table: they take the next slots.
        let t = SetTable::from_keys([8, 16, 0].map(k));
        assert_eq!(ints(&t), [8, 16, 0]);
        // hash(-1) is -2 (slot 6); 15 collides with 7 at the last slot, where no run fits,
        // and jumps to (7 * 5 + 1) & 7 = 4. CPython 3.11: set([-1, 7, 15]) is [15, -1, 7].
        let t = SetTable::from_keys([-1, 7, 15].map(k));
        assert_eq!(ints(&t), [15, -1, 7]);
    }

    #[test]
    fn growth_rebuilds_at_three_fifths() {
        let mut t = SetTable::new();
        for i in 0..4 {
            t.insert(k(i * 8));
        }
        assert_eq!(t.raw_len(), 8);
        t.insert(k(100));
        assert_eq!(t.raw_len(), 32);
        // CPython 3.11: set([0, 8, 16, 24, 100]) iterates as [0, 100, 8, 16, 24].
        assert_eq!(ints(&t), [0, 100, 8, 16, 24]);
    }

    #[test]
    fn deleted_slots_are_reused_and_pop_follows_the_finger() {
        let mut t = SetTable::from_keys([1, 2, 3, 4].map(k));
        assert!(t.remove(&k(2)).is_some());
        assert!(!t.contains(&k(2)));
        assert!(t.insert(k(10)));
        assert_eq!(ints(&t), [1, 10, 3, 4]);
        assert_eq!(t.len(), 4);
        let popped: Vec<i64> = std::iter::from_fn(|| t.pop())
            .map(|v| if let Value::Int(i) = v { i } else { -1 })
            .collect();
        assert_eq!(popped, [1, 10, 3, 4]);
        assert!(t.is_empty() && t.pop().is_none());
    }

    #[test]
    fn frozenset_hash_is_cpythons() {
        // CPython 3.11: hash(frozenset()) and hash(frozenset({1, 2, 3})).
        assert_eq!(SetTable::new().frozen_hash(), 133_146_708_735_736);
        let t = SetTable::from_keys([1, 2, 3].map(k));
        assert_eq!(t.frozen_hash(), -272_375_401_224_217_160);
    }
}

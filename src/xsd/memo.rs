//! A per-thread memo of simple values found valid: the values a contract's exchanges repeat
//! (codes, identifiers, enumerated statuses, dates) are checked once per thread instead of on
//! every exchange, and a hit costs a hash and a comparison instead of normalising, parsing and
//! checking facets.
//!
//! It is exact: only types whose verdict depends on nothing but the string are remembered (see
//! [`super::simple::context_free_types`]), only valid verdicts are (an invalid value needs its
//! message), and a slot names the schema set and type it holds a value of. It is bounded and flat:
//! a fixed number of fixed-size slots per thread, each value hashed to one slot that a later value
//! may take over, and long values are not remembered, so a run of ever new values neither grows
//! it nor allocates. Per thread, because schema sets are shared by threads: no lock, no contention;
//! the slots live in the validator's per-thread workspace, taken and given back with its other
//! buffers.

use std::hash::BuildHasher;
use std::sync::atomic::{AtomicU64, Ordering};

use super::model::TypeId;

/// The longest value remembered, in bytes: recurring values are short, and the bound keeps every
/// slot one cache line.
const MAX_VALUE: usize = 48;
/// Slots per thread (a power of two): 64 KiB.
const SLOTS: usize = 1024;

/// A schema set's identity for the memo. Not its address: a set dropped and another compiled at
/// the same address would find the first one's values. 0 marks an empty slot.
pub fn new_set_identity() -> u64 {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

#[derive(Clone, Copy)]
struct Slot {
    set: u64,
    ty: u32,
    len: u32,
    bytes: [u8; MAX_VALUE],
}

const EMPTY: Slot = Slot {
    set: 0,
    ty: 0,
    len: 0,
    bytes: [0; MAX_VALUE],
};

/// The memo's memory: one thread's slots. The validator's per-thread workspace keeps them between
/// validations, so the thread's validations share them; [`ValidValues`] reads and writes them.
pub struct Slots {
    slots: Box<[Slot]>,
    hasher: hashbrown::DefaultHashBuilder,
}

impl Slots {
    pub fn new() -> Self {
        Slots {
            slots: vec![EMPTY; SLOTS].into_boxed_slice(),
            hasher: hashbrown::DefaultHashBuilder::default(),
        }
    }
}

/// The memo as one validator uses it: which schema set's values it holds and finds in the
/// thread's slots, and which of the set's types may have their values remembered.
pub struct ValidValues<'s> {
    set: u64,
    /// By type: whether its values may be remembered.
    context_free: &'s [bool],
}

impl<'s> ValidValues<'s> {
    pub fn new(set: u64, context_free: &'s [bool]) -> Self {
        ValidValues { set, context_free }
    }

    /// The slot `text` of type `ty` goes in, when the memo may hold it at all.
    fn slot(&self, slots: &Slots, ty: TypeId, text: &str) -> Option<(usize, u32)> {
        let ty32 = u32::try_from(ty).ok()?;
        if text.len() > MAX_VALUE || !self.is_context_free(ty) {
            return None;
        }
        let hash = slots.hasher.hash_one((self.set, ty32, text));
        Some((hash as usize & (SLOTS - 1), ty32))
    }

    /// Whether `ty`'s verdict on a value depends on nothing but the value.
    pub fn is_context_free(&self, ty: TypeId) -> bool {
        self.context_free.get(ty).copied().unwrap_or(false)
    }

    /// Whether `text` was found valid for `ty` before.
    pub fn contains(&self, slots: &Slots, ty: TypeId, text: &str) -> bool {
        self.slot(slots, ty, text).is_some_and(|(index, ty)| {
            let slot = &slots.slots[index];
            slot.set == self.set
                && slot.ty == ty
                && slot.bytes.get(..slot.len as usize) == Some(text.as_bytes())
        })
    }

    /// Remembers that `text` is valid for `ty` (when `ty`'s values may be remembered and `text`
    /// is short enough).
    pub fn insert(&self, slots: &mut Slots, ty: TypeId, text: &str) {
        let Some((index, ty)) = self.slot(slots, ty, text) else {
            return;
        };
        let slot = &mut slots.slots[index];
        slot.set = self.set;
        slot.ty = ty;
        slot.len = text.len() as u32;
        slot.bytes[..text.len()].copy_from_slice(text.as_bytes());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remembers_per_set_and_type_only_what_fits() {
        let context_free = [true, true, false];
        let mut slots = Slots::new();
        let memo = ValidValues::new(new_set_identity(), &context_free);
        memo.insert(&mut slots, 0, "751");
        assert!(memo.contains(&slots, 0, "751"));
        assert!(!memo.contains(&slots, 1, "751"), "another type");
        assert!(!memo.contains(&slots, 0, "75"), "a prefix");
        let other_set = ValidValues::new(new_set_identity(), &context_free);
        assert!(!other_set.contains(&slots, 0, "751"), "another set");
        memo.insert(&mut slots, 2, "x");
        assert!(
            !memo.contains(&slots, 2, "x"),
            "a type whose values depend on context"
        );
        let long = "x".repeat(MAX_VALUE + 1);
        memo.insert(&mut slots, 0, &long);
        assert!(!memo.contains(&slots, 0, &long), "too long");
    }
}

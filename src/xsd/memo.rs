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
//! it nor allocates. Per thread, because schema sets are shared by threads: no lock, no contention.

use std::cell::Cell;
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

struct Slots {
    slots: Box<[Slot]>,
    hasher: hashbrown::DefaultHashBuilder,
}

thread_local! {
    /// The thread's slots while no validator has them.
    static IDLE: Cell<Option<Box<Slots>>> = const { Cell::new(None) };
}

/// The memo as one validator uses it: the thread's slots, taken for the validator's lifetime
/// (no per-value thread-local access) and given back when it is dropped. A validator started
/// while another on the same thread has them gets new ones; the thread keeps the last given back.
pub struct ValidValues<'s> {
    set: u64,
    /// By type: whether its values may be remembered.
    context_free: &'s [bool],
    /// Some until given back.
    slots: Option<Box<Slots>>,
}

impl<'s> ValidValues<'s> {
    pub fn take(set: u64, context_free: &'s [bool]) -> Self {
        let idle = IDLE.try_with(Cell::take).unwrap_or_default();
        let slots = idle.unwrap_or_else(|| {
            Box::new(Slots {
                slots: vec![EMPTY; SLOTS].into_boxed_slice(),
                hasher: hashbrown::DefaultHashBuilder::default(),
            })
        });
        ValidValues {
            set,
            context_free,
            slots: Some(slots),
        }
    }

    /// The slot `text` of type `ty` goes in, when the memo may hold it at all.
    fn slot(&self, ty: TypeId, text: &str) -> Option<(&Slots, usize, u32)> {
        let slots = self.slots.as_deref()?;
        let ty32 = u32::try_from(ty).ok()?;
        if text.len() > MAX_VALUE || !self.context_free.get(ty).copied().unwrap_or(false) {
            return None;
        }
        let hash = slots.hasher.hash_one((self.set, ty32, text));
        Some((slots, hash as usize & (SLOTS - 1), ty32))
    }

    /// Whether `text` was found valid for `ty` before.
    pub fn contains(&self, ty: TypeId, text: &str) -> bool {
        self.slot(ty, text).is_some_and(|(slots, index, ty)| {
            let slot = &slots.slots[index];
            slot.set == self.set
                && slot.ty == ty
                && slot.bytes.get(..slot.len as usize) == Some(text.as_bytes())
        })
    }

    /// Remembers that `text` is valid for `ty` (when `ty`'s values may be remembered and `text`
    /// is short enough).
    pub fn insert(&mut self, ty: TypeId, text: &str) {
        let Some((_, index, ty)) = self.slot(ty, text) else {
            return;
        };
        let set = self.set;
        if let Some(slots) = self.slots.as_deref_mut() {
            let slot = &mut slots.slots[index];
            slot.set = set;
            slot.ty = ty;
            slot.len = text.len() as u32;
            slot.bytes[..text.len()].copy_from_slice(text.as_bytes());
        }
    }
}

impl Drop for ValidValues<'_> {
    fn drop(&mut self) {
        if let Some(slots) = self.slots.take() {
            // during the thread's teardown there is no one left to give them to
            let _ = IDLE.try_with(|idle| idle.set(Some(slots)));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remembers_per_set_and_type_only_what_fits() {
        let context_free = [true, true, false];
        let set = new_set_identity();
        let mut memo = ValidValues::take(set, &context_free);
        memo.insert(0, "751");
        assert!(memo.contains(0, "751"));
        assert!(!memo.contains(1, "751"), "another type");
        assert!(!memo.contains(0, "75"), "a prefix");
        assert!(!ValidValues::take(new_set_identity(), &context_free).contains(0, "751"));
        memo.insert(2, "x");
        assert!(
            !memo.contains(2, "x"),
            "a type whose values depend on context"
        );
        let long = "x".repeat(MAX_VALUE + 1);
        memo.insert(0, &long);
        assert!(!memo.contains(0, &long), "too long");
        drop(memo);
        let again = ValidValues::take(set, &context_free);
        assert!(again.contains(0, "751"), "kept by the thread");
    }

    #[test]
    fn a_validator_inside_another_gets_its_own_slots() {
        let context_free = [true];
        let set = new_set_identity();
        let mut outer = ValidValues::take(set, &context_free);
        outer.insert(0, "a");
        let mut inner = ValidValues::take(set, &context_free);
        inner.insert(0, "b");
        assert!(inner.contains(0, "b") && !inner.contains(0, "a"));
        drop(inner);
        drop(outer);
        assert!(ValidValues::take(set, &context_free).contains(0, "a"));
    }
}

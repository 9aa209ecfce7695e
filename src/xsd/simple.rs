//! Validating a string against a simple type of any variety (atomic, list, union), on top of
//! the built-in datatypes and their facets.

use super::datatypes::{
    BuiltinType, NamespaceResolver, WhiteSpace, is_white_space_normalized, normalize_white_space,
    parse_value,
};
use super::model::{Components, TypeId, TypedValue, Variety};

/// Values of types derived from ID, IDREF or IDREFS found in a validated string.
#[derive(Debug, Default)]
pub struct Ids {
    pub ids: Vec<String>,
    pub idrefs: Vec<String>,
    pub entities: usize,
}

/// True when two values are equal in the sense of XSD 1.0 (same primitive value space).
pub fn same_value(a: &TypedValue, b: &TypedValue) -> bool {
    match (a, b) {
        (TypedValue::Atomic(ta, va), TypedValue::Atomic(tb, vb)) => {
            // anySimpleType values are strings (e.g. a fixed value checked after xsi:type)
            let primitive = |t: &BuiltinType| match t.primitive() {
                BuiltinType::AnySimpleType => BuiltinType::String,
                p => p,
            };
            primitive(ta) == primitive(tb) && va == vb
        }
        (TypedValue::List(xa), TypedValue::List(xb)) => {
            xa.len() == xb.len() && xa.iter().zip(xb).all(|(x, y)| same_value(x, y))
        }
        _ => false,
    }
}

/// Validates `text` against the simple type `ty`; on success returns its value.
pub fn validate(
    c: &Components,
    ty: TypeId,
    text: &str,
    ns: &dyn NamespaceResolver,
    ids: &mut Ids,
) -> Result<TypedValue, String> {
    validate_depth(c, ty, text, ns, ids, 0)
}

/// True when `ty` is a string type without an enumeration (most of an instance's values) and
/// `text` is valid for it: checked on the lexical form, which is the value, so no value is built.
/// False says nothing: `validate` decides, and gives the message.
pub fn is_valid_plain_string(c: &Components, ty: TypeId, text: &str) -> bool {
    let Some(st) = c.simple(ty) else {
        return false;
    };
    let Variety::Atomic { builtin } = st.variety else {
        return false;
    };
    if !matches!(
        builtin,
        BuiltinType::String | BuiltinType::NormalizedString | BuiltinType::Token
    ) || st.facets.enumeration().is_some()
    {
        return false;
    }
    let normalized = normalize_white_space(text, st.facets.white_space());
    is_white_space_normalized(&normalized, builtin.white_space())
        && st
            .facets
            .check(builtin, false, &normalized, None, None)
            .is_ok()
}

/// By type: whether validating a string against it depends on the string alone, so that a verdict
/// may be remembered ([`super::memo`]). Not for complex types, nor for simple types that need the
/// namespace context (QName, NOTATION) or feed the document's bookkeeping (ID, IDREF, ENTITY and
/// their lists), themselves or through any item or member type.
pub fn context_free_types(c: &Components) -> Vec<bool> {
    let mut known = vec![None; c.types.len()];
    (0..c.types.len())
        .map(|ty| context_free(c, ty, &mut known, 0))
        .collect()
}

fn context_free(c: &Components, ty: TypeId, known: &mut [Option<bool>], depth: usize) -> bool {
    if let Some(verdict) = known[ty] {
        return verdict;
    }
    let Some(st) = c.simple(ty).filter(|_| depth <= 64) else {
        return false;
    };
    let verdict = match &st.variety {
        Variety::Atomic { builtin } => {
            let value_type = builtin.list_item().unwrap_or(*builtin);
            let contextual = [
                BuiltinType::QName,
                BuiltinType::Notation,
                BuiltinType::Id,
                BuiltinType::IdRef,
                BuiltinType::Entity,
            ];
            !contextual.iter().any(|&b| value_type.is_derived_from(b))
        }
        Variety::List { item } => context_free(c, *item, known, depth + 1),
        Variety::Union { members } => {
            (members.iter()).all(|&m| context_free(c, m, known, depth + 1))
        }
    };
    known[ty] = Some(verdict);
    verdict
}

fn validate_depth(
    c: &Components,
    ty: TypeId,
    text: &str,
    ns: &dyn NamespaceResolver,
    ids: &mut Ids,
    depth: usize,
) -> Result<TypedValue, String> {
    let Some(st) = c.simple(ty) else {
        return Err(format!("type {} is not a simple type", c.type_name(ty)));
    };
    if depth > 64 {
        return Err("simple type nested too deeply".to_owned());
    }
    match &st.variety {
        Variety::Atomic { builtin } => {
            let normalized = normalize_white_space(text, st.facets.white_space());
            let value = parse_value(*builtin, &normalized, ns).map_err(|e| e.to_string())?;
            st.facets
                .check(*builtin, false, &normalized, Some(&value), None)
                .map_err(|e| e.to_string())?;
            if builtin.is_derived_from(BuiltinType::Id) {
                ids.ids.push(normalized.to_string());
            } else if builtin.is_derived_from(BuiltinType::IdRef) {
                ids.idrefs.push(normalized.to_string());
            } else if builtin.is_derived_from(BuiltinType::Entity) {
                ids.entities += 1;
            }
            Ok(TypedValue::Atomic(*builtin, value))
        }
        Variety::List { item } => {
            let normalized = normalize_white_space(text, WhiteSpace::Collapse);
            let mut items = vec![];
            for token in normalized.split(' ').filter(|t| !t.is_empty()) {
                items.push(validate_depth(c, *item, token, ns, ids, depth + 1)?);
            }
            let item_builtin = c.atomic_builtin(*item).unwrap_or(BuiltinType::String);
            st.facets
                .check(item_builtin, true, &normalized, None, Some(items.len()))
                .map_err(|e| e.to_string())?;
            Ok(TypedValue::List(items))
        }
        Variety::Union { members } => {
            let mut reasons = vec![];
            let mut found = None;
            for &m in members {
                let mut member_ids = Ids::default();
                match validate_depth(c, m, text, ns, &mut member_ids, depth + 1) {
                    Ok(v) => {
                        ids.ids.extend(member_ids.ids);
                        ids.idrefs.extend(member_ids.idrefs);
                        ids.entities += member_ids.entities;
                        found = Some(v);
                        break;
                    }
                    Err(e) => reasons.push(e),
                }
            }
            let Some(value) = found else {
                return Err(format!(
                    "'{}' is not valid for any member of the union {}: {}",
                    text.trim(),
                    c.type_name(ty),
                    reasons.join("; ")
                ));
            };
            let lexical = normalize_white_space(text, WhiteSpace::Collapse);
            for step in &st.union_facets.patterns {
                if !step.iter().any(|(_, re)| re.is_match(&lexical)) {
                    let patterns: Vec<&str> = step.iter().map(|(p, _)| p.as_str()).collect();
                    return Err(format!(
                        "'{lexical}' does not match the pattern {}",
                        patterns.join(" | ")
                    ));
                }
            }
            if let Some(allowed) = &st.union_facets.enumeration
                && !allowed.iter().any(|a| same_value(a, &value))
            {
                return Err(format!("'{lexical}' is not one of the enumerated values"));
            }
            Ok(value)
        }
    }
}

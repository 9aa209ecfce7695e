//! The datatype layer of the XML Schema 1.0 processor (XSD 1.0 Part 2): built-in types,
//! lexical and value spaces, whitespace, facets and the XSD regular-expression dialect.
//!
//! Independent of the rest of kontrakt (and of the schema compiler): it knows nothing about
//! schema documents, only about simple-type values.
//!
//! How a schema compiler uses it:
//! - An atomic simple type starts from [`FacetSet::for_builtin`] of its built-in base (which
//!   already carries e.g. xs:int's bounds and xs:NCName's pattern) and each restriction step
//!   calls [`FacetSet::restrict`] with that step's [`FacetDecl`]s; a [`FacetError`] names the
//!   XSD constraint broken. A list type starts from [`FacetSet::for_list`] (or the built-in
//!   list type's set) with `is_list = true` and the item type's built-in.
//! - Validating a string: normalise with [`normalize_white_space`] and the set's
//!   [`FacetSet::white_space`], map it with [`parse_value`] for the built-in, then
//!   [`FacetSet::check`] the lexical form and the value (for a list: `Value::List` of the
//!   items and their count).
//! - [`Value`] equality, hashing and [`Value::compare`] follow XSD 1.0, so values can be
//!   compared for enumeration, fixed values and identity constraints.

mod blocks;
mod builtin;
mod decimal;
mod facets;
mod lexical;
mod names;
mod regex;
mod temporal;
mod value;

pub use builtin::{BuiltinType, WhiteSpace, is_white_space_normalized, normalize_white_space};
pub use decimal::Decimal;
pub use facets::{EnumerationValue, FacetDecl, FacetError, FacetKind, FacetSet, FacetViolation};
pub use lexical::{DatatypeError, NamespaceResolver, NoNamespaces, parse_lexical, parse_value};
pub use names::{is_name_char, is_name_start_char, is_ncname};
pub use regex::{RegexError, XsdRegex, pattern_hir};
pub use temporal::{Duration, Temporal};
pub use value::Value;

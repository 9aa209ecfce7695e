//! The datatype layer of the XML Schema 1.0 processor (XSD 1.0 Part 2): built-in types,
//! lexical and value spaces, whitespace, facets and the XSD regular-expression dialect.
//!
//! Independent of the rest of kontrakt (and of the schema compiler): it knows nothing about
//! schema documents, only about simple-type values.

mod blocks;
mod builtin;
mod decimal;
mod facets;
mod lexical;
mod names;
mod regex;
mod temporal;
mod value;

pub use builtin::{BuiltinType, WhiteSpace, normalize_white_space};
pub use decimal::Decimal;
pub use facets::{EnumerationValue, FacetDecl, FacetError, FacetKind, FacetSet, FacetViolation};
pub use lexical::{DatatypeError, NamespaceResolver, NoNamespaces, parse_lexical, parse_value};
pub use names::{is_name_char, is_name_start_char};
pub use regex::{RegexError, XsdRegex};
pub use temporal::{Duration, Temporal};
pub use value::Value;

//! The compiled schema components, stored in arenas and referred to by index.

use hashbrown::{Equivalent, HashMap};

use super::datatypes::{BuiltinType, FacetSet, Value, XsdRegex};

/// An expanded name: namespace (None = no namespace) and local part.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct QName {
    pub ns: Option<String>,
    pub local: String,
}

impl QName {
    pub fn new(ns: Option<&str>, local: &str) -> Self {
        QName {
            ns: ns.map(str::to_owned),
            local: local.to_owned(),
        }
    }

    pub fn is(&self, ns: Option<&str>, local: &str) -> bool {
        self.local == local && self.ns.as_deref() == ns
    }
}

/// An expanded name borrowed from an instance, to look up the maps keyed by [`QName`] without
/// building one per element: it hashes as the [`QName`] with the same parts does.
#[derive(Debug, Clone, Copy, Hash)]
pub struct QNameRef<'a> {
    pub ns: Option<&'a str>,
    pub local: &'a str,
}

impl Equivalent<QName> for QNameRef<'_> {
    fn equivalent(&self, key: &QName) -> bool {
        key.is(self.ns, self.local)
    }
}

impl std::fmt::Display for QName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.ns {
            Some(ns) => write!(f, "{{{ns}}}{}", self.local),
            None => f.write_str(&self.local),
        }
    }
}

pub type TypeId = usize;
pub type ElemId = usize;
pub type AttrId = usize;
pub type ParticleId = usize;
pub type IdcId = usize;

/// A set of derivation methods, used for `block` and `final`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DerivationSet {
    pub extension: bool,
    pub restriction: bool,
    pub substitution: bool,
    pub list: bool,
    pub union: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Derivation {
    Extension,
    Restriction,
}

/// A default or fixed value with its schema-side lexical form and parsed value.
#[derive(Debug, Clone)]
pub struct ValueConstraint {
    pub fixed: bool,
    pub lexical: String,
    /// The value in the type's value space; None when the type is not simple (mixed content).
    pub value: Option<TypedValue>,
}

/// A value in a simple type's value space, comparable for fixed values and identity constraints.
#[derive(Debug, Clone, PartialEq)]
pub enum TypedValue {
    Atomic(BuiltinType, Value),
    List(Vec<TypedValue>),
}

#[derive(Debug, Clone)]
pub struct ElementDecl {
    pub name: QName,
    pub type_id: TypeId,
    pub nillable: bool,
    pub is_abstract: bool,
    pub value: Option<ValueConstraint>,
    pub block: DerivationSet,
    pub final_: DerivationSet,
    pub substitution_head: Option<ElemId>,
    pub idcs: Vec<IdcId>,
    pub global: bool,
}

#[derive(Debug, Clone)]
pub struct AttributeDecl {
    pub name: QName,
    pub type_id: TypeId,
    pub value: Option<ValueConstraint>,
}

#[derive(Debug, Clone)]
pub struct AttributeUse {
    pub decl: AttrId,
    pub required: bool,
    pub value: Option<ValueConstraint>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProcessContents {
    Strict,
    Lax,
    Skip,
}

/// The namespace constraint of a wildcard (XSD 1.0: any, not(one namespace or absent), a set).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NsConstraint {
    Any,
    /// Matches every namespace-qualified name except this namespace (absent names never match).
    Not(Option<String>),
    Set(Vec<Option<String>>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Wildcard {
    pub ns: NsConstraint,
    pub process: ProcessContents,
}

#[derive(Debug, Clone)]
pub enum Term {
    Element(ElemId),
    Wildcard(Wildcard),
    Sequence(Vec<ParticleId>),
    Choice(Vec<ParticleId>),
    All(Vec<ParticleId>),
}

/// maxOccurs: None means unbounded.
#[derive(Debug, Clone)]
pub struct Particle {
    pub min: u32,
    pub max: Option<u32>,
    pub term: Term,
}

#[derive(Debug, Clone)]
pub enum ContentType {
    Empty,
    Simple(TypeId),
    Elements { particle: ParticleId, mixed: bool },
}

#[derive(Debug, Clone)]
pub struct ComplexType {
    pub base: TypeId,
    pub derivation: Derivation,
    pub is_abstract: bool,
    pub final_: DerivationSet,
    pub block: DerivationSet,
    pub attributes: Vec<AttributeUse>,
    pub attribute_wildcard: Option<Wildcard>,
    pub content: ContentType,
}

#[derive(Debug, Clone)]
pub enum Variety {
    /// `builtin` is the nearest built-in ancestor (its primitive decides the value space).
    Atomic {
        builtin: BuiltinType,
    },
    List {
        item: TypeId,
    },
    Union {
        members: Vec<TypeId>,
    },
}

/// Pattern and enumeration facets of union types, which the datatype facet set does not cover.
#[derive(Debug, Clone, Default)]
pub struct UnionFacets {
    /// One entry per derivation step; a value must match some pattern of every step.
    pub patterns: Vec<Vec<(String, XsdRegex)>>,
    pub enumeration: Option<Vec<TypedValue>>,
}

#[derive(Debug, Clone)]
pub struct SimpleType {
    pub base: Option<TypeId>,
    pub variety: Variety,
    pub final_: DerivationSet,
    pub facets: FacetSet,
    pub union_facets: UnionFacets,
    /// Lexical facet declarations of this type's own restriction step, kept for generators.
    pub own_facets: Vec<(String, String)>,
}

#[derive(Debug, Clone)]
pub enum TypeKind {
    Simple(Box<SimpleType>),
    Complex(ComplexType),
}

#[derive(Debug, Clone)]
pub struct TypeDef {
    pub name: Option<QName>,
    pub kind: TypeKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdcKind {
    Unique,
    Key,
    KeyRef,
}

#[derive(Debug, Clone)]
pub struct IdentityConstraint {
    pub name: QName,
    pub kind: IdcKind,
    pub selector: super::identity::Path,
    pub fields: Vec<super::identity::Path>,
    pub refer: Option<IdcId>,
}

/// All components of a compiled schema set.
#[derive(Debug, Default)]
pub struct Components {
    pub types: Vec<TypeDef>,
    pub elements: Vec<ElementDecl>,
    pub attributes: Vec<AttributeDecl>,
    pub particles: Vec<Particle>,
    pub idcs: Vec<IdentityConstraint>,
    pub global_elements: HashMap<QName, ElemId>,
    pub global_attributes: HashMap<QName, AttrId>,
    pub global_types: HashMap<QName, TypeId>,
    pub notations: HashMap<QName, ()>,
    /// For each element declaration, the declarations that may substitute for it (transitively,
    /// itself excluded), filled for heads of substitution groups only.
    pub substitutes: HashMap<ElemId, Vec<ElemId>>,
    pub builtin_types: HashMap<BuiltinType, TypeId>,
    pub any_type: TypeId,
    pub any_simple_type: TypeId,
}

impl Components {
    /// The element a child named `{ns}local` is, where declaration `e` is expected: `e` itself
    /// or a member of its substitution group.
    pub fn element_named(&self, e: ElemId, ns: Option<&str>, local: &str) -> Option<ElemId> {
        if self.elements[e].name.is(ns, local) {
            return Some(e);
        }
        self.substitutes
            .get(&e)?
            .iter()
            .copied()
            .find(|x| self.elements[*x].name.is(ns, local))
    }

    pub fn simple(&self, id: TypeId) -> Option<&SimpleType> {
        match &self.types[id].kind {
            TypeKind::Simple(s) => Some(s),
            TypeKind::Complex(_) => None,
        }
    }

    pub fn complex(&self, id: TypeId) -> Option<&ComplexType> {
        match &self.types[id].kind {
            TypeKind::Complex(c) => Some(c),
            TypeKind::Simple(_) => None,
        }
    }

    pub fn base_of(&self, id: TypeId) -> Option<TypeId> {
        match &self.types[id].kind {
            TypeKind::Simple(s) => Some(s.base.unwrap_or(self.any_type)),
            TypeKind::Complex(c) => (id != self.any_type).then_some(c.base),
        }
    }

    /// The built-in type a simple type is (or derives from), for atomic types.
    pub fn atomic_builtin(&self, id: TypeId) -> Option<BuiltinType> {
        match self.simple(id)?.variety {
            Variety::Atomic { builtin } => Some(builtin),
            _ => None,
        }
    }

    pub fn type_name(&self, id: TypeId) -> String {
        match &self.types[id].name {
            Some(n) => n.local.clone(),
            None => "(anonymous type)".to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn borrowed_names_find_the_owned_keys() {
        let mut map = HashMap::new();
        map.insert(QName::new(Some("urn:a"), "x"), 1);
        map.insert(QName::new(None, "x"), 2);
        map.insert(QName::new(Some(""), "x"), 3);
        let get = |ns, local| map.get(&QNameRef { ns, local }).copied();
        assert_eq!(get(Some("urn:a"), "x"), Some(1));
        assert_eq!(get(None, "x"), Some(2));
        assert_eq!(get(Some(""), "x"), Some(3));
        assert_eq!(get(Some("urn:a"), "y"), None);
        assert_eq!(get(Some("urn:ax"), ""), None);
    }
}

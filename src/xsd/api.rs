//! A read-only view of the compiled components, for generators of documents.

use super::datatypes::{BuiltinType, FacetSet};
use super::model::{
    self, Components, ContentType, ElemId, NsConstraint, ParticleId, Term, TypeId, TypeKind,
    Variety,
};

/// A global or local element declaration.
#[derive(Clone, Copy)]
pub struct ElementDeclRef<'s> {
    c: &'s Components,
    id: ElemId,
}

/// A simple or complex type definition.
#[derive(Clone, Copy)]
pub struct TypeRef<'s> {
    c: &'s Components,
    id: TypeId,
}

/// A simple type definition.
#[derive(Clone, Copy)]
pub struct SimpleTypeRef<'s> {
    c: &'s Components,
    id: TypeId,
}

/// A particle: occurrence bounds and a term.
#[derive(Clone, Copy)]
pub struct ParticleRef<'s> {
    c: &'s Components,
    id: ParticleId,
}

/// The term of a particle.
pub enum TermRef<'s> {
    Element(ElementDeclRef<'s>),
    Wildcard(WildcardRef<'s>),
    Sequence(Vec<ParticleRef<'s>>),
    Choice(Vec<ParticleRef<'s>>),
    All(Vec<ParticleRef<'s>>),
}

/// An element or attribute wildcard.
#[derive(Clone, Copy)]
pub struct WildcardRef<'s> {
    w: &'s model::Wildcard,
}

/// An attribute as a complex type uses it.
#[derive(Clone, Copy)]
pub struct AttributeUseRef<'s> {
    c: &'s Components,
    u: &'s model::AttributeUse,
}

impl<'s> ElementDeclRef<'s> {
    pub(super) fn new(c: &'s Components, id: ElemId) -> Self {
        ElementDeclRef { c, id }
    }

    pub fn namespace(&self) -> Option<&'s str> {
        self.c.elements[self.id].name.ns.as_deref()
    }

    pub fn name(&self) -> &'s str {
        &self.c.elements[self.id].name.local
    }

    pub fn type_def(&self) -> TypeRef<'s> {
        TypeRef {
            c: self.c,
            id: self.c.elements[self.id].type_id,
        }
    }

    pub fn nillable(&self) -> bool {
        self.c.elements[self.id].nillable
    }

    pub fn is_abstract(&self) -> bool {
        self.c.elements[self.id].is_abstract
    }

    /// The default or fixed value, with true for fixed.
    pub fn value_constraint(&self) -> Option<(&'s str, bool)> {
        self.c.elements[self.id]
            .value
            .as_ref()
            .map(|v| (v.lexical.as_str(), v.fixed))
    }

    /// Elements that may appear in its place (its substitution group, transitively).
    pub fn substitutes(&self) -> Vec<ElementDeclRef<'s>> {
        self.c
            .substitutes
            .get(&self.id)
            .into_iter()
            .flatten()
            .map(|&e| ElementDeclRef::new(self.c, e))
            .collect()
    }
}

impl<'s> TypeRef<'s> {
    /// The type's name (namespace, local), None for an anonymous type.
    pub fn name(&self) -> Option<(Option<&'s str>, &'s str)> {
        self.c.types[self.id]
            .name
            .as_ref()
            .map(|n| (n.ns.as_deref(), n.local.as_str()))
    }

    /// The simple type, for a simple type or a complex type with simple content.
    pub fn simple_content(&self) -> Option<SimpleTypeRef<'s>> {
        match &self.c.types[self.id].kind {
            TypeKind::Simple(_) => Some(SimpleTypeRef {
                c: self.c,
                id: self.id,
            }),
            TypeKind::Complex(ct) => match ct.content {
                ContentType::Simple(s) => Some(SimpleTypeRef { c: self.c, id: s }),
                _ => None,
            },
        }
    }

    /// The content model particle, for element-only or mixed content.
    pub fn particle(&self) -> Option<ParticleRef<'s>> {
        match self.c.complex(self.id)?.content {
            ContentType::Elements { particle, .. } => Some(ParticleRef {
                c: self.c,
                id: particle,
            }),
            _ => None,
        }
    }

    pub fn is_mixed(&self) -> bool {
        matches!(
            self.c.complex(self.id).map(|ct| &ct.content),
            Some(ContentType::Elements { mixed: true, .. })
        )
    }

    pub fn is_abstract(&self) -> bool {
        self.c.complex(self.id).is_some_and(|ct| ct.is_abstract)
    }

    pub fn attributes(&self) -> Vec<AttributeUseRef<'s>> {
        self.c
            .complex(self.id)
            .map(|ct| {
                ct.attributes
                    .iter()
                    .map(|u| AttributeUseRef { c: self.c, u })
                    .collect()
            })
            .unwrap_or_default()
    }

    pub fn attribute_wildcard(&self) -> Option<WildcardRef<'s>> {
        self.c
            .complex(self.id)?
            .attribute_wildcard
            .as_ref()
            .map(|w| WildcardRef { w })
    }
}

impl<'s> SimpleTypeRef<'s> {
    /// The built-in type whose value space an atomic type restricts; None for list and union.
    pub fn builtin(&self) -> Option<BuiltinType> {
        self.c.atomic_builtin(self.id)
    }

    pub fn list_item(&self) -> Option<SimpleTypeRef<'s>> {
        match &self.c.simple(self.id)?.variety {
            Variety::List { item } => Some(SimpleTypeRef {
                c: self.c,
                id: *item,
            }),
            _ => None,
        }
    }

    pub fn union_members(&self) -> Vec<SimpleTypeRef<'s>> {
        match self.c.simple(self.id).map(|s| &s.variety) {
            Some(Variety::Union { members }) => members
                .iter()
                .map(|&id| SimpleTypeRef { c: self.c, id })
                .collect(),
            _ => vec![],
        }
    }

    /// The facets declared along the derivation, nearest first: (facet name, lexical value),
    /// e.g. ("enumeration", "ansøgt"), ("pattern", "[0-9]{10}"), ("maxLength", "40").
    pub fn facets(&self) -> Vec<(&'s str, &'s str)> {
        let mut out = vec![];
        let mut t = Some(self.id);
        let mut hops = 0;
        while let (Some(id), true) = (t, hops < 256) {
            let Some(s) = self.c.simple(id) else { break };
            out.extend(s.own_facets.iter().map(|(n, v)| (n.as_str(), v.as_str())));
            t = s.base.filter(|b| *b != id);
            hops += 1;
        }
        out
    }

    /// The effective facets of an atomic or list type (its built-in's and every restriction
    /// step's, combined), None for a union.
    pub fn facet_set(&self) -> Option<&'s FacetSet> {
        let s = self.c.simple(self.id)?;
        (!matches!(s.variety, Variety::Union { .. })).then_some(&s.facets)
    }

    /// The type's name, or `(anonymous type)`, for messages.
    pub fn display_name(&self) -> String {
        self.c.type_name(self.id)
    }

    /// Whether `text` is a valid value of this type (with no namespace prefixes in scope).
    pub fn is_valid(&self, text: &str) -> bool {
        let mut ids = super::simple::Ids::default();
        super::simple::validate(
            self.c,
            self.id,
            text,
            &super::datatypes::NoNamespaces,
            &mut ids,
        )
        .is_ok()
    }
}

impl std::fmt::Debug for SimpleTypeRef<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SimpleTypeRef({})", self.display_name())
    }
}

impl<'s> ParticleRef<'s> {
    pub fn min_occurs(&self) -> u32 {
        self.c.particles[self.id].min
    }

    /// None means unbounded.
    pub fn max_occurs(&self) -> Option<u32> {
        self.c.particles[self.id].max
    }

    pub fn term(&self) -> TermRef<'s> {
        let list = |ch: &[ParticleId]| ch.iter().map(|&id| ParticleRef { c: self.c, id }).collect();
        match &self.c.particles[self.id].term {
            Term::Element(e) => TermRef::Element(ElementDeclRef::new(self.c, *e)),
            Term::Wildcard(w) => TermRef::Wildcard(WildcardRef { w }),
            Term::Sequence(ch) => TermRef::Sequence(list(ch)),
            Term::Choice(ch) => TermRef::Choice(list(ch)),
            Term::All(ch) => TermRef::All(list(ch)),
        }
    }
}

impl<'s> WildcardRef<'s> {
    pub fn allows(&self, namespace: Option<&str>) -> bool {
        self.w.allows(namespace)
    }

    /// The namespaces listed, when the wildcard allows a finite set.
    pub fn namespaces(&self) -> Option<Vec<Option<&'s str>>> {
        match &self.w.ns {
            NsConstraint::Set(s) => Some(s.iter().map(|n| n.as_deref()).collect()),
            _ => None,
        }
    }
}

impl<'s> AttributeUseRef<'s> {
    pub fn namespace(&self) -> Option<&'s str> {
        self.c.attributes[self.u.decl].name.ns.as_deref()
    }

    pub fn name(&self) -> &'s str {
        &self.c.attributes[self.u.decl].name.local
    }

    pub fn required(&self) -> bool {
        self.u.required
    }

    pub fn simple_type(&self) -> SimpleTypeRef<'s> {
        SimpleTypeRef {
            c: self.c,
            id: self.c.attributes[self.u.decl].type_id,
        }
    }

    /// The default or fixed value, with true for fixed.
    pub fn value_constraint(&self) -> Option<(&'s str, bool)> {
        self.u
            .value
            .as_ref()
            .or(self.c.attributes[self.u.decl].value.as_ref())
            .map(|v| (v.lexical.as_str(), v.fixed))
    }
}

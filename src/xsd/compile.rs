//! Building the components of a schema set from its documents (XSD 1.0 Structures, section 3)
//! and checking the constraints on schemas that need more than the schema-for-schemas.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;

use roxmltree::{Document, Node, NodeId};

use super::datatypes::{BuiltinType, FacetDecl, FacetKind, FacetSet, NamespaceResolver, XsdRegex};
use super::error::SchemaError;
use super::loader::{self, Files, Reference};
use super::model::*;
use super::wildcard::{parse_namespace, parse_process};
use super::{CompileOptions, XS, XSI, s4s, simple};

const XML_NS: &str = "http://www.w3.org/XML/1998/namespace";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Kind {
    Type,
    Element,
    Attribute,
    Group,
    AttributeGroup,
    Notation,
}

/// A schema element in a document: the document (with its effective target namespace) and node.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(super) struct Source {
    pub doc: usize,
    pub node: NodeId,
}

type Result<T> = std::result::Result<T, SchemaError>;

/// Attribute uses and wildcard of an attribute group or a type's own declarations.
#[derive(Debug, Clone, Default)]
struct AttributeSet {
    uses: Vec<AttributeUse>,
    prohibited: Vec<QName>,
    wildcard: Option<Wildcard>,
}

/// A check that needs every component built first.
enum Deferred {
    ElementValue(ElemId, Source),
    AttributeValue(AttrId, Source),
    AttributeUseValue(AttrId, Source),
    ContentRestriction(TypeId, Source),
    ContentModel(TypeId, Source),
    SubstitutionHead(ElemId, Source),
    KeyRef(IdcId, QName, Source),
}

pub(super) struct Builder<'a, 'i> {
    files: &'a Files,
    docs: &'a [Document<'i>],
    pub c: Components,
    table: HashMap<(Kind, QName), Source>,
    order: Vec<(Kind, QName)>,
    originals: HashMap<(Kind, QName), Source>,
    types: HashMap<Source, TypeId>,
    building_types: HashSet<TypeId>,
    elements: HashMap<Source, ElemId>,
    attributes: HashMap<Source, AttrId>,
    groups: HashMap<Source, ParticleId>,
    building_groups: HashSet<Source>,
    attribute_groups: HashMap<Source, AttributeSet>,
    building_attribute_groups: HashSet<Source>,
    idc_names: HashMap<QName, IdcId>,
    deferred: Vec<Deferred>,
    pub type_sources: HashMap<TypeId, Source>,
}

pub(super) fn compile(paths: &[PathBuf], options: &CompileOptions) -> Result<Components> {
    let files = loader::load(paths, options)?;
    let mut docs = Vec::with_capacity(files.texts.len());
    for (i, text) in files.texts.iter().enumerate() {
        let doc = loader::parse_schema_text(text)
            .map_err(|e| loader::not_well_formed(&files.paths[i], &e))?;
        if let Some(v) = s4s::check(doc.root_element()) {
            let pos = doc.text_pos_at(v.node.range().start);
            return Err(SchemaError {
                file: files.paths[i].clone(),
                line: pos.row,
                column: pos.col,
                rule: "s4s-elt-must-match",
                message: v.message,
            });
        }
        docs.push(doc);
    }
    let mut b = Builder::new(&files, &docs);
    b.check_references()?;
    b.register()?;
    b.apply_redefines()?;
    b.build_all()?;
    b.finish()?;
    Ok(b.c)
}

fn parse_bool(v: Option<&str>) -> bool {
    matches!(v.map(str::trim), Some("true" | "1"))
}

fn parse_derivations(v: Option<&str>) -> DerivationSet {
    let mut set = DerivationSet::default();
    let Some(v) = v else { return set };
    for token in v.split_ascii_whitespace() {
        match token {
            "#all" => {
                return DerivationSet {
                    extension: true,
                    restriction: true,
                    substitution: true,
                    list: true,
                    union: true,
                };
            }
            "extension" => set.extension = true,
            "restriction" => set.restriction = true,
            "substitution" => set.substitution = true,
            "list" => set.list = true,
            "union" => set.union = true,
            _ => {}
        }
    }
    set
}

fn xs_child<'a, 'i>(node: Node<'a, 'i>, names: &[&str]) -> Option<Node<'a, 'i>> {
    node.children().find(|c| {
        c.is_element()
            && c.tag_name().namespace() == Some(XS)
            && names.contains(&c.tag_name().name())
    })
}

fn xs_children<'a, 'i>(node: Node<'a, 'i>) -> impl Iterator<Item = Node<'a, 'i>> {
    node.children().filter(|c| {
        c.is_element()
            && c.tag_name().namespace() == Some(XS)
            && c.tag_name().name() != "annotation"
    })
}

fn kind_of(element: &str) -> Option<Kind> {
    Some(match element {
        "simpleType" | "complexType" => Kind::Type,
        "element" => Kind::Element,
        "attribute" => Kind::Attribute,
        "group" => Kind::Group,
        "attributeGroup" => Kind::AttributeGroup,
        "notation" => Kind::Notation,
        _ => return None,
    })
}

/// Resolves prefixes in scope at a schema node (QName-valued defaults, fixed values, facets).
pub(super) struct NodeResolver<'a, 'i>(pub Node<'a, 'i>);

impl NamespaceResolver for NodeResolver<'_, '_> {
    fn resolve(&self, prefix: &str) -> Option<String> {
        if prefix == "xml" {
            return Some(XML_NS.to_owned());
        }
        self.0
            .lookup_namespace_uri(if prefix.is_empty() {
                None
            } else {
                Some(prefix)
            })
            .map(str::to_owned)
    }
}

impl<'a, 'i> Builder<'a, 'i> {
    fn new(files: &'a Files, docs: &'a [Document<'i>]) -> Self {
        Builder {
            files,
            docs,
            c: builtin_components(),
            table: HashMap::new(),
            order: vec![],
            originals: HashMap::new(),
            types: HashMap::new(),
            building_types: HashSet::new(),
            elements: HashMap::new(),
            attributes: HashMap::new(),
            groups: HashMap::new(),
            building_groups: HashSet::new(),
            attribute_groups: HashMap::new(),
            building_attribute_groups: HashSet::new(),
            idc_names: HashMap::new(),
            deferred: vec![],
            type_sources: HashMap::new(),
        }
    }

    fn node(&self, s: Source) -> Node<'a, 'i> {
        let doc = &self.docs[self.files.docs[s.doc].file];
        doc.get_node(s.node).unwrap_or_else(|| doc.root_element())
    }

    fn tns(&self, doc: usize) -> Option<&str> {
        self.files.docs[doc].tns.as_deref()
    }

    fn err(
        &self,
        doc: usize,
        node: Node,
        rule: &'static str,
        message: impl Into<String>,
    ) -> SchemaError {
        let file = self.files.docs[doc].file;
        let pos = self.docs[file].text_pos_at(node.range().start);
        SchemaError {
            file: self.files.paths[file].clone(),
            line: pos.row,
            column: pos.col,
            rule,
            message: message.into(),
        }
    }

    fn src(doc: usize, node: Node) -> Source {
        Source {
            doc,
            node: node.id(),
        }
    }

    /// Resolves a QName-valued schema attribute (type, ref, base, ...).
    fn qname(&self, doc: usize, node: Node, value: &str) -> Result<QName> {
        let value = value.trim();
        let (prefix, local) = match value.split_once(':') {
            Some((p, l)) => (Some(p), l),
            None => (None, value),
        };
        let ns = match prefix {
            Some("xml") => Some(XML_NS.to_owned()),
            Some(p) => match node.lookup_namespace_uri(Some(p)) {
                Some(ns) => Some(ns.to_owned()),
                None => {
                    return Err(self.err(
                        doc,
                        node,
                        "src-resolve.4",
                        format!("prefix {p:?} of {value:?} is not declared"),
                    ));
                }
            },
            None => match node.lookup_namespace_uri(None) {
                Some("") | None if self.files.docs[doc].chameleon => {
                    self.tns(doc).map(str::to_owned)
                }
                Some("") | None => None,
                Some(ns) => Some(ns.to_owned()),
            },
        };
        Ok(QName {
            ns,
            local: local.to_owned(),
        })
    }

    /// src-resolve.4: a document may refer only to its own namespace, imported ones and XSD's.
    fn check_namespace_visible(&self, doc: usize, node: Node, name: &QName) -> Result<()> {
        let ns = name.ns.as_deref();
        if ns == Some(XS) || ns == self.tns(doc) || ns == Some(XML_NS) {
            return Ok(());
        }
        let root = self.node(Source {
            doc,
            node: node.document().root_element().id(),
        });
        let imported = xs_children(root)
            .filter(|c| c.tag_name().name() == "import")
            .any(|imp| imp.attribute("namespace") == ns);
        if imported {
            Ok(())
        } else {
            Err(self.err(
                doc,
                node,
                "src-resolve.4.2",
                format!("{name} is in a namespace this document does not import"),
            ))
        }
    }

    fn lookup(
        &self,
        kind: Kind,
        doc: usize,
        node: Node,
        name: &QName,
        what: &str,
    ) -> Result<Source> {
        self.check_namespace_visible(doc, node, name)?;
        let key = (kind, name.clone());
        if let Some(original) = self.originals.get(&key) {
            let redefining = self.table[&key];
            let inside =
                redefining.doc == doc && node.ancestors().any(|a| a.id() == redefining.node);
            if inside {
                return Ok(*original);
            }
        }
        match self.table.get(&key) {
            Some(s) => Ok(*s),
            None => {
                let mut message = format!("no {what} named {name} is declared");
                for missing in &self.files.missing_imports {
                    if missing.namespace == name.ns {
                        let tried: Vec<String> = missing
                            .tried
                            .iter()
                            .map(|p| p.display().to_string())
                            .collect();
                        message.push_str(&format!(
                            "; the import of namespace {} could not be resolved (tried: {})",
                            name.ns.as_deref().unwrap_or("(none)"),
                            if tried.is_empty() {
                                "no location given and none in the catalogue".to_owned()
                            } else {
                                tried.join(", ")
                            }
                        ));
                    }
                }
                Err(self.err(doc, node, "src-resolve", message))
            }
        }
    }

    /// src-include, src-redefine, src-import: the namespaces of referred documents.
    fn check_references(&self) -> Result<()> {
        for (d, info) in self.files.docs.iter().enumerate() {
            let root = self.docs[info.file].root_element();
            let children: Vec<Node> = root.children().filter(|c| c.is_element()).collect();
            for &(how, referred, index) in &info.references {
                let node = children[index];
                let referred_own_tns = self.docs[self.files.docs[referred].file]
                    .root_element()
                    .attribute("targetNamespace");
                match how {
                    Reference::Include | Reference::Redefine => {
                        if referred_own_tns.is_some() && referred_own_tns != info.tns.as_deref() {
                            return Err(self.err(
                                d,
                                node,
                                "src-include.2.1",
                                format!(
                                    "the included document has target namespace {:?}, not {:?}",
                                    referred_own_tns.unwrap_or(""),
                                    info.tns.as_deref().unwrap_or("")
                                ),
                            ));
                        }
                    }
                    Reference::Import => {
                        let namespace = node.attribute("namespace");
                        if namespace == info.tns.as_deref() && namespace.is_some()
                            || namespace.is_none() && info.tns.is_none()
                        {
                            return Err(self.err(
                                d,
                                node,
                                "src-import.1",
                                "a document may not import its own target namespace",
                            ));
                        }
                        if referred_own_tns != namespace {
                            return Err(self.err(
                                d,
                                node,
                                "src-import.3",
                                format!(
                                    "the imported document has target namespace {:?}, not {:?}",
                                    referred_own_tns.unwrap_or(""),
                                    namespace.unwrap_or("")
                                ),
                            ));
                        }
                    }
                }
            }
            for node in &children {
                if node.tag_name().name() == "import" && node.tag_name().namespace() == Some(XS) {
                    let namespace = node.attribute("namespace");
                    if namespace.is_some() && namespace == info.tns.as_deref()
                        || namespace.is_none() && info.tns.is_none()
                    {
                        return Err(self.err(
                            d,
                            *node,
                            "src-import.1",
                            "a document may not import its own target namespace",
                        ));
                    }
                }
            }
        }
        Ok(())
    }

    fn register(&mut self) -> Result<()> {
        for d in 0..self.files.docs.len() {
            let root = self.docs[self.files.docs[d].file].root_element();
            for child in xs_children(root) {
                let Some(kind) = kind_of(child.tag_name().name()) else {
                    continue;
                };
                let name = child.attribute("name").unwrap_or("").trim();
                let key = (kind, QName::new(self.tns(d), name));
                if let Some(existing) = self.table.get(&key) {
                    if *existing != Self::src(d, child) {
                        return Err(self.err(
                            d,
                            child,
                            "sch-props-correct.2",
                            format!("{} {} is declared twice", child.tag_name().name(), key.1),
                        ));
                    }
                    continue;
                }
                self.order.push(key.clone());
                self.table.insert(key, Self::src(d, child));
            }
        }
        Ok(())
    }

    fn apply_redefines(&mut self) -> Result<()> {
        for d in 0..self.files.docs.len() {
            let root = self.docs[self.files.docs[d].file].root_element();
            for redefine in xs_children(root).filter(|c| c.tag_name().name() == "redefine") {
                for child in xs_children(redefine) {
                    let Some(kind) = kind_of(child.tag_name().name()) else {
                        continue;
                    };
                    let name = child.attribute("name").unwrap_or("").trim();
                    let key = (kind, QName::new(self.tns(d), name));
                    let Some(&original) = self.table.get(&key) else {
                        return Err(self.err(
                            d,
                            child,
                            "src-redefine.2",
                            format!("{name} is not defined in the redefined schema"),
                        ));
                    };
                    if self.originals.contains_key(&key) {
                        return Err(self.err(
                            d,
                            child,
                            "src-redefine",
                            format!("{name} is redefined twice"),
                        ));
                    }
                    self.check_redefinition(d, child, &key.1)?;
                    self.originals.insert(key.clone(), original);
                    self.table.insert(key, Self::src(d, child));
                }
            }
        }
        Ok(())
    }

    /// src-redefine.5-7: a redefinition must derive from, or refer to, what it redefines.
    fn check_redefinition(&self, d: usize, node: Node, name: &QName) -> Result<()> {
        match node.tag_name().name() {
            "simpleType" | "complexType" => {
                let derivation = node.descendants().find(|n| {
                    n.tag_name().namespace() == Some(XS)
                        && matches!(n.tag_name().name(), "restriction" | "extension")
                });
                let base = derivation.and_then(|n| n.attribute("base").map(|b| (n, b)));
                let is_self = match base {
                    Some((n, b)) => self.qname(d, n, b)? == *name,
                    None => false,
                };
                let derivation_is_direct = derivation.is_some_and(|n| {
                    n.parent() == Some(node) || n.parent().and_then(|p| p.parent()) == Some(node)
                });
                if !is_self || !derivation_is_direct {
                    return Err(self.err(
                        d,
                        node,
                        "src-redefine.5",
                        format!("the redefinition of type {name} must derive from its original"),
                    ));
                }
            }
            "group" => {
                let mut self_refs = 0;
                for r in node
                    .descendants()
                    .filter(|n| n.has_tag_name((XS, "group")) && n.attribute("ref").is_some())
                {
                    if self.qname(d, r, r.attribute("ref").unwrap_or(""))? == *name {
                        self_refs += 1;
                        let occurs = |a: &str| r.attribute(a).map(str::trim).unwrap_or("1") == "1";
                        if !occurs("minOccurs") || !occurs("maxOccurs") {
                            return Err(self.err(d, r, "src-redefine.6.1.2", "a group's reference to itself in a redefinition must occur exactly once"));
                        }
                    }
                }
                if self_refs > 1 {
                    return Err(self.err(
                        d,
                        node,
                        "src-redefine.6.1.1",
                        "a redefined group may refer to itself at most once",
                    ));
                }
            }
            "attributeGroup" => {
                let mut self_refs = 0;
                for r in node.descendants().filter(|n| {
                    n.has_tag_name((XS, "attributeGroup")) && n.attribute("ref").is_some()
                }) {
                    if self.qname(d, r, r.attribute("ref").unwrap_or(""))? == *name {
                        self_refs += 1;
                    }
                }
                if self_refs > 1 {
                    return Err(self.err(
                        d,
                        node,
                        "src-redefine.7.1",
                        "a redefined attribute group may refer to itself at most once",
                    ));
                }
            }
            _ => {}
        }
        Ok(())
    }

    fn build_all(&mut self) -> Result<()> {
        for key in self.order.clone() {
            let source = self.table[&key];
            let node = self.node(source);
            match key.0 {
                Kind::Type => {
                    let id = self.global_type(source)?;
                    self.c.global_types.insert(key.1.clone(), id);
                }
                Kind::Element => {
                    let id = self.global_element(source)?;
                    self.c.global_elements.insert(key.1.clone(), id);
                }
                Kind::Attribute => {
                    let id = self.global_attribute(source)?;
                    self.c.global_attributes.insert(key.1.clone(), id);
                }
                Kind::Group => {
                    self.group_template(source)?;
                }
                Kind::AttributeGroup => {
                    self.attribute_group(source)?;
                }
                Kind::Notation => {
                    if node.attribute("public").is_none() && node.attribute("system").is_none() {
                        return Err(self.err(
                            source.doc,
                            node,
                            "n-props-correct",
                            "a notation needs a public or system identifier",
                        ));
                    }
                    self.c.notations.insert(key.1.clone(), ());
                }
            }
        }
        for original in self.originals.clone().values() {
            let node = self.node(*original);
            match node.tag_name().name() {
                "simpleType" | "complexType" => {
                    self.global_type(*original)?;
                }
                "group" => {
                    self.group_template(*original)?;
                }
                "attributeGroup" => {
                    self.attribute_group(*original)?;
                }
                _ => {}
            }
        }
        Ok(())
    }

    // ---------------------------------------------------------------- types

    fn type_ref(&mut self, doc: usize, node: Node<'a, 'i>, value: &str) -> Result<TypeId> {
        let name = self.qname(doc, node, value)?;
        if name.ns.as_deref() == Some(XS) {
            if name.local == "anyType" {
                return Ok(self.c.any_type);
            }
            if let Some(&id) = self.c.global_types.get(&name) {
                return Ok(id);
            }
        }
        let source = self.lookup(Kind::Type, doc, node, &name, "type")?;
        self.global_type(source)
    }

    fn global_type(&mut self, source: Source) -> Result<TypeId> {
        if let Some(&id) = self.types.get(&source) {
            return Ok(id);
        }
        let node = self.node(source);
        let name = node
            .attribute("name")
            .map(|n| QName::new(self.tns(source.doc), n.trim()));
        self.build_type(source.doc, node, name)
    }

    fn anonymous_type(&mut self, doc: usize, node: Node<'a, 'i>) -> Result<TypeId> {
        if let Some(&id) = self.types.get(&Self::src(doc, node)) {
            return Ok(id);
        }
        self.build_type(doc, node, None)
    }

    fn build_type(
        &mut self,
        doc: usize,
        node: Node<'a, 'i>,
        name: Option<QName>,
    ) -> Result<TypeId> {
        let id = self.c.types.len();
        self.c.types.push(TypeDef {
            name: name.clone(),
            kind: self.c.types[self.c.any_simple_type].kind.clone(),
        });
        self.types.insert(Self::src(doc, node), id);
        self.type_sources.insert(id, Self::src(doc, node));
        self.building_types.insert(id);
        let kind = if node.tag_name().name() == "simpleType" {
            TypeKind::Simple(Box::new(self.build_simple(doc, node, id)?))
        } else {
            TypeKind::Complex(self.build_complex(doc, node, id)?)
        };
        self.c.types[id] = TypeDef { name, kind };
        self.building_types.remove(&id);
        Ok(id)
    }

    /// A type used as a base, list item or union member must be complete: not one being built.
    fn complete(&self, doc: usize, node: Node, id: TypeId, rule: &'static str) -> Result<TypeId> {
        if self.building_types.contains(&id) {
            return Err(self.err(
                doc,
                node,
                rule,
                format!("type {} is derived from itself", self.c.type_name(id)),
            ));
        }
        Ok(id)
    }

    fn final_default(&self, doc: usize) -> Option<&'a str> {
        self.docs[self.files.docs[doc].file]
            .root_element()
            .attribute("finalDefault")
    }

    fn block_default(&self, doc: usize) -> Option<&'a str> {
        self.docs[self.files.docs[doc].file]
            .root_element()
            .attribute("blockDefault")
    }

    fn simple_base_or_child(
        &mut self,
        doc: usize,
        node: Node<'a, 'i>,
        attr: &str,
        rule: &'static str,
    ) -> Result<Option<TypeId>> {
        let child = xs_child(node, &["simpleType"]);
        match (node.attribute(attr), child) {
            (Some(_), Some(_)) => Err(self.err(
                doc,
                node,
                rule,
                format!("both a {attr} attribute and an xs:simpleType child"),
            )),
            (Some(v), None) => {
                let id = self.type_ref(doc, node, v)?;
                Ok(Some(self.complete(doc, node, id, "st-props-correct.2")?))
            }
            (None, Some(c)) => Ok(Some(self.anonymous_type(doc, c)?)),
            (None, None) => Ok(None),
        }
    }

    fn build_simple(&mut self, doc: usize, node: Node<'a, 'i>, _id: TypeId) -> Result<SimpleType> {
        let final_ = parse_derivations(node.attribute("final").or(self.final_default(doc)));
        let Some(def) = xs_child(node, &["restriction", "list", "union"]) else {
            return Err(self.err(
                doc,
                node,
                "src-simple-type",
                "xs:simpleType needs restriction, list or union",
            ));
        };
        match def.tag_name().name() {
            "restriction" => {
                let Some(base) =
                    self.simple_base_or_child(doc, def, "base", "src-simple-type.2")?
                else {
                    return Err(self.err(
                        doc,
                        def,
                        "src-simple-type.2",
                        "xs:restriction needs a base attribute or an xs:simpleType child",
                    ));
                };
                self.restrict_simple(doc, def, base, final_)
            }
            "list" => {
                let Some(item) =
                    self.simple_base_or_child(doc, def, "itemType", "src-simple-type.3")?
                else {
                    return Err(self.err(
                        doc,
                        def,
                        "src-simple-type.3",
                        "xs:list needs an itemType attribute or an xs:simpleType child",
                    ));
                };
                let Some(item_type) = self.c.simple(item) else {
                    return Err(self.err(
                        doc,
                        def,
                        "cos-st-restricts.2.1",
                        "the item type of a list must be a simple type",
                    ));
                };
                if item_type.final_.list {
                    return Err(self.err(
                        doc,
                        def,
                        "cos-st-restricts.2.3.1.2",
                        "the item type is final for list",
                    ));
                }
                let item_is_list = match &item_type.variety {
                    Variety::List { .. } => true,
                    Variety::Union { members } => members.iter().any(|&m| {
                        matches!(
                            self.c.simple(m).map(|s| &s.variety),
                            Some(Variety::List { .. })
                        )
                    }),
                    Variety::Atomic { .. } => false,
                };
                if item_is_list {
                    return Err(self.err(
                        doc,
                        def,
                        "cos-st-restricts.2.1",
                        "the item type of a list must be atomic or a union of atomic types",
                    ));
                }
                Ok(SimpleType {
                    base: Some(self.c.any_simple_type),
                    variety: Variety::List { item },
                    final_,
                    facets: FacetSet::for_builtin(BuiltinType::AnySimpleType),
                    union_facets: UnionFacets::default(),
                    own_facets: vec![],
                })
            }
            _ => {
                let mut members = vec![];
                if let Some(list) = def.attribute("memberTypes") {
                    for m in list.split_ascii_whitespace() {
                        let id = self.type_ref(doc, def, m)?;
                        members.push(self.complete(doc, def, id, "st-props-correct.2")?);
                    }
                }
                for child in xs_children(def).filter(|c| c.tag_name().name() == "simpleType") {
                    members.push(self.anonymous_type(doc, child)?);
                }
                if members.is_empty() {
                    return Err(self.err(
                        doc,
                        def,
                        "src-union-memberTypes-or-simpleTypes",
                        "xs:union needs memberTypes or xs:simpleType children",
                    ));
                }
                for &m in &members {
                    match self.c.simple(m) {
                        None => {
                            return Err(self.err(
                                doc,
                                def,
                                "cos-st-restricts.3.1",
                                "union members must be simple types",
                            ));
                        }
                        Some(s) if s.final_.union => {
                            return Err(self.err(
                                doc,
                                def,
                                "cos-st-restricts.3.3.1.2",
                                format!("member {} is final for union", self.c.type_name(m)),
                            ));
                        }
                        Some(_) => {}
                    }
                }
                Ok(SimpleType {
                    base: Some(self.c.any_simple_type),
                    variety: Variety::Union { members },
                    final_,
                    facets: FacetSet::for_builtin(BuiltinType::AnySimpleType),
                    union_facets: UnionFacets::default(),
                    own_facets: vec![],
                })
            }
        }
    }

    /// A restriction step of a simple type (also the simple content of a complex type).
    fn restrict_simple(
        &mut self,
        doc: usize,
        def: Node<'a, 'i>,
        base: TypeId,
        final_: DerivationSet,
    ) -> Result<SimpleType> {
        let Some(base_type) = self.c.simple(base).cloned() else {
            return Err(self.err(
                doc,
                def,
                "st-props-correct.1",
                format!(
                    "the base {} of a simple type must be simple",
                    self.c.type_name(base)
                ),
            ));
        };
        if base_type.final_.restriction {
            return Err(self.err(
                doc,
                def,
                "st-props-correct.3",
                format!("type {} is final for restriction", self.c.type_name(base)),
            ));
        }
        if base == self.c.any_simple_type {
            return Err(self.err(
                doc,
                def,
                "cos-st-restricts",
                "xs:anySimpleType cannot be restricted directly",
            ));
        }
        let mut decls = vec![];
        let mut own_facets = vec![];
        for facet in xs_children(def) {
            let name = facet.tag_name().name();
            let Some(kind) = facet_kind(name) else {
                continue;
            };
            let value = facet.attribute("value").unwrap_or("");
            own_facets.push((name.to_owned(), value.to_owned()));
            decls.push(FacetDecl {
                kind,
                value: value.to_owned(),
                fixed: parse_bool(facet.attribute("fixed")),
                namespaces: namespaces_at(facet),
            });
        }
        let mut st = SimpleType {
            base: Some(base),
            final_,
            own_facets,
            ..base_type.clone()
        };
        match &base_type.variety {
            Variety::Atomic { builtin } => {
                st.facets = base_type
                    .facets
                    .restrict(*builtin, false, &decls)
                    .map_err(|e| self.err(doc, def, e.constraint, e.message))?;
            }
            Variety::List { item } => {
                let item_builtin = self.c.atomic_builtin(*item).unwrap_or(BuiltinType::String);
                st.facets = base_type
                    .facets
                    .restrict(item_builtin, true, &decls)
                    .map_err(|e| self.err(doc, def, e.constraint, e.message))?;
            }
            Variety::Union { .. } => {
                let mut patterns = vec![];
                let mut enumeration = vec![];
                for facet in xs_children(def) {
                    let value = facet.attribute("value").unwrap_or("");
                    match facet.tag_name().name() {
                        "pattern" => {
                            let re = XsdRegex::new(value).map_err(|e| {
                                self.err(doc, facet, "cos-applicable-facets", e.to_string())
                            })?;
                            patterns.push((value.to_owned(), re));
                        }
                        "enumeration" => {
                            let v = simple::validate(
                                &self.c,
                                base,
                                value,
                                &NodeResolver(facet),
                                &mut simple::Ids::default(),
                            )
                            .map_err(|e| {
                                self.err(doc, facet, "enumeration-valid-restriction", e)
                            })?;
                            enumeration.push(v);
                        }
                        "simpleType" => {}
                        other => {
                            return Err(self.err(
                                doc,
                                facet,
                                "cos-applicable-facets",
                                format!("facet {other} does not apply to a union type"),
                            ));
                        }
                    }
                }
                if !patterns.is_empty() {
                    st.union_facets.patterns.push(patterns);
                }
                if !enumeration.is_empty() {
                    st.union_facets.enumeration = Some(enumeration);
                }
            }
        }
        Ok(st)
    }

    fn build_complex(&mut self, doc: usize, node: Node<'a, 'i>, id: TypeId) -> Result<ComplexType> {
        let is_abstract = parse_bool(node.attribute("abstract"));
        let block = parse_derivations(node.attribute("block").or(self.block_default(doc)));
        let final_ = parse_derivations(node.attribute("final").or(self.final_default(doc)));
        let content_child = xs_child(node, &["simpleContent", "complexContent"]);
        let mut ct = ComplexType {
            base: self.c.any_type,
            derivation: Derivation::Restriction,
            is_abstract,
            final_: DerivationSet {
                extension: final_.extension,
                restriction: final_.restriction,
                ..Default::default()
            },
            block: DerivationSet {
                extension: block.extension,
                restriction: block.restriction,
                ..Default::default()
            },
            attributes: vec![],
            attribute_wildcard: None,
            content: ContentType::Empty,
        };
        let Some(content_child) = content_child else {
            let mixed = parse_bool(node.attribute("mixed"));
            let own = self.attribute_set(doc, node)?;
            ct.content = self.explicit_content(doc, node, mixed)?;
            self.restrict_attributes(doc, node, id, &mut ct, own)?;
            self.deferred
                .push(Deferred::ContentModel(id, Self::src(doc, node)));
            return Ok(ct);
        };
        let Some(derivation) = xs_child(content_child, &["restriction", "extension"]) else {
            return Err(self.err(
                doc,
                content_child,
                "src-ct",
                "expected xs:restriction or xs:extension",
            ));
        };
        let base_attr = derivation.attribute("base").unwrap_or("");
        let base = self.type_ref(doc, derivation, base_attr)?;
        let base = self.complete(doc, derivation, base, "ct-props-correct.3")?;
        ct.base = base;
        let is_extension = derivation.tag_name().name() == "extension";
        ct.derivation = if is_extension {
            Derivation::Extension
        } else {
            Derivation::Restriction
        };
        let base_final = match &self.c.types[base].kind {
            TypeKind::Complex(b) => b.final_,
            TypeKind::Simple(s) => s.final_,
        };
        if is_extension && base_final.extension {
            return Err(self.err(
                doc,
                derivation,
                "cos-ct-extends.1.1",
                format!("type {} is final for extension", self.c.type_name(base)),
            ));
        }
        if !is_extension && base_final.restriction {
            return Err(self.err(
                doc,
                derivation,
                "derivation-ok-restriction.1",
                format!("type {} is final for restriction", self.c.type_name(base)),
            ));
        }
        let own = self.attribute_set(doc, derivation)?;
        let base_complex = self.c.complex(base).cloned();
        if content_child.tag_name().name() == "simpleContent" {
            ct.content = match (&base_complex, is_extension) {
                (None, true) => ContentType::Simple(base),
                (Some(b), true) => match b.content {
                    ContentType::Simple(s) => ContentType::Simple(s),
                    _ => {
                        return Err(self.err(
                            doc,
                            derivation,
                            "src-ct.2",
                            format!("{} has no simple content to extend", self.c.type_name(base)),
                        ));
                    }
                },
                (None, false) => {
                    return Err(self.err(
                        doc,
                        derivation,
                        "src-ct.2",
                        "a simpleContent restriction needs a complex base type",
                    ));
                }
                (Some(b), false) => {
                    let content_base = match (&b.content, xs_child(derivation, &["simpleType"])) {
                        (ContentType::Simple(s), None) => *s,
                        (ContentType::Simple(s), Some(child)) => {
                            let t = self.anonymous_type(doc, child)?;
                            if !self.simple_derives_from(t, *s) {
                                return Err(self.err(
                                    doc,
                                    child,
                                    "derivation-ok-restriction.5.1.2",
                                    "the simple type must derive from the base's content type",
                                ));
                            }
                            t
                        }
                        (
                            ContentType::Elements {
                                particle,
                                mixed: true,
                            },
                            Some(child),
                        ) if self.c_nullable(*particle) => self.anonymous_type(doc, child)?,
                        _ => {
                            return Err(self.err(
                                doc,
                                derivation,
                                "src-ct.2",
                                format!(
                                    "{} has no simple content to restrict",
                                    self.c.type_name(base)
                                ),
                            ));
                        }
                    };
                    let facet_count = xs_children(derivation)
                        .filter(|c| facet_kind(c.tag_name().name()).is_some())
                        .count();
                    if facet_count == 0 {
                        ContentType::Simple(content_base)
                    } else {
                        let st = self.restrict_simple(
                            doc,
                            derivation,
                            content_base,
                            DerivationSet::default(),
                        )?;
                        let anon = self.c.types.len();
                        self.c.types.push(TypeDef {
                            name: None,
                            kind: TypeKind::Simple(Box::new(st)),
                        });
                        ContentType::Simple(anon)
                    }
                }
            };
        } else {
            let Some(b) = &base_complex else {
                return Err(self.err(
                    doc,
                    derivation,
                    "src-ct.1",
                    format!(
                        "complexContent needs a complex base type, not {}",
                        self.c.type_name(base)
                    ),
                ));
            };
            let mixed = parse_bool(content_child.attribute("mixed").or(node.attribute("mixed")));
            let explicit = self.explicit_content(doc, derivation, mixed)?;
            ct.content = if is_extension {
                match (&b.content, explicit) {
                    (ContentType::Empty, e) => e,
                    (base_content, ContentType::Empty) => {
                        if mixed
                            && !matches!(base_content, ContentType::Elements { mixed: true, .. })
                        {
                            return Err(self.err(
                                doc,
                                derivation,
                                "cos-ct-extends.1.4.3.2.2.1",
                                "a mixed type cannot extend an element-only type",
                            ));
                        }
                        base_content.clone()
                    }
                    (ContentType::Simple(_), _)
                    | (ContentType::Elements { .. }, ContentType::Simple(_)) => {
                        return Err(self.err(
                            doc,
                            derivation,
                            "cos-ct-extends.1.4.3.2.1",
                            "a type with simple content cannot be extended with elements",
                        ));
                    }
                    (
                        ContentType::Elements {
                            particle: bp,
                            mixed: bm,
                        },
                        ContentType::Elements {
                            particle: ep,
                            mixed: em,
                        },
                    ) => {
                        if *bm != em {
                            return Err(self.err(
                                doc,
                                derivation,
                                "cos-ct-extends.1.4.3.2.2.1",
                                "an extension must be mixed exactly when its base is",
                            ));
                        }
                        if matches!(self.c.particles[*bp].term, Term::All(_))
                            || matches!(self.c.particles[ep].term, Term::All(_))
                        {
                            return Err(self.err(
                                doc,
                                derivation,
                                "cos-all-limited.1.2",
                                "an all group cannot be extended with more content",
                            ));
                        }
                        let seq = self.new_particle(1, Some(1), Term::Sequence(vec![*bp, ep]));
                        ContentType::Elements {
                            particle: seq,
                            mixed: em,
                        }
                    }
                }
            } else {
                explicit
            };
            self.deferred
                .push(Deferred::ContentModel(id, Self::src(doc, node)));
        }
        if is_extension {
            ct.attributes = base_complex
                .as_ref()
                .map(|b| b.attributes.clone())
                .unwrap_or_default();
            for u in own.uses {
                if self
                    .find_use(&ct.attributes, &self.c.attributes[u.decl].name)
                    .is_some()
                {
                    return Err(self.err(
                        doc,
                        derivation,
                        "ct-props-correct.4",
                        format!(
                            "attribute {} is declared twice",
                            self.c.attributes[u.decl].name
                        ),
                    ));
                }
                ct.attributes.push(u);
            }
            let base_wildcard = base_complex
                .as_ref()
                .and_then(|b| b.attribute_wildcard.clone());
            ct.attribute_wildcard = match (own.wildcard, base_wildcard) {
                (Some(o), Some(b)) => {
                    let Some(ns) = o.ns.union(&b.ns) else {
                        return Err(self.err(
                            doc,
                            derivation,
                            "cos-aw-union",
                            "the attribute wildcards' union is not expressible",
                        ));
                    };
                    Some(Wildcard {
                        ns,
                        process: o.process,
                    })
                }
                (o, b) => o.or(b),
            };
            self.check_id_attributes(doc, derivation, &ct.attributes)?;
        } else {
            self.restrict_attributes(doc, derivation, id, &mut ct, own)?;
            if base_complex.is_some() {
                self.deferred
                    .push(Deferred::ContentRestriction(id, Self::src(doc, derivation)));
            }
        }
        Ok(ct)
    }

    fn c_nullable(&self, p: ParticleId) -> bool {
        let nullable = super::content::compute_nullable(&self.c.particles);
        nullable[p]
    }

    pub(super) fn simple_derives_from(&self, mut t: TypeId, base: TypeId) -> bool {
        for _ in 0..256 {
            if t == base || base == self.c.any_simple_type || base == self.c.any_type {
                return true;
            }
            match self.c.simple(t).and_then(|s| s.base) {
                Some(b) if b != t => t = b,
                _ => return false,
            }
        }
        false
    }

    fn find_use<'u>(&self, uses: &'u [AttributeUse], name: &QName) -> Option<&'u AttributeUse> {
        uses.iter()
            .find(|u| self.c.attributes[u.decl].name == *name)
    }

    fn check_id_attributes(&self, doc: usize, node: Node, uses: &[AttributeUse]) -> Result<()> {
        let ids = uses
            .iter()
            .filter(|u| {
                self.c
                    .atomic_builtin(self.c.attributes[u.decl].type_id)
                    .is_some_and(|b| b.is_derived_from(BuiltinType::Id))
            })
            .count();
        if ids > 1 {
            return Err(self.err(
                doc,
                node,
                "ct-props-correct.5",
                "a type may have at most one attribute of type ID",
            ));
        }
        Ok(())
    }

    /// Attribute uses of a restriction: the base's, overridden and prohibited by the own ones
    /// (derivation-ok-restriction 2-4).
    fn restrict_attributes(
        &mut self,
        doc: usize,
        node: Node<'a, 'i>,
        id: TypeId,
        ct: &mut ComplexType,
        own: AttributeSet,
    ) -> Result<()> {
        let base = self.c.complex(ct.base).cloned();
        let is_any_type = ct.base == self.c.any_type;
        let mut result: Vec<AttributeUse> = vec![];
        if let Some(b) = &base
            && !is_any_type
        {
            for bu in &b.attributes {
                let name = &self.c.attributes[bu.decl].name;
                if own.prohibited.contains(name) && bu.required {
                    return Err(self.err(
                        doc,
                        node,
                        "derivation-ok-restriction.3",
                        format!("required attribute {name} of the base cannot be prohibited"),
                    ));
                }
                if !own.prohibited.contains(name) && self.find_use(&own.uses, name).is_none() {
                    result.push(bu.clone());
                }
            }
        }
        for u in &own.uses {
            let name = self.c.attributes[u.decl].name.clone();
            if let (Some(b), false) = (&base, is_any_type) {
                match self.find_use(&b.attributes, &name) {
                    Some(bu) => {
                        if bu.required && !u.required {
                            return Err(self.err(
                                doc,
                                node,
                                "derivation-ok-restriction.2.1.1",
                                format!("attribute {name} is required in the base type"),
                            ));
                        }
                        let (t, bt) = (
                            self.c.attributes[u.decl].type_id,
                            self.c.attributes[bu.decl].type_id,
                        );
                        if !self.simple_derives_from(t, bt) {
                            return Err(self.err(
                                doc,
                                node,
                                "derivation-ok-restriction.2.1.2",
                                format!(
                                    "the type of attribute {name} does not derive from the base's"
                                ),
                            ));
                        }
                        let base_fixed = bu
                            .value
                            .clone()
                            .or_else(|| self.c.attributes[bu.decl].value.clone())
                            .filter(|v| v.fixed);
                        if let Some(bf) = base_fixed {
                            let own_value = u
                                .value
                                .clone()
                                .or_else(|| self.c.attributes[u.decl].value.clone());
                            let same = own_value.as_ref().is_some_and(|v| {
                                v.fixed
                                    && match (&v.value, &bf.value) {
                                        (Some(a), Some(b)) => simple::same_value(a, b),
                                        _ => v.lexical == bf.lexical,
                                    }
                            });
                            if !same {
                                return Err(self.err(
                                    doc,
                                    node,
                                    "derivation-ok-restriction.2.1.3",
                                    format!(
                                        "attribute {name} must keep the base's fixed value {:?}",
                                        bf.lexical
                                    ),
                                ));
                            }
                        }
                    }
                    None => {
                        let allowed = b
                            .attribute_wildcard
                            .as_ref()
                            .is_some_and(|w| w.allows(name.ns.as_deref()));
                        if !allowed {
                            return Err(self.err(doc, node, "derivation-ok-restriction.2.2", format!("attribute {name} is neither in the base type nor allowed by its wildcard")));
                        }
                    }
                }
            }
            result.push(u.clone());
        }
        if let (Some(b), false) = (&base, is_any_type) {
            for bu in b.attributes.iter().filter(|bu| bu.required) {
                let name = &self.c.attributes[bu.decl].name;
                if self.find_use(&result, name).is_none() {
                    return Err(self.err(
                        doc,
                        node,
                        "derivation-ok-restriction.3",
                        format!("required attribute {name} of the base is missing"),
                    ));
                }
            }
            if let Some(w) = &own.wildcard {
                match &b.attribute_wildcard {
                    None => {
                        return Err(self.err(
                            doc,
                            node,
                            "derivation-ok-restriction.4.1",
                            "the base type has no attribute wildcard to restrict",
                        ));
                    }
                    Some(bw) => {
                        if !w.ns.is_subset_of(&bw.ns) {
                            return Err(self.err(
                                doc,
                                node,
                                "derivation-ok-restriction.4.2",
                                "the attribute wildcard is not a subset of the base's",
                            ));
                        }
                        if process_weaker(w.process, bw.process) {
                            return Err(self.err(doc, node, "derivation-ok-restriction.4.3", "the attribute wildcard's processContents is weaker than the base's"));
                        }
                    }
                }
            }
        }
        let _ = id;
        self.check_id_attributes(doc, node, &result)?;
        ct.attributes = result;
        ct.attribute_wildcard = own.wildcard;
        Ok(())
    }

    /// The content type a complexType or derivation gives by its own particle (3.4.2).
    fn explicit_content(
        &mut self,
        doc: usize,
        node: Node<'a, 'i>,
        mixed: bool,
    ) -> Result<ContentType> {
        let group = xs_child(node, &["group", "all", "choice", "sequence"]);
        let empty = match group {
            None => true,
            Some(g) => {
                let name = g.tag_name().name();
                let no_children = xs_children(g).next().is_none();
                (name == "all" || name == "sequence") && no_children
                    || name == "choice"
                        && no_children
                        && g.attribute("minOccurs").map(str::trim) == Some("0")
            }
        };
        if empty {
            if mixed {
                let p = self.new_particle(1, Some(1), Term::Sequence(vec![]));
                return Ok(ContentType::Elements {
                    particle: p,
                    mixed: true,
                });
            }
            if let Some(g) = group {
                // still build it, so references in it are checked
                self.particle(doc, g)?;
            }
            return Ok(ContentType::Empty);
        }
        let Some(g) = group else {
            return Ok(ContentType::Empty);
        };
        let p = self.particle(doc, g)?;
        Ok(ContentType::Elements { particle: p, mixed })
    }

    fn new_particle(&mut self, min: u32, max: Option<u32>, term: Term) -> ParticleId {
        self.c.particles.push(Particle { min, max, term });
        self.c.particles.len() - 1
    }

    fn occurs(&self, doc: usize, node: Node) -> Result<(u32, Option<u32>)> {
        let min = match node.attribute("minOccurs") {
            Some(v) => s4s::parse_occurs(v.trim())
                .map_err(|e| self.err(doc, node, "s4s-att-invalid-value", e))?,
            None => 1,
        };
        let max = match node.attribute("maxOccurs").map(str::trim) {
            Some("unbounded") => None,
            Some(v) => Some(
                s4s::parse_occurs(v)
                    .map_err(|e| self.err(doc, node, "s4s-att-invalid-value", e))?,
            ),
            None => Some(1),
        };
        if max.is_some_and(|m| m < min) {
            return Err(self.err(
                doc,
                node,
                "p-props-correct.2.1",
                "minOccurs is greater than maxOccurs",
            ));
        }
        Ok((min, max))
    }

    /// Builds the particle of an element, group reference, model group or wildcard.
    fn particle(&mut self, doc: usize, node: Node<'a, 'i>) -> Result<ParticleId> {
        let (min, max) = self.occurs(doc, node)?;
        match node.tag_name().name() {
            "element" => {
                let e = match node.attribute("ref") {
                    Some(r) => {
                        for forbidden in [
                            "name", "type", "nillable", "default", "fixed", "form", "block",
                        ] {
                            if node.attribute(forbidden).is_some() {
                                return Err(self.err(
                                    doc,
                                    node,
                                    "src-element.2.2",
                                    format!(
                                        "an element reference cannot have a {forbidden} attribute"
                                    ),
                                ));
                            }
                        }
                        if xs_children(node).next().is_some() {
                            return Err(self.err(
                                doc,
                                node,
                                "src-element.2.2",
                                "an element reference cannot have a type or identity constraints",
                            ));
                        }
                        let name = self.qname(doc, node, r)?;
                        let source = self.lookup(Kind::Element, doc, node, &name, "element")?;
                        self.global_element(source)?
                    }
                    None => {
                        if node.attribute("name").is_none() {
                            return Err(self.err(
                                doc,
                                node,
                                "src-element.2.1",
                                "a local element needs a name or a ref",
                            ));
                        }
                        self.local_element(doc, node)?
                    }
                };
                Ok(self.new_particle(min, max, Term::Element(e)))
            }
            "any" => {
                let w = Wildcard {
                    ns: parse_namespace(node.attribute("namespace"), self.tns(doc)),
                    process: parse_process(node.attribute("processContents")),
                };
                Ok(self.new_particle(min, max, Term::Wildcard(w)))
            }
            "group" => {
                let name = self.qname(doc, node, node.attribute("ref").unwrap_or(""))?;
                let source = self.lookup(Kind::Group, doc, node, &name, "group")?;
                let template = self.group_template(source).map_err(|e| {
                    if e.rule == "mg-props-correct.2" {
                        self.err(doc, node, e.rule, e.message.clone())
                    } else {
                        e
                    }
                })?;
                let copy = self.copy_particle(template);
                let term = self.c.particles[copy].term.clone();
                if matches!(term, Term::All(_))
                    && (min != 1 || max != Some(1))
                    && !(min == 0 && max == Some(1))
                {
                    return Err(self.err(
                        doc,
                        node,
                        "cos-all-limited.1.2",
                        "a reference to an all group must have maxOccurs 1",
                    ));
                }
                Ok(self.new_particle(min, max, term))
            }
            kind => {
                let mut children = vec![];
                for child in xs_children(node) {
                    if kind == "all" {
                        let (_, cmax) = self.occurs(doc, child)?;
                        if child.tag_name().name() != "element" || cmax.is_none_or(|m| m > 1) {
                            return Err(self.err(doc, child, "cos-all-limited.2", "the particles of an all group must be elements with maxOccurs 0 or 1"));
                        }
                    }
                    children.push(self.particle(doc, child)?);
                }
                let term = match kind {
                    "sequence" => Term::Sequence(children),
                    "choice" => Term::Choice(children),
                    _ => {
                        if max != Some(1) || min > 1 {
                            return Err(self.err(
                                doc,
                                node,
                                "cos-all-limited.1.2",
                                "an all group must have minOccurs 0 or 1 and maxOccurs 1",
                            ));
                        }
                        Term::All(children)
                    }
                };
                Ok(self.new_particle(min, max, term))
            }
        }
    }

    /// A deep copy, so every reference to a group gives distinct particles (for UPA).
    fn copy_particle(&mut self, p: ParticleId) -> ParticleId {
        let part = self.c.particles[p].clone();
        let term = match part.term {
            Term::Sequence(ch) => {
                Term::Sequence(ch.into_iter().map(|c| self.copy_particle(c)).collect())
            }
            Term::Choice(ch) => {
                Term::Choice(ch.into_iter().map(|c| self.copy_particle(c)).collect())
            }
            Term::All(ch) => Term::All(ch.into_iter().map(|c| self.copy_particle(c)).collect()),
            t => t,
        };
        self.new_particle(part.min, part.max, term)
    }

    fn group_template(&mut self, source: Source) -> Result<ParticleId> {
        if let Some(&p) = self.groups.get(&source) {
            return Ok(p);
        }
        let node = self.node(source);
        if !self.building_groups.insert(source) {
            return Err(self.err(
                source.doc,
                node,
                "mg-props-correct.2",
                format!(
                    "group {} refers to itself",
                    node.attribute("name").unwrap_or("")
                ),
            ));
        }
        let Some(model) = xs_child(node, &["all", "choice", "sequence"]) else {
            return Err(self.err(
                source.doc,
                node,
                "src-model_group",
                "a group needs all, choice or sequence",
            ));
        };
        let p = self.particle(source.doc, model)?;
        self.building_groups.remove(&source);
        self.groups.insert(source, p);
        Ok(p)
    }

    // ------------------------------------------------------------- elements

    fn global_element(&mut self, source: Source) -> Result<ElemId> {
        if let Some(&id) = self.elements.get(&source) {
            return Ok(id);
        }
        let node = self.node(source);
        let name = QName::new(
            self.tns(source.doc),
            node.attribute("name").unwrap_or("").trim(),
        );
        let id = self.reserve_element(name, source);
        self.fill_element(source.doc, node, id, true)?;
        Ok(id)
    }

    fn reserve_element(&mut self, name: QName, source: Source) -> ElemId {
        let id = self.c.elements.len();
        self.c.elements.push(ElementDecl {
            name,
            type_id: self.c.any_type,
            nillable: false,
            is_abstract: false,
            value: None,
            block: DerivationSet::default(),
            final_: DerivationSet::default(),
            substitution_head: None,
            idcs: vec![],
            global: false,
        });
        self.elements.insert(source, id);
        id
    }

    fn form_ns(&self, doc: usize, node: Node, default_attr: &str) -> Option<String> {
        let form = node.attribute("form").map(str::trim);
        let default = self.docs[self.files.docs[doc].file]
            .root_element()
            .attribute(default_attr)
            .map(str::trim);
        let qualified = match form {
            Some(f) => f == "qualified",
            None => default == Some("qualified"),
        };
        if qualified {
            self.tns(doc).map(str::to_owned)
        } else {
            None
        }
    }

    fn local_element(&mut self, doc: usize, node: Node<'a, 'i>) -> Result<ElemId> {
        let source = Self::src(doc, node);
        if let Some(&id) = self.elements.get(&source) {
            return Ok(id);
        }
        let ns = self.form_ns(doc, node, "elementFormDefault");
        let name = QName {
            ns,
            local: node.attribute("name").unwrap_or("").trim().to_owned(),
        };
        let id = self.reserve_element(name, source);
        self.fill_element(doc, node, id, false)?;
        Ok(id)
    }

    fn value_constraint(&self, doc: usize, node: Node) -> Result<Option<ValueConstraint>> {
        match (node.attribute("default"), node.attribute("fixed")) {
            (Some(_), Some(_)) => Err(self.err(
                doc,
                node,
                "src-element.1",
                "default and fixed cannot both be given",
            )),
            (Some(d), None) => Ok(Some(ValueConstraint {
                fixed: false,
                lexical: d.to_owned(),
                value: None,
            })),
            (None, Some(f)) => Ok(Some(ValueConstraint {
                fixed: true,
                lexical: f.to_owned(),
                value: None,
            })),
            (None, None) => Ok(None),
        }
    }

    fn fill_element(
        &mut self,
        doc: usize,
        node: Node<'a, 'i>,
        id: ElemId,
        global: bool,
    ) -> Result<()> {
        let source = Self::src(doc, node);
        let value = self.value_constraint(doc, node)?;
        let block_all = parse_derivations(node.attribute("block").or(self.block_default(doc)));
        let final_ = parse_derivations(node.attribute("final").or(self.final_default(doc)));
        let anonymous = xs_child(node, &["simpleType", "complexType"]);
        if node.attribute("type").is_some() && anonymous.is_some() {
            return Err(self.err(
                doc,
                node,
                "src-element.3",
                "an element cannot have both a type attribute and an anonymous type",
            ));
        }
        let mut head = None;
        if let Some(sg) = node.attribute("substitutionGroup") {
            let name = self.qname(doc, node, sg)?;
            let head_source = self.lookup(Kind::Element, doc, node, &name, "element")?;
            if head_source == source {
                return Err(self.err(
                    doc,
                    node,
                    "e-props-correct.6",
                    "an element cannot be in its own substitution group",
                ));
            }
            head = Some(self.global_element(head_source)?);
        }
        let type_id = match (node.attribute("type"), anonymous) {
            (Some(t), _) => self.type_ref(doc, node, t)?,
            (None, Some(a)) => self.anonymous_type(doc, a)?,
            (None, None) => match head {
                Some(h) => self.c.elements[h].type_id,
                None => self.c.any_type,
            },
        };
        let mut idcs = vec![];
        for child in
            xs_children(node).filter(|c| matches!(c.tag_name().name(), "unique" | "key" | "keyref"))
        {
            idcs.push(self.identity_constraint(doc, child)?);
        }
        let decl = &mut self.c.elements[id];
        decl.type_id = type_id;
        decl.nillable = parse_bool(node.attribute("nillable"));
        decl.is_abstract = parse_bool(node.attribute("abstract"));
        decl.value = value.clone();
        decl.block = DerivationSet {
            extension: block_all.extension,
            restriction: block_all.restriction,
            substitution: block_all.substitution,
            ..Default::default()
        };
        decl.final_ = DerivationSet {
            extension: final_.extension,
            restriction: final_.restriction,
            ..Default::default()
        };
        decl.substitution_head = head;
        decl.idcs = idcs;
        decl.global = global;
        if value.is_some() {
            self.deferred.push(Deferred::ElementValue(id, source));
        }
        if head.is_some() {
            self.deferred.push(Deferred::SubstitutionHead(id, source));
        }
        Ok(())
    }

    fn identity_constraint(&mut self, doc: usize, node: Node<'a, 'i>) -> Result<IdcId> {
        let name = QName::new(self.tns(doc), node.attribute("name").unwrap_or("").trim());
        if self.idc_names.contains_key(&name) {
            return Err(self.err(
                doc,
                node,
                "c-props-correct",
                format!("identity constraint {name} is declared twice"),
            ));
        }
        let kind = match node.tag_name().name() {
            "key" => IdcKind::Key,
            "keyref" => IdcKind::KeyRef,
            _ => IdcKind::Unique,
        };
        fn resolve_at<'n>(n: Node<'n, '_>) -> impl Fn(&str) -> Option<String> + 'n {
            move |p: &str| NodeResolver(n).resolve(p).filter(|_| !p.is_empty())
        }
        let selector_node = xs_child(node, &["selector"]);
        let Some(selector_node) = selector_node else {
            return Err(self.err(
                doc,
                node,
                "src-identity-constraint",
                "a selector is required",
            ));
        };
        let selector = super::identity::Path::parse(
            selector_node.attribute("xpath").unwrap_or(""),
            false,
            &resolve_at(selector_node),
        )
        .map_err(|e| self.err(doc, selector_node, "c-selector-xpath", e))?;
        let mut fields = vec![];
        for f in xs_children(node).filter(|c| c.tag_name().name() == "field") {
            fields.push(
                super::identity::Path::parse(
                    f.attribute("xpath").unwrap_or(""),
                    true,
                    &resolve_at(f),
                )
                .map_err(|e| self.err(doc, f, "c-fields-xpaths", e))?,
            );
        }
        let id = self.c.idcs.len();
        self.c.idcs.push(IdentityConstraint {
            name: name.clone(),
            kind,
            selector,
            fields,
            refer: None,
        });
        self.idc_names.insert(name, id);
        if kind == IdcKind::KeyRef {
            let refer = self.qname(doc, node, node.attribute("refer").unwrap_or(""))?;
            self.deferred
                .push(Deferred::KeyRef(id, refer, Self::src(doc, node)));
        }
        Ok(id)
    }

    // ----------------------------------------------------------- attributes

    fn global_attribute(&mut self, source: Source) -> Result<AttrId> {
        if let Some(&id) = self.attributes.get(&source) {
            return Ok(id);
        }
        let node = self.node(source);
        let name = QName::new(
            self.tns(source.doc),
            node.attribute("name").unwrap_or("").trim(),
        );
        self.attribute_decl(source.doc, node, name)
    }

    fn attribute_decl(&mut self, doc: usize, node: Node<'a, 'i>, name: QName) -> Result<AttrId> {
        if name.local == "xmlns" && name.ns.is_none() {
            return Err(self.err(doc, node, "no-xmlns", "an attribute cannot be named xmlns"));
        }
        if name.ns.as_deref() == Some(XSI) {
            return Err(self.err(
                doc,
                node,
                "no-xsi",
                "attributes cannot be declared in the XMLSchema-instance namespace",
            ));
        }
        let value = self.value_constraint(doc, node)?;
        let anonymous = xs_child(node, &["simpleType"]);
        let type_id = match (node.attribute("type"), anonymous) {
            (Some(_), Some(_)) => {
                return Err(self.err(
                    doc,
                    node,
                    "src-attribute.4",
                    "an attribute cannot have both a type attribute and an anonymous type",
                ));
            }
            (Some(t), None) => self.type_ref(doc, node, t)?,
            (None, Some(a)) => self.anonymous_type(doc, a)?,
            (None, None) => self.c.any_simple_type,
        };
        if self.c.simple(type_id).is_none() {
            return Err(self.err(
                doc,
                node,
                "a-props-correct.1",
                format!(
                    "the type {} of an attribute must be simple",
                    self.c.type_name(type_id)
                ),
            ));
        }
        let id = self.c.attributes.len();
        self.c.attributes.push(AttributeDecl {
            name,
            type_id,
            value: value.clone(),
        });
        self.attributes.insert(Self::src(doc, node), id);
        if value.is_some() {
            self.deferred
                .push(Deferred::AttributeValue(id, Self::src(doc, node)));
        }
        Ok(id)
    }

    /// xml:lang, xml:space, xml:base and xml:id, when no schema for the XML namespace is loaded:
    /// schemas refer to them without importing that namespace's schema.
    fn xml_namespace_attribute(&mut self, name: &QName) -> Option<AttrId> {
        if name.ns.as_deref() != Some(XML_NS)
            || self.table.contains_key(&(Kind::Attribute, name.clone()))
        {
            return None;
        }
        if let Some(&id) = self.c.global_attributes.get(name) {
            return Some(id);
        }
        let builtin = match name.local.as_str() {
            "lang" => BuiltinType::Token,
            "space" => BuiltinType::NCName,
            "base" => BuiltinType::AnyUri,
            "id" => BuiltinType::Id,
            _ => return None,
        };
        let id = self.c.attributes.len();
        self.c.attributes.push(AttributeDecl {
            name: name.clone(),
            type_id: self.c.builtin_types[&builtin],
            value: None,
        });
        self.c.global_attributes.insert(name.clone(), id);
        Some(id)
    }

    /// The attribute uses and wildcard declared directly in a complex type or attribute group.
    fn attribute_set(&mut self, doc: usize, parent: Node<'a, 'i>) -> Result<AttributeSet> {
        let mut set = AttributeSet::default();
        let mut group_wildcards = vec![];
        let mut own_wildcard = None;
        for child in xs_children(parent) {
            match child.tag_name().name() {
                "attribute" => {
                    let use_ = child.attribute("use").map(str::trim).unwrap_or("optional");
                    let value = self.value_constraint(doc, child)?;
                    if use_ == "required" && value.as_ref().is_some_and(|v| !v.fixed) {
                        return Err(self.err(
                            doc,
                            child,
                            "src-attribute.2",
                            "an attribute with a default must be optional",
                        ));
                    }
                    let decl = match child.attribute("ref") {
                        Some(r) => {
                            if child.attribute("name").is_some() {
                                return Err(self.err(
                                    doc,
                                    child,
                                    "src-attribute.3.1",
                                    "an attribute cannot have both name and ref",
                                ));
                            }
                            if child.attribute("form").is_some()
                                || child.attribute("type").is_some()
                                || xs_child(child, &["simpleType"]).is_some()
                            {
                                return Err(self.err(
                                    doc,
                                    child,
                                    "src-attribute.3.2",
                                    "an attribute reference cannot have form, type or a simpleType",
                                ));
                            }
                            let name = self.qname(doc, child, r)?;
                            match self.xml_namespace_attribute(&name) {
                                Some(id) => id,
                                None => {
                                    let source = self.lookup(
                                        Kind::Attribute,
                                        doc,
                                        child,
                                        &name,
                                        "attribute",
                                    )?;
                                    self.global_attribute(source)?
                                }
                            }
                        }
                        None => {
                            if child.attribute("name").is_none() {
                                return Err(self.err(
                                    doc,
                                    child,
                                    "src-attribute.3.1",
                                    "a local attribute needs a name or a ref",
                                ));
                            }
                            let ns = self.form_ns(doc, child, "attributeFormDefault");
                            let name = QName {
                                ns,
                                local: child.attribute("name").unwrap_or("").trim().to_owned(),
                            };
                            if let Some(&existing) = self.attributes.get(&Self::src(doc, child)) {
                                existing
                            } else {
                                self.attribute_decl(doc, child, name)?
                            }
                        }
                    };
                    let name = self.c.attributes[decl].name.clone();
                    if self.find_use(&set.uses, &name).is_some() || set.prohibited.contains(&name) {
                        return Err(self.err(
                            doc,
                            child,
                            "ct-props-correct.4",
                            format!("attribute {name} is declared twice"),
                        ));
                    }
                    if let (Some(v), Some(dv)) = (&value, &self.c.attributes[decl].value)
                        && dv.fixed
                        && !(v.fixed && v.lexical == dv.lexical)
                    {
                        return Err(self.err(
                            doc,
                            child,
                            "au-props-correct.2",
                            format!("attribute {name} must keep its declaration's fixed value"),
                        ));
                    }
                    if use_ == "prohibited" {
                        set.prohibited.push(name);
                        continue;
                    }
                    set.uses.push(AttributeUse {
                        decl,
                        required: use_ == "required",
                        value: if child.attribute("ref").is_some() {
                            value.clone()
                        } else {
                            None
                        },
                    });
                    if child.attribute("ref").is_some() && value.is_some() {
                        self.deferred
                            .push(Deferred::AttributeUseValue(decl, Self::src(doc, child)));
                    }
                }
                "attributeGroup" => {
                    let name = self.qname(doc, child, child.attribute("ref").unwrap_or(""))?;
                    let source =
                        self.lookup(Kind::AttributeGroup, doc, child, &name, "attribute group")?;
                    let group = self.attribute_group(source)?;
                    for u in group.uses {
                        let name = &self.c.attributes[u.decl].name;
                        if let Some(existing) = self.find_use(&set.uses, name) {
                            if existing.decl == u.decl {
                                continue;
                            }
                            return Err(self.err(
                                doc,
                                child,
                                "ct-props-correct.4",
                                format!("attribute {name} is declared twice"),
                            ));
                        }
                        set.uses.push(u);
                    }
                    if let Some(w) = group.wildcard {
                        group_wildcards.push(w);
                    }
                }
                "anyAttribute" => {
                    own_wildcard = Some(Wildcard {
                        ns: parse_namespace(child.attribute("namespace"), self.tns(doc)),
                        process: parse_process(child.attribute("processContents")),
                    });
                }
                _ => {}
            }
        }
        let mut wildcard = own_wildcard;
        for gw in group_wildcards {
            wildcard = match wildcard {
                None => Some(gw),
                Some(w) => {
                    let Some(ns) = w.ns.intersection(&gw.ns) else {
                        return Err(self.err(
                            doc,
                            parent,
                            "cos-aw-intersect",
                            "the intersection of the attribute wildcards is not expressible",
                        ));
                    };
                    Some(Wildcard {
                        ns,
                        process: w.process,
                    })
                }
            };
        }
        set.wildcard = wildcard;
        Ok(set)
    }

    fn attribute_group(&mut self, source: Source) -> Result<AttributeSet> {
        if let Some(g) = self.attribute_groups.get(&source) {
            return Ok(g.clone());
        }
        let node = self.node(source);
        if !self.building_attribute_groups.insert(source) {
            return Err(self.err(
                source.doc,
                node,
                "src-attribute_group.3",
                "an attribute group refers to itself",
            ));
        }
        let set = self.attribute_set(source.doc, node)?;
        self.check_id_attributes(source.doc, node, &set.uses)
            .map_err(|mut e| {
                e.rule = "ag-props-correct.3";
                e
            })?;
        self.building_attribute_groups.remove(&source);
        self.attribute_groups.insert(source, set.clone());
        Ok(set)
    }

    // ---------------------------------------------------------- post checks

    fn finish(&mut self) -> Result<()> {
        let deferred = std::mem::take(&mut self.deferred);
        // substitution groups first: value checks and content models need them
        for d in &deferred {
            if let Deferred::SubstitutionHead(e, s) = d {
                self.check_substitution_head(*e, *s)?;
            }
        }
        self.compute_substitutes();
        let nullable = super::content::compute_nullable(&self.c.particles);
        for d in &deferred {
            match d {
                Deferred::ElementValue(e, s) => self.check_element_value(*e, *s)?,
                Deferred::AttributeValue(a, s) => {
                    let node = self.node(*s);
                    let decl = self.c.attributes[*a].clone();
                    let Some(mut v) = decl.value else { continue };
                    v.value = Some(self.value_for(
                        s.doc,
                        node,
                        decl.type_id,
                        &v.lexical,
                        "a-props-correct.2",
                    )?);
                    self.c.attributes[*a].value = Some(v);
                }
                Deferred::AttributeUseValue(decl, s) => {
                    let node = self.node(*s);
                    let lexical = node
                        .attribute("default")
                        .or(node.attribute("fixed"))
                        .unwrap_or("");
                    self.value_for(
                        s.doc,
                        node,
                        self.c.attributes[*decl].type_id,
                        lexical,
                        "au-props-correct.1",
                    )?;
                }
                Deferred::ContentModel(t, s) => self.check_content_model(*t, *s, &nullable)?,
                Deferred::ContentRestriction(t, s) => {
                    if let Err(message) =
                        super::restrict::check_content_restriction(&self.c, &nullable, *t)
                    {
                        let node = self.node(*s);
                        return Err(self.err(s.doc, node, message.0, message.1));
                    }
                }
                Deferred::KeyRef(id, refer, s) => {
                    let node = self.node(*s);
                    let Some(&target) = self.idc_names.get(refer) else {
                        return Err(self.err(
                            s.doc,
                            node,
                            "src-resolve",
                            format!("no key or unique constraint named {refer}"),
                        ));
                    };
                    if self.c.idcs[target].kind == IdcKind::KeyRef {
                        return Err(self.err(
                            s.doc,
                            node,
                            "c-props-correct.1",
                            format!("{refer} is a keyref, not a key or unique constraint"),
                        ));
                    }
                    if self.c.idcs[target].fields.len() != self.c.idcs[*id].fields.len() {
                        return Err(self.err(
                            s.doc,
                            node,
                            "c-props-correct.2",
                            format!("keyref and {refer} have different numbers of fields"),
                        ));
                    }
                    self.c.idcs[*id].refer = Some(target);
                }
                Deferred::SubstitutionHead(..) => {}
            }
        }
        // fix up attribute use values now that declarations have their typed values
        for t in 0..self.c.types.len() {
            if let TypeKind::Complex(ct) = &self.c.types[t].kind {
                let mut uses = ct.attributes.clone();
                for u in &mut uses {
                    if let Some(v) = &mut u.value {
                        let ty = self.c.attributes[u.decl].type_id;
                        v.value = simple::validate(
                            &self.c,
                            ty,
                            &v.lexical,
                            &super::datatypes::NoNamespaces,
                            &mut simple::Ids::default(),
                        )
                        .ok();
                    }
                }
                if let TypeKind::Complex(ct) = &mut self.c.types[t].kind {
                    ct.attributes = uses;
                }
            }
        }
        Ok(())
    }

    fn value_for(
        &self,
        doc: usize,
        node: Node,
        ty: TypeId,
        lexical: &str,
        rule: &'static str,
    ) -> Result<TypedValue> {
        if self
            .c
            .atomic_builtin(ty)
            .is_some_and(|b| b.is_derived_from(BuiltinType::Id))
        {
            return Err(self.err(
                doc,
                node,
                rule,
                "an ID cannot have a default or fixed value",
            ));
        }
        simple::validate(
            &self.c,
            ty,
            lexical,
            &NodeResolver(node),
            &mut simple::Ids::default(),
        )
        .map_err(|e| {
            self.err(
                doc,
                node,
                rule,
                format!("the default or fixed value is not valid: {e}"),
            )
        })
    }

    fn check_element_value(&mut self, e: ElemId, s: Source) -> Result<()> {
        let node = self.node(s);
        let decl = self.c.elements[e].clone();
        let Some(mut v) = decl.value else {
            return Ok(());
        };
        match &self.c.types[decl.type_id].kind {
            TypeKind::Simple(_) => {
                v.value = Some(self.value_for(
                    s.doc,
                    node,
                    decl.type_id,
                    &v.lexical,
                    "e-props-correct.2",
                )?);
            }
            TypeKind::Complex(ct) => match ct.content {
                ContentType::Simple(st) => {
                    v.value =
                        Some(self.value_for(s.doc, node, st, &v.lexical, "e-props-correct.2")?);
                }
                ContentType::Elements {
                    particle,
                    mixed: true,
                } if super::content::compute_nullable(&self.c.particles)[particle] => {}
                _ => {
                    return Err(self.err(
                        s.doc,
                        node,
                        "e-props-correct.2",
                        "a default or fixed value needs simple or mixed, emptiable content",
                    ));
                }
            },
        }
        self.c.elements[e].value = Some(v);
        Ok(())
    }

    fn check_substitution_head(&self, e: ElemId, s: Source) -> Result<()> {
        let node = self.node(s);
        let mut seen = HashSet::new();
        let mut cur = Some(e);
        while let Some(x) = cur {
            if !seen.insert(x) {
                return Err(self.err(
                    s.doc,
                    node,
                    "e-props-correct.6",
                    "circular substitution group",
                ));
            }
            cur = self.c.elements[x].substitution_head;
        }
        let decl = &self.c.elements[e];
        let Some(head) = decl.substitution_head else {
            return Ok(());
        };
        let head_decl = &self.c.elements[head];
        if !super::validate::type_derives(
            &self.c,
            decl.type_id,
            head_decl.type_id,
            head_decl.final_,
        ) {
            return Err(self.err(s.doc, node, "e-props-correct.4", format!(
                "the type of {} is not validly derived from the type of its substitution group head {}",
                decl.name, head_decl.name
            )));
        }
        Ok(())
    }

    fn compute_substitutes(&mut self) {
        for e in 0..self.c.elements.len() {
            let mut head = self.c.elements[e].substitution_head;
            let mut hops = 0;
            while let Some(h) = head {
                hops += 1;
                if hops > self.c.elements.len() {
                    break;
                }
                let list = self.c.substitutes.entry(h).or_default();
                if !list.contains(&e) {
                    list.push(e);
                }
                head = self.c.elements[h].substitution_head;
            }
        }
    }

    /// cos-element-consistent and cos-nonambig for one complex type's content model.
    fn check_content_model(&self, t: TypeId, s: Source, nullable: &[bool]) -> Result<()> {
        let Some(ct) = self.c.complex(t) else {
            return Ok(());
        };
        let ContentType::Elements { particle, .. } = ct.content else {
            return Ok(());
        };
        let node = self.node(s);
        let mut leaves = vec![];
        self.collect_leaves(particle, &mut leaves, 0);
        for (i, &a) in leaves.iter().enumerate() {
            let Term::Element(ea) = self.c.particles[a].term else {
                continue;
            };
            for &b in &leaves[i + 1..] {
                let Term::Element(eb) = self.c.particles[b].term else {
                    continue;
                };
                let (da, db) = (&self.c.elements[ea], &self.c.elements[eb]);
                if da.name == db.name && da.type_id != db.type_id {
                    return Err(self.err(
                        s.doc,
                        node,
                        "cos-element-consistent",
                        format!("element {} appears with two different types", da.name),
                    ));
                }
            }
        }
        let models = super::content::Models::new(&self.c.particles, nullable);
        let overlap = |a: ParticleId, b: ParticleId| super::restrict::leaves_overlap(&self.c, a, b);
        if let Some((a, b)) = models.find_ambiguity(particle, &overlap, 20_000) {
            let describe = |p: ParticleId| match &self.c.particles[p].term {
                Term::Element(e) => format!("element {}", self.c.elements[*e].name),
                Term::Wildcard(w) => w.describe(),
                _ => "a group".to_owned(),
            };
            return Err(self.err(
                s.doc,
                node,
                "cos-nonambig",
                format!(
                    "content model of {} is ambiguous: {} and {} both match the same element",
                    self.c.type_name(t),
                    describe(a),
                    describe(b)
                ),
            ));
        }
        Ok(())
    }

    fn collect_leaves(&self, p: ParticleId, out: &mut Vec<ParticleId>, depth: usize) {
        if depth > 256 {
            return;
        }
        match &self.c.particles[p].term {
            Term::Element(_) | Term::Wildcard(_) => out.push(p),
            Term::Sequence(ch) | Term::Choice(ch) | Term::All(ch) => {
                for &c in ch {
                    self.collect_leaves(c, out, depth + 1);
                }
            }
        }
    }
}

fn process_weaker(derived: ProcessContents, base: ProcessContents) -> bool {
    let rank = |p: ProcessContents| match p {
        ProcessContents::Skip => 0,
        ProcessContents::Lax => 1,
        ProcessContents::Strict => 2,
    };
    rank(derived) < rank(base)
}

/// The prefix bindings in scope at a facet, for QName and NOTATION values.
fn namespaces_at(node: Node) -> Vec<(String, String)> {
    node.namespaces()
        .map(|ns| (ns.name().unwrap_or("").to_owned(), ns.uri().to_owned()))
        .collect()
}

pub(super) fn facet_kind(name: &str) -> Option<FacetKind> {
    Some(match name {
        "length" => FacetKind::Length,
        "minLength" => FacetKind::MinLength,
        "maxLength" => FacetKind::MaxLength,
        "pattern" => FacetKind::Pattern,
        "enumeration" => FacetKind::Enumeration,
        "whiteSpace" => FacetKind::WhiteSpace,
        "maxInclusive" => FacetKind::MaxInclusive,
        "maxExclusive" => FacetKind::MaxExclusive,
        "minInclusive" => FacetKind::MinInclusive,
        "minExclusive" => FacetKind::MinExclusive,
        "totalDigits" => FacetKind::TotalDigits,
        "fractionDigits" => FacetKind::FractionDigits,
        _ => return None,
    })
}

/// The built-in types: anyType, anySimpleType and the 44 built-in simple types.
fn builtin_components() -> Components {
    let mut c = Components::default();
    let any_simple = TypeDef {
        name: Some(QName::new(Some(XS), "anySimpleType")),
        kind: TypeKind::Simple(Box::new(SimpleType {
            base: None,
            variety: Variety::Atomic {
                builtin: BuiltinType::AnySimpleType,
            },
            final_: DerivationSet::default(),
            facets: FacetSet::for_builtin(BuiltinType::AnySimpleType),
            union_facets: UnionFacets::default(),
            own_facets: vec![],
        })),
    };
    c.particles.push(Particle {
        min: 0,
        max: None,
        term: Term::Wildcard(Wildcard {
            ns: NsConstraint::Any,
            process: ProcessContents::Lax,
        }),
    });
    c.particles.push(Particle {
        min: 1,
        max: Some(1),
        term: Term::Sequence(vec![0]),
    });
    c.any_type = 0;
    c.types.push(TypeDef {
        name: Some(QName::new(Some(XS), "anyType")),
        kind: TypeKind::Complex(ComplexType {
            base: 0,
            derivation: Derivation::Restriction,
            is_abstract: false,
            final_: DerivationSet::default(),
            block: DerivationSet::default(),
            attributes: vec![],
            attribute_wildcard: Some(Wildcard {
                ns: NsConstraint::Any,
                process: ProcessContents::Lax,
            }),
            content: ContentType::Elements {
                particle: 1,
                mixed: true,
            },
        }),
    });
    c.any_simple_type = 1;
    c.types.push(any_simple);
    c.global_types
        .insert(QName::new(Some(XS), "anySimpleType"), 1);
    c.builtin_types.insert(BuiltinType::AnySimpleType, 1);
    // bases come before derived types in BuiltinType::all(), lists after their items
    for b in BuiltinType::all() {
        if b == BuiltinType::AnySimpleType {
            continue;
        }
        let base = b
            .base()
            .and_then(|x| c.builtin_types.get(&x).copied())
            .unwrap_or(1);
        let variety = match b.list_item() {
            Some(item) => Variety::List {
                item: c.builtin_types[&item],
            },
            None => Variety::Atomic { builtin: b },
        };
        let id = c.types.len();
        c.types.push(TypeDef {
            name: Some(QName::new(Some(XS), b.local_name())),
            kind: TypeKind::Simple(Box::new(SimpleType {
                base: Some(base),
                variety,
                final_: DerivationSet::default(),
                facets: FacetSet::for_builtin(b),
                union_facets: UnionFacets::default(),
                own_facets: vec![],
            })),
        });
        c.global_types
            .insert(QName::new(Some(XS), b.local_name()), id);
        c.builtin_types.insert(b, id);
    }
    c
}

//! Namespace constraints of wildcards: matching, subset, union and intersection (XSD 1.0 rules
//! cvc-wildcard-namespace, cos-ns-subset, cos-aw-union, cos-aw-intersect).

use super::model::{NsConstraint, ProcessContents, Wildcard};

/// Parses the `namespace` attribute of xs:any/xs:anyAttribute in a document with `tns`.
pub fn parse_namespace(value: Option<&str>, tns: Option<&str>) -> NsConstraint {
    match value.map(str::trim) {
        None | Some("##any") => NsConstraint::Any,
        Some("##other") => NsConstraint::Not(tns.map(str::to_owned)),
        Some(list) => {
            let mut set: Vec<Option<String>> = vec![];
            for token in list.split_ascii_whitespace() {
                let ns = match token {
                    "##targetNamespace" => tns.map(str::to_owned),
                    "##local" => None,
                    uri => Some(uri.to_owned()),
                };
                if !set.contains(&ns) {
                    set.push(ns);
                }
            }
            NsConstraint::Set(set)
        }
    }
}

pub fn parse_process(value: Option<&str>) -> ProcessContents {
    match value.map(str::trim) {
        Some("lax") => ProcessContents::Lax,
        Some("skip") => ProcessContents::Skip,
        _ => ProcessContents::Strict,
    }
}

impl NsConstraint {
    pub fn allows(&self, ns: Option<&str>) -> bool {
        match self {
            NsConstraint::Any => true,
            NsConstraint::Not(x) => ns.is_some() && ns != x.as_deref(),
            NsConstraint::Set(set) => set.iter().any(|s| s.as_deref() == ns),
        }
    }

    pub fn is_subset_of(&self, sup: &NsConstraint) -> bool {
        match (self, sup) {
            (_, NsConstraint::Any) => true,
            (NsConstraint::Not(a), NsConstraint::Not(b)) => a == b || b.is_none(),
            (NsConstraint::Set(s), NsConstraint::Set(t)) => s.iter().all(|x| t.contains(x)),
            (NsConstraint::Set(s), NsConstraint::Not(x)) => s.iter().all(|n| n.is_some() && n != x),
            _ => false,
        }
    }

    /// None when the union is not expressible.
    pub fn union(&self, other: &NsConstraint) -> Option<NsConstraint> {
        use NsConstraint::*;
        Some(match (self, other) {
            (a, b) if a == b => a.clone(),
            (Any, _) | (_, Any) => Any,
            (Set(s), Set(t)) => {
                let mut u = s.clone();
                u.extend(t.iter().filter(|x| !s.contains(x)).cloned());
                Set(u)
            }
            (Not(_), Not(_)) => Not(None),
            (Not(x), Set(s)) | (Set(s), Not(x)) => {
                let has_absent = s.contains(&None);
                match x {
                    Some(_) => {
                        let has_x = s.contains(x);
                        match (has_x, has_absent) {
                            (true, true) => Any,
                            (true, false) => Not(None),
                            (false, true) => return None,
                            (false, false) => Not(x.clone()),
                        }
                    }
                    None if has_absent => Any,
                    None => Not(None),
                }
            }
        })
    }

    /// None when the intersection is not expressible.
    pub fn intersection(&self, other: &NsConstraint) -> Option<NsConstraint> {
        use NsConstraint::*;
        Some(match (self, other) {
            (a, b) if a == b => a.clone(),
            (Any, o) | (o, Any) => o.clone(),
            (Not(x), Set(s)) | (Set(s), Not(x)) => Set(s
                .iter()
                .filter(|n| n.is_some() && *n != x)
                .cloned()
                .collect()),
            (Set(s), Set(t)) => Set(s.iter().filter(|n| t.contains(n)).cloned().collect()),
            (Not(None), Not(x)) | (Not(x), Not(None)) => Not(x.clone()),
            (Not(_), Not(_)) => return None,
        })
    }
}

impl Wildcard {
    pub fn allows(&self, ns: Option<&str>) -> bool {
        self.ns.allows(ns)
    }

    pub fn describe(&self) -> String {
        match &self.ns {
            NsConstraint::Any => "any element".to_owned(),
            NsConstraint::Not(Some(x)) => format!("any element not in namespace {x}"),
            NsConstraint::Not(None) => "any namespace-qualified element".to_owned(),
            NsConstraint::Set(s) => {
                let names: Vec<&str> = s
                    .iter()
                    .map(|n| n.as_deref().unwrap_or("(no namespace)"))
                    .collect();
                format!("any element in {{{}}}", names.join(", "))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(items: &[Option<&str>]) -> NsConstraint {
        NsConstraint::Set(items.iter().map(|s| s.map(str::to_owned)).collect())
    }

    #[test]
    fn other_excludes_target_and_absent() {
        let w = parse_namespace(Some("##other"), Some("urn:a"));
        assert!(w.allows(Some("urn:b")));
        assert!(!w.allows(Some("urn:a")));
        assert!(!w.allows(None));
    }

    #[test]
    fn union_and_intersection_follow_xsd_10() {
        let not_a = NsConstraint::Not(Some("a".into()));
        assert_eq!(
            not_a.union(&set(&[Some("a"), None])),
            Some(NsConstraint::Any)
        );
        assert_eq!(not_a.union(&set(&[None])), None);
        assert_eq!(
            not_a.intersection(&set(&[Some("a"), Some("b"), None])),
            Some(set(&[Some("b")]))
        );
        assert!(set(&[Some("b")]).is_subset_of(&not_a));
        assert!(!set(&[None]).is_subset_of(&not_a));
    }
}

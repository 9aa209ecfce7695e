//! The XPath subset of identity-constraint selectors and fields (XSD 1.0, 3.11.6).

use roxmltree::Node;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NameTest {
    Any,
    Namespace(Option<String>),
    Name(Option<String>, String),
}

impl NameTest {
    pub fn matches(&self, ns: Option<&str>, local: &str) -> bool {
        match self {
            NameTest::Any => true,
            NameTest::Namespace(n) => n.as_deref() == ns,
            NameTest::Name(n, l) => n.as_deref() == ns && l == local,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Step {
    SelfNode,
    Child(NameTest),
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Alternative {
    descendants: bool,
    steps: Vec<Step>,
    attribute: Option<NameTest>,
}

/// A parsed selector or field expression: alternatives separated by `|`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Path {
    alternatives: Vec<Alternative>,
}

/// A node a field selects: an element or one of its attributes.
#[derive(Debug, Clone, Copy)]
pub enum Selected<'a, 'i> {
    Element(Node<'a, 'i>),
    Attribute(Node<'a, 'i>, usize),
}

fn tokenize(expr: &str) -> Result<Vec<String>, String> {
    let mut tokens = vec![];
    let chars: Vec<char> = expr.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
        } else if c == '/' && chars.get(i + 1) == Some(&'/') {
            tokens.push("//".to_owned());
            i += 2;
        } else if c == ':' && chars.get(i + 1) == Some(&':') {
            tokens.push("::".to_owned());
            i += 2;
        } else if "/|@*.:".contains(c) {
            tokens.push(c.to_string());
            i += 1;
        } else if c.is_alphanumeric() || c == '_' || c == '-' || !c.is_ascii() {
            let start = i;
            while i < chars.len()
                && (chars[i].is_alphanumeric()
                    || "_-.".contains(chars[i])
                    || (!chars[i].is_ascii() && !chars[i].is_whitespace()))
            {
                i += 1;
            }
            tokens.push(chars[start..i].iter().collect());
        } else {
            return Err(format!("unexpected {c:?} in XPath {expr:?}"));
        }
    }
    Ok(tokens)
}

impl Path {
    /// Parses a selector (`field = false`) or field expression; `resolve` maps prefixes.
    pub fn parse(
        expr: &str,
        field: bool,
        resolve: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Path, String> {
        let tokens = tokenize(expr)?;
        let mut alternatives = vec![];
        let mut i = 0;
        let bad = |why: &str| {
            Err(format!(
                "invalid {} XPath {expr:?}: {why}",
                if field { "field" } else { "selector" }
            ))
        };
        loop {
            let mut alt = Alternative {
                descendants: false,
                steps: vec![],
                attribute: None,
            };
            if tokens.get(i).map(String::as_str) == Some(".")
                && tokens.get(i + 1).map(String::as_str) == Some("//")
            {
                alt.descendants = true;
                i += 2;
            }
            loop {
                let tok = tokens.get(i).map(String::as_str);
                let mut attribute = false;
                match tok {
                    Some(".") => {
                        alt.steps.push(Step::SelfNode);
                        i += 1;
                    }
                    Some("@") => {
                        attribute = true;
                        i += 1;
                    }
                    Some("attribute") if tokens.get(i + 1).map(String::as_str) == Some("::") => {
                        attribute = true;
                        i += 2;
                    }
                    Some("child") if tokens.get(i + 1).map(String::as_str) == Some("::") => i += 2,
                    Some(_) => {}
                    None => return bad("missing step"),
                }
                if tok != Some(".") {
                    let (test, used) =
                        match Self::name_test(&tokens[i.min(tokens.len())..], resolve) {
                            Ok(v) => v,
                            Err(e) => return bad(&e),
                        };
                    i += used;
                    if attribute {
                        if !field {
                            return bad("attributes are not allowed in a selector");
                        }
                        alt.attribute = Some(test);
                    } else {
                        alt.steps.push(Step::Child(test));
                    }
                }
                match tokens.get(i).map(String::as_str) {
                    Some("/") if alt.attribute.is_none() => i += 1,
                    _ => break,
                }
            }
            alternatives.push(alt);
            match tokens.get(i).map(String::as_str) {
                None => break,
                Some("|") => i += 1,
                Some(t) => return bad(&format!("unexpected {t:?}")),
            }
        }
        Ok(Path { alternatives })
    }

    fn name_test(
        tokens: &[String],
        resolve: &dyn Fn(&str) -> Option<String>,
    ) -> Result<(NameTest, usize), String> {
        let is_name = |t: &str| {
            t.chars()
                .next()
                .is_some_and(|c| c.is_alphabetic() || c == '_')
        };
        match tokens {
            [star, ..] if star == "*" => Ok((NameTest::Any, 1)),
            [p, colon, rest, ..] if colon == ":" && is_name(p) => {
                let ns = resolve(p).ok_or_else(|| format!("prefix {p:?} is not declared"))?;
                if rest == "*" {
                    Ok((NameTest::Namespace(Some(ns)), 3))
                } else if is_name(rest) {
                    Ok((NameTest::Name(Some(ns), rest.clone()), 3))
                } else {
                    Err(format!("bad name after {p}:"))
                }
            }
            [name, ..] if is_name(name) => Ok((NameTest::Name(None, name.clone()), 1)),
            _ => Err("expected a name test".to_owned()),
        }
    }

    /// Evaluates a selector: the elements it selects from `context`, in document order.
    pub fn select_elements<'a, 'i>(&self, context: Node<'a, 'i>) -> Vec<Node<'a, 'i>> {
        let mut out: Vec<Node<'a, 'i>> = vec![];
        for alt in &self.alternatives {
            for node in alt.elements(context) {
                if !out.iter().any(|n| n.id() == node.id()) {
                    out.push(node);
                }
            }
        }
        out.sort_by_key(|n| n.id().get());
        out
    }

    /// Evaluates a field: the nodes it selects from `context`.
    pub fn select<'a, 'i>(&self, context: Node<'a, 'i>) -> Vec<Selected<'a, 'i>> {
        let mut out = vec![];
        for alt in &self.alternatives {
            for node in alt.elements(context) {
                match &alt.attribute {
                    None => out.push(Selected::Element(node)),
                    Some(test) => {
                        for (k, a) in node.attributes().enumerate() {
                            if test.matches(a.namespace(), a.name()) {
                                out.push(Selected::Attribute(node, k));
                            }
                        }
                    }
                }
            }
        }
        out
    }
}

impl Path {
    /// The elements whose attributes a field's attribute steps test, with the test: where an
    /// attribute is absent, its default value (if any) is what the field selects.
    pub fn attribute_steps<'a, 'i>(&self, context: Node<'a, 'i>) -> Vec<(Node<'a, 'i>, &NameTest)> {
        let mut out = vec![];
        for alt in &self.alternatives {
            if let Some(test) = &alt.attribute {
                out.extend(alt.elements(context).into_iter().map(|n| (n, test)));
            }
        }
        out
    }
}

impl Alternative {
    fn elements<'a, 'i>(&self, context: Node<'a, 'i>) -> Vec<Node<'a, 'i>> {
        let mut current: Vec<Node<'a, 'i>> = if self.descendants {
            context.descendants().filter(Node::is_element).collect()
        } else {
            vec![context]
        };
        for step in &self.steps {
            current = match step {
                Step::SelfNode => current,
                Step::Child(test) => current
                    .iter()
                    .flat_map(|n| n.children())
                    .filter(|c| {
                        c.is_element()
                            && test.matches(c.tag_name().namespace(), c.tag_name().name())
                    })
                    .collect(),
            };
        }
        current
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resolve(p: &str) -> Option<String> {
        (p == "t").then(|| "urn:t".to_owned())
    }

    #[test]
    fn selector_and_field_select_nodes() {
        let doc = roxmltree::Document::parse(
            r#"<r xmlns:t="urn:t"><a id="1"><t:b/></a><a id="2"/><c><a id="3"/></c></r>"#,
        )
        .unwrap();
        let root = doc.root_element();
        let sel = Path::parse(".//a", false, &resolve).unwrap();
        assert_eq!(sel.select_elements(root).len(), 3);
        let sel = Path::parse("a | c/a", false, &resolve).unwrap();
        assert_eq!(sel.select_elements(root).len(), 3);
        let field = Path::parse("@id", true, &resolve).unwrap();
        assert_eq!(field.select(sel.select_elements(root)[0]).len(), 1);
        let child = Path::parse("t:b", true, &resolve).unwrap();
        assert_eq!(child.select(sel.select_elements(root)[0]).len(), 1);
    }

    #[test]
    fn invalid_expressions_are_refused() {
        assert!(Path::parse("@id", false, &resolve).is_err());
        assert!(Path::parse("a/", false, &resolve).is_err());
        assert!(Path::parse("x:a", false, &resolve).is_err());
        assert!(Path::parse("../a", true, &resolve).is_err());
        assert!(Path::parse("a[1]", true, &resolve).is_err());
    }
}

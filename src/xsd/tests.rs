//! End-to-end checks of the compiler and validator on small schema sets written to a temp dir.

use std::num::NonZeroUsize;
use std::path::PathBuf;

use super::{CompileOptions, SchemaSet};

fn write(dir: &str, files: &[(&str, &str)]) -> PathBuf {
    let root = std::env::temp_dir().join(format!("kontrakt-xsd-{dir}-{}", std::process::id()));
    std::fs::create_dir_all(&root).unwrap();
    for (name, text) in files {
        std::fs::write(root.join(name), text).unwrap();
    }
    root
}

fn valid(set: &SchemaSet, xml: &str) -> bool {
    let doc = roxmltree::Document::parse(xml).unwrap();
    set.validate_document(&doc).is_valid()
}

const XS: &str = r#"xmlns:xs="http://www.w3.org/2001/XMLSchema""#;

#[test]
fn chameleon_include_takes_the_includers_namespace() {
    let main = format!(
        r#"<xs:schema {XS} targetNamespace="urn:a" xmlns="urn:a" elementFormDefault="qualified">
             <xs:include schemaLocation="common.xsd"/>
             <xs:element name="root" type="Code"/></xs:schema>"#
    );
    let common = format!(
        r#"<xs:schema {XS}><xs:simpleType name="Code"><xs:restriction base="xs:string"><xs:maxLength value="3"/></xs:restriction></xs:simpleType></xs:schema>"#
    );
    let dir = write("chameleon", &[("main.xsd", &main), ("common.xsd", &common)]);
    let set = SchemaSet::compile(&[dir.join("main.xsd")], &CompileOptions::default()).unwrap();
    assert!(valid(&set, r#"<root xmlns="urn:a">abc</root>"#));
    assert!(!valid(&set, r#"<root xmlns="urn:a">abcd</root>"#));
}

#[test]
fn restriction_that_adds_an_element_is_refused() {
    let schema = format!(
        r#"<xs:schema {XS}>
             <xs:complexType name="B"><xs:sequence><xs:element name="a"/></xs:sequence></xs:complexType>
             <xs:complexType name="D"><xs:complexContent><xs:restriction base="B">
               <xs:sequence><xs:element name="a"/><xs:element name="b"/></xs:sequence>
             </xs:restriction></xs:complexContent></xs:complexType></xs:schema>"#
    );
    let dir = write("restrict", &[("s.xsd", &schema)]);
    let err = SchemaSet::compile(&[dir.join("s.xsd")], &CompileOptions::default()).unwrap_err();
    assert!(
        err.rule.starts_with("rcase-") || err.rule.starts_with("cos-particle-restrict"),
        "{err}"
    );
    assert!(err.to_string().contains("s.xsd:"), "{err}");
}

#[test]
fn key_duplicates_and_dangling_keyrefs_are_errors() {
    let schema = format!(
        r#"<xs:schema {XS}><xs:element name="r"><xs:complexType><xs:sequence>
             <xs:element name="k" maxOccurs="unbounded"><xs:complexType><xs:attribute name="id" type="xs:int"/></xs:complexType></xs:element>
             <xs:element name="ref" minOccurs="0" maxOccurs="unbounded"><xs:complexType><xs:attribute name="to" type="xs:int"/></xs:complexType></xs:element>
           </xs:sequence></xs:complexType>
           <xs:key name="K"><xs:selector xpath="k"/><xs:field xpath="@id"/></xs:key>
           <xs:keyref name="R" refer="K"><xs:selector xpath="ref"/><xs:field xpath="@to"/></xs:keyref>
           </xs:element></xs:schema>"#
    );
    let dir = write("idc", &[("s.xsd", &schema)]);
    let set = SchemaSet::compile(&[dir.join("s.xsd")], &CompileOptions::default()).unwrap();
    assert!(valid(
        &set,
        r#"<r><k id="1"/><k id="2"/><ref to="02"/></r>"#
    ));
    assert!(!valid(&set, r#"<r><k id="1"/><k id="01"/></r>"#));
    assert!(!valid(&set, r#"<r><k id="1"/><ref to="3"/></r>"#));
}

#[test]
fn errors_name_path_and_expectation() {
    let schema = format!(
        r#"<xs:schema {XS}><xs:element name="r"><xs:complexType><xs:sequence>
             <xs:element name="Status"/><xs:element name="Beloeb" minOccurs="0"/>
           </xs:sequence></xs:complexType></xs:element></xs:schema>"#
    );
    let dir = write("messages", &[("s.xsd", &schema)]);
    let set = SchemaSet::compile(&[dir.join("s.xsd")], &CompileOptions::default()).unwrap();
    let doc = roxmltree::Document::parse("<r>\n<Foo/></r>").unwrap();
    let report = set.validate_document(&doc);
    let first = &report.errors[0];
    assert_eq!((first.line, first.path.as_str()), (2, "/r/Foo"));
    assert!(
        first.message.contains("expected one of {Status}"),
        "{}",
        first.message
    );
}

#[test]
fn unresolvable_import_names_namespace_and_locations() {
    let schema = format!(
        r#"<xs:schema {XS} xmlns:o="urn:other"><xs:import namespace="urn:other" schemaLocation="missing.xsd"/>
             <xs:element name="r" type="o:T"/></xs:schema>"#
    );
    let dir = write("import", &[("s.xsd", &schema)]);
    let err = SchemaSet::compile(&[dir.join("s.xsd")], &CompileOptions::default()).unwrap_err();
    assert_eq!(err.rule, "src-resolve");
    assert!(
        err.message.contains("urn:other") && err.message.contains("missing.xsd"),
        "{err}"
    );
}

#[test]
fn paths_number_repeated_names_from_the_validation_root() {
    let schema = format!(
        r#"<xs:schema {XS}><xs:element name="Request"><xs:complexType><xs:sequence>
             <xs:element name="Item" maxOccurs="unbounded"><xs:complexType>
               <xs:sequence><xs:element name="Status" type="xs:int"/></xs:sequence>
               <xs:attribute name="code" type="xs:int"/>
             </xs:complexType></xs:element>
             <xs:element name="Note" type="xs:int"/>
           </xs:sequence></xs:complexType></xs:element></xs:schema>"#
    );
    let dir = write("paths", &[("s.xsd", &schema)]);
    let set = SchemaSet::compile(&[dir.join("s.xsd")], &CompileOptions::default()).unwrap();
    let text = "<Envelope><Body><Request>\
                <Item code=\"x\"><Status>1</Status></Item>\
                <Item code=\"2\"><Status>bad</Status></Item>\
                <Note>n</Note></Request></Body></Envelope>";
    let doc = roxmltree::Document::parse(text).unwrap();
    let request = doc
        .descendants()
        .find(|n| n.has_tag_name("Request"))
        .unwrap();
    let report = set.validate_element(request);
    let paths: Vec<&str> = report.errors.iter().map(|e| e.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "/Request/Item[1]/@code",
            "/Request/Item[2]/Status",
            "/Request/Note"
        ],
        "{:?}",
        report.errors
    );
}

#[test]
fn files_validated_in_parallel_come_back_in_input_order() {
    let schema = format!(r#"<xs:schema {XS}><xs:element name="r" type="xs:int"/></xs:schema>"#);
    let dir = write(
        "parallel",
        &[
            ("s.xsd", &schema),
            ("ok.xml", "<r>1</r>"),
            ("bad.xml", "<r>x</r>"),
            ("broken.xml", "<r>"),
        ],
    );
    let docs: Vec<PathBuf> = ["ok", "bad", "missing", "broken", "ok", "bad", "ok"]
        .iter()
        .map(|name| dir.join(format!("{name}.xml")))
        .collect();
    let schema = [dir.join("s.xsd")];
    let one = super::validate_files(&schema, &docs, NonZeroUsize::MIN).unwrap();
    let three = NonZeroUsize::new(3).unwrap();
    let parallel = super::validate_files(&schema, &docs, three).unwrap();
    assert_eq!(parallel, one);
    let paths: Vec<&PathBuf> = parallel.iter().map(|r| &r.path).collect();
    assert_eq!(paths, docs.iter().collect::<Vec<_>>());
    let kinds: Vec<&str> = parallel
        .iter()
        .map(|r| match r.outcome {
            super::FileOutcome::Valid => "valid",
            super::FileOutcome::Invalid(_) => "invalid",
            super::FileOutcome::Unreadable(_) => "unreadable",
        })
        .collect();
    assert_eq!(
        kinds,
        [
            "valid",
            "invalid",
            "unreadable",
            "unreadable",
            "valid",
            "invalid",
            "valid"
        ]
    );
}

#[test]
fn stray_text_is_reported_before_the_errors_of_later_children() {
    let schema = format!(
        r#"<xs:schema {XS}><xs:element name="r"><xs:complexType><xs:sequence>
             <xs:element name="a" type="xs:int" maxOccurs="unbounded"/>
           </xs:sequence></xs:complexType></xs:element></xs:schema>"#
    );
    let dir = write("stray", &[("s.xsd", &schema)]);
    let doc = roxmltree::Document::parse("<r><a>x</a>stray<a>y</a></r>").unwrap();
    let all = SchemaSet::compile(&[dir.join("s.xsd")], &CompileOptions::default()).unwrap();
    let report = all.validate_document(&doc);
    let messages: Vec<&str> = report.errors.iter().map(|e| e.message.as_str()).collect();
    assert_eq!(messages.len(), 3, "{messages:?}");
    assert!(messages[0].contains("text is not allowed"), "{messages:?}");
    assert!(
        messages[1].contains("'x'") && messages[2].contains("'y'"),
        "{messages:?}"
    );
    let two = CompileOptions {
        error_limit: 2,
        ..CompileOptions::default()
    };
    let limited = SchemaSet::compile(&[dir.join("s.xsd")], &two).unwrap();
    let report = limited.validate_document(&doc);
    assert!(report.truncated);
    assert_eq!(
        report.errors.iter().map(|e| &e.message).collect::<Vec<_>>(),
        messages[..2].to_vec()
    );
}

#[test]
fn plain_string_check_agrees_with_full_validation() {
    let schema = format!(
        r#"<xs:schema {XS}>
             <xs:simpleType name="Code"><xs:restriction base="xs:token">
               <xs:maxLength value="5"/><xs:pattern value="[a-zæø ]*"/>
             </xs:restriction></xs:simpleType>
             <xs:simpleType name="Kind"><xs:restriction base="xs:string">
               <xs:enumeration value="a"/></xs:restriction></xs:simpleType>
             <xs:simpleType name="Id"><xs:restriction base="xs:ID"/></xs:simpleType>
           </xs:schema>"#
    );
    let dir = write("plain-string", &[("s.xsd", &schema)]);
    let set = SchemaSet::compile(&[dir.join("s.xsd")], &CompileOptions::default()).unwrap();
    let c = &set.components;
    let ty = |name: &str| c.global_types[&super::model::QName::new(None, name)];
    let full = |t, text| {
        let ids = &mut super::simple::Ids::default();
        super::simple::validate(c, t, text, &super::datatypes::NoNamespaces, ids).is_ok()
    };
    for text in ["abc", " æ  ø ", "abcdef", "a b c", "ABC", "", "\tab\n"] {
        let fast = super::simple::is_valid_plain_string(c, ty("Code"), text);
        assert_eq!(fast, full(ty("Code"), text), "{text:?}");
    }
    // an enumeration and an ID need the value: left to full validation
    assert!(!super::simple::is_valid_plain_string(c, ty("Kind"), "a"));
    assert!(!super::simple::is_valid_plain_string(c, ty("Id"), "a"));
}

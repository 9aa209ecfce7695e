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

/// A schema whose root `r` holds any number of `child` elements of type xs:int.
fn ints_in_r(child: &str) -> String {
    format!(
        r#"<xs:schema {XS}><xs:element name="r"><xs:complexType><xs:sequence>
             <xs:element name="{child}" type="xs:int" maxOccurs="unbounded"/>
           </xs:sequence></xs:complexType></xs:element></xs:schema>"#
    )
}

/// Files below the tree threshold are parsed into a tree, larger ones streamed: either way a
/// file gets the same errors (line, column, path) and the same refusal of broken XML.
#[test]
fn small_and_large_files_get_the_same_outcome() {
    let schema = ints_in_r("i");
    // the padding in front of the broken item makes the large file's errors far in
    let document = |items: usize, last: &str| {
        let mut xml = String::from("<r>\n");
        xml.extend(std::iter::repeat_n("<i>1</i>\n", items));
        xml.push_str(last);
        xml
    };
    let large_items = (super::files::TREE_UP_TO_BYTES as usize) / "<i>1</i>\n".len() + 1;
    let dir = write(
        "sizes",
        &[
            ("s.xsd", &schema),
            ("small-bad.xml", &document(2, "<i>x</i><j/></r>")),
            ("large-bad.xml", &document(large_items, "<i>x</i><j/></r>")),
            ("small-broken.xml", &document(2, "<i>1</i>\u{1}</r>")),
            (
                "large-broken.xml",
                &document(large_items, "<i>1</i>\u{1}</r>"),
            ),
        ],
    );
    let outcome = |name: &str| {
        let docs = [dir.join(name)];
        let results = super::validate_files(&[dir.join("s.xsd")], &docs, NonZeroUsize::MIN);
        results.unwrap().remove(0).outcome
    };
    let (super::FileOutcome::Invalid(small), super::FileOutcome::Invalid(large)) =
        (outcome("small-bad.xml"), outcome("large-bad.xml"))
    else {
        panic!("both schema-invalid files must be reported invalid");
    };
    let shifted = u32::try_from(large_items - 2).unwrap();
    assert_eq!(small.len(), 2);
    assert_eq!(large.len(), small.len());
    for (small, large) in small.iter().zip(&large) {
        assert_eq!(large.line, small.line + shifted);
        assert_eq!(
            (large.column, &large.message),
            (small.column, &small.message)
        );
        let renumbered = small
            .path
            .replace("i[3]", &format!("i[{}]", large_items + 1));
        assert_eq!(large.path, renumbered);
    }
    let (super::FileOutcome::Unreadable(small), super::FileOutcome::Unreadable(large)) =
        (outcome("small-broken.xml"), outcome("large-broken.xml"))
    else {
        panic!("both files with a control character must be refused as not well-formed");
    };
    assert!(small.starts_with("not well-formed"), "{small}");
    assert!(large.starts_with("not well-formed"), "{large}");
}

#[test]
fn stray_text_is_reported_before_the_errors_of_later_children() {
    let schema = ints_in_r("a");
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

/// The report of the tree source (the document parsed first, as before streaming) and of the
/// stream source on the same bytes.
fn by_tree_and_by_stream(
    set: &SchemaSet,
    bytes: &[u8],
) -> [Result<super::ValidationReport, String>; 2] {
    let tree = match std::str::from_utf8(bytes) {
        Err(e) => Err(format!("cannot read: not UTF-8: {e}")),
        Ok(text) => {
            let options = roxmltree::ParsingOptions {
                allow_dtd: false,
                ..Default::default()
            };
            let text = text.strip_prefix('\u{feff}').unwrap_or(text);
            match roxmltree::Document::parse_with_options(text, options) {
                Ok(doc) => Ok(set.validate_document(&doc)),
                Err(e) => Err(format!("not well-formed: {e}")),
            }
        }
    };
    let stream = set
        .validate_reader(std::io::Cursor::new(bytes))
        .map_err(|e| e.to_string());
    [tree, stream]
}

#[test]
fn stream_and_tree_sources_report_alike() {
    let schema = format!(
        r###"<xs:schema {XS} xmlns:t="urn:t" targetNamespace="urn:t" elementFormDefault="qualified">
             <xs:element name="r"><xs:complexType><xs:sequence>
               <xs:element name="item" maxOccurs="unbounded"><xs:complexType><xs:simpleContent>
                 <xs:extension base="xs:int"><xs:attribute name="id" type="xs:ID"/>
                 <xs:attribute name="kind" type="xs:QName"/><xs:attribute name="code" type="t:Code"/>
                 </xs:extension></xs:simpleContent></xs:complexType></xs:element>
               <xs:element name="note" type="xs:string" nillable="true" minOccurs="0"/>
               <xs:element name="empty" minOccurs="0"><xs:complexType/></xs:element>
               <xs:element name="ref" type="xs:IDREF" minOccurs="0" maxOccurs="unbounded"/>
               <xs:element name="fixed" type="xs:string" fixed="a&amp;b" minOccurs="0"/>
               <xs:any namespace="##other" processContents="lax" minOccurs="0" maxOccurs="unbounded"/>
             </xs:sequence></xs:complexType>
             <xs:unique name="U"><xs:selector xpath="t:item"/><xs:field xpath="."/></xs:unique>
             <xs:key name="K"><xs:selector xpath=".//t:item"/><xs:field xpath="@code"/></xs:key>
             </xs:element>
             <xs:simpleType name="Code"><xs:restriction base="xs:token"><xs:maxLength value="3"/></xs:restriction></xs:simpleType>
           </xs:schema>"###
    );
    let dir = write("sources", &[("s.xsd", &schema)]);
    let set = SchemaSet::compile(&[dir.join("s.xsd")], &CompileOptions::default()).unwrap();
    let documents: &[&[u8]] = &[
        b"<r xmlns='urn:t'><item code='a'>1</item></r>",
        "\u{feff}<r xmlns='urn:t'>\r\n<item code=' a\tb '>1<!-- c -->2</item><item code='æøå'>x</item></r>".as_bytes(),
        b"<r xmlns='urn:t' xmlns:p='urn:p'><item code='a' kind='p:x'>1</item><item code='a' kind='q:x'>&#49;</item></r>",
        b"<r xmlns='urn:t'>text<!-- c --> more<item code='b'>1</item>\n  <item code='c' id='i'>1</item><ref>j</ref><ref>i</ref></r>",
        b"<r xmlns='urn:t' xmlns:xsi='http://www.w3.org/2001/XMLSchema-instance'><item code='a'>1</item><note xsi:nil='true'>x</note><empty>y<z/></empty><fixed>a&amp;c</fixed></r>",
        b"<r xmlns='urn:t'><item code='a'><![CDATA[1]]>2&amp;</item><o:x xmlns:o='urn:o'><o:y/></o:x><item/></r>",
        b"<r xmlns='urn:t'><item code='a'>1</item><fixed>a&amp;b</fixed><bogus/><item code='d'>1</item></r>",
        b"<r xmlns='urn:t'><item code='a'>1</item><item code='a'>2</item><item>3</item></r>",
        b"<x/>",
        "\u{feff}<r xmlns='urn:t'><item code='abcd'>1</item></r>".as_bytes(),
        // not well-formed, or not UTF-8: the same message either way
        b"<r xmlns='urn:t'><item>1</item>",
        b"<r xmlns='urn:t'><p:item/></r>",
        b"<r xmlns='urn:t' a='1' a='2'/>",
        b"<!DOCTYPE r><r xmlns='urn:t'/>",
        b"<r xmlns='urn:t'/><r/>",
        b"<r xmlns='urn:t'/>text",
        b"<r xmlns='urn:t'>&unknown;</r>",
        b"<r xmlns='urn:t'>\xff</r>",
        // rules quick-xml leaves to its caller
        b"<r xmlns='urn:t'>\x01</r>",
        "<r xmlns='urn:t'>\u{ffff}</r>".as_bytes(),
        b"<r xmlns='urn:t'>&#x1;</r>",
        b"<r xmlns='urn:t'>a]]>b</r>",
        b"<r xmlns='urn:t' a='<'/>",
        b"<r xmlns='urn:t' a='1'b='2'/>",
        b"<r\x01 xmlns='urn:t'/>",
        b"<r xmlns='urn:t' xmlns:a='urn:a' xmlns:b='urn:a' a:x='1' b:x='2'/>",
        b"<r xmlns='urn:t'/>&#x9;",
        b"<r xmlns='urn:t'><?xml version='1.0'?></r>",
        b"<?xml version='1.0'encoding='UTF-8'?><r xmlns='urn:t'/>",
        b"<r xmlns='urn:t'><!-- \x02 --></r>",
        b"",
    ];
    for document in documents {
        let [tree, stream] = by_tree_and_by_stream(&set, document);
        assert_eq!(tree, stream, "{}", String::from_utf8_lossy(document));
    }
}

#[test]
fn remembered_values_keep_every_verdict_and_message() {
    let schema = format!(
        r#"<xs:schema {XS}>
             <xs:simpleType name="Code"><xs:restriction base="xs:string">
               <xs:pattern value="[0-9]{{3}}"/></xs:restriction></xs:simpleType>
             <xs:simpleType name="Short"><xs:restriction base="xs:string">
               <xs:maxLength value="2"/></xs:restriction></xs:simpleType>
             <xs:simpleType name="Names"><xs:list itemType="xs:QName"/></xs:simpleType>
             <xs:element name="r"><xs:complexType><xs:sequence>
               <xs:element name="code" type="Code"/>
               <xs:element name="short" type="Short"/>
               <xs:element name="q" type="xs:QName"/>
               <xs:element name="names" type="Names"/>
               <xs:element name="id" type="xs:ID" maxOccurs="2"/>
             </xs:sequence></xs:complexType></xs:element>
           </xs:schema>"#
    );
    let dir = write("memo", &[("s.xsd", &schema)]);
    let compile = || SchemaSet::compile(&[dir.join("s.xsd")], &CompileOptions::default());
    let set = compile().unwrap();
    let messages = |set: &SchemaSet, body: &str| {
        let xml = format!(r#"<r xmlns:p="urn:p">{body}</r>"#);
        let doc = roxmltree::Document::parse(&xml).unwrap();
        let report = set.validate_document(&doc);
        report
            .errors
            .into_iter()
            .map(|e| e.message)
            .collect::<Vec<_>>()
    };
    let valid = "<code>751</code><short>75</short><q>p:a</q><names>p:a p:b</names><id>a</id>";
    for _ in 0..2 {
        assert_eq!(messages(&set, valid), Vec::<String>::new());
    }
    // "751" was valid for Code, not for Short; QNames need their prefixes in scope each time;
    // an ID is remembered nowhere, so a repeated one is found repeated
    let again = r#"<code>751</code><short>751</short><q xmlns:p="">p:a</q><names xmlns:p="">p:a</names><id>a</id><id>a</id>"#;
    let expected = messages(&compile().unwrap(), again);
    assert_eq!(expected.len(), 4, "{expected:?}");
    assert_eq!(messages(&set, again), expected);
}

#[test]
fn fixed_values_of_mixed_and_simple_elements_nested() {
    let schema = format!(
        r#"<xs:schema {XS}><xs:element name="r"><xs:complexType><xs:sequence>
                 <xs:element name="m" maxOccurs="unbounded" fixed="hello">
                   <xs:complexType mixed="true"><xs:sequence>
                     <xs:element name="c" minOccurs="0" type="xs:string" fixed="x"/>
                   </xs:sequence></xs:complexType></xs:element>
               </xs:sequence></xs:complexType></xs:element></xs:schema>"#
    );
    let dir = write("mixed-fixed", &[("s.xsd", &schema)]);
    let set = SchemaSet::compile(&[dir.join("s.xsd")], &CompileOptions::default()).unwrap();
    let xml = "<r><m>hel<!-- c -->lo</m><m>bye</m><m>a<c>y</c>b</m><m>hel<c>x</c>lo</m></r>";
    let doc = roxmltree::Document::parse(xml).unwrap();
    let messages: Vec<String> = (set.validate_document(&doc).errors.into_iter())
        .map(|e| format!("{}: {}", e.path, e.message))
        .collect();
    assert_eq!(
        messages,
        [
            r#"/r/m[2]: the element must have the fixed value "hello", found "bye""#,
            "/r/m[3]: an element with a fixed value may not have element children",
            r#"/r/m[3]/c: the element must have the fixed value "x", found "y""#,
            "/r/m[4]: an element with a fixed value may not have element children",
        ]
    );
}

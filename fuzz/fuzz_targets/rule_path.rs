//! The rule path language: the first line is a path, the rest a document it is evaluated on.
#![no_main]

use kontrakt::xml::path::{Namespaces, XmlPath};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let (path, document) = text.split_once('\n').unwrap_or((text, "<a/>"));
    let namespaces: Namespaces = [("k".to_owned(), "urn:k".to_owned())].into_iter().collect();
    let (Ok(path), Ok(doc)) = (
        XmlPath::parse(path, &namespaces),
        kontrakt::xml::parse(document),
    ) else {
        return;
    };
    let _ = path.values(doc.root_element());
});

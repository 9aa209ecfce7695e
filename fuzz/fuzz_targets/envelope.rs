//! SOAP envelope and fault parsing of a response body, as the checks read it.
#![no_main]

use kontrakt::soap::Envelope;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|body: &[u8]| {
    let Ok(text) = std::str::from_utf8(body) else {
        return;
    };
    let Ok(doc) = kontrakt::xml::parse(text) else {
        return;
    };
    if let Ok(envelope) = Envelope::read(&doc)
        && let Some(Ok(fault)) = envelope.fault()
    {
        let _ = fault.to_string();
    }
});

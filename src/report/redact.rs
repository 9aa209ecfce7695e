//! CPR redaction for evidence bundles: a 10-digit value (`DDMMYYSSSS` or `DDMMYY-SSSS`) that is
//! a CPR number by `domain::cpr` becomes `XXXXXX-XXXX`. The value must stand alone (no letter
//! or digit either side), so digit runs inside hex hashes and identifiers stay intact.

use crate::domain::cpr;

pub const REDACTED: &str = "XXXXXX-XXXX";

/// Redacts CPR numbers in the element text of an XML document; markup (names, attributes) is
/// left alone.
pub fn redact_cpr(xml: &str) -> String {
    String::from_utf8_lossy(&redact_xml_bytes(xml.as_bytes())).into_owned()
}

/// [`redact_cpr`] on raw bytes, for response bodies that need not be UTF-8.
pub(super) fn redact_xml_bytes(xml: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(xml.len());
    let mut rest = xml;
    while let Some(open) = rest.iter().position(|&b| b == b'<') {
        redact_text(&rest[..open], &mut out);
        let close = rest[open..]
            .iter()
            .position(|&b| b == b'>')
            .map_or(rest.len(), |i| open + i + 1);
        out.extend_from_slice(&rest[open..close]);
        rest = &rest[close..];
    }
    redact_text(rest, &mut out);
    out
}

/// Redacts CPR numbers anywhere in `text` (for JSON, Markdown and HTML report files).
pub(super) fn redact_anywhere_bytes(text: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    redact_text(text, &mut out);
    out
}

fn redact_text(bytes: &[u8], out: &mut Vec<u8>) {
    let mut copied = 0;
    let mut at = 0;
    while at < bytes.len() {
        let starts_number =
            bytes[at].is_ascii_digit() && (at == 0 || !bytes[at - 1].is_ascii_alphanumeric());
        if let Some(len) = starts_number.then(|| cpr_length(&bytes[at..])).flatten() {
            out.extend_from_slice(&bytes[copied..at]);
            out.extend_from_slice(REDACTED.as_bytes());
            at += len;
            copied = at;
        } else {
            at += 1;
        }
    }
    out.extend_from_slice(&bytes[copied..]);
}

/// The length of the CPR number at the start of `bytes`, if one is there and is not followed by
/// a letter or digit.
fn cpr_length(bytes: &[u8]) -> Option<usize> {
    [10, 11].into_iter().find(|&len| {
        bytes.len() >= len
            && bytes.get(len).is_none_or(|b| !b.is_ascii_alphanumeric())
            && std::str::from_utf8(&bytes[..len]).is_ok_and(|s| cpr::validate(s).is_ok())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_plain_and_dashed_numbers_in_element_text() {
        assert_eq!(
            redact_cpr("<a>0101901234</a><b>Ref 010190-1234.</b>"),
            "<a>XXXXXX-XXXX</a><b>Ref XXXXXX-XXXX.</b>"
        );
    }

    #[test]
    fn leaves_markup_longer_numbers_and_impossible_dates_alone() {
        let xml = r#"<a id="0101901234">01019012345 3213901234 x</a>"#;
        assert_eq!(redact_cpr(xml), xml);
    }

    #[test]
    fn digit_runs_inside_hashes_and_identifiers_stay() {
        let hash = b"sha256 e0101901234f and KY0101901234";
        assert_eq!(redact_anywhere_bytes(hash), hash.to_vec());
    }

    #[test]
    fn anywhere_also_covers_json() {
        assert_eq!(
            redact_anywhere_bytes(br#"{"m":"got 0101901234"}"#),
            br#"{"m":"got XXXXXX-XXXX"}"#
        );
    }
}

//! Escaping for the hand-written HTML and Markdown reports: trial names, messages and paths come
//! from files and endpoints we do not control.

/// Text safe inside HTML element content and double- or single-quoted attribute values.
pub(super) fn html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// Text safe inside a Markdown table cell: ASCII punctuation is backslash-escaped (CommonMark
/// allows that for every ASCII punctuation character, and it also stops inline HTML and pipes),
/// and line breaks become spaces so a cell stays on its row.
pub(super) fn markdown(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\r' | '\n' => out.push(' '),
            c if c.is_ascii_punctuation() && !matches!(c, '-' | '.' | ',' | ':' | '/' | '=') => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_escapes_markup_and_quotes() {
        assert_eq!(
            html(r#"<script>alert("x")</script> & 'y'"#),
            "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39;"
        );
    }

    #[test]
    fn markdown_escapes_pipes_html_and_emphasis() {
        assert_eq!(markdown("a|b"), r"a\|b");
        assert_eq!(markdown("<b>*x*</b>"), r"\<b\>\*x\*\</b\>");
        assert_eq!(markdown("one\ntwo"), "one two");
        assert_eq!(markdown(r"back\slash"), r"back\\slash");
        assert_eq!(markdown("kontanthjaelp::Ret-1.x"), "kontanthjaelp::Ret-1.x");
    }
}

//! Reading pages the way a test needs to.

/// The CSRF token of the first form on the page.
pub fn csrf_token(html: &str) -> String {
    let marker = "name=\"csrf_token\" value=\"";
    let start = html
        .find(marker)
        .expect("page has a form with a CSRF token")
        + marker.len();
    let end = html[start..].find('"').expect("token ends") + start;
    html[start..end].to_owned()
}

/// The page's text without tags, with runs of white space folded, for `contains` checks.
pub fn text_of(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => {
                in_tag = true;
                out.push(' ');
            }
            '>' => in_tag = false,
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    let decoded = out
        .replace("&#38;", "&")
        .replace("&amp;", "&")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&quot;", "\"")
        .replace("&#34;", "\"");
    decoded.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The path of the questionnaire link (`/q/...`) in an email's text.
pub fn questionnaire_link(text: &str) -> String {
    let start = text
        .find("/q/")
        .expect("the email has a questionnaire link");
    text[start..]
        .split_whitespace()
        .next()
        .expect("link")
        .to_owned()
}

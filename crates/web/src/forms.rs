//! Form errors in the NHS pattern: an error summary at the top linking to each field's message.

/// Errors found in a submitted form, in the order of the fields on the page.
#[derive(Debug, Default, Clone)]
pub struct FormErrors(Vec<(String, String)>);

impl FormErrors {
    /// No errors yet.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Records `message` against the field with id `field`.
    pub fn add(&mut self, field: &str, message: impl Into<String>) {
        self.0.push((field.to_owned(), message.into()));
    }

    /// Parses `result`, recording its error against `field`; `None` when it failed.
    pub fn check<T, E: std::fmt::Display>(
        &mut self,
        field: &str,
        result: Result<T, E>,
    ) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(e) => {
                self.add(field, e.to_string());
                None
            }
        }
    }

    /// Whether nothing is wrong.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Whether `field` has an error.
    #[must_use]
    pub fn has(&self, field: &str) -> bool {
        self.0.iter().any(|(f, _)| f == field)
    }

    /// The first error for `field`.
    #[must_use]
    pub fn get(&self, field: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(f, _)| f == field)
            .map(|(_, m)| m.as_str())
    }

    /// Every error, for the summary.
    #[must_use]
    pub fn list(&self) -> &[(String, String)] {
        &self.0
    }

    /// The errors as (field, message) pairs for an API problem document.
    #[must_use]
    pub fn into_fields(self) -> Vec<(String, String)> {
        self.0
    }
}

/// A local path to return to after signing in; anything else (other sites, `//host`) is dropped.
#[must_use]
pub fn safe_next(next: &str) -> Option<String> {
    let ok = next.starts_with('/')
        && !next.starts_with("//")
        && !next.starts_with("/\\")
        && !next.chars().any(|c| c.is_control() || c.is_whitespace());
    ok.then(|| next.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_must_stay_on_this_site() {
        assert_eq!(
            safe_next("/organisations/1").as_deref(),
            Some("/organisations/1")
        );
        for bad in [
            "https://evil.example",
            "//evil.example",
            "/\\evil.example",
            "",
            "/a b",
        ] {
            assert_eq!(safe_next(bad), None, "{bad}");
        }
    }
}

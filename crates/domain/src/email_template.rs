//! The emails a review sends, as templates champions can edit: a subject and a plain-text body
//! with placeholders such as `{name}` and `{link}`.
//!
//! Templates are plain text on purpose: champions never write HTML, so an edited template cannot
//! break the HTML part or inject markup into it. The HTML part is built from the same text, each
//! blank-line-separated paragraph becoming a paragraph and `{link}` becoming a link.

use std::fmt;

/// The most characters a subject may have.
pub const MAX_SUBJECT: usize = 200;
/// The most characters a body may have.
pub const MAX_BODY: usize = 5_000;

/// Which email of a review a template is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EmailKind {
    /// The personal questionnaire link.
    Invitation,
    /// A reminder to someone who has not answered yet.
    Reminder,
    /// Thanks to those who answered, sent when the questionnaire closes.
    ThankYou,
    /// An invitation to the review sessions.
    SessionInvitation,
    /// A reminder to the owners of an action that is due.
    ActionReminder,
}

/// A value of a template: each placeholder, in the order pages list them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Placeholder {
    /// The recipient's name.
    Name,
    /// The review's title.
    Review,
    /// The recipient's personal link.
    Link,
    /// When the questionnaire closes.
    CloseDate,
    /// The review's champions, by name.
    Champions,
}

impl Placeholder {
    /// Every placeholder.
    pub const ALL: [Placeholder; 5] = [
        Placeholder::Name,
        Placeholder::Review,
        Placeholder::Link,
        Placeholder::CloseDate,
        Placeholder::Champions,
    ];

    /// The name between the braces.
    #[must_use]
    pub fn key(self) -> &'static str {
        match self {
            Placeholder::Name => "name",
            Placeholder::Review => "review",
            Placeholder::Link => "link",
            Placeholder::CloseDate => "close_date",
            Placeholder::Champions => "champions",
        }
    }

    /// What it stands for, in a sentence's middle.
    #[must_use]
    pub fn meaning(self) -> &'static str {
        match self {
            Placeholder::Name => "the recipient's name",
            Placeholder::Review => "the review's title",
            Placeholder::Link => "the recipient's personal link",
            Placeholder::CloseDate => "the date the questionnaire closes",
            Placeholder::Champions => "the review's champions",
        }
    }

    fn parse(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.key() == key)
    }
}

impl EmailKind {
    /// Every kind, in the order of the cycle.
    pub const ALL: [EmailKind; 5] = [
        EmailKind::Invitation,
        EmailKind::Reminder,
        EmailKind::ThankYou,
        EmailKind::SessionInvitation,
        EmailKind::ActionReminder,
    ];

    /// The stored and URL name.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            EmailKind::Invitation => "invitation",
            EmailKind::Reminder => "reminder",
            EmailKind::ThankYou => "thank-you",
            EmailKind::SessionInvitation => "session-invitation",
            EmailKind::ActionReminder => "action-reminder",
        }
    }

    /// Reads a stored or URL name.
    #[must_use]
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == text)
    }

    /// The name pages show.
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            EmailKind::Invitation => "Invitation to answer",
            EmailKind::Reminder => "Reminder",
            EmailKind::ThankYou => "Thank you",
            EmailKind::SessionInvitation => "Invitation to the sessions",
            EmailKind::ActionReminder => "Action reminder",
        }
    }

    /// When it is sent, in a sentence.
    #[must_use]
    pub fn when_sent(self) -> &'static str {
        match self {
            EmailKind::Invitation => {
                "Sent with each person's personal link when the questionnaire opens."
            }
            EmailKind::Reminder => {
                "Sent on the reminder schedule, and when you send reminders now, only to people who have not answered."
            }
            EmailKind::ThankYou => "Sent to everyone who answered when the questionnaire closes.",
            EmailKind::SessionInvitation => "Sent to invite people to the two review sessions.",
            EmailKind::ActionReminder => "Sent to the owners of an action when it is due.",
        }
    }

    /// Whether `placeholder` makes sense in this email.
    #[must_use]
    pub fn allows(self, placeholder: Placeholder) -> bool {
        // The thank-you goes out after the questionnaire closes, when a link leads nowhere.
        !(self == EmailKind::ThankYou && placeholder == Placeholder::Link)
    }

    /// Whether the body must carry `{link}`, without which the email is no use.
    #[must_use]
    pub fn needs_link(self) -> bool {
        matches!(
            self,
            EmailKind::Invitation | EmailKind::Reminder | EmailKind::SessionInvitation
        )
    }

    /// The template used until champions change it.
    #[must_use]
    pub fn default_template(self) -> EmailTemplate {
        let (subject, body) = match self {
            EmailKind::Invitation => (
                "{review}: how well do clinical and finance colleagues work together?",
                "Dear {name},\n\n\
                 You are invited to take part in {review}, a review of how clinical and finance \
                 colleagues work together.\n\n\
                 Please answer a short questionnaire. It takes about 10 minutes:\n{link}\n\n\
                 Your answers are anonymous. Nobody, the review's champions included, can see what \
                 you said: results are only shown for groups large enough that no one can be \
                 singled out.\n\n\
                 The questionnaire closes on {close_date}.\n\n\
                 Thank you,\n{champions}",
            ),
            EmailKind::Reminder => (
                "Reminder: {review} questionnaire",
                "Dear {name},\n\n\
                 We have not had your answers for {review} yet. If you have 10 minutes, please \
                 answer here:\n{link}\n\n\
                 The questionnaire closes on {close_date}. Your answers are anonymous: we only \
                 know whether you have answered, never what you said.\n\n\
                 If you answered in the last day, thank you, and please ignore this email.\n\n\
                 {champions}",
            ),
            EmailKind::ThankYou => (
                "Thank you for taking part in {review}",
                "Dear {name},\n\n\
                 Thank you for answering the questionnaire for {review}. It has now closed.\n\n\
                 The results will be talked through at the review sessions, where clinical and \
                 finance colleagues agree what to do together. We will be in touch about the \
                 dates.\n\n\
                 {champions}",
            ),
            EmailKind::SessionInvitation => (
                "{review}: please join the review sessions",
                "Dear {name},\n\n\
                 The questionnaire for {review} shows where clinical and finance colleagues work \
                 well together and where they could do better. Please join two sessions to talk \
                 about the results with peer reviewers and agree joint actions.\n\n\
                 Tell us which dates suit you here:\n{link}\n\n\
                 {champions}",
            ),
            EmailKind::ActionReminder => (
                "{review}: an action you own is due",
                "Dear {name},\n\n\
                 An action you agreed to own after {review} is due. Please record its progress \
                 here:\n{link}\n\n\
                 {champions}",
            ),
        };
        EmailTemplate {
            subject: subject.to_owned(),
            body: body.to_owned(),
        }
    }
}

impl fmt::Display for EmailKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A subject and body with placeholders.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmailTemplate {
    /// The subject line.
    pub subject: String,
    /// The plain-text body; blank lines separate paragraphs.
    pub body: String,
}

/// Which part of a template a problem is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// The subject line.
    Subject,
    /// The body.
    Body,
}

/// Why a template cannot be used, in words for the person who wrote it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TemplateError {
    /// Nothing written.
    Empty(Part),
    /// Too long.
    TooLong(Part),
    /// A subject over more than one line.
    SubjectLines,
    /// `{something}` that is not a placeholder.
    Unknown(Part, String),
    /// A `{` or `}` that starts or ends nothing.
    StrayBrace(Part),
    /// A placeholder this email cannot fill.
    NotHere(Part, Placeholder),
    /// An email that needs the link and lacks it.
    MissingLink,
}

impl TemplateError {
    /// Which part of the template is at fault.
    #[must_use]
    pub fn part(&self) -> Part {
        match self {
            TemplateError::Empty(p)
            | TemplateError::TooLong(p)
            | TemplateError::Unknown(p, _)
            | TemplateError::StrayBrace(p)
            | TemplateError::NotHere(p, _) => *p,
            TemplateError::SubjectLines => Part::Subject,
            TemplateError::MissingLink => Part::Body,
        }
    }
}

impl fmt::Display for TemplateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let part = part_name(self.part());
        match self {
            TemplateError::Empty(_) => write!(f, "Enter the {part}"),
            TemplateError::TooLong(p) => {
                write!(f, "The {part} must be {} characters or fewer", max_of(*p))
            }
            TemplateError::SubjectLines => f.write_str("The subject must be on one line"),
            TemplateError::Unknown(_, key) => write!(
                f,
                "{{{key}}} in the {part} is not a placeholder. Use {}, or write {{{{ and }}}} for a brace",
                placeholder_list()
            ),
            TemplateError::StrayBrace(_) => write!(
                f,
                "The {part} has a {{ or }} that is not part of a placeholder. Write {{{{ or }}}} for a brace"
            ),
            TemplateError::NotHere(_, placeholder) => write!(
                f,
                "{{{placeholder}}} cannot be used in the {part}: {}",
                why_not(*placeholder)
            ),
            TemplateError::MissingLink => {
                f.write_str("The body must include {link}, so that people can reach their page")
            }
        }
    }
}

impl std::error::Error for TemplateError {}

impl fmt::Display for Placeholder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

fn part_name(part: Part) -> &'static str {
    match part {
        Part::Subject => "subject",
        Part::Body => "body",
    }
}

fn max_of(part: Part) -> usize {
    match part {
        Part::Subject => MAX_SUBJECT,
        Part::Body => MAX_BODY,
    }
}

fn why_not(placeholder: Placeholder) -> &'static str {
    match placeholder {
        Placeholder::Link => "this email has no personal link, or the link belongs in the body",
        _ => "it has no value here",
    }
}

fn placeholder_list() -> String {
    let keys: Vec<String> = Placeholder::ALL
        .iter()
        .map(|p| format!("{{{}}}", p.key()))
        .collect();
    keys.join(", ")
}

/// A piece of a parsed template.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece<'a> {
    Text(std::borrow::Cow<'a, str>),
    Value(Placeholder),
}

/// Splits `text` into literal text and placeholders; `{{` and `}}` stand for braces.
fn parse(text: &str, part: Part) -> Result<Vec<Piece<'_>>, TemplateError> {
    let mut pieces = Vec::new();
    let mut literal = String::new();
    let mut rest = text;
    while let Some(at) = rest.find(['{', '}']) {
        literal.push_str(&rest[..at]);
        let tail = &rest[at..];
        if let Some(after) = tail.strip_prefix("{{").or_else(|| tail.strip_prefix("}}")) {
            literal.push_str(&tail[..1]);
            rest = after;
            continue;
        }
        if tail.starts_with('}') {
            return Err(TemplateError::StrayBrace(part));
        }
        let Some(end) = tail.find('}') else {
            return Err(TemplateError::StrayBrace(part));
        };
        let key = &tail[1..end];
        if key.contains(['{', '\n']) {
            return Err(TemplateError::StrayBrace(part));
        }
        let placeholder =
            Placeholder::parse(key).ok_or_else(|| TemplateError::Unknown(part, key.to_owned()))?;
        if !literal.is_empty() {
            pieces.push(Piece::Text(std::mem::take(&mut literal).into()));
        }
        pieces.push(Piece::Value(placeholder));
        rest = &tail[end + 1..];
    }
    literal.push_str(rest);
    if !literal.is_empty() {
        pieces.push(Piece::Text(literal.into()));
    }
    Ok(pieces)
}

/// The values that fill a template for one recipient.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Values {
    /// The recipient's name.
    pub name: String,
    /// The review's title.
    pub review: String,
    /// The recipient's personal link (empty where the email has none).
    pub link: String,
    /// When the questionnaire closes, in words.
    pub close_date: String,
    /// The champions' names, in words.
    pub champions: String,
}

impl Values {
    fn get(&self, placeholder: Placeholder) -> &str {
        match placeholder {
            Placeholder::Name => &self.name,
            Placeholder::Review => &self.review,
            Placeholder::Link => &self.link,
            Placeholder::CloseDate => &self.close_date,
            Placeholder::Champions => &self.champions,
        }
    }
}

/// An email filled in for one recipient.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    /// The subject line.
    pub subject: String,
    /// The plain-text part.
    pub text: String,
    /// The HTML part's content (paragraphs), for the caller's layout.
    pub html_body: String,
}

impl EmailTemplate {
    /// Checks the template for `kind`, returning every problem found.
    pub fn validate(&self, kind: EmailKind) -> Result<(), Vec<TemplateError>> {
        let mut problems = Vec::new();
        // A body that cannot be read is not also said to lack its link.
        let mut body_link = false;
        let mut body_read = false;
        for (part, text, max) in [
            (Part::Subject, &self.subject, MAX_SUBJECT),
            (Part::Body, &self.body, MAX_BODY),
        ] {
            if text.trim().is_empty() {
                problems.push(TemplateError::Empty(part));
                continue;
            }
            if text.chars().count() > max {
                problems.push(TemplateError::TooLong(part));
            }
            if part == Part::Subject && text.contains(['\n', '\r']) {
                problems.push(TemplateError::SubjectLines);
            }
            match parse(text, part) {
                Err(e) => problems.push(e),
                Ok(pieces) => {
                    body_read |= part == Part::Body;
                    for placeholder in pieces.iter().filter_map(|p| match p {
                        Piece::Value(v) => Some(*v),
                        Piece::Text(_) => None,
                    }) {
                        let here = kind.allows(placeholder)
                            && !(part == Part::Subject && placeholder == Placeholder::Link);
                        if !here {
                            problems.push(TemplateError::NotHere(part, placeholder));
                        }
                        body_link |= part == Part::Body && placeholder == Placeholder::Link;
                    }
                }
            }
        }
        if kind.needs_link() && body_read && !body_link {
            problems.push(TemplateError::MissingLink);
        }
        problems.dedup();
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems)
        }
    }

    /// Fills the template for one recipient; the template must have passed [`Self::validate`].
    pub fn render(&self, values: &Values) -> Result<Rendered, TemplateError> {
        let subject = fill_text(&parse(&self.subject, Part::Subject)?, values);
        let body = self.body.replace("\r\n", "\n");
        let text = fill_text(&parse(&body, Part::Body)?, values);
        let mut html_body = String::new();
        for paragraph in body.split("\n\n").filter(|p| !p.trim().is_empty()) {
            html_body.push_str("<p>");
            for (i, line) in paragraph.trim_matches('\n').split('\n').enumerate() {
                if i > 0 {
                    html_body.push_str("<br>\n");
                }
                for piece in parse(line, Part::Body)? {
                    match piece {
                        Piece::Text(t) => html_body.push_str(&escape_html(&t)),
                        Piece::Value(Placeholder::Link) => {
                            let link = escape_html(&values.link);
                            for part in ["<a href=\"", &link, "\">", &link, "</a>"] {
                                html_body.push_str(part);
                            }
                        }
                        Piece::Value(v) => html_body.push_str(&escape_html(values.get(v))),
                    }
                }
            }
            html_body.push_str("</p>\n");
        }
        Ok(Rendered {
            subject: subject.replace(['\r', '\n'], " "),
            text,
            html_body,
        })
    }
}

fn fill_text(pieces: &[Piece<'_>], values: &Values) -> String {
    let mut out = String::new();
    for piece in pieces {
        match piece {
            Piece::Text(t) => out.push_str(t),
            Piece::Value(v) => out.push_str(values.get(*v)),
        }
    }
    out
}

/// Escapes text for HTML content and attribute values.
#[must_use]
pub fn escape_html(text: &str) -> String {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn values() -> Values {
        Values {
            name: "Ana <Smith>".into(),
            review: "Theatres".into(),
            link: "https://example.nhs.uk/q/abc".into(),
            close_date: "Friday 4 December 2026".into(),
            champions: "Dr Lee and Sam Patel".into(),
        }
    }

    #[test]
    fn every_default_is_valid() {
        for kind in EmailKind::ALL {
            assert_eq!(kind.default_template().validate(kind), Ok(()), "{kind}");
            assert_eq!(EmailKind::parse(kind.as_str()), Some(kind));
        }
    }

    #[test]
    fn renders_text_and_escaped_html() {
        let t = EmailTemplate {
            subject: "Hello {name}".into(),
            body: "Dear {name},\nanswer at\n{link}\n\nBraces {{like this}}.".into(),
        };
        let r = t.render(&values()).unwrap();
        assert_eq!(r.subject, "Hello Ana <Smith>");
        assert_eq!(
            r.text,
            "Dear Ana <Smith>,\nanswer at\nhttps://example.nhs.uk/q/abc\n\nBraces {like this}."
        );
        assert!(r.html_body.contains("<p>Dear Ana &lt;Smith&gt;,<br>"));
        assert!(r.html_body.contains(
            "<a href=\"https://example.nhs.uk/q/abc\">https://example.nhs.uk/q/abc</a></p>"
        ));
        assert!(r.html_body.contains("<p>Braces {like this}.</p>"));
    }

    #[test]
    fn names_an_unknown_placeholder() {
        let t = EmailTemplate {
            subject: "Hi".into(),
            body: "Dear {first_name}, {link}".into(),
        };
        let problems = t.validate(EmailKind::Invitation).unwrap_err();
        assert_eq!(
            problems,
            vec![TemplateError::Unknown(Part::Body, "first_name".into())]
        );
        let message = problems[0].to_string();
        assert!(message.starts_with("{first_name} in the body is not a placeholder. Use {name}, {review}, {link}, {close_date}, {champions}"), "{message}");
    }

    #[test]
    fn refuses_stray_braces_missing_links_and_misplaced_links() {
        let stray = EmailTemplate {
            subject: "Hi }".into(),
            body: "{link} {name".into(),
        };
        assert_eq!(
            stray.validate(EmailKind::Reminder).unwrap_err(),
            vec![
                TemplateError::StrayBrace(Part::Subject),
                TemplateError::StrayBrace(Part::Body),
            ]
        );
        let thanks = EmailTemplate {
            subject: "{link}".into(),
            body: "Thanks {link}".into(),
        };
        assert_eq!(
            thanks.validate(EmailKind::ThankYou).unwrap_err(),
            vec![
                TemplateError::NotHere(Part::Subject, Placeholder::Link),
                TemplateError::NotHere(Part::Body, Placeholder::Link)
            ]
        );
        let empty = EmailTemplate {
            subject: " ".into(),
            body: String::new(),
        };
        assert_eq!(
            empty.validate(EmailKind::Invitation).unwrap_err(),
            vec![
                TemplateError::Empty(Part::Subject),
                TemplateError::Empty(Part::Body)
            ]
        );
    }

    #[test]
    fn refuses_long_and_multi_line_subjects() {
        let t = EmailTemplate {
            subject: format!("a\n{}", "b".repeat(MAX_SUBJECT)),
            body: "{link}".into(),
        };
        assert_eq!(
            t.validate(EmailKind::Invitation).unwrap_err(),
            vec![
                TemplateError::TooLong(Part::Subject),
                TemplateError::SubjectLines
            ]
        );
    }
}

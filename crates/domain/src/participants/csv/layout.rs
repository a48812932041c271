//! How the import reads a file's header row into a layout of columns, and each person row
//! into a participant, with every problem located by row and column.

use super::{CsvProblem, Line};
use crate::participants::{NewParticipant, ProfessionGroup, RoleLevel, normalise};
use crate::{EmailAddress, Invalid, PersonName, text};

/// A column the import understands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Column {
    Name,
    Email,
    Profession,
    Division,
    RoleLevel,
}

impl Column {
    /// In the template's order.
    const ALL: [Column; 5] = [
        Column::Name,
        Column::Email,
        Column::Profession,
        Column::Division,
        Column::RoleLevel,
    ];

    /// The heading the template uses.
    fn heading(self) -> &'static str {
        match self {
            Column::Name => "name",
            Column::Email => "email",
            Column::Profession => "profession group",
            Column::Division => "division",
            Column::RoleLevel => "role level",
        }
    }

    /// Headings accepted for the column, compared after [`normalise`] (so case, spaces,
    /// underscores and hyphens do not matter: `Role_Level` and `E-mail` are fine).
    fn aliases(self) -> &'static [&'static str] {
        match self {
            Column::Name => &["name", "full name"],
            Column::Email => &["email", "email address", "e-mail", "e-mail address"],
            Column::Profession => &[
                "profession group",
                "profession",
                "profession_group",
                "staff group",
            ],
            Column::Division => &["division", "directorate"],
            Column::RoleLevel => &["role level", "role_level", "level", "grade"],
        }
    }

    /// Whether every file must have the column.
    fn required(self) -> bool {
        self != Column::Division
    }

    /// The column a heading names, if any.
    fn recognise(heading: &str) -> Option<Column> {
        let wanted = normalise(heading);
        Self::ALL
            .into_iter()
            .find(|c| c.aliases().iter().any(|alias| normalise(alias) == wanted))
    }
}

/// The header row every file should start with.
pub(super) fn expected_header() -> String {
    Column::ALL.map(Column::heading).join(",")
}

/// Where each column is in a file, read from its header row.
#[derive(Debug)]
pub(super) struct Layout {
    /// The header's cells without trailing empty ones, as written.
    headings: Vec<String>,
    /// The column each cell of the header names; all recognised once the layout is built.
    columns: Vec<Option<Column>>,
}

impl Layout {
    /// Reads the header row, refusing headings it does not know and missing required columns.
    pub(super) fn from_header(header: &Line) -> Result<Self, Vec<CsvProblem>> {
        let mut headings = header.fields.clone();
        // Spreadsheets often save empty cells to the right of the last heading.
        while headings.last().is_some_and(String::is_empty) {
            headings.pop();
        }
        let columns: Vec<Option<Column>> = headings.iter().map(|h| Column::recognise(h)).collect();
        let row = header.row;
        if columns.iter().all(Option::is_none) {
            return Err(vec![CsvProblem::at(
                row,
                None,
                format!(
                    "The first row must be the header row, naming the columns: {}. Add it above \
                     the first person, or start from the template",
                    expected_header()
                ),
            )]);
        }

        let mut problems = Vec::new();
        for (index, (heading, column)) in headings.iter().zip(&columns).enumerate() {
            if heading.is_empty() {
                problems.push(CsvProblem::at(
                    row,
                    None,
                    format!(
                        "Column {} of the header row has no heading: name it or delete the column",
                        column_letter(index)
                    ),
                ));
            } else if column.is_none() {
                problems.push(CsvProblem::at(
                    row,
                    Some(heading),
                    format!(
                        "Column {} has a heading that is not recognised. Rename it to one of: {} \
                         (or delete the column)",
                        column_letter(index),
                        Column::ALL.map(Column::heading).join(", ")
                    ),
                ));
            }
        }
        for wanted in Column::ALL {
            let places: Vec<String> = (0..columns.len())
                .filter(|&i| columns[i] == Some(wanted))
                .map(column_letter)
                .collect();
            if places.len() > 1 {
                problems.push(CsvProblem::at(
                    row,
                    None,
                    format!(
                        "The header row has more than one {} column (columns {}): keep one and \
                         delete the others",
                        wanted.heading(),
                        and_list(&places)
                    ),
                ));
            }
        }
        let missing: Vec<String> = Column::ALL
            .into_iter()
            .filter(|c| c.required() && !columns.contains(&Some(*c)))
            .map(|c| format!("\"{}\"", c.heading()))
            .collect();
        if !missing.is_empty() {
            problems.push(CsvProblem::at(
                row,
                None,
                format!(
                    "The header row has no {} column. It should read: {} (the division column \
                     may be left out)",
                    or_list(&missing),
                    expected_header()
                ),
            ));
        }

        if problems.is_empty() {
            Ok(Self { headings, columns })
        } else {
            Err(problems)
        }
    }

    /// Where the column is, if the file has it.
    fn index(&self, column: Column) -> Option<usize> {
        self.columns.iter().position(|c| *c == Some(column))
    }

    /// The column's heading as the file writes it.
    fn heading(&self, column: Column) -> &str {
        self.index(column)
            .map_or(column.heading(), |i| self.headings[i].as_str())
    }

    /// The row's trimmed value for the column; empty if the file has no such column.
    fn value<'a>(&self, line: &'a Line, column: Column) -> &'a str {
        self.index(column)
            .and_then(|i| line.fields.get(i))
            .map_or("", String::as_str)
    }

    /// Checks the row has one value per column; extra empty cells at the end are fine, as
    /// spreadsheets often save empty cells to the right of the last column.
    fn check_width(&self, line: &Line) -> Option<CsvProblem> {
        let width = self.headings.len();
        let cells = line.fields.len();
        let used = line
            .fields
            .iter()
            .rposition(|f| !f.is_empty())
            .map_or(0, |i| i + 1);
        let values = if cells < width {
            cells
        } else if used > width {
            used
        } else {
            return None;
        };
        Some(CsvProblem::at(
            line.row,
            None,
            format!(
                "This row has {values} values but the header row has {width} columns. Check for \
                 a missing value, or for a value containing a comma or semicolon that is not in \
                 quotes"
            ),
        ))
    }

    /// Reads one row into a participant, or says everything that is wrong with it.
    pub(super) fn participant(
        &self,
        line: &Line,
        known_divisions: &[String],
    ) -> Result<NewParticipant, Vec<CsvProblem>> {
        if let Some(problem) = self.check_width(line) {
            return Err(vec![problem]);
        }
        let mut problems = Vec::new();
        let name = self.field(line, Column::Name, parse_name, &mut problems);
        let email = self.field(line, Column::Email, EmailAddress::parse, &mut problems);
        let profession = self.field(
            line,
            Column::Profession,
            ProfessionGroup::parse,
            &mut problems,
        );
        let division = self.field(
            line,
            Column::Division,
            |value| parse_division(value, known_divisions),
            &mut problems,
        );
        let role_level = self.field(line, Column::RoleLevel, RoleLevel::parse, &mut problems);
        match (name, email, profession, division, role_level) {
            (Some(name), Some(email), Some(profession), Some(division), Some(role_level)) => {
                Ok(NewParticipant {
                    name,
                    email,
                    profession,
                    division,
                    role_level,
                })
            }
            _ => Err(problems),
        }
    }

    /// Parses one cell, recording a problem against its column if it is wrong.
    fn field<T>(
        &self,
        line: &Line,
        column: Column,
        parse: impl FnOnce(&str) -> Result<T, Invalid>,
        problems: &mut Vec<CsvProblem>,
    ) -> Option<T> {
        match parse(self.value(line, column)) {
            Ok(value) => Some(value),
            Err(Invalid(message)) => {
                problems.push(CsvProblem::at(
                    line.row,
                    Some(self.heading(column)),
                    message,
                ));
                None
            }
        }
    }
}

/// A name cell; the messages speak of "the person", not "you", as the uploader is not them.
fn parse_name(value: &str) -> Result<PersonName, Invalid> {
    if value.is_empty() {
        return Err(Invalid::new("Enter the person's full name"));
    }
    PersonName::parse(value)
        .map_err(|Invalid(message)| Invalid(message.replacen("Your full name", "The name", 1)))
}

/// A division cell: empty is fine; otherwise one of the organisation's divisions if it has
/// any (returned as spelled there), else any short line of text.
fn parse_division(value: &str, known_divisions: &[String]) -> Result<Option<String>, Invalid> {
    if value.is_empty() {
        return Ok(None);
    }
    if known_divisions.is_empty() {
        return text::optional_line(value, "the division", 100);
    }
    let wanted = normalise(value);
    known_divisions
        .iter()
        .find(|known| normalise(known) == wanted)
        .map(|known| Some(known.clone()))
        .ok_or_else(|| {
            Invalid::new(format!(
                "\"{value}\" is not one of your organisation's divisions. Use one of these, or \
                 leave it empty: {}",
                known_divisions.join(", ")
            ))
        })
}

/// The spreadsheet letter of a zero-based column index: A, B, …, Z, AA, AB, …
pub(super) fn column_letter(index: usize) -> String {
    let mut n = index + 1;
    let mut letters = Vec::new();
    while n > 0 {
        let rest = (n - 1) % 26;
        letters.push(char::from(b'A' + rest as u8));
        n = (n - 1) / 26;
    }
    letters.iter().rev().collect()
}

/// "A", "A and B", "A, B and C".
fn and_list(items: &[String]) -> String {
    join_last(items, " and ")
}

/// "A", "A or B", "A, B or C".
fn or_list(items: &[String]) -> String {
    join_last(items, " or ")
}

fn join_last(items: &[String], last: &str) -> String {
    match items {
        [] => String::new(),
        [only] => only.clone(),
        [rest @ .., final_item] => format!("{}{last}{final_item}", rest.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::participants::csv::tests::{HEADER, import, problems};
    use crate::participants::parse_participants_csv;

    #[test]
    fn headers_are_case_insensitive_and_aliased() {
        let csv = "  Full Name ,E-mail,STAFF GROUP,Directorate,Grade,\n\
                   Jo Bloggs,jo@nhs.net,AHP,Therapies,team leader,\n";
        let imported = import(csv).unwrap();
        assert_eq!(
            imported.participants[0].profession,
            ProfessionGroup::AlliedHealth
        );
        assert_eq!(
            imported.participants[0].division.as_deref(),
            Some("Therapies")
        );
        let csv = "email address,role_level,profession_group,name\n\
                   jo@nhs.net,director,finance,Jo Bloggs\n";
        let imported = import(csv).unwrap();
        assert_eq!(imported.participants[0].division, None);
        assert_eq!(imported.participants[0].role_level, RoleLevel::Executive);
    }

    #[test]
    fn missing_column_is_named() {
        let found = problems("name,email,division\nJo,jo@nhs.net,Surgery\n");
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].row, 1);
        assert!(
            found[0]
                .message
                .starts_with("The header row has no \"profession group\" or \"role level\" column")
        );
        assert!(found[0].message.contains(&expected_header()));
    }

    #[test]
    fn unknown_column_is_named() {
        let found = problems(
            "name,emial,profession group,role level,notes\nJo,jo@nhs.net,Medical,senior,x\n",
        );
        let columns: Vec<_> = found.iter().map(|p| p.column.as_deref()).collect();
        assert_eq!(columns, [Some("emial"), Some("notes"), None], "{found:?}");
        assert!(
            found[0]
                .message
                .starts_with("Column B has a heading that is not recognised")
        );
        assert!(found[2].message.contains("no \"email\" column"));
        assert!(found[0].to_string().starts_with("Row 1, emial: Column B"));
    }

    #[test]
    fn duplicate_and_blank_headings_are_refused() {
        let found = problems("name,email,,e-mail,profession group,role level\n");
        assert_eq!(found.len(), 2, "{found:?}");
        assert!(
            found[0]
                .message
                .starts_with("Column C of the header row has no heading")
        );
        assert!(
            found[1]
                .message
                .contains("more than one email column (columns B and D)")
        );
    }

    #[test]
    fn a_missing_header_row_is_one_problem() {
        let found = problems("Jo Bloggs,jo@nhs.net,Medical,Surgery,Senior\n");
        assert_eq!(found.len(), 1);
        assert!(
            found[0]
                .message
                .starts_with("The first row must be the header row")
        );
    }

    #[test]
    fn bad_email_has_row_and_column() {
        let found = problems(&format!(
            "{HEADER}Jo Bloggs,jo@nhs.net,Medical,,senior\nAl Smith,al.smith@nhs,Finance,,senior\n"
        ));
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].row, 3);
        assert_eq!(found[0].column.as_deref(), Some("email"));
        assert_eq!(
            found[0].to_string(),
            "Row 3, email: Enter an email address in the correct format, like name@example.nhs.uk"
        );
    }

    #[test]
    fn unknown_profession_and_empty_name_are_reported() {
        let found = problems(&format!("{HEADER} ,jo@nhs.net,Porter,,senior\n"));
        assert_eq!(found.len(), 2, "{found:?}");
        assert_eq!(
            found[0].to_string(),
            "Row 2, name: Enter the person's full name"
        );
        assert_eq!(found[1].column.as_deref(), Some("profession group"));
        assert!(
            found[1]
                .message
                .starts_with("Profession group must be one of: Medical")
        );
    }

    #[test]
    fn divisions_must_be_known_when_the_organisation_has_some() {
        let known = vec!["Surgery".to_owned(), "Women's and Children's".to_owned()];
        let csv = format!(
            "{HEADER}Jo,jo@nhs.net,Medical,women's AND children's,senior\n\
             Al,al@nhs.net,Medical,,senior\n"
        );
        let imported = parse_participants_csv(csv.as_bytes(), &known).unwrap();
        assert_eq!(
            imported.participants[0].division.as_deref(),
            Some("Women's and Children's")
        );
        assert_eq!(imported.participants[1].division, None);

        let csv = format!("{HEADER}Jo,jo@nhs.net,Medical,Surgical,senior\n");
        let found = parse_participants_csv(csv.as_bytes(), &known).unwrap_err();
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].column.as_deref(), Some("division"));
        assert_eq!(
            found[0].message,
            "\"Surgical\" is not one of your organisation's divisions. Use one of these, or leave \
             it empty: Surgery, Women's and Children's"
        );
    }

    #[test]
    fn divisions_are_free_text_otherwise() {
        let long = "x".repeat(101);
        let found = problems(&format!("{HEADER}Jo,jo@nhs.net,Medical,{long},senior\n"));
        assert_eq!(found[0].message, "Division must be 100 characters or fewer");
    }

    #[test]
    fn wrong_field_count_is_reported_for_the_row() {
        let found = problems(&format!(
            "{HEADER}Jo,jo@nhs.net,Medical,senior\n\
             Bloggs, Jo,jo2@nhs.net,Medical,,senior\n\
             Al,al@nhs.net,Medical,,senior,,\n"
        ));
        assert_eq!(found.len(), 2, "{found:?}");
        assert_eq!(found[0].row, 2);
        assert!(
            found[0]
                .message
                .starts_with("This row has 4 values but the header row has 5")
        );
        assert_eq!(found[1].row, 3);
        assert!(found[1].message.starts_with("This row has 6 values"));
    }
}

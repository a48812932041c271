//! Participants of a review: who is invited, the CSV import that adds many at once, and the
//! balance of the invited team (PRODUCT.md section 2 step 2, and the profile questions of 3.1).
//!
//! A review works only when clinical and finance staff, from more than one division and from
//! more than one level, take part; [`balance`] says when the list is lopsided and what to do.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::{EmailAddress, Invalid, PersonName, text};

/// The profession group a participant belongs to, the first profile question.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProfessionGroup {
    /// Doctors of every grade.
    Medical,
    /// Nurses and midwives.
    Nursing,
    /// Allied health professionals, such as physiotherapists and radiographers.
    AlliedHealth,
    /// Pharmacists and pharmacy technicians.
    Pharmacy,
    /// Clinical staff in none of the groups above, such as healthcare scientists.
    OtherClinical,
    /// Finance staff, such as finance business partners and management accountants.
    Finance,
    /// Managers and everyone else who is neither clinical nor finance.
    ManagementOther,
}

impl ProfessionGroup {
    /// Every group, in the order forms and reports list them.
    pub const ALL: [ProfessionGroup; 7] = [
        ProfessionGroup::Medical,
        ProfessionGroup::Nursing,
        ProfessionGroup::AlliedHealth,
        ProfessionGroup::Pharmacy,
        ProfessionGroup::OtherClinical,
        ProfessionGroup::Finance,
        ProfessionGroup::ManagementOther,
    ];

    /// The stored and API form.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            ProfessionGroup::Medical => "medical",
            ProfessionGroup::Nursing => "nursing",
            ProfessionGroup::AlliedHealth => "allied_health",
            ProfessionGroup::Pharmacy => "pharmacy",
            ProfessionGroup::OtherClinical => "other_clinical",
            ProfessionGroup::Finance => "finance",
            ProfessionGroup::ManagementOther => "management_other",
        }
    }

    /// The name people read.
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            ProfessionGroup::Medical => "Medical",
            ProfessionGroup::Nursing => "Nursing and midwifery",
            ProfessionGroup::AlliedHealth => "Allied health professional",
            ProfessionGroup::Pharmacy => "Pharmacy",
            ProfessionGroup::OtherClinical => "Other clinical",
            ProfessionGroup::Finance => "Finance",
            ProfessionGroup::ManagementOther => "Management or other",
        }
    }

    /// Which side of the clinical and finance partnership the group is on.
    #[must_use]
    pub fn side(self) -> Side {
        match self {
            ProfessionGroup::Medical
            | ProfessionGroup::Nursing
            | ProfessionGroup::AlliedHealth
            | ProfessionGroup::Pharmacy
            | ProfessionGroup::OtherClinical => Side::Clinical,
            ProfessionGroup::Finance => Side::Finance,
            ProfessionGroup::ManagementOther => Side::Other,
        }
    }

    /// Other words people use for the group, beyond the stored form and the label.
    fn aliases(self) -> &'static [&'static str] {
        match self {
            ProfessionGroup::Medical => &["doctor", "doctors", "medic"],
            ProfessionGroup::Nursing => &["nurse", "nurses", "midwife", "midwives", "midwifery"],
            ProfessionGroup::AlliedHealth => &["ahp", "allied health professions"],
            ProfessionGroup::Pharmacy => &["pharmacist"],
            ProfessionGroup::OtherClinical | ProfessionGroup::Finance => &[],
            ProfessionGroup::ManagementOther => &["manager", "management", "management/other"],
        }
    }

    /// Parses the stored form, the label or an alias such as "doctor" or "AHP", in any case.
    pub fn parse(input: &str) -> Result<Self, Invalid> {
        let wanted = normalise(input);
        Self::ALL
            .into_iter()
            .find(|g| names_match(&wanted, g.as_str(), g.label(), g.aliases()))
            .ok_or_else(|| {
                Invalid::new(format!(
                    "Profession group must be one of: {}",
                    Self::ALL.map(Self::label).join(", ")
                ))
            })
    }
}

/// How senior a participant is, the last profile question.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RoleLevel {
    /// Directors and executives.
    Executive,
    /// Senior managers and consultants.
    Senior,
    /// Middle managers and team leaders.
    Middle,
    /// Everyone not in a management role.
    NonManagement,
}

impl RoleLevel {
    /// Every level, from the most senior down, in the order forms and reports list them.
    pub const ALL: [RoleLevel; 4] = [
        RoleLevel::Executive,
        RoleLevel::Senior,
        RoleLevel::Middle,
        RoleLevel::NonManagement,
    ];

    /// The stored and API form.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            RoleLevel::Executive => "executive",
            RoleLevel::Senior => "senior",
            RoleLevel::Middle => "middle",
            RoleLevel::NonManagement => "non_management",
        }
    }

    /// The name people read.
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            RoleLevel::Executive => "Director or executive",
            RoleLevel::Senior => "Senior manager or consultant",
            RoleLevel::Middle => "Middle manager or team leader",
            RoleLevel::NonManagement => "Not in a management role",
        }
    }

    /// Whether the level counts as senior for the balance: directors, executives, senior
    /// managers and consultants.
    #[must_use]
    pub fn is_senior(self) -> bool {
        matches!(self, RoleLevel::Executive | RoleLevel::Senior)
    }

    /// Other words people use for the level, beyond the stored form and the label.
    fn aliases(self) -> &'static [&'static str] {
        match self {
            RoleLevel::Executive => &["director", "exec"],
            RoleLevel::Senior => &["consultant", "senior manager"],
            RoleLevel::Middle => &["team leader", "middle manager"],
            RoleLevel::NonManagement => &["staff", "non-management"],
        }
    }

    /// Parses the stored form, the label or an alias such as "consultant", in any case.
    pub fn parse(input: &str) -> Result<Self, Invalid> {
        let wanted = normalise(input);
        Self::ALL
            .into_iter()
            .find(|l| names_match(&wanted, l.as_str(), l.label(), l.aliases()))
            .ok_or_else(|| {
                Invalid::new(format!(
                    "Role level must be one of: {}",
                    Self::ALL.map(Self::label).join(", ")
                ))
            })
    }
}

/// The side of the clinical and finance partnership a profession group is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    /// Medical, nursing, allied health, pharmacy and other clinical staff.
    Clinical,
    /// Finance staff.
    Finance,
    /// Management and everyone else.
    Other,
}

impl Side {
    /// Every side, in the order pages list them.
    pub const ALL: [Side; 3] = [Side::Clinical, Side::Finance, Side::Other];

    /// The stored and API form.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Side::Clinical => "clinical",
            Side::Finance => "finance",
            Side::Other => "other",
        }
    }

    /// The name people read.
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Side::Clinical => "Clinical",
            Side::Finance => "Finance",
            Side::Other => "Management and other",
        }
    }
}

/// A person to invite to a review, checked and ready to store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewParticipant {
    /// Their full name.
    pub name: PersonName,
    /// Where their personal questionnaire link is sent; unique within a review.
    pub email: EmailAddress,
    /// Their profession group.
    pub profession: ProfessionGroup,
    /// Their division or directorate, if given.
    pub division: Option<String>,
    /// How senior they are.
    pub role_level: RoleLevel,
}

/// What the balance of the invited team needs to know about a participant: no name, no email.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParticipantProfile {
    /// Their profession group.
    pub profession: ProfessionGroup,
    /// Their division or directorate, if given.
    pub division: Option<String>,
    /// How senior they are.
    pub role_level: RoleLevel,
}

impl From<&NewParticipant> for ParticipantProfile {
    fn from(participant: &NewParticipant) -> Self {
        Self {
            profession: participant.profession,
            division: participant.division.clone(),
            role_level: participant.role_level,
        }
    }
}

/// Lower-cases, reads `_` and `-` as spaces and collapses runs of spaces, so that
/// `Allied_Health`, ` allied  health ` and `allied-health` compare equal.
fn normalise(input: &str) -> String {
    input
        .split(|c: char| c.is_whitespace() || c == '_' || c == '-')
        .filter(|word| !word.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// Whether `wanted` (already normalised) names the value with this key, label or aliases.
fn names_match(wanted: &str, key: &str, label: &str, aliases: &[&str]) -> bool {
    !wanted.is_empty()
        && [key, label]
            .iter()
            .chain(aliases)
            .any(|name| normalise(name) == wanted)
}

// ---------------------------------------------------------------------------------------------
// CSV import
// ---------------------------------------------------------------------------------------------

/// The template champions download, fill in and upload: the header and three example people.
pub const CSV_TEMPLATE: &str = "\
name,email,profession group,division,role level
Priya Shah,priya.shah@example.nhs.uk,Medical,Surgery,Senior manager or consultant
Tom Okafor,tom.okafor@example.nhs.uk,Nursing and midwifery,Surgery,Not in a management role
Sarah Jones,sarah.jones@example.nhs.uk,Finance,Surgery,Middle manager or team leader
";

/// The most participants one CSV file may add: a review is for a team or service, not a whole
/// organisation, and a larger file is almost certainly the wrong list.
pub const MAX_CSV_PARTICIPANTS: usize = 5_000;

/// The most problems reported for one file; a final problem then says how many more there are.
pub const MAX_CSV_PROBLEMS: usize = 200;

/// The participants read from a CSV file, all of them valid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CsvImport {
    /// One per distinct email address, in the order of the file.
    pub participants: Vec<NewParticipant>,
    /// Things worth telling the uploader that did not stop the import, such as merged repeats.
    pub notices: Vec<String>,
}

/// Something wrong with an uploaded CSV file, located the way a spreadsheet user would find it.
///
/// `row` is the row number the spreadsheet shows: the header is row 1 and the first person row
/// 2; rows holding a cell with a line break count once, and blank rows count too. Problems with
/// the header are on row 1. Problems about the whole file (not a CSV, no participants, too many,
/// or how many more problems were left out) are on row 0, which [`fmt::Display`] leaves out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CsvProblem {
    /// The spreadsheet row, or 0 for the whole file.
    pub row: usize,
    /// The column's heading as written in the file, when the problem is in one cell.
    pub column: Option<String>,
    /// What is wrong and what to do about it.
    pub message: String,
}

impl CsvProblem {
    /// A problem with the whole file.
    fn file(message: impl Into<String>) -> Self {
        Self {
            row: 0,
            column: None,
            message: message.into(),
        }
    }

    /// A problem with one row, or one cell of it.
    fn at(row: usize, column: Option<&str>, message: impl Into<String>) -> Self {
        Self {
            row,
            column: column.map(str::to_owned),
            message: message.into(),
        }
    }
}

impl fmt::Display for CsvProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.row, &self.column) {
            (0, _) => f.write_str(&self.message),
            (row, Some(column)) => write!(f, "Row {row}, {column}: {}", self.message),
            (row, None) => write!(f, "Row {row}: {}", self.message),
        }
    }
}

/// Reads the participants in an uploaded CSV file, all or nothing.
///
/// Accepts what spreadsheets save: UTF-8 with or without a byte order mark, comma or semicolon
/// separated (whichever the header row uses more), quoted cells, CRLF, LF or CR line ends, blank
/// rows anywhere, and spaces around values. Headings are matched ignoring case, spaces, `_` and
/// `-`, with common alternatives such as "E-mail", "Directorate" and "Grade". A person listed
/// twice by email is merged into the first row and mentioned in the notices. Divisions must be one of `known_divisions` when the organisation has any,
/// and come back spelled as there.
///
/// Any problem refuses the whole file, with every problem found (at most
/// [`MAX_CSV_PROBLEMS`], then one saying how many more), so the uploader can fix them all at once.
pub fn parse_participants_csv(
    bytes: &[u8],
    known_divisions: &[String],
) -> Result<CsvImport, Vec<CsvProblem>> {
    let text = decode(bytes).map_err(|problem| vec![problem])?;
    let (lines, rows_in_file) = read_lines(&text).map_err(|problem| vec![problem])?;
    let Some((header, rows)) = lines.split_first() else {
        return Err(vec![CsvProblem::file(
            "The file has no participants: it is empty. Download the template, add one row for \
             each person you want to invite and upload it again",
        )]);
    };
    let layout = Layout::from_header(header)?;
    let people = rows_in_file - 1;
    if people == 0 {
        return Err(vec![CsvProblem::file(
            "The file has no participants: under the header row, add one row for each person \
             you want to invite",
        )]);
    }
    if people > MAX_CSV_PARTICIPANTS {
        return Err(vec![CsvProblem::file(format!(
            "The file has {} participants, more than the {} a review can invite. A review is for \
             a team or service that works together, not a whole organisation: split the list and \
             run a review for each team",
            thousands(people),
            thousands(MAX_CSV_PARTICIPANTS),
        ))]);
    }

    let mut problems = Vec::new();
    let mut participants: Vec<NewParticipant> = Vec::new();
    let mut notices = Vec::new();
    // Email address -> (row it first appeared on, index in `participants`).
    let mut seen: HashMap<String, (usize, usize)> = HashMap::new();
    for line in rows {
        match layout.participant(line, known_divisions) {
            Ok(participant) => {
                let email = participant.email.as_str().to_owned();
                if let Some(&(first_row, index)) = seen.get(&email) {
                    let outcome = if participants[index] == participant {
                        format!("merged with row {first_row}")
                    } else {
                        format!("kept row {first_row}'s details")
                    };
                    notices.push(format!(
                        "Row {} repeats {email} from row {first_row}: {outcome}",
                        line.row
                    ));
                } else {
                    seen.insert(email, (line.row, participants.len()));
                    participants.push(participant);
                }
            }
            Err(mut row_problems) => problems.append(&mut row_problems),
        }
    }

    if problems.is_empty() {
        Ok(CsvImport {
            participants,
            notices,
        })
    } else {
        Err(cap_problems(problems))
    }
}

/// Keeps the first [`MAX_CSV_PROBLEMS`] and adds one saying how many more were left out.
fn cap_problems(mut problems: Vec<CsvProblem>) -> Vec<CsvProblem> {
    if problems.len() > MAX_CSV_PROBLEMS {
        let more = problems.len() - MAX_CSV_PROBLEMS;
        problems.truncate(MAX_CSV_PROBLEMS);
        let noun = if more == 1 { "problem" } else { "problems" };
        problems.push(CsvProblem::file(format!(
            "There {} {} more {noun} not shown here. Fix the ones above and upload the file again \
             to see the rest",
            if more == 1 { "is" } else { "are" },
            thousands(more),
        )));
    }
    problems
}

/// The problem for anything that is not UTF-8 text, such as an Excel workbook or a file saved
/// in a legacy encoding.
fn not_csv() -> CsvProblem {
    CsvProblem::file(
        "The file is not a CSV file. Save it from your spreadsheet as \"CSV UTF-8\" and upload \
         that file",
    )
}

/// Checks the bytes are UTF-8 text, drops a byte order mark, and turns old Mac CR line ends
/// into LF so that row numbers count right.
fn decode(bytes: &[u8]) -> Result<Cow<'_, str>, CsvProblem> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    // NUL never appears in text; it does in workbooks, UTF-16 files and images.
    if bytes.contains(&0) {
        return Err(not_csv());
    }
    let text = std::str::from_utf8(bytes).map_err(|_| not_csv())?;
    if text.contains('\r') && !text.contains('\n') {
        Ok(Cow::Owned(text.replace('\r', "\n")))
    } else {
        Ok(Cow::Borrowed(text))
    }
}

/// Whichever of comma and semicolon the header row uses more outside quotes; comma on a tie.
///
/// Excel saves "CSV" with semicolons where the comma is the decimal separator.
fn detect_delimiter(text: &str) -> u8 {
    let (mut commas, mut semicolons) = (0_usize, 0_usize);
    let mut in_quotes = false;
    let mut line_has_text = false;
    for c in text.chars() {
        match c {
            '"' => in_quotes = !in_quotes,
            // Blank rows above the header do not count as the header.
            '\n' | '\r' if !in_quotes && line_has_text => break,
            ',' if !in_quotes => commas += 1,
            ';' if !in_quotes => semicolons += 1,
            _ => {}
        }
        line_has_text |= !c.is_whitespace();
    }
    if semicolons > commas { b';' } else { b',' }
}

/// One non-blank row of the file: its spreadsheet row number and its trimmed cells.
#[derive(Debug)]
struct Line {
    row: usize,
    fields: Vec<String>,
}

/// Reads the non-blank rows, keeping the header and at most [`MAX_CSV_PARTICIPANTS`] more, and
/// counts all the non-blank rows so that an oversized file can say how big it is.
fn read_lines(text: &str) -> Result<(Vec<Line>, usize), CsvProblem> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(detect_delimiter(text))
        .from_reader(text.as_bytes());
    let bytes = text.as_bytes();
    let mut record = csv::StringRecord::new();
    let mut lines = Vec::new();
    let mut count = 0;
    // Line breaks inside quoted cells so far: the file has a line for each, the spreadsheet not.
    let mut breaks_in_cells = 0;
    while reader.read_record(&mut record).map_err(|_| not_csv())? {
        breaks_in_cells += record
            .iter()
            .map(|f| f.matches('\n').count())
            .sum::<usize>();
        // The reader counts lines by '\n'; after a record it has consumed the record's '\n'
        // (LF) or stopped just before it (CRLF, or the end of the file).
        let after = reader.position();
        let end = after.byte() as usize;
        let consumed_break = end > 0 && bytes.get(end - 1) == Some(&b'\n');
        let last_line = (after.line() as usize).saturating_sub(usize::from(consumed_break));
        let row = last_line.saturating_sub(breaks_in_cells);
        if record.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        count += 1;
        if lines.len() <= MAX_CSV_PARTICIPANTS {
            lines.push(Line {
                row,
                fields: record.iter().map(|f| f.trim().to_owned()).collect(),
            });
        }
    }
    Ok((lines, count))
}

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
fn expected_header() -> String {
    Column::ALL.map(Column::heading).join(",")
}

/// Where each column is in a file, read from its header row.
#[derive(Debug)]
struct Layout {
    /// The header's cells without trailing empty ones, as written.
    headings: Vec<String>,
    /// The column each cell of the header names; all recognised once the layout is built.
    columns: Vec<Option<Column>>,
}

impl Layout {
    /// Reads the header row, refusing headings it does not know and missing required columns.
    fn from_header(header: &Line) -> Result<Self, Vec<CsvProblem>> {
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
    fn participant(
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
fn column_letter(index: usize) -> String {
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

/// A count with thousands separated by commas, as people write it: 5,001.
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Balance of the invited team
// ---------------------------------------------------------------------------------------------

/// Clinical or finance staff below this share of the invited team (percent) are too few.
///
/// The review is about how the two work together and compares their views; with fewer than one
/// in four from either side, that side is drowned out in the sessions and its responses are
/// likely to fall under the minimum reporting group, hiding the clinical and finance comparison.
/// Finance teams are much smaller than clinical ones, so parity is not expected: a quarter is a
/// floor that most teams can reach.
pub const MIN_SIDE_SHARE_PERCENT: usize = 25;

/// One division with more than this share (percent) of the participants who gave a division
/// dominates.
///
/// With a majority from one division, the results describe that division, and people from the
/// others may see the review as not theirs.
pub const MAX_DIVISION_SHARE_PERCENT: usize = 50;

/// At least this share (percent) of senior participants makes the team mostly senior.
///
/// The toolkit asks senior invitees to bring a buddy from their team: when four in five are
/// directors, senior managers or consultants, the day-to-day view is missing and the few junior
/// staff may not feel safe to challenge.
pub const MOSTLY_SENIOR_PERCENT: usize = 80;

/// What [`balance`] counts under for people without a division.
pub const DIVISION_NOT_GIVEN: &str = "Not given";

/// Who is invited, counted the ways the champions need to judge whether the team is balanced.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Balance {
    /// Everyone invited.
    pub total: usize,
    /// Those in a clinical profession group.
    pub clinical: usize,
    /// Those in finance.
    pub finance: usize,
    /// Those in management or other.
    pub other: usize,
    /// Every profession group in [`ProfessionGroup::ALL`] order, zeros included.
    pub by_profession: Vec<(ProfessionGroup, usize)>,
    /// Divisions by count, largest first, then by name; [`DIVISION_NOT_GIVEN`] for the rest.
    pub by_division: Vec<(String, usize)>,
    /// Every role level in [`RoleLevel::ALL`] order, zeros included.
    pub by_level: Vec<(RoleLevel, usize)>,
    /// Ways the team is lopsided, most important first; empty when it is balanced.
    pub warnings: Vec<BalanceWarning>,
}

/// A way the invited team is lopsided.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum BalanceWarning {
    /// Finance staff are under [`MIN_SIDE_SHARE_PERCENT`] of the team.
    FewFinance {
        /// Finance's share of the team, rounded down.
        share_percent: usize,
    },
    /// Clinical staff are under [`MIN_SIDE_SHARE_PERCENT`] of the team.
    FewClinical {
        /// The clinical share of the team, rounded down.
        share_percent: usize,
    },
    /// One division has more than [`MAX_DIVISION_SHARE_PERCENT`] of those who gave a division.
    DivisionDominates {
        /// The division, as first written.
        division: String,
        /// Its share of those who gave a division, rounded down.
        share_percent: usize,
    },
    /// At least [`MOSTLY_SENIOR_PERCENT`] of the team are directors, senior managers or
    /// consultants.
    MostlySenior {
        /// The senior share of the team, rounded down.
        share_percent: usize,
    },
}

impl BalanceWarning {
    /// What is wrong and what to do about it, in plain English for the page.
    #[must_use]
    pub fn message(&self) -> String {
        match self {
            BalanceWarning::FewFinance { share_percent } => format!(
                "Only {share_percent}% of the people invited are from finance. Invite more \
                 finance staff, such as the finance business partners and accountants who work \
                 with these services, so that at least {MIN_SIDE_SHARE_PERCENT}% are from \
                 finance and their view is heard."
            ),
            BalanceWarning::FewClinical { share_percent } => format!(
                "Only {share_percent}% of the people invited are clinical staff. Invite more \
                 doctors, nurses, allied health professionals and other clinicians from these \
                 services, so that at least {MIN_SIDE_SHARE_PERCENT}% are clinical and their \
                 view is heard."
            ),
            BalanceWarning::DivisionDominates {
                division,
                share_percent,
            } => format!(
                "{share_percent}% of the people with a division are from {division}. Invite \
                 people from the other divisions involved too, so that the results are not one \
                 division's view."
            ),
            BalanceWarning::MostlySenior { share_percent } => format!(
                "{share_percent}% of the people invited are directors, senior managers or \
                 consultants. Ask each senior invitee to bring a buddy from their team who is \
                 not in a management role, so that the review hears from the people who do the \
                 day-to-day work."
            ),
        }
    }
}

/// Counts the invited team and warns when it is lopsided.
#[must_use]
pub fn balance(people: &[ParticipantProfile]) -> Balance {
    let total = people.len();
    let on_side = |side: Side| {
        people
            .iter()
            .filter(|p| p.profession.side() == side)
            .count()
    };
    let (clinical, finance, other) = (
        on_side(Side::Clinical),
        on_side(Side::Finance),
        on_side(Side::Other),
    );
    let by_profession = ProfessionGroup::ALL
        .map(|group| {
            (
                group,
                people.iter().filter(|p| p.profession == group).count(),
            )
        })
        .to_vec();
    let by_level = RoleLevel::ALL
        .map(|level| {
            (
                level,
                people.iter().filter(|p| p.role_level == level).count(),
            )
        })
        .to_vec();
    let (named, not_given) = count_divisions(people);
    let senior = people.iter().filter(|p| p.role_level.is_senior()).count();

    let mut warnings = Vec::new();
    if total > 0 {
        if finance * 100 < total * MIN_SIDE_SHARE_PERCENT {
            warnings.push(BalanceWarning::FewFinance {
                share_percent: percent(finance, total),
            });
        }
        if clinical * 100 < total * MIN_SIDE_SHARE_PERCENT {
            warnings.push(BalanceWarning::FewClinical {
                share_percent: percent(clinical, total),
            });
        }
    }
    let with_division: usize = named.iter().map(|(_, count)| count).sum();
    if named.len() >= 2
        && let Some((division, count)) = named.iter().max_by_key(|(_, count)| *count)
        && count * 100 > with_division * MAX_DIVISION_SHARE_PERCENT
    {
        warnings.push(BalanceWarning::DivisionDominates {
            division: division.clone(),
            share_percent: percent(*count, with_division),
        });
    }
    if total > 0 && senior * 100 >= total * MOSTLY_SENIOR_PERCENT {
        warnings.push(BalanceWarning::MostlySenior {
            share_percent: percent(senior, total),
        });
    }

    let mut by_division = named;
    if not_given > 0 {
        by_division.push((DIVISION_NOT_GIVEN.to_owned(), not_given));
    }
    by_division.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));

    Balance {
        total,
        clinical,
        finance,
        other,
        by_profession,
        by_division,
        by_level,
        warnings,
    }
}

/// People per named division, ignoring case and spacing (shown as first written), and how many
/// gave none.
fn count_divisions(people: &[ParticipantProfile]) -> (Vec<(String, usize)>, usize) {
    let mut named: Vec<(String, usize)> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    let mut not_given = 0;
    for person in people {
        match person
            .division
            .as_deref()
            .map(str::trim)
            .filter(|d| !d.is_empty())
        {
            Some(division) => {
                let at = *index.entry(normalise(division)).or_insert_with(|| {
                    named.push((division.to_owned(), 0));
                    named.len() - 1
                });
                named[at].1 += 1;
            }
            None => not_given += 1,
        }
    }
    (named, not_given)
}

/// `part` as a whole percentage of `whole`, rounded down; 0 when `whole` is 0.
fn percent(part: usize, whole: usize) -> usize {
    (part * 100).checked_div(whole).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ProfessionGroup::{Finance, ManagementOther, Medical, Nursing};
    use RoleLevel::{Middle, NonManagement, Senior};

    fn import(csv: &str) -> Result<CsvImport, Vec<CsvProblem>> {
        parse_participants_csv(csv.as_bytes(), &[])
    }

    fn problems(csv: &str) -> Vec<CsvProblem> {
        import(csv).expect_err("the file should be refused")
    }

    const HEADER: &str = "name,email,profession group,division,role level\n";

    /// A file of `n` people, all in `profession`.
    fn many_rows(n: usize, profession: &str) -> String {
        use std::fmt::Write as _;
        let mut csv = HEADER.to_owned();
        for i in 0..n {
            writeln!(csv, "Person {i},p{i}@nhs.net,{profession},,staff").unwrap();
        }
        csv
    }

    #[test]
    fn profession_groups_parse_from_key_label_and_alias() {
        for group in ProfessionGroup::ALL {
            assert_eq!(ProfessionGroup::parse(group.as_str()).unwrap(), group);
            assert_eq!(ProfessionGroup::parse(group.label()).unwrap(), group);
            assert_eq!(
                ProfessionGroup::parse(&format!("  {}  ", group.label().to_uppercase())).unwrap(),
                group
            );
        }
        for (alias, group) in [
            ("doctor", ProfessionGroup::Medical),
            ("Nurse", ProfessionGroup::Nursing),
            ("midwife", ProfessionGroup::Nursing),
            ("AHP", ProfessionGroup::AlliedHealth),
            ("Allied Health", ProfessionGroup::AlliedHealth),
            ("manager", ProfessionGroup::ManagementOther),
            ("Management", ProfessionGroup::ManagementOther),
        ] {
            assert_eq!(ProfessionGroup::parse(alias).unwrap(), group, "{alias}");
        }
        let error = ProfessionGroup::parse("Porter").unwrap_err();
        assert!(
            error
                .0
                .starts_with("Profession group must be one of: Medical, Nursing and midwifery, ")
        );
        assert!(ProfessionGroup::parse("").is_err());
    }

    #[test]
    fn profession_groups_have_sides() {
        assert_eq!(ProfessionGroup::Pharmacy.side(), Side::Clinical);
        assert_eq!(ProfessionGroup::OtherClinical.side(), Side::Clinical);
        assert_eq!(ProfessionGroup::Finance.side(), Side::Finance);
        assert_eq!(ProfessionGroup::ManagementOther.side(), Side::Other);
        assert_eq!(Side::Other.label(), "Management and other");
    }

    #[test]
    fn role_levels_parse_from_key_label_and_alias() {
        for level in RoleLevel::ALL {
            assert_eq!(RoleLevel::parse(level.as_str()).unwrap(), level);
            assert_eq!(RoleLevel::parse(level.label()).unwrap(), level);
            assert_eq!(
                RoleLevel::parse(&level.label().to_lowercase()).unwrap(),
                level
            );
        }
        for (alias, level) in [
            ("Director", RoleLevel::Executive),
            ("consultant", RoleLevel::Senior),
            ("Team Leader", RoleLevel::Middle),
            ("staff", RoleLevel::NonManagement),
            ("non-management", RoleLevel::NonManagement),
        ] {
            assert_eq!(RoleLevel::parse(alias).unwrap(), level, "{alias}");
        }
        assert!(
            RoleLevel::parse("Band 5")
                .unwrap_err()
                .0
                .contains("Not in a management role")
        );
        assert!(RoleLevel::Executive.is_senior());
        assert!(RoleLevel::Senior.is_senior());
        assert!(!RoleLevel::Middle.is_senior());
        assert!(!RoleLevel::NonManagement.is_senior());
    }

    #[test]
    fn enums_serialise_as_their_keys() {
        for group in ProfessionGroup::ALL {
            assert_eq!(
                toml::Value::try_from(group).unwrap().as_str(),
                Some(group.as_str())
            );
        }
        for level in RoleLevel::ALL {
            assert_eq!(
                toml::Value::try_from(level).unwrap().as_str(),
                Some(level.as_str())
            );
        }
    }

    #[test]
    fn template_parses() {
        let imported = import(CSV_TEMPLATE).unwrap();
        assert_eq!(imported.participants.len(), 3);
        assert!(imported.notices.is_empty());
        let professions: Vec<_> = imported.participants.iter().map(|p| p.profession).collect();
        assert_eq!(
            professions,
            [
                ProfessionGroup::Medical,
                ProfessionGroup::Nursing,
                ProfessionGroup::Finance
            ]
        );
        assert!(
            imported
                .participants
                .iter()
                .all(|p| p.email.as_str().ends_with("@example.nhs.uk"))
        );
        assert!(CSV_TEMPLATE.starts_with(HEADER));
        assert!(CSV_TEMPLATE.starts_with(&expected_header()));
        let with_divisions =
            parse_participants_csv(CSV_TEMPLATE.as_bytes(), &["Surgery".to_owned()]).unwrap();
        assert_eq!(with_divisions.participants.len(), 3);
    }

    #[test]
    fn reads_a_plain_file() {
        let imported = import(&format!(
            "{HEADER}Jo Bloggs , Jo.Bloggs@NHS.net ,nurse,Medicine,staff\n\
             Sam Patel,sam.patel@nhs.net,Finance,,Middle manager or team leader\n"
        ))
        .unwrap();
        let jo = &imported.participants[0];
        assert_eq!(jo.name.as_str(), "Jo Bloggs");
        assert_eq!(jo.email.as_str(), "jo.bloggs@nhs.net");
        assert_eq!(jo.profession, ProfessionGroup::Nursing);
        assert_eq!(jo.division.as_deref(), Some("Medicine"));
        assert_eq!(jo.role_level, RoleLevel::NonManagement);
        let sam = &imported.participants[1];
        assert_eq!(sam.division, None);
        assert_eq!(sam.role_level, RoleLevel::Middle);
    }

    #[test]
    fn accepts_a_byte_order_mark() {
        let mut bytes = b"\xEF\xBB\xBF".to_vec();
        bytes.extend_from_slice(CSV_TEMPLATE.as_bytes());
        assert_eq!(
            parse_participants_csv(&bytes, &[])
                .unwrap()
                .participants
                .len(),
            3
        );
    }

    #[test]
    fn accepts_semicolons() {
        let csv = "Name;Email;Profession group;Division;Role level\n\
                   Jo Bloggs;jo@nhs.net;Medical;Surgery, Theatres;consultant\n";
        let imported = import(csv).unwrap();
        assert_eq!(
            imported.participants[0].division.as_deref(),
            Some("Surgery, Theatres")
        );
    }

    #[test]
    fn accepts_quoted_fields_with_commas() {
        let csv = format!(
            "{HEADER}\"Bloggs, Jo\",jo@nhs.net,Medical,\"Women's, children's\",\"Senior\"\n"
        );
        let imported = import(&csv).unwrap();
        assert_eq!(imported.participants[0].name.as_str(), "Bloggs, Jo");
        assert_eq!(
            imported.participants[0].division.as_deref(),
            Some("Women's, children's")
        );
    }

    #[test]
    fn accepts_crlf_and_ignores_blank_rows() {
        let csv = CSV_TEMPLATE.replace('\n', "\r\n") + "\r\n,,,,\r\n   \r\n\r\n";
        assert_eq!(import(&csv).unwrap().participants.len(), 3);
        let old_mac = CSV_TEMPLATE.replace('\n', "\r");
        assert_eq!(import(&old_mac).unwrap().participants.len(), 3);
    }

    #[test]
    fn rows_are_numbered_as_the_spreadsheet_shows_them() {
        // Row 2's division has a line break (itself a problem) yet is one spreadsheet row; row 3
        // is blank.
        for newline in ["\n", "\r\n"] {
            let csv = [
                "name,email,profession group,division,role level",
                "Jo,jo@nhs.net,Medical,\"Two\nlines\",senior",
                "",
                "Al,not-an-email,Medical,,senior",
                "Bo,bo@nhs.net,Medical,,senior",
                "Cy,cy@nhs.net,Medical,,nobody",
            ]
            .join(newline);
            let found = problems(&csv);
            assert_eq!(
                found.iter().map(|p| p.row).collect::<Vec<_>>(),
                [2, 4, 6],
                "{found:?}"
            );
        }
    }

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
    fn empty_files_have_no_participants() {
        for empty in ["", "   \n\n  \r\n", "\u{feff}"] {
            let found = problems(empty);
            assert_eq!(found.len(), 1);
            assert_eq!(found[0].row, 0);
            assert!(
                found[0].message.starts_with("The file has no participants"),
                "{empty:?}"
            );
        }
        let found = problems(HEADER);
        assert_eq!(found.len(), 1);
        assert!(found[0].message.starts_with("The file has no participants"));
        assert_eq!(problems(&format!("{HEADER},,,,\n\n")), found);
    }

    #[test]
    fn binary_and_non_utf8_files_are_not_csv() {
        let workbook = b"PK\x03\x04\x14\x00\x06\x00name,email";
        let latin1 =
            b"name,email,profession group,role level\nJos\xe9,jose@nhs.net,Medical,senior\n";
        let utf16 = "name"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect::<Vec<u8>>();
        for bytes in [&workbook[..], &latin1[..], &utf16[..]] {
            let found = parse_participants_csv(bytes, &[]).unwrap_err();
            assert_eq!(found.len(), 1);
            assert_eq!(found[0].row, 0);
            assert!(found[0].message.contains("not a CSV file"));
            assert!(found[0].message.contains("\"CSV UTF-8\""));
            assert_eq!(found[0].to_string(), found[0].message);
        }
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

    #[test]
    fn repeated_emails_are_merged_with_notices() {
        let imported = import(&format!(
            "{HEADER}Jo Bloggs,jo.bloggs@nhs.net,Medical,,senior\n\
             Al,al@nhs.net,Finance,,senior\n\
             Jo Bloggs,JO.BLOGGS@nhs.net,Medical,,Senior manager or consultant\n\
             Joanne Bloggs,jo.bloggs@nhs.net,Nursing,,staff\n"
        ))
        .unwrap();
        assert_eq!(imported.participants.len(), 2);
        assert_eq!(imported.participants[0].name.as_str(), "Jo Bloggs");
        assert_eq!(
            imported.participants[0].profession,
            ProfessionGroup::Medical
        );
        assert_eq!(
            imported.notices,
            [
                "Row 4 repeats jo.bloggs@nhs.net from row 2: merged with row 2",
                "Row 5 repeats jo.bloggs@nhs.net from row 2: kept row 2's details",
            ]
        );
    }

    #[test]
    fn more_than_five_thousand_rows_are_refused() {
        let csv = many_rows(MAX_CSV_PARTICIPANTS + 1, "Medical");
        let found = problems(&csv);
        assert_eq!(found.len(), 1);
        assert!(
            found[0]
                .message
                .starts_with("The file has 5,001 participants, more than the 5,000")
        );

        let exactly = csv
            .lines()
            .take(MAX_CSV_PARTICIPANTS + 1)
            .collect::<Vec<_>>()
            .join("\n");
        assert_eq!(
            import(&exactly).unwrap().participants.len(),
            MAX_CSV_PARTICIPANTS
        );
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let found = problems(&format!(
            "{HEADER}Jo,jo@nhs,Medical,,senior\n\
             Al,al@nhs.net,Medical,,senior\n\
             Bo,bo@nhs.net,Medical,,Band 6\n"
        ));
        assert_eq!(found.len(), 2);
        assert_eq!(
            (found[0].row, found[0].column.as_deref()),
            (2, Some("email"))
        );
        assert_eq!(
            (found[1].row, found[1].column.as_deref()),
            (4, Some("role level"))
        );
    }

    #[test]
    fn problems_are_capped() {
        let csv = many_rows(250, "Porter");
        let found = problems(&csv);
        assert_eq!(found.len(), MAX_CSV_PROBLEMS + 1);
        assert_eq!(found[MAX_CSV_PROBLEMS - 1].row, 201);
        assert_eq!(found[MAX_CSV_PROBLEMS].row, 0);
        assert!(
            found[MAX_CSV_PROBLEMS]
                .message
                .starts_with("There are 50 more problems")
        );
    }

    #[test]
    fn helpers() {
        assert_eq!(column_letter(0), "A");
        assert_eq!(column_letter(25), "Z");
        assert_eq!(column_letter(26), "AA");
        assert_eq!(thousands(5), "5");
        assert_eq!(thousands(5_001), "5,001");
        assert_eq!(thousands(1_234_567), "1,234,567");
        assert_eq!(detect_delimiter("\n\"a;b;c\",d;e,f\nx;y;z;w"), b',');
        assert_eq!(detect_delimiter("a;b;c,d"), b';');
    }

    fn person(
        profession: ProfessionGroup,
        division: Option<&str>,
        level: RoleLevel,
    ) -> ParticipantProfile {
        ParticipantProfile {
            profession,
            division: division.map(str::to_owned),
            role_level: level,
        }
    }

    fn team(
        specs: &[(ProfessionGroup, Option<&str>, RoleLevel, usize)],
    ) -> Vec<ParticipantProfile> {
        specs
            .iter()
            .flat_map(|&(profession, division, level, n)| {
                std::iter::repeat_n(person(profession, division, level), n)
            })
            .collect()
    }

    #[test]
    fn a_balanced_team_has_no_warnings() {
        let people = team(&[
            (Medical, Some("Surgery"), Senior, 3),
            (Nursing, Some("Medicine"), NonManagement, 3),
            (Finance, Some("Finance"), Middle, 3),
            (ManagementOther, None, Middle, 1),
        ]);
        let result = balance(&people);
        assert_eq!(result.total, 10);
        assert_eq!((result.clinical, result.finance, result.other), (6, 3, 1));
        assert_eq!(result.by_profession.len(), ProfessionGroup::ALL.len());
        assert_eq!(result.by_profession[0], (Medical, 3));
        assert_eq!(result.by_profession[2], (ProfessionGroup::AlliedHealth, 0));
        assert_eq!(
            result.by_division,
            [
                ("Finance".to_owned(), 3),
                ("Medicine".to_owned(), 3),
                ("Surgery".to_owned(), 3),
                (DIVISION_NOT_GIVEN.to_owned(), 1)
            ]
        );
        assert_eq!(
            result.by_level,
            [
                (RoleLevel::Executive, 0),
                (Senior, 3),
                (Middle, 4),
                (NonManagement, 3)
            ]
        );
        assert!(result.warnings.is_empty(), "{:?}", result.warnings);
    }

    #[test]
    fn an_empty_team_has_no_warnings() {
        let result = balance(&[]);
        assert_eq!(result.total, 0);
        assert!(result.warnings.is_empty());
        assert!(result.by_division.is_empty());
    }

    #[test]
    fn warns_about_few_finance() {
        let people = team(&[
            (Medical, None, Middle, 7),
            (Finance, None, NonManagement, 2),
        ]);
        let result = balance(&people);
        assert_eq!(
            result.warnings,
            [BalanceWarning::FewFinance { share_percent: 22 }]
        );
        assert!(
            result.warnings[0]
                .message()
                .starts_with("Only 22% of the people invited are from finance")
        );
        // Exactly a quarter is enough.
        let people = team(&[
            (Medical, None, Middle, 6),
            (Finance, None, NonManagement, 2),
        ]);
        assert!(balance(&people).warnings.is_empty());
    }

    #[test]
    fn warns_about_few_clinical() {
        let people = team(&[
            (Finance, None, Middle, 5),
            (ManagementOther, None, Middle, 4),
            (Nursing, None, NonManagement, 2),
        ]);
        let result = balance(&people);
        assert_eq!(
            result.warnings,
            [BalanceWarning::FewClinical { share_percent: 18 }]
        );
        assert!(
            result.warnings[0]
                .message()
                .contains("Invite more doctors, nurses")
        );
    }

    #[test]
    fn warns_when_one_division_dominates() {
        let people = team(&[
            (Medical, Some("Surgery"), Middle, 3),
            (Finance, Some("surgery "), Middle, 2),
            (Medical, Some("Medicine"), Middle, 2),
            (Finance, None, Middle, 5),
        ]);
        let result = balance(&people);
        assert_eq!(
            result.warnings,
            [BalanceWarning::DivisionDominates {
                division: "Surgery".to_owned(),
                share_percent: 71
            }]
        );
        assert!(
            result.warnings[0]
                .message()
                .starts_with("71% of the people with a division are from Surgery")
        );
        assert_eq!(
            result.by_division,
            [
                (DIVISION_NOT_GIVEN.to_owned(), 5),
                ("Surgery".to_owned(), 5),
                ("Medicine".to_owned(), 2)
            ]
        );
        // One division alone, or an even split, is not a domination.
        let people = team(&[
            (Medical, Some("Surgery"), Middle, 3),
            (Finance, Some("Surgery"), Middle, 3),
        ]);
        assert!(balance(&people).warnings.is_empty());
        let people = team(&[
            (Medical, Some("Surgery"), Middle, 3),
            (Finance, Some("Medicine"), Middle, 3),
        ]);
        assert!(balance(&people).warnings.is_empty());
    }

    #[test]
    fn warns_when_mostly_senior() {
        let people = team(&[
            (Medical, None, Senior, 4),
            (Finance, None, RoleLevel::Executive, 4),
            (Nursing, None, NonManagement, 2),
        ]);
        let result = balance(&people);
        assert_eq!(
            result.warnings,
            [BalanceWarning::MostlySenior { share_percent: 80 }]
        );
        assert!(result.warnings[0].message().contains("bring a buddy"));
        let people = team(&[
            (Medical, None, Senior, 4),
            (Finance, None, RoleLevel::Executive, 3),
            (Nursing, None, NonManagement, 2),
        ]);
        assert!(balance(&people).warnings.is_empty());
    }

    #[test]
    fn profiles_come_from_new_participants() {
        let imported = import(CSV_TEMPLATE).unwrap();
        let profiles: Vec<ParticipantProfile> = imported
            .participants
            .iter()
            .map(ParticipantProfile::from)
            .collect();
        let result = balance(&profiles);
        assert_eq!((result.clinical, result.finance), (2, 1));
        assert_eq!(result.by_division, [("Surgery".to_owned(), 3)]);
    }
}

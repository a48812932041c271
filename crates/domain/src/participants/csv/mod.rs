//! The CSV import: the template, the limits, and reading an uploaded file into participants,
//! all or nothing. How the header row and each person row are read is in `layout`.

mod layout;

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;

use serde::Serialize;

use self::layout::Layout;
use super::NewParticipant;

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
    // A header of hundreds of unknown or empty headings is capped like any other problems.
    let layout = Layout::from_header(header).map_err(cap_problems)?;
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

#[cfg(test)]
mod tests {
    use super::layout::{column_letter, expected_header};
    use super::*;
    use crate::participants::{ProfessionGroup, RoleLevel};

    pub(super) fn import(csv: &str) -> Result<CsvImport, Vec<CsvProblem>> {
        parse_participants_csv(csv.as_bytes(), &[])
    }

    pub(super) fn problems(csv: &str) -> Vec<CsvProblem> {
        import(csv).expect_err("the file should be refused")
    }

    pub(super) const HEADER: &str = "name,email,profession group,division,role level\n";

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
    fn header_problems_are_capped_too() {
        // Found by the csv_import fuzz target: every empty heading was its own problem, so a
        // header with 299 empty cells between two headings gave 299, past the documented cap.
        let header = format!("name{}email,profession group,role level\n", ",".repeat(300));
        let found = problems(&format!("{header}Jo,jo@nhs.net,Medical,senior\n"));
        assert_eq!(found.len(), MAX_CSV_PROBLEMS + 1);
        assert!(found[..MAX_CSV_PROBLEMS].iter().all(|p| p.row == 1));
        assert!(
            found[MAX_CSV_PROBLEMS]
                .message
                .starts_with("There are 99 more problems")
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
}

//! Row error messages (SPEC §5, §6) and the other messages for people that go with them.

pub const INVALID_EMAIL: &str = "Invalid email format";
pub const INVALID_PHONE: &str = "Invalid phone format";
pub const INVALID_DATE: &str = "Invalid date: expected YYYY-MM-DD";
/// A date in the `YYYY-MM-DD` shape that no calendar has (`1990-02-30`).
pub const INVALID_BOOL: &str = "Invalid boolean: expected true, false, 1 or 0";
pub const INVALID_TEAM_ROLE: &str = "Invalid team role: expected owner, admin or member";
pub const INVALID_ORG_ROLE: &str = "Invalid organization role: expected owner, admin or member";
pub const NO_IDENTIFIER: &str = "No identifier provided";
pub const HTML_NEEDS_DRY_RUN: &str =
    "--output html shows a plan for review: use it with roster diff or import --dry-run";

pub fn unknown_label(slug: &str) -> String {
    format!("Unknown label: {slug}")
}
/// A valid row whose member is not applied because another of its rows has errors.
pub fn member_not_applied(errored_row: u32) -> String {
    format!("Not applied: row {errored_row} of the same member has errors")
}
/// The warning beside "ignoring unknown columns" for a header that resembles a column.
pub fn map_suggestion(header: &str, column: &str) -> String {
    format!(
        "unknown column `{header}` looks like {column}; to import it, add --map '{header}={column}'"
    )
}

/// Why a `date_of_birth` in the `YYYY-MM-DD` shape was refused: the words are here, the rule
/// that tells which is `columns::date_fault`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateFault {
    NotReal,
    Future,
}

/// `hint:` lines for the row errors listed on stderr: how to fix what the contract's
/// bare message does not say (the JSON `message` stays the contract's string). `date_fault`
/// tells why a refused date was refused (`None`: not in the shape).
pub fn row_hints(
    errors: &[super::RowError],
    date_fault: impl Fn(&str) -> Option<DateFault>,
) -> Vec<String> {
    let mut hints = Vec::new();
    if errors.iter().any(|e| e.message == INVALID_PHONE) {
        hints.push("phone numbers are E.164: a + and the country code, then the number without spaces or punctuation, such as +15551234567.".to_string());
    }
    for e in errors.iter().filter(|e| e.message == INVALID_DATE) {
        let value = e.value.as_deref().unwrap_or_default();
        let why = match date_fault(value) {
            Some(DateFault::NotReal) => "is not a real date",
            Some(DateFault::Future) => "is in the future",
            None => continue,
        };
        let row = e.row.map(|r| format!("row {r}: ")).unwrap_or_default();
        hints.push(format!(
            "{row}{value} has the YYYY-MM-DD shape but {why}; a date of birth is a real, past date."
        ));
    }
    let mut labels: Vec<&str> = errors
        .iter()
        .filter_map(|e| e.message.strip_prefix("Unknown label: "))
        .collect();
    labels.sort_unstable();
    labels.dedup();
    if !labels.is_empty() {
        let commands: Vec<String> = labels
            .iter()
            .map(|slug| format!("`roster labels add {slug}`"))
            .collect();
        hints.push(format!(
            "define a label before a file uses it: {}.",
            commands.join(", ")
        ));
    }
    hints
}

/// `--skip-invalid`: "skipped 2 rows with 3 errors (--skip-invalid)".
pub fn skipped_rows(rows: usize, errors: usize) -> String {
    format!(
        "skipped {rows} {} with {errors} {} (--skip-invalid)",
        if rows == 1 { "row" } else { "rows" },
        if errors == 1 { "error" } else { "errors" }
    )
}

/// `roster man --out-dir DIR` could not write a page.
pub fn man_pages_unwritable(dir: &str, e: &std::io::Error) -> String {
    format!("could not write the manual pages to {dir}: {e}")
}

/// `roster man WORD` for a command that does not exist.
pub fn no_such_command(parent: &str, word: &str) -> String {
    format!("`{parent}` has no command `{word}`; `{parent} --help` lists them")
}

pub fn wrong_column_count(row: u32) -> String {
    format!("Row {row} has the wrong number of columns.")
}
pub fn cell_too_long(row: u32, column: &str) -> String {
    format!("Row {row}, column {column}: cell is too long.")
}
pub fn duplicate_member(other_row: u32) -> String {
    format!("Duplicate member in file: also on row {other_row}")
}
pub fn conflicting(column: &str, identifier: &str, a: &str, n: u32, b: &str, m: u32) -> String {
    format!("Conflicting {column} for {identifier}: '{a}' on row {n}, '{b}' on row {m}")
}
pub fn external_id_differs(id: &str, member: &str, stored: &str, given: &str) -> String {
    format!(
        "Identity conflict: {id} matches {member} but its stored external_id {stored} differs from the row's {given}"
    )
}
pub fn identity_conflict(id: &str, member: &str, id2: &str, member2: &str) -> String {
    format!("Identity conflict: {id} matches {member} but {id2} belongs to {member2}")
}

/// The question before an import that deactivates members or removes memberships (SPEC §15).
pub const CONFIRM: &str = "Apply these changes? [y/N]";

/// `roster invite`'s line on stdout: "invited 2 members".
pub fn invited(n: usize) -> String {
    format!("invited {n} {}", if n == 1 { "member" } else { "members" })
}

/// A member `roster invite ID` names but does not invite, and why.
pub fn not_invited(why: &str) -> String {
    format!("not invited: {why}")
}

/// `roster invite` without IDs found nobody.
pub const NOBODY_TO_INVITE: &str = "nobody invited: no PROVISIONED member with an email (imports with --invite invite new members themselves)";

/// `roster invite` over the seat limit (issue 17: not the import's "remove new-member rows").
pub fn invite_seats(limit: u64, used: u64, free: u64) -> String {
    let fix = match free {
        0 => {
            "No seat is free: raise the seat limit with roster config set seat-limit N".to_string()
        }
        n => format!(
            "Invite at most {n} with --limit {n}, or raise the seat limit with roster config set seat-limit N"
        ),
    };
    format!("Your plan allows {limit} seats, but these invitations would use {used}. {fix}.")
}

/// The hint under a row refusal when no row is valid (even `--skip-invalid` refuses then).
pub const NO_VALID_ROW: &str = "no row is valid, so there is nothing to apply (--skip-invalid applies only valid rows): fix the rows and run again.";

/// Updates that would replace letters with `?` (issue 17, defect 12).
pub fn question_marks(rows: usize, old: &str, new: &str, row: Option<u32>) -> String {
    let at = row.map(|r| format!(", row {r}")).unwrap_or_default();
    format!(
        "{rows} {} would replace letters with '?' ('{old}' -> '{new}'{at}): the file was probably saved in a code page that lacks those letters (such as windows-1252); save it as CSV UTF-8 and import again",
        if rows == 1 { "row" } else { "rows" }
    )
}

/// `roster backup -`: a backup is a file (an SQLite database), not a stream.
pub const BACKUP_TO_STDOUT: &str =
    "roster backup writes a file, not standard output: name the file, such as roster-backup.db";

/// `roster backup PATH` failed; `reason` names PATH, never the temporary file beside it.
pub fn backup_failed(path: &str, reason: &str) -> String {
    format!("could not write the backup {path}: {reason}")
}

/// The hint for a `--db` file that exists but is not an SQLite database.
pub const NOT_A_STORE: &str =
    "that file is not a roster store (not an SQLite database): check --db or $ROSTER_DB.";

/// `members protect` of a protected member, `unprotect` of an unprotected one: nothing to do.
pub fn already_protected(member: &str, protected: bool) -> String {
    match protected {
        true => format!("{member} is already protected"),
        false => format!("{member} is not protected"),
    }
}

/// `roster members unban` of a member that is not banned.
pub fn not_banned(member: &str, status: impl std::fmt::Display) -> String {
    format!("{member} is {status}, not BANNED")
}

/// `roster members activate` of a member that is not invited.
pub fn cannot_activate(member: &str, status: impl std::fmt::Display) -> String {
    format!("{member} is {status}; only an INVITED member can be activated")
}

/// `roster invite --resend` of a member that is not invited.
pub fn cannot_resend(member: &str, status: impl std::fmt::Display) -> String {
    format!("{member} is {status}; only an INVITED member can be invited again")
}

pub fn invalid_label(name: &str) -> String {
    format!("invalid label '{name}': use letters, digits, '-', '_', '.' or ':'")
}

pub fn no_label(slug: &str) -> String {
    format!("no label '{slug}'")
}

pub fn no_form_field(key: &str) -> String {
    format!("no form field '{key}'")
}

pub fn not_a_form_key(name: &str) -> String {
    format!("expected TYPE.FIELD, got '{name}'")
}

pub fn unknown_setting(key: &str, keys: &[&str]) -> String {
    format!(
        "unknown setting '{key}': expected one of {}",
        keys.join(", ")
    )
}

pub fn cannot_listen(addr: impl std::fmt::Display, e: impl std::fmt::Display) -> String {
    format!("could not listen on {addr}: {e}")
}

/// The invitation link's page after a `POST` that accepted.
pub const INVITATION_ACCEPTED: &str = "Your invitation is accepted: your membership is now active.";

/// `roster serve --send-invitations`, after a round that sent or failed something.
pub fn outbox_round(sent: u64, failed: u64, pending: u64) -> String {
    format!("invitations: {sent} sent, {failed} failed, {pending} pending")
}

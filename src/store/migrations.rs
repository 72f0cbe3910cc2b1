//! The store's versioned schema: each backend's migrations, with the same version numbers (a
//! store copy carries rows from one kind to the other), and the refusal of a store that is
//! newer than this roster. Each entry migrates from version `i` to `i + 1`.

use crate::error::StoreError;

pub const SQLITE: [&str; 10] = [
    include_str!("sqlite/sql/0001_initial.sql"),
    include_str!("sqlite/sql/0002_audit_batches.sql"),
    include_str!("sqlite/sql/0003_api_keys.sql"),
    include_str!("sqlite/sql/0004_invitations.sql"),
    include_str!("sqlite/sql/0005_missing_marks.sql"),
    include_str!("sqlite/sql/0006_key_rotation.sql"),
    include_str!("sqlite/sql/0007_scim.sql"),
    include_str!("sqlite/sql/0008_invitation_token_index.sql"),
    include_str!("sqlite/sql/0009_compressed_bytes_stored_as_they_are.sql"),
    include_str!("sqlite/sql/0010_invitation_tokens_name_their_id.sql"),
];

/// The SQLite store's tables and columns in PostgreSQL's words.
pub const POSTGRES: [&str; 10] = [
    include_str!("postgres/sql/0001_initial.sql"),
    include_str!("postgres/sql/0002_audit_batches.sql"),
    include_str!("postgres/sql/0003_api_keys.sql"),
    include_str!("postgres/sql/0004_invitations.sql"),
    include_str!("postgres/sql/0005_missing_marks.sql"),
    include_str!("postgres/sql/0006_key_rotation.sql"),
    include_str!("postgres/sql/0007_scim.sql"),
    include_str!("postgres/sql/0008_invitation_token_index.sql"),
    include_str!("postgres/sql/0009_compressed_bytes_stored_as_they_are.sql"),
    include_str!("postgres/sql/0010_invitation_tokens_name_their_id.sql"),
];

pub const VERSION: i64 = SQLITE.len() as i64;

/// The migrations a store at version `found` lacks, each with the version it reaches; a store
/// newer than this roster (at `path`) is refused.
pub fn pending<'a>(
    all: &'a [&'a str],
    found: i64,
    path: &str,
) -> Result<impl Iterator<Item = (i64, &'a str)>, StoreError> {
    if found > VERSION {
        return Err(StoreError::TooNew {
            path: path.to_string(),
            found,
            known: VERSION,
        });
    }
    Ok((1..).zip(all.iter().copied()).skip(found as usize))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_kinds_have_the_same_versions() {
        assert_eq!(VERSION, 10);
        for all in [SQLITE, POSTGRES] {
            assert!(all[0].contains("CREATE TABLE members"));
            assert!(all[1].contains("CREATE TABLE audit_batches"));
            assert!(all[3].contains("CREATE TABLE invitations"));
            assert!(all[4].contains("CREATE TABLE missing_marks"));
            assert!(all[5].contains("ADD COLUMN expires_at"));
            assert!(all[6].contains("CREATE TABLE scim_users"));
            assert!(all[7].contains("CREATE UNIQUE INDEX invitations_token_hash"));
        }
        assert!(POSTGRES[8].contains("SET STORAGE EXTERNAL"));
        for all in [SQLITE, POSTGRES] {
            assert!(all[9].contains("WHERE token_hash IS NOT NULL"));
        }
        let left: Vec<i64> = pending(&SQLITE, 2, "x").unwrap().map(|(v, _)| v).collect();
        assert_eq!(left, [3, 4, 5, 6, 7, 8, 9, 10]);
        assert!(matches!(
            pending(&POSTGRES, 11, "x").map(|_| ()),
            Err(StoreError::TooNew { .. })
        ));
    }
}

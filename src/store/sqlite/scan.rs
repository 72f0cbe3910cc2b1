//! A forward scan through SQLite's C API, for the member stream's million rows: rusqlite's
//! typed access asks the statement four times per column (the column count, the type, the
//! text, its length), each call a look-up of the column behind the connection's checks; this
//! asks it once for the column's value and reads the type, text and length off that.
//!
//! The texts it lends are valid until the next step: [`Scan::step`] takes `&mut self`, so the
//! borrow checker holds every lent text to that.

use rusqlite::{Connection, ffi};
use std::ffi::{CStr, c_int};
use std::ptr::{NonNull, null_mut};

/// One prepared statement of `conn`, stepped row by row and finalized when dropped.
pub struct Scan<'c> {
    stmt: NonNull<ffi::sqlite3_stmt>,
    conn: &'c Connection,
}

impl<'c> Scan<'c> {
    /// Prepares `sql` (one statement) on `conn`.
    pub fn prepare(conn: &'c Connection, sql: &str) -> Result<Scan<'c>, rusqlite::Error> {
        let mut stmt = null_mut();
        let len = c_int::try_from(sql.len()).map_err(|_| rusqlite::Error::InvalidQuery)?;
        // SAFETY: the handle is `conn`'s open connection, used on this thread only while
        // `conn` is borrowed; `sql` is read for `len` bytes and need not end in a NUL.
        let rc = unsafe {
            ffi::sqlite3_prepare_v2(
                conn.handle(),
                sql.as_ptr().cast(),
                len,
                &mut stmt,
                null_mut(),
            )
        };
        if rc != ffi::SQLITE_OK {
            return Err(failure(conn, rc));
        }
        let stmt = NonNull::new(stmt).ok_or(rusqlite::Error::InvalidQuery)?;
        Ok(Scan { stmt, conn })
    }

    /// Moves to the next row: whether there is one.
    pub fn step(&mut self) -> Result<bool, rusqlite::Error> {
        // SAFETY: `stmt` is a live statement of `conn` (finalized only in `drop`).
        match unsafe { ffi::sqlite3_step(self.stmt.as_ptr()) } {
            ffi::SQLITE_ROW => Ok(true),
            ffi::SQLITE_DONE => Ok(false),
            rc => Err(failure(self.conn, rc)),
        }
    }

    /// Column `col` of the current row as an integer (SQLite's conversion of any other type).
    pub fn int(&self, col: usize) -> i64 {
        // SAFETY: as in `step`; a column out of range reads as 0, not out of bounds.
        unsafe { ffi::sqlite3_column_int64(self.stmt.as_ptr(), col as c_int) }
    }

    /// The bytes of column `col` of the current row when it holds a text, else `None` (a
    /// NULL, a number, a blob), as rusqlite's `ValueRef::Text` would be.
    pub fn text(&self, col: usize) -> Option<&[u8]> {
        // SAFETY: as in `step`. The column's value is asked of the statement once; its type,
        // text and length are then read off the value, in the order SQLite's documentation
        // gives. Such an "unprotected" value is only unsafe to share between threads, and
        // the connection is used by this thread alone. The text lives in the statement until
        // the next step or the finalize, both of which need `&mut self` or `self`.
        unsafe {
            let value = ffi::sqlite3_column_value(self.stmt.as_ptr(), col as c_int);
            if value.is_null() || ffi::sqlite3_value_type(value) != ffi::SQLITE_TEXT {
                return None;
            }
            let text = ffi::sqlite3_value_text(value);
            let len = usize::try_from(ffi::sqlite3_value_bytes(value)).unwrap_or(0);
            match text.is_null() {
                true => None,
                false => Some(std::slice::from_raw_parts(text, len)),
            }
        }
    }
}

impl Drop for Scan<'_> {
    fn drop(&mut self) {
        // SAFETY: the statement is finalized once, here, and not used after.
        unsafe { ffi::sqlite3_finalize(self.stmt.as_ptr()) };
    }
}

/// The connection's error for a failed call that returned `rc`, with SQLite's message.
fn failure(conn: &Connection, rc: c_int) -> rusqlite::Error {
    // SAFETY: the message belongs to the connection and is copied before any other call on it.
    let message = unsafe {
        let text = ffi::sqlite3_errmsg(conn.handle());
        (!text.is_null()).then(|| CStr::from_ptr(text).to_string_lossy().into_owned())
    };
    rusqlite::Error::SqliteFailure(ffi::Error::new(rc), message)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scanned(conn: &Connection, sql: &str) -> Vec<(i64, Option<Vec<u8>>)> {
        let mut scan = Scan::prepare(conn, sql).unwrap();
        let mut rows = Vec::new();
        while scan.step().unwrap() {
            rows.push((scan.int(0), scan.text(1).map(<[u8]>::to_vec)));
        }
        rows
    }

    /// A text is lent as it is stored (empty and not UTF-8 too); a NULL, a number and a blob
    /// are no text, as rusqlite's `ValueRef::Text` reads them.
    #[test]
    fn texts_are_lent_and_every_other_type_is_none() {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(
            "CREATE TABLE t (id INTEGER PRIMARY KEY, v);
             INSERT INTO t VALUES (1, 'ann'), (2, ''), (3, NULL), (4, 42), (5, X'616e6e'),
               (6, CAST(X'c3' AS TEXT));",
        )
        .unwrap();
        let rows = scanned(&conn, "SELECT id, v FROM t ORDER BY id");
        let expected: Vec<(i64, Option<Vec<u8>>)> = vec![
            (1, Some(b"ann".to_vec())),
            (2, Some(Vec::new())),
            (3, None),
            (4, None),
            (5, None),
            (6, Some(vec![0xc3])),
        ];
        assert_eq!(rows, expected);
    }

    /// SQLite's own message comes back, for a statement that cannot be prepared and for one
    /// that fails while it runs.
    #[test]
    fn failures_carry_sqlites_message() {
        let conn = Connection::open_in_memory().unwrap();
        let Err(e) = Scan::prepare(&conn, "SELECT v FROM nowhere") else {
            panic!("prepared a query of a missing table");
        };
        assert!(e.to_string().contains("no such table: nowhere"), "{e}");
        conn.execute_batch("CREATE TABLE t (v INTEGER)").unwrap();
        let mut scan =
            Scan::prepare(&conn, "INSERT INTO t VALUES (abs(-9223372036854775808))").unwrap();
        let e = scan.step().unwrap_err();
        assert!(e.to_string().contains("integer overflow"), "{e}");
    }
}

//! The refusals of a plan: the safety rules (SPEC §8, §16's max-shrink) and a revert's (SPEC §16).

use super::{Code, msg};

/// A safety rule that refuses the whole plan (SPEC §8), exit 4.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Rule {
    #[error(
        "Your plan allows {limit} seats, but this import would use {used}. Remove new-member rows from the file or raise the seat limit."
    )]
    Seats { limit: u64, used: u64 },
    #[error(
        "This import would leave the organization with no owner. Promote another member to owner before re-uploading."
    )]
    LastOrgOwner,
    #[error(
        "This import would leave team {0} with no owner. Promote another member to team owner before re-uploading."
    )]
    LastTeamOwner(String),
    #[error(
        "This import would deactivate {k} of {n} members ({p}%), above the limit of {limit}. Review it with roster diff, then re-run with --max-deactivations {k} to allow it."
    )]
    /// `limit`: as it was set: `449`, or `15% (449 members)` for a percentage.
    Deactivations {
        k: u64,
        n: u64,
        p: u64,
        limit: String,
    },
    /// `roster invite` over the seat limit: `free` seats are left.
    #[error("{}", msg::invite_seats(*limit, *used, *free))]
    InviteSeats { limit: u64, used: u64, free: u64 },
    #[error("The plan has changed since it was reviewed.")]
    PlanChanged,
    /// A full sync's file shrank more than `max-shrink` allows (SPEC §16): `p` is the shrink,
    /// rounded up, so that `--max-shrink p%` allows it.
    #[error(
        "This full sync's file holds {now} members, {p}% fewer than the {before} of import {import}, the last full sync from the same source, above the limit of {limit}%. Review it with roster diff, then re-run with --max-shrink {p}% to allow it."
    )]
    Shrink {
        now: u64,
        before: u64,
        import: i64,
        p: u64,
        limit: u64,
    },
}

/// Why `roster imports revert ID` changed nothing (SPEC §16): exit 1, `409` over HTTP.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RevertRefusal {
    #[error("Import {import} is {status}: only a COMPLETED import can be reverted.")]
    NotCompleted { import: i64, status: String },
    #[error(
        "Import {import} was already reverted by import {by}; an import is reverted at most once (revert import {by} to apply it again)."
    )]
    AlreadyReverted { import: i64, by: i64 },
    #[error(
        "{count} {} changed after import {import}; nothing was changed. Re-run with --skip-conflicts to leave {} as {} now and revert the rest.",
        if *count == 1 { "member was" } else { "members were" },
        if *count == 1 { "it" } else { "them" },
        if *count == 1 { "it is" } else { "they are" }
    )]
    Conflicts { import: i64, count: usize },
}

impl RevertRefusal {
    pub fn code(&self) -> Code {
        match self {
            RevertRefusal::NotCompleted { .. } => Code::NotRevertible,
            RevertRefusal::AlreadyReverted { .. } => Code::AlreadyReverted,
            RevertRefusal::Conflicts { .. } => Code::RevertConflict,
        }
    }
}

//! The plan id (SPEC §10): sha256 of the plan and of the store generation it was computed on,
//! so that `--expect-plan` applies exactly the plan a reviewer saw.

use super::Plan;
use super::wire::action_name;
use crate::model::Status;

impl Plan<'_> {
    /// The plan id: sha256 of the plan and the store generation it was computed on.
    pub fn id(&self, generation: i64) -> String {
        let mut h = PlanHasher::default();
        h.text(&generation.to_string());
        for c in &self.changes {
            h.text(action_name(c.action));
            h.text(&c.row.map_or(String::new(), |r| r.to_string()));
            h.text(&c.member.map_or(String::new(), |m| m.to_string()));
            c.ids().iter().for_each(|v| h.opt(*v));
            c.each_field(|key, old, new| {
                h.text(&key.column());
                h.opt(old);
                h.opt(new);
            });
            if let Some(s) = c.status {
                h.opt(s.old.map(Status::as_str));
                h.text(s.new.as_str());
            }
            for (team, role) in c.teams_added().chain(c.teams_removed()) {
                h.text(team);
                h.text(role.as_str());
            }
            for (team, old, new) in c.teams_changed() {
                h.text(team);
                h.text(old.as_str());
                h.text(new.as_str());
            }
            h.text("\u{1e}");
        }
        self.teams_created.iter().for_each(|t| h.text(t));
        h.text("\u{1e}");
        self.teams_deleted.iter().for_each(|t| h.text(t));
        // The missing marks (SPEC §16); a plan without any hashes as it did before them.
        if !self.pending.is_empty() || !self.marks_cleared.is_empty() {
            h.text("\u{1e}missing");
            for p in &self.pending {
                h.text(&format!("{} {} {}", p.member, p.count, p.of));
            }
            h.text("\u{1e}");
            for id in &self.marks_cleared {
                h.text(&id.to_string());
            }
        }
        h.finish()
    }
}

/// Feeds length-prefixed strings to sha256, so that no two plans hash the same input.
#[derive(Default)]
struct PlanHasher(sha2::Sha256);

impl PlanHasher {
    fn text(&mut self, s: &str) {
        use sha2::Digest;
        self.0.update((s.len() as u64).to_le_bytes());
        self.0.update(s.as_bytes());
    }

    fn opt(&mut self, s: Option<&str>) {
        match s {
            Some(s) => self.text(s),
            None => self.text("\u{0}"),
        }
    }

    fn finish(self) -> String {
        use sha2::Digest;
        self.0
            .finalize()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }
}

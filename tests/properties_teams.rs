//! Properties of team files, roles and the safety rules, driving the real binary (few cases:
//! each runs several imports): a refused plan changes nothing; the export round trip is empty.

use crate::harness::Roster;
use proptest::prelude::*;

const ROLES: [&str; 3] = ["owner", "admin", "member"];
const TEAMS: [&str; 3] = ["Red", "Blue", "Green"];

/// One member as a file describes it: organization role and (team, team role) pairs.
#[derive(Debug, Clone)]
struct Row {
    id: usize,
    role: usize,
    teams: Vec<(usize, usize)>,
}

fn member() -> impl Strategy<Value = (usize, Vec<(usize, usize)>)> {
    (
        0..3usize,
        proptest::collection::btree_map(0..3usize, 0..3usize, 0..3),
    )
        .prop_map(|(role, teams)| (role, teams.into_iter().collect()))
}

/// A roster of members `m{id}@x.co`, ids drawn from 0..8 without repeats.
fn roster() -> impl Strategy<Value = Vec<Row>> {
    proptest::collection::btree_map(0..8usize, member(), 1..6).prop_map(|m| {
        m.into_iter()
            .map(|(id, (role, teams))| Row { id, role, teams })
            .collect()
    })
}

/// The roster as a team file: one row per membership, a blank team for a member with none.
fn team_file(rows: &[Row]) -> String {
    let mut out = String::from("email,organization_role,team,team_role\n");
    for r in rows {
        let email = format!("m{}@x.co", r.id);
        if r.teams.is_empty() {
            out.push_str(&format!("{email},{},,\n", ROLES[r.role]));
        }
        for (t, tr) in &r.teams {
            out.push_str(&format!(
                "{email},{},{},{}\n",
                ROLES[r.role], TEAMS[*t], ROLES[*tr]
            ));
        }
    }
    out
}

fn is_rule_message(line: &str) -> bool {
    line.starts_with("Your plan allows ")
        || line.starts_with("This import would leave the organization with no owner.")
        || (line.starts_with("This import would leave team ") && line.contains(" with no owner."))
        || line.starts_with("This import would deactivate ")
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 16, ..ProptestConfig::default() })]

    #[test]
    fn a_refused_plan_changes_nothing(
        first in roster(),
        second in roster(),
        invite in any::<bool>(),
        full_sync in any::<bool>(),
        seat_limit in proptest::option::of(0..6u64),
        max_deactivations in proptest::option::of(0..3u64),
    ) {
        let r = Roster::new();
        r.import_json("first.csv", team_file(&first)).arg("--invite").run();
        if let Some(n) = seat_limit {
            r.args(&["config", "set", "seat-limit", &n.to_string()]).run();
        }
        let before = r.dump();
        let path = r.write("second.csv", team_file(&second));
        let mut args = vec!["import", path.as_str()];
        if invite { args.push("--invite"); }
        if full_sync { args.push("--full-sync"); }
        let limit = max_deactivations.map(|n| n.to_string());
        if let Some(n) = &limit { args.extend(["--max-deactivations", n.as_str()]); }
        let run = r.args(&args).any_status().run();
        prop_assert!(run.code == 0 || run.code == 4, "exit {}: {}", run.code, run.stderr);
        if run.code == 4 {
            let lines = run.error_lines();
            prop_assert!(!lines.is_empty());
            for line in lines {
                prop_assert!(is_rule_message(line), "not a rule: {line}");
            }
            prop_assert_eq!(r.dump(), before);
        }
    }

    #[test]
    fn the_round_trip_with_random_teams_and_roles_is_empty(
        first in roster(),
        second in roster(),
        activate in proptest::collection::vec(any::<bool>(), 8),
    ) {
        let r = Roster::new();
        r.import_json("first.csv", team_file(&first)).arg("--invite").run();
        // An additive second file changes roles and adds memberships without any rule to break
        // (there is always an owner left: nobody is deactivated or removed from a team).
        let path = r.write("second.csv", team_file(&second));
        let run = r.args(&["import", &path]).any_status().run();
        prop_assert!(run.code == 0 || run.code == 4, "{}", run.stderr);
        for (id, yes) in activate.iter().enumerate() {
            if *yes {
                // Only INVITED members can be activated; others exit 2, which is fine here.
                r.args(&["members", "activate", &format!("m{id}@x.co")]).any_status().run();
            }
        }
        let before = r.dump();
        let out = r.path("x.csv").display().to_string();
        r.args(&["export", "-o", &out]).run();
        let report = r.args(&["import", &out, "--full-sync", "--output", "json"]).run().report();
        prop_assert_eq!(report.changes, []);
        let s = report.summary;
        let counts = [s.teams_created, s.teams_deleted, s.memberships_added, s.memberships_removed, s.memberships_changed, s.deactivated];
        prop_assert_eq!(counts, [0; 6]);
        prop_assert_eq!(r.dump(), before);
    }
}

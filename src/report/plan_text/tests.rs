//! The plan as rendered, on a realistic day-two sync: plans come from the real pipeline (parse,
//! validate, resolve, plan) over a snapshot of yesterday's roster.

use super::*;
use crate::columns::Catalog;
use crate::decode::Decoded;
use crate::model::{Member, Role, Status, Values};
use crate::parse::{InputFormat, ParseOptions, parse};
use crate::plan::Mode;
use crate::store::{Snapshot, Team};

const TEAMS: [&str; 5] = ["Platform", "Design", "Support", "Legacy", "Research"];

/// email, external_id, phone, first, last, job title, role, status, teams.
type Person = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    Status,
    &'static [(usize, Role)],
);

/// Yesterday's roster.
#[rustfmt::skip]
const YESTERDAY: [Person; 9] = [
    ("ann.lee@example.com", "E100", "", "Ann", "Lee", "Engineer", "member", Status::Active, &[(0, Role::Member)]),
    ("bob.stone@example.com", "E101", "", "Bob", "Stone", "Analyst", "member", Status::Active, &[(0, Role::Admin), (1, Role::Member)]),
    ("carla.diaz@example.com", "E102", "", "Carla", "Díaz", "Designer", "member", Status::Inactive, &[]),
    ("dan.okafor@example.com", "E103", "", "Dan", "Okafor", "Support Agent", "admin", Status::Active, &[(2, Role::Owner)]),
    ("eve.martin@example.com", "E104", "", "Eve", "Martin", "Recruiter", "member", Status::Invited, &[(2, Role::Member)]),
    ("frank.weiss@example.com", "E105", "", "Frank", "Weiß", "Engineer", "member", Status::Active, &[(0, Role::Member)]),
    ("", "", "+15557654321", "Gus", "Moreau", "Driver", "member", Status::Provisioned, &[]),
    ("li.lei@example.com", "E107", "", "李", "雷", "Designer", "member", Status::Active, &[(1, Role::Member)]),
    ("zoe.mueller@example.com", "E108", "", "Zoë", "Müller", "Archivist", "owner", Status::Active, &[(3, Role::Owner)]),
];

/// Today's export: two updates with several fields and team changes, a reactivation, an
/// unchanged member, three creates (one in two teams, one without a team), and four members
/// gone (one known only by phone).
const TODAY: &str = "\
email,external_id,first_name,last_name,job_title,phone,organization_role,team,team_role
ann.lee@example.com,E100,Ann,Lee,Senior Engineer,+15551234567,member,Platform,admin
bob.stone@example.com,E101,Bob,Stone-Hughes,Analyst,,admin,Platform,admin
carla.diaz@example.com,E102,Carla,Díaz,Lead Designer,,member,Design,member
frank.weiss@example.com,E105,Frank,Weiß,Engineer,,member,Platform,member
li.lei@example.com,E107,李,雷,\"Principal Designer, Interaction and Visual Design for the Members Portal\",,member,Design,member
grace.hopper@example.com,E200,Grace,Hopper,Rear Admiral,+15550001111,admin,Research,owner
heidi.novak@example.com,E201,Heidi,Novak,Designer,,member,Design,member
heidi.novak@example.com,E201,Heidi,Novak,Designer,,member,Research,member
ivan.petrov@example.com,,Ivan,Petrov,QA Engineer,,member,,
";

fn yesterday() -> Snapshot {
    let mut members = Vec::new();
    let mut memberships = Vec::new();
    for (i, (email, ext, phone, first, last, title, role, status, teams)) in
        YESTERDAY.into_iter().enumerate()
    {
        let values = Values::of(&[
            (Field::Email, email),
            (Field::ExternalId, ext),
            (Field::Phone, phone),
            (Field::FirstName, first),
            (Field::LastName, last),
            (Field::JobTitle, title),
            (Field::OrganizationRole, role),
        ]);
        let values = Values::from_fn(|f| values.get(f).filter(|v| !v.is_empty()));
        let mut member = Member::new(i as i64 + 1, values, status);
        if status == Status::Inactive {
            member.prior_status = Some(Status::Active);
        }
        members.push(member);
        memberships.push(teams.to_vec());
    }
    let teams = TEAMS
        .iter()
        .take(4)
        .enumerate()
        .map(|(i, name)| Team {
            id: i as i64 + 1,
            name: name.to_string(),
        })
        .collect();
    Snapshot::new(
        members,
        teams,
        memberships,
        Catalog::default(),
        Default::default(),
        3,
    )
}

/// The plan of `csv` over `snapshot`, through the real pipeline.
fn plan_of(snapshot: &Snapshot, csv: &str, mode: &Mode) -> Plan<'static> {
    let decoded = Decoded::utf8(csv);
    let options = ParseOptions::new(InputFormat::Csv, "today.csv");
    let table = parse(&decoded, &options, &snapshot.catalog).expect("a valid file");
    let validated = crate::validate::validate(&table, &snapshot.catalog);
    assert!(validated.errors.is_empty(), "{:?}", validated.errors);
    // Leaked so that the plan, which borrows the records, can outlive this helper.
    let resolved = Box::leak(Box::new(crate::resolve::resolve(validated, snapshot)));
    crate::plan::plan(resolved, snapshot, mode)
}

fn full_sync() -> Mode {
    Mode {
        full_sync: true,
        ..Mode::default()
    }
}

fn view(width: usize, color: bool) -> PlanView {
    PlanView {
        width,
        color,
        ..PlanView::default()
    }
}

/// The escape character made visible in snapshots.
fn visible(text: &str) -> String {
    text.replace('\x1b', "␛")
}

#[test]
fn day_two_full_sync_at_80_columns() {
    let s = yesterday();
    let plan = plan_of(&s, TODAY, &full_sync());
    insta::assert_snapshot!(render(&plan, &view(80, false)));
}

#[test]
fn day_two_full_sync_at_120_columns() {
    let s = yesterday();
    let plan = plan_of(&s, TODAY, &full_sync());
    insta::assert_snapshot!(render(&plan, &view(120, false)));
}

#[test]
fn day_two_full_sync_at_80_columns_in_colour() {
    let s = yesterday();
    let plan = plan_of(&s, TODAY, &full_sync());
    insta::assert_snapshot!(visible(&render(&plan, &view(80, true))));
}

#[test]
fn day_two_full_sync_at_120_columns_in_colour() {
    let s = yesterday();
    let plan = plan_of(&s, TODAY, &full_sync());
    insta::assert_snapshot!(visible(&render(&plan, &view(120, true))));
}

#[test]
fn additive_day_two_at_80_columns() {
    let s = yesterday();
    let plan = plan_of(&s, TODAY, &Mode::default());
    insta::assert_snapshot!(render(&plan, &view(80, false)));
}

#[test]
fn every_line_fits_the_width() {
    let s = yesterday();
    let plan = plan_of(&s, TODAY, &full_sync());
    for width in [PlanView::MIN_WIDTH, 32, 80, 120] {
        let text = render(&plan, &view(width, false));
        for line in text.lines() {
            assert!(fit::width(line) <= width, "{width}: {line:?}");
        }
    }
    let at_80 = render(&plan, &view(80, false));
    assert!(
        at_80.contains(
            "    job_title: Designer -> Principal Designer, Interaction and Visual Design fo…"
        ),
        "the long value is cut, not wrapped:\n{at_80}"
    );
}

#[test]
fn colour_only_when_asked() {
    let s = yesterday();
    let plan = plan_of(&s, TODAY, &full_sync());
    assert!(!render(&plan, &view(80, false)).contains('\x1b'));
    let coloured = render(&plan, &view(80, true));
    assert!(coloured.contains("\x1b[32m+ grace.hopper@example.com (PROVISIONED)\x1b[0m"));
    assert!(coloured.contains("\x1b[31m- dan.okafor@example.com (ACTIVE -> INACTIVE)\x1b[0m"));
}

/// Many members: the default view lists at most `max_members` of each kind, says how many
/// more, and lists every deactivation.
#[test]
fn the_default_view_hides_creates_but_never_deactivations() {
    let s = yesterday();
    let mut csv = String::from("email,first_name\n");
    for i in 0..7 {
        csv.push_str(&format!("new{i}@example.com,New\n"));
    }
    csv.push_str("ann.lee@example.com,Annie\n");
    let plan = plan_of(&s, &csv, &full_sync());
    let default = PlanView {
        max_members: 3,
        ..view(80, false)
    };
    let text = render(&plan, &default);
    let count = |marker: &str| text.lines().filter(|l| l.starts_with(marker)).count();
    assert_eq!(count("+ "), 3, "{text}");
    assert!(text.contains("... and 4 more to create (use --show all)\n"));
    assert_eq!(
        count("~ "),
        1,
        "the update is shown beside the hidden creates"
    );
    assert_eq!(count("- "), 7, "every deactivation, past the limit: {text}");
    let all = render(
        &plan,
        &PlanView {
            show_all: true,
            ..default
        },
    );
    assert_eq!(all.lines().filter(|l| l.starts_with("+ ")).count(), 7);
    assert!(!all.contains("more to create"));
    assert!(all.ends_with("Plan: 7 to create, 1 to update, 0 to reactivate, 7 to deactivate.\n"));
}

#[test]
fn an_unchanged_roster_says_no_changes() {
    let s = yesterday();
    let plan = plan_of(
        &s,
        "email,first_name\nann.lee@example.com,Ann\n",
        &Mode::default(),
    );
    assert_eq!(render(&plan, &view(80, false)), "No changes.\n");
}

#[test]
fn values_cannot_break_the_line_or_paint_the_terminal() {
    let s = yesterday();
    let csv = "email,description\nann.lee@example.com,\"line one\nline two \x1b[31mred\"\n";
    let plan = plan_of(&s, csv, &Mode::default());
    let text = render(&plan, &view(80, false));
    assert!(!text.contains('\x1b'), "{text:?}");
    assert!(
        text.contains("    description: (blank) -> line one\\nline two \\u{1b}[31mred\n"),
        "{text}"
    );
}

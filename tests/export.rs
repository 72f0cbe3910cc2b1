//! SPEC §9–10: `roster export` (CSV and JSON shapes), `roster template`, and the round trip:
//! export, then a full-sync import of the export, changes nothing.

use crate::harness::{Roster, Summary, fixture};
use serde_json::json;

const CSV_HEADER: &str = "email,external_id,phone,first_name,last_name,name,job_title,date_of_birth,description,labels,notify_email,notify_sms,notify_voice,organization_role,team,team_role";

#[test]
fn template_is_the_canonical_header() {
    let r = Roster::new();
    let run = r.args(&["template"]).run();
    assert_eq!(
        run.stdout,
        "email,external_id,phone,first_name,last_name,name,job_title,date_of_birth,description,labels,notify_email,notify_sms,notify_voice,organization_role\n"
    );
    let run = r.args(&["template", "--teams"]).run();
    assert_eq!(
        run.stdout,
        "email,external_id,phone,first_name,last_name,name,job_title,date_of_birth,description,labels,notify_email,notify_sms,notify_voice,organization_role,team,team_role\n",
        "the same column order as `roster export`"
    );
    // The template imports as a file with no data rows.
    let path = r.write("t.csv", &run.stdout);
    r.args(&["import", &path])
        .status(1)
        .stderr_line("error: The file has no data rows.")
        .unchanged()
        .run();
}

#[test]
fn export_csv_shape() {
    let r = Roster::new();
    r.import_json(
        "a.csv",
        "email,external_id,first_name,last_name,name,job_title,organization_role\n\
         zoe@example.com,E2,Zoë,Müller,,Senior Engineer,owner\n\
         ann@example.com,,Ann,Smith,Ann S,=cmd(),member\n",
    )
    .run();
    let run = r.args(&["export"]).run();
    assert_eq!(
        run.stdout,
        format!(
            "{CSV_HEADER}\n\
             ann@example.com,,,Ann,Smith,Ann S,'=cmd(),,,,,,,member,,\n\
             zoe@example.com,E2,,Zoë,Müller,,Senior Engineer,,,,,,,owner,,\n"
        )
    );
    // -o writes the same bytes to a file.
    let out = r.path("out.csv");
    r.args(&["export", "-o", &out.display().to_string()]).run();
    assert_eq!(std::fs::read_to_string(out).unwrap(), run.stdout);
}

#[test]
fn export_json_shape() {
    let r = Roster::new();
    r.import_json(
        "a.csv",
        "email,external_id,first_name,last_name,job_title,organization_role\n\
         zoe@example.com,E2,Zoë,Müller,Engineer,owner\n\
         ,E1,Li,Lei,,\n",
    )
    .run();
    let run = r.args(&["export", "--format", "json"]).run();
    let doc = run.json();
    let keys: Vec<&str> = doc[0]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        [
            "email",
            "external_id",
            "phone",
            "first_name",
            "last_name",
            "name",
            "job_title",
            "date_of_birth",
            "description",
            "labels",
            "notify_email",
            "notify_sms",
            "notify_voice",
            "form",
            "organization_role",
            "status",
            "protected",
            "teams"
        ]
    );
    // Sorted by email (a member without one first), then external_id; absent values null.
    assert_eq!(
        doc[1],
        json!({
            "email": "zoe@example.com", "external_id": "E2", "phone": null,
            "first_name": "Zoë", "last_name": "Müller", "name": null, "job_title": "Engineer",
            "date_of_birth": null, "description": null, "labels": [], "notify_email": null,
            "notify_sms": null, "notify_voice": null, "organization_role": "owner", "form": {},
            "status": "PROVISIONED", "protected": false, "teams": []
        })
    );
    let members = run.members();
    assert_eq!(members[0].external_id.as_deref(), Some("E1"));
    assert_eq!(members[0].email, None);
}

#[test]
fn export_leaves_out_inactive_and_banned_by_default() {
    let r = Roster::new();
    r.import_json(
        "a.csv",
        "email\na@example.com\nb@example.com\nc@example.com\n",
    )
    .run();
    r.args(&["members", "ban", "b@example.com"]).run();
    r.import_json("b.csv", "email\na@example.com\nb@example.com\n")
        .args(&["--full-sync"])
        .run();
    let emails = |args: &[&str]| -> Vec<String> {
        r.args(args)
            .run()
            .members()
            .into_iter()
            .map(|m| m.email.expect("an email"))
            .collect()
    };
    assert_eq!(emails(&["export", "--format", "json"]), ["a@example.com"]);
    assert_eq!(
        emails(&["export", "--format", "json", "--status", "INACTIVE,BANNED"]),
        ["b@example.com", "c@example.com"]
    );
}

/// Export to a file, full-sync import it: the summary is all `unchanged`, the store equal.
#[track_caller]
fn round_trip(r: &Roster, live: u64) {
    let before = r.dump();
    let out = r.path("export.csv").display().to_string();
    r.args(&["export", "-o", &out]).run();
    let run = r
        .args(&["import", &out, "--full-sync", "--output", "json"])
        .run();
    let report = run.report();
    assert_eq!(
        report.summary,
        Summary {
            rows: live,
            unchanged: live,
            ..Summary::default()
        }
    );
    assert_eq!(report.changes, []);
    assert_eq!(r.dump(), before);
}

#[test]
fn round_trip_of_the_sample_roster() {
    let r = Roster::new();
    r.args(&["import", &fixture("valid/staff.csv")]).run();
    round_trip(&r, 64);
    r.args(&[
        "import",
        &fixture("valid/staff_day2.csv"),
        "--full-sync",
        "--invite",
    ])
    .run();
    r.args(&["members", "activate", "noor.haddad@example.com"])
        .run();
    r.args(&["members", "ban", "E1001"]).run();
    r.args(&["members", "protect", "E1002"]).run();
    // 64 in day 2, one of them BANNED: 63 exported.
    round_trip(&r, 63);
}

#[test]
fn round_trip_of_awkward_values() {
    let r = Roster::new();
    r.import_json(
        "a.csv",
        "email,external_id,first_name,last_name,name,job_title\n\
         a@example.com,-7,=1+1,@home,\"Comma, Name\",\"Quote \"\"Q\"\" Title\"\n\
         b@example.com,+44,-x,'=y,\"two\nlines\",+15551234567\n\
         c@example.com,007,O'Brien,'quoted,李雷,\u{00A0}padded\u{00A0}\n",
    )
    .run();
    assert_eq!(
        r.member("a@example.com").first_name.as_deref(),
        Some("=1+1")
    );
    assert_eq!(r.member("b@example.com").last_name.as_deref(), Some("=y"));
    round_trip(&r, 3);
}

/// Members come out by email ignoring case (those without one first, by external_id), however
/// they were stored, in every format; each member's teams by team name.
#[test]
fn export_order_is_by_email_then_external_id_in_every_format() {
    let r = Roster::new();
    r.import_json(
        "a.csv",
        "email,external_id,team,team_role\n\
         Zed@x.co,,Ops,member\nzed@x.co,,Alpha,owner\n\
         ,E9,,\nbob@x.co,E1,,\n,E2,,\nAnn@x.co,,Beta,member\n",
    )
    .run();
    let csv = r.args(&["export"]).run();
    let ids: Vec<String> = csv
        .stdout
        .lines()
        .skip(1)
        .map(|l| {
            let c: Vec<&str> = l.split(',').collect();
            format!("{}|{}|{}", c[0], c[1], c[c.len() - 2])
        })
        .collect();
    assert_eq!(
        ids,
        [
            "|E2|",
            "|E9|",
            "Ann@x.co||Beta",
            "bob@x.co|E1|",
            "Zed@x.co||Alpha",
            "Zed@x.co||Ops"
        ]
    );
    let ndjson = r.args(&["export", "--format", "ndjson"]).run();
    let json = r.args(&["export", "--format", "json"]).run();
    let from_ndjson: Vec<serde_json::Value> = ndjson
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(serde_json::Value::Array(from_ndjson), json.json());
    let order: Vec<String> = json
        .members()
        .into_iter()
        .map(|m| {
            format!(
                "{}{}",
                m.email.unwrap_or_default(),
                m.external_id.unwrap_or_default()
            )
        })
        .collect();
    assert_eq!(order, ["E2", "E9", "Ann@x.co", "bob@x.coE1", "Zed@x.co"]);
}

/// Emails alike in their first 16 bytes and more still sort by the whole email.
#[test]
fn export_order_holds_for_emails_with_long_common_prefixes() {
    let r = Roster::new();
    r.import_json(
        "a.csv",
        "email,external_id\n\
         christopher.longname@x.co,E1\nCHRISTOPHER.LONGNAME-C@x.co,E2\n\
         christopher.longname-a@x.co,E3\nchristopher.longnam@x.co,E4\n\
         christopher.longname-b@x.co,E5\n",
    )
    .run();
    let csv = r.args(&["export"]).run();
    let ids: Vec<&str> = csv
        .stdout
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(1).unwrap_or(""))
        .collect();
    assert_eq!(ids, ["E4", "E3", "E5", "E2", "E1"]);
}

/// `-o` replaces the file only when the export is complete, leaves nothing beside it, and
/// writes through to devices such as /dev/null.
#[test]
fn export_to_a_file_replaces_it_whole_and_leaves_nothing_behind() {
    let r = Roster::new();
    r.import_json("a.csv", "email\nann@x.co\n").run();
    let out = r.write("out.csv", "old contents\n");
    r.args(&["export", "-o", &out]).run();
    let written = std::fs::read_to_string(&out).unwrap();
    assert!(
        written.ends_with("ann@x.co,,,,,,,,,,,,,member,,\n"),
        "{written}"
    );
    let mut names: Vec<String> = std::fs::read_dir(r.dir())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("out.csv"))
        .collect();
    names.sort();
    assert_eq!(names, ["out.csv"]);
    r.args(&["export", "-o", "/dev/null"]).run();
    assert!(std::path::Path::new("/dev/null").exists());
    let missing = r.path("no/such/dir/out.csv").display().to_string();
    let run = r.args(&["export", "-o", &missing]).status(1).run();
    assert!(
        run.stderr.contains(&format!("could not write {missing}")),
        "{}",
        run.stderr
    );
}

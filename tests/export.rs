//! SPEC §9–10: `roster export` (CSV and JSON shapes), `roster template`, and the round trip:
//! export, then a full-sync import of the export, changes nothing.

use crate::harness::{Roster, fixture, summary};
use serde_json::json;

const CSV_HEADER: &str = "email,external_id,phone,first_name,last_name,name,job_title,date_of_birth,description,labels,notify_email,notify_sms,notify_voice,organization_role,team,team_role";

#[test]
fn template_is_the_canonical_header() {
    let r = Roster::new();
    let run = r.run(&["template"]);
    run.code(0);
    assert_eq!(
        run.stdout,
        "email,external_id,phone,first_name,last_name,name,job_title,date_of_birth,description,labels,notify_email,notify_sms,notify_voice,organization_role\n"
    );
    let run = r.run(&["template", "--teams"]);
    run.code(0);
    assert_eq!(
        run.stdout,
        "email,external_id,phone,first_name,last_name,name,job_title,date_of_birth,description,labels,notify_email,notify_sms,notify_voice,organization_role,team,team_role\n",
        "the same column order as `roster export`"
    );
    // The template imports as a file with no data rows.
    let path = r.write("t.csv", &run.stdout);
    r.refuses(&["import", &path], 1, "error: The file has no data rows.");
}

#[test]
fn export_csv_shape() {
    let r = Roster::new();
    r.import(
        "a.csv",
        "email,external_id,first_name,last_name,name,job_title,organization_role\n\
         zoe@example.com,E2,Zoë,Müller,,Senior Engineer,owner\n\
         ann@example.com,,Ann,Smith,Ann S,=cmd(),member\n",
        &[],
    );
    let run = r.run(&["export"]);
    run.code(0);
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
    r.run(&["export", "-o", &out.display().to_string()]).code(0);
    assert_eq!(std::fs::read_to_string(out).unwrap(), run.stdout);
}

#[test]
fn export_json_shape() {
    let r = Roster::new();
    r.import(
        "a.csv",
        "email,external_id,first_name,last_name,job_title,organization_role\n\
         zoe@example.com,E2,Zoë,Müller,Engineer,owner\n\
         ,E1,Li,Lei,,\n",
        &[],
    );
    let run = r.run(&["export", "--format", "json"]);
    run.code(0);
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
    assert_eq!(doc[0]["external_id"], "E1");
    assert_eq!(doc[0]["email"], serde_json::Value::Null);
}

#[test]
fn export_leaves_out_inactive_and_banned_by_default() {
    let r = Roster::new();
    r.import(
        "a.csv",
        "email\na@example.com\nb@example.com\nc@example.com\n",
        &[],
    );
    r.run(&["members", "ban", "b@example.com"]).code(0);
    r.import(
        "b.csv",
        "email\na@example.com\nb@example.com\n",
        &["--full-sync"],
    );
    let emails = |args: &[&str]| -> Vec<String> {
        let run = r.run(args);
        run.code(0);
        run.json()
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["email"].as_str().unwrap().to_string())
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
    r.run(&["export", "-o", &out]).code(0);
    let run = r.run(&["import", &out, "--full-sync", "--output", "json"]);
    run.code(0);
    assert_eq!(
        run.summary(),
        summary(&[("rows", live), ("unchanged", live)])
    );
    assert_eq!(run.json()["changes"], json!([]));
    assert_eq!(r.dump(), before);
}

#[test]
fn round_trip_of_the_sample_roster() {
    let r = Roster::new();
    r.run(&["import", &fixture("valid/staff.csv")]).code(0);
    round_trip(&r, 64);
    r.run(&[
        "import",
        &fixture("valid/staff_day2.csv"),
        "--full-sync",
        "--invite",
    ])
    .code(0);
    r.run(&["members", "activate", "noor.haddad@example.com"])
        .code(0);
    r.run(&["members", "ban", "E1001"]).code(0);
    r.run(&["members", "protect", "E1002"]).code(0);
    // 64 in day 2, one of them BANNED: 63 exported.
    round_trip(&r, 63);
}

#[test]
fn round_trip_of_awkward_values() {
    let r = Roster::new();
    r.import(
        "a.csv",
        "email,external_id,first_name,last_name,name,job_title\n\
         a@example.com,-7,=1+1,@home,\"Comma, Name\",\"Quote \"\"Q\"\" Title\"\n\
         b@example.com,+44,-x,'=y,\"two\nlines\",+15551234567\n\
         c@example.com,007,O'Brien,'quoted,李雷,\u{00A0}padded\u{00A0}\n",
        &[],
    );
    assert_eq!(r.member("a@example.com")["first_name"], "=1+1");
    assert_eq!(r.member("b@example.com")["last_name"], "=y");
    round_trip(&r, 3);
}

/// Members come out by email ignoring case (those without one first, by external_id), however
/// they were stored, in every format; each member's teams by team name.
#[test]
fn export_order_is_by_email_then_external_id_in_every_format() {
    let r = Roster::new();
    r.import(
        "a.csv",
        "email,external_id,team,team_role\n\
         Zed@x.co,,Ops,member\nzed@x.co,,Alpha,owner\n\
         ,E9,,\nbob@x.co,E1,,\n,E2,,\nAnn@x.co,,Beta,member\n",
        &[],
    );
    let csv = r.run(&["export"]);
    csv.code(0);
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
    let ndjson = r.run(&["export", "--format", "ndjson"]);
    let json = r.run(&["export", "--format", "json"]);
    let from_ndjson: Vec<serde_json::Value> = ndjson
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(serde_json::Value::Array(from_ndjson.clone()), json.json());
    let order: Vec<String> = from_ndjson
        .iter()
        .map(|m| {
            format!(
                "{}{}",
                m["email"].as_str().unwrap_or(""),
                m["external_id"].as_str().unwrap_or("")
            )
        })
        .collect();
    assert_eq!(order, ["E2", "E9", "Ann@x.co", "bob@x.coE1", "Zed@x.co"]);
}

/// Emails alike in their first 16 bytes and more still sort by the whole email.
#[test]
fn export_order_holds_for_emails_with_long_common_prefixes() {
    let r = Roster::new();
    r.import(
        "a.csv",
        "email,external_id\n\
         christopher.longname@x.co,E1\nCHRISTOPHER.LONGNAME-C@x.co,E2\n\
         christopher.longname-a@x.co,E3\nchristopher.longnam@x.co,E4\n\
         christopher.longname-b@x.co,E5\n",
        &[],
    );
    let csv = r.run(&["export"]);
    csv.code(0);
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
    r.import("a.csv", "email\nann@x.co\n", &[]);
    let out = r.write("out.csv", "old contents\n");
    r.run(&["export", "-o", &out]).code(0);
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
    r.run(&["export", "-o", "/dev/null"]).code(0);
    assert!(std::path::Path::new("/dev/null").exists());
    let missing = r.path("no/such/dir/out.csv").display().to_string();
    let run = r.run(&["export", "-o", &missing]);
    run.code(1);
    assert!(
        run.stderr.contains(&format!("could not write {missing}")),
        "{}",
        run.stderr
    );
}

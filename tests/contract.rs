//! Issue 22, the JSON contract: every document and NDJSON event the CLI prints conforms to its
//! schema in `schemas/`; one vocabulary across commands (an insta snapshot of every document's
//! keys); every error object carries a stable code, the same in the error report CSV; and
//! docs/output.md's table of codes is the enum's.

use crate::harness::{Roster, members_csv};
use crate::schema_check::{assert_valid, load, names};
use roster::error::Code;
use serde_json::Value;

fn json(r: &Roster, args: &[&str]) -> Value {
    r.args(args).run().json()
}

/// Each line of an NDJSON output, as JSON.
fn lines(text: &str) -> Vec<Value> {
    text.lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

/// A store with history of each kind: a completed import with changes, a refused one, a
/// deactivation, administrative events, a label, a form field, a key, invitations.
fn story() -> Roster {
    let r = Roster::new();
    r.args(&["labels", "add", "gold"]).run();
    r.args(&["forms", "add", "shirt.size"]).run();
    r.args(&["config", "set", "seat-limit", "50"]).run();
    let first = "email,external_id,phone,first_name,labels,notify_email,form.shirt.size\n\
                 ann@x.co,E1,+15550000001,Ann,gold,true,M\n\
                 bob@x.co,E2,,Bob,,false,\n\
                 ,,+15550000003,Pat,,,\n";
    r.import_json("first.csv", first).args(&["--invite"]).run();
    r.import_json(
        "second.csv",
        "email,external_id,first_name\nann@x.co,E1,Anna\n",
    )
    .args(&["--full-sync", "--max-deactivations", "5"])
    .run();
    r.args(&["members", "ban", "E2"]).run();
    r.args(&["keys", "create", "hris"]).run();
    r
}

#[test]
fn every_schema_is_a_valid_2020_12_schema_with_a_title() {
    let names = names();
    assert!(names.len() >= 25, "{names:?}");
    for name in &names {
        let schema = load(name);
        assert_eq!(
            schema["$schema"], "https://json-schema.org/draft/2020-12/schema",
            "{name}"
        );
        assert!(schema["title"].is_string(), "{name}");
        // Building the validator resolves every reference.
        crate::schema_check::violations(name, &Value::Null);
    }
}

#[test]
fn import_documents_and_every_ndjson_event_match_their_schemas() {
    let r = story();
    // Changes of every kind, row errors skipped, a warning (an unknown column).
    let text = "email,first_name,phone,team,team_role,shoe\n\
                ann@x.co,Ann,+15550000001,Ops,owner,9\n\
                new@x.co,New,555,,,\n\
                cat@x.co,Cat,,Ops,member,\n";
    let file = r.write("third.csv", text);
    for args in [
        vec!["diff", &file, "--output", "json", "--skip-invalid"],
        vec!["diff", &file, "--output", "json"],
        vec!["diff", &file, "--full-sync", "--max-deactivations", "0"],
    ] {
        let mut args = args;
        if !args.contains(&"--output") {
            args.extend(["--output", "json"]);
        }
        let doc = r.args(&args).any_status().run().json();
        assert_valid("import_result", &doc);
    }
    let empty = r.write("empty.csv", "");
    let refused = r
        .args(&["import", &empty, "--output", "json"])
        .status(1)
        .run()
        .json();
    assert_valid("import_result", &refused);
    assert_eq!(refused["errors"][0]["code"], "file_empty");
    // NDJSON, with progress events (1000 rows or more).
    let big = r.write("big.csv", members_csv(1..=1200));
    let mut kinds = std::collections::BTreeSet::new();
    for args in [
        vec!["import", &big, "--output", "ndjson"],
        vec!["diff", &file, "--output", "ndjson", "--skip-invalid"],
    ] {
        let out = r.args(&args).run();
        for event in lines(&out.stdout) {
            assert_valid("ndjson_event", &event);
            let kind = event["event"].as_str().unwrap_or_default().to_string();
            assert_valid(&format!("event_{kind}"), &event);
            kinds.insert(kind);
        }
    }
    assert_eq!(
        kinds.into_iter().collect::<Vec<_>>(),
        ["change", "error", "progress", "summary", "warning"]
    );
}

#[test]
fn every_listing_and_showing_command_matches_its_schema() {
    let r = story();
    let cases: [(&[&str], &str); 14] = [
        (&["imports", "list", "--output", "json"], "imports"),
        (
            &["imports", "show", "2", "--output", "json"],
            "import_document",
        ),
        (&["members", "list", "--output", "json"], "members"),
        (
            &["members", "show", "E1", "--output", "json"],
            "member_document",
        ),
        (
            &[
                "export",
                "--format",
                "json",
                "--status",
                "ACTIVE,INVITED,BANNED,INACTIVE,PROVISIONED",
            ],
            "members",
        ),
        (&["log", "--output", "json"], "log"),
        (&["keys", "list", "--output", "json"], "keys"),
        (&["invitations", "list", "--output", "json"], "invitations"),
        (&["labels", "list", "--output", "json"], "labels"),
        (&["forms", "list", "--output", "json"], "forms"),
        (&["config", "get", "--output", "json"], "config"),
        (
            &["config", "get", "seat-limit", "--output", "json"],
            "config",
        ),
        (&["imports", "list", "--output", "json"], "imports"),
        (&["log", "--member", "E2", "--output", "json"], "log"),
    ];
    for (args, schema) in cases {
        let doc = json(&r, args);
        assert_valid(schema, &doc);
        if let Value::Array(items) = &doc {
            assert!(!items.is_empty(), "{args:?} listed nothing to check");
        }
    }
    let export = r.args(&["export", "--format", "ndjson"]).run();
    for member in lines(&export.stdout) {
        assert_valid("member", &member);
    }
    let config = json(&r, &["config", "get", "seat-limit", "--output", "json"]);
    assert_eq!(config["settings"], serde_json::json!({"seat-limit": 50}));
}

#[test]
fn one_vocabulary_names_an_import_and_a_member_the_same_everywhere() {
    let r = story();
    let imported = r
        .import_json("fourth.csv", "email,first_name\ndee@x.co,Dee\n")
        .run()
        .json();
    let shown = json(&r, &["imports", "show", "3", "--output", "json"]);
    let listed = json(&r, &["imports", "list", "--output", "json"]);
    for key in ["import_id", "status", "mode", "file", "summary"] {
        assert_eq!(shown[key], imported[key], "{key}");
        assert_eq!(listed[0][key], imported[key], "{key}");
    }
    let mut element = shown.clone();
    element.as_object_mut().unwrap().remove("format_version");
    assert_eq!(listed[0], element, "a list holds the shown object");
    // A member: the export's object in members list and show.
    let export = json(&r, &["export", "--format", "json"]);
    let members = json(
        &r,
        &[
            "members",
            "list",
            "--output",
            "json",
            "--status",
            "ACTIVE,INVITED,PROVISIONED",
        ],
    );
    let ann = json(&r, &["members", "show", "ann@x.co", "--output", "json"]);
    let in_export = export
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["email"] == "ann@x.co");
    let mut ann_element = ann.clone();
    ann_element
        .as_object_mut()
        .unwrap()
        .remove("format_version");
    assert_eq!(in_export, Some(&ann_element));
    assert!(members.as_array().unwrap().contains(&ann_element));
    // Elsewhere a member is {email, external_id, phone}: log events (of an import and of an
    // administrative command) and invitations.
    let ids = serde_json::json!({"email": "bob@x.co", "external_id": "E2", "phone": null});
    let log = json(&r, &["log", "--member", "E2", "--output", "json"]);
    let actions: Vec<&str> = log
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["ban", "deactivate", "create"]);
    for event in log.as_array().unwrap() {
        assert_eq!(event["member"], ids, "{event}");
        assert!(event["created_at"].as_str().unwrap().ends_with('Z'));
        assert!(event["changes"].get("member").is_none(), "{event}");
    }
    let invitations = json(&r, &["invitations", "list", "--output", "json"]);
    let first = &invitations[0];
    assert_eq!(first["member"]["email"], first["email"], "{first}");
    assert!(first["member"].get("external_id").is_some(), "{first}");
}

/// The keys of a JSON value, nested (`file.name`, `changes[].member.email`), sorted.
fn key_paths(value: &Value, prefix: &str, out: &mut std::collections::BTreeSet<String>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                // Names chosen by the data, not the contract.
                let k = match prefix {
                    p if p.ends_with(".fields")
                        || p.ends_with(".options")
                        || p.ends_with(".form") =>
                    {
                        "<name>"
                    }
                    p if p.ends_with(".form.<name>") => "<name>",
                    _ => k,
                };
                let path = format!("{prefix}.{k}");
                out.insert(path.clone());
                key_paths(v, &path, out);
            }
        }
        Value::Array(items) => {
            for item in items {
                key_paths(item, &format!("{prefix}[]"), out);
            }
        }
        _ => {}
    }
}

#[test]
fn the_vocabulary_of_every_document_is_reviewed() {
    let r = story();
    let file = r.write(
        "third.csv",
        "email,first_name,team,team_role\nann@x.co,Ann,Ops,owner\nnew@x.co,N,,\n",
    );
    let documents: [(&str, Vec<&str>); 12] = [
        ("import", vec!["diff", &file, "--output", "json"]),
        ("imports list", vec!["imports", "list", "--output", "json"]),
        (
            "imports show",
            vec!["imports", "show", "1", "--output", "json"],
        ),
        ("members list", vec!["members", "list", "--output", "json"]),
        (
            "members show",
            vec!["members", "show", "E1", "--output", "json"],
        ),
        ("log", vec!["log", "--output", "json"]),
        ("keys list", vec!["keys", "list", "--output", "json"]),
        (
            "invitations list",
            vec!["invitations", "list", "--output", "json"],
        ),
        ("labels list", vec!["labels", "list", "--output", "json"]),
        ("forms list", vec!["forms", "list", "--output", "json"]),
        ("config get", vec!["config", "get", "--output", "json"]),
        ("export", vec!["export", "--format", "json"]),
    ];
    let mut text = String::new();
    for (name, args) in documents {
        let mut paths = std::collections::BTreeSet::new();
        key_paths(&json(&r, &args), "", &mut paths);
        text.push_str(&format!("{name}:\n"));
        for p in paths {
            text.push_str(&format!("  {p}\n"));
        }
    }
    insta::assert_snapshot!(text);
}

#[test]
fn error_objects_carry_stable_codes_in_json_and_the_error_report() {
    let r = story();
    r.args(&["config", "set", "seat-limit", "1"]).run();
    let rows = "email,phone,date_of_birth,notify_sms,organization_role,labels,first_name\n\
                bad@,+1,1990-02-30,maybe,king,nope,Bad\n\
                ,,,,,,Zed\n\
                ok@x.co,,,,,,Ok\n\
                ok@x.co,,,,,,Ok\n";
    let file = r.write("rows.csv", rows);
    let out = r.path("errors.csv");
    let doc = r
        .args(&[
            "import",
            &file,
            "--output",
            "json",
            "--errors-csv",
            out.to_str().unwrap(),
        ])
        .status(1)
        .unchanged()
        .run()
        .json();
    assert_valid("import_result", &doc);
    let codes: Vec<&str> = doc["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["code"].as_str().unwrap())
        .collect();
    let mut sorted = codes.clone();
    sorted.sort_unstable();
    assert_eq!(
        sorted,
        [
            "duplicate_member",
            "duplicate_member",
            "invalid_boolean",
            "invalid_date",
            "invalid_email",
            "invalid_organization_role",
            "invalid_phone",
            "no_identifier",
            "unknown_label",
        ]
    );
    let report = std::fs::read_to_string(&out).unwrap();
    let mut lines = report.lines();
    assert!(
        lines
            .next()
            .unwrap()
            .ends_with(",error_row,error_column,error_message,error_code")
    );
    let in_csv: Vec<&str> = lines.map(|l| l.rsplit(',').next().unwrap()).collect();
    assert_eq!(in_csv, codes, "the same codes in the error report");
    // A broken rule and the refusal of the plan.
    let seats = r.write("seats.csv", members_csv(1..=3));
    let refused = r
        .args(&["import", &seats, "--output", "json", "--invite"])
        .status(4)
        .unchanged()
        .run()
        .json();
    assert_valid("import_result", &refused);
    assert_eq!(refused["errors"][0]["code"], "seat_limit");
    r.args(&["config", "set", "seat-limit", "none"]).run();
    let drifted = r
        .args(&[
            "import",
            &seats,
            "--output",
            "json",
            "--expect-plan",
            "0000",
        ])
        .status(4)
        .run()
        .json();
    let codes: Vec<&Value> = drifted["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| &e["code"])
        .collect();
    assert!(codes.contains(&&Value::from("plan_changed")), "{drifted}");
}

/// docs/output.md's table of codes: `| `code` | message | exit | status |` rows.
fn documented_codes() -> Vec<(String, String, String, String)> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/output.md");
    let text = std::fs::read_to_string(path).unwrap();
    let start = text
        .find("<!-- codes: begin -->")
        .expect("the codes table's start marker");
    let end = text
        .find("<!-- codes: end -->")
        .expect("the codes table's end marker");
    text[start..end]
        .lines()
        .filter(|l| l.starts_with("| `"))
        .map(|l| {
            let cells: Vec<String> = l
                .trim_matches('|')
                .split(" | ")
                .map(|c| code_span(c.trim()).replace("\\|", "|"))
                .collect();
            (
                cells[0].clone(),
                cells[1].clone(),
                cells[2].clone(),
                cells[3].clone(),
            )
        })
        .collect()
}

/// The text of a Markdown code span: `` `x` ``, or `` `` x `` `` when x holds a backtick.
fn code_span(cell: &str) -> String {
    let inner = match cell.strip_prefix("`` ").and_then(|c| c.strip_suffix(" ``")) {
        Some(inner) => inner,
        None => cell.trim_matches('`'),
    };
    inner.to_string()
}

/// A message as a Markdown code span (see [`code_span`]).
fn as_code_span(text: &str) -> String {
    match text.contains('`') {
        true => format!("`` {text} ``"),
        false => format!("`{text}`"),
    }
}

/// The row of `code` as docs/output.md should hold it (what `roster` generates, see below).
fn table_row(code: Code) -> (String, String, String, String) {
    let or_dash = |v: Option<String>| v.unwrap_or_else(|| "-".into());
    (
        code.as_str().to_string(),
        code.message().to_string(),
        or_dash(code.exit_code().map(|c| c.to_string())),
        or_dash(code.status().map(|s| s.to_string())),
    )
}

#[test]
fn docs_table_lists_every_code_with_its_message_exit_code_and_status() {
    let documented = documented_codes();
    let expected: Vec<_> = Code::ALL.iter().map(|c| table_row(*c)).collect();
    if documented != expected {
        let table: String = Code::ALL
            .iter()
            .map(|c| {
                let (code, message, exit, status) = table_row(*c);
                format!(
                    "| `{code}` | {} | {exit} | {status} |\n",
                    as_code_span(&message.replace('|', "\\|"))
                )
            })
            .collect();
        panic!(
            "docs/output.md's table of codes differs from src/error/code.rs; it should read:\n{table}"
        );
    }
}

#[test]
fn each_message_is_an_instance_of_its_codes_template() {
    use roster::error::{FileError, Rule};
    let files = [
        FileError::Empty,
        FileError::TooLarge {
            limit_mb: "10".into(),
        },
        FileError::MissingColumn("team_role".into()),
        FileError::TooManyRows(30_000),
        FileError::BadEncoding {
            line: 3,
            encoding: "UTF-8".into(),
        },
    ];
    for e in files {
        assert!(e.code().matches(&e.to_string()), "{e}");
    }
    let rules = [
        Rule::Seats { limit: 1, used: 2 },
        Rule::LastOrgOwner,
        Rule::LastTeamOwner("Ops".into()),
        Rule::Deactivations {
            k: 3,
            n: 10,
            p: 30,
            limit: "2".into(),
        },
        Rule::InviteSeats {
            limit: 1,
            used: 3,
            free: 0,
        },
        Rule::PlanChanged,
    ];
    for rule in rules {
        assert!(rule.code().matches(&rule.to_string()), "{rule}");
    }
    use roster::error::ServeError;
    let serve = [
        ServeError::NoImport(7),
        ServeError::MissingKey,
        ServeError::UnknownParameter("x".into()),
        ServeError::ExpiredKey,
        ServeError::ImportsBusy(4, 5),
        ServeError::TooManyConnections,
        ServeError::PreviewGone,
        ServeError::NothingToReplace("hris".into()),
        ServeError::BadExpiry("soon".into()),
        ServeError::DuplicateHeader("Authorization"),
        ServeError::DuplicateParameter("limit".into()),
        ServeError::UnsupportedEncoding,
    ];
    for e in serve {
        assert!(e.code().matches(&e.to_string()), "{e}");
    }
}

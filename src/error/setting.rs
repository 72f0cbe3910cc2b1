//! `roster config set`: the values each setting accepts (issue 17).

/// Each key with the values it accepts, as `roster config set --help` lists them.
pub const RANGES: [(&str, &str); 8] = [
    ("seat-limit", "a whole number, 0 or more"),
    ("max-rows", "a whole number, 1 or more"),
    ("max-bytes", "a whole number of bytes, 1 or more"),
    (
        "max-deactivations",
        "a whole number N, or a percentage N% from 0% to 100%",
    ),
    ("max-shrink", "a percentage P% from 0% to 100%"),
    ("deactivate-after-missing", "a whole number, 1 or more"),
    ("scim-invite", "true or false"),
    (
        "scim-max-deactivations",
        "a whole number N, or a percentage N% from 0% to 100%",
    ),
];

pub fn invalid(key: &str, value: &str) -> String {
    let range = RANGES
        .iter()
        .find(|(k, _)| *k == key)
        .map_or("", |(_, r)| r);
    format!("invalid value '{value}' for {key}: expected {range}, or none")
}

pub fn seats_in_use(limit: u64, used: u64) -> String {
    format!(
        "the seat limit {limit} is below the {used} seats already in use (ACTIVE and INVITED members); imports that add seats will be refused"
    )
}

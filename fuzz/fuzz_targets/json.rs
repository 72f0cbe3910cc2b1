#![no_main]
//! Any bytes, read as a JSON array and as NDJSON: decode, parse, validate, resolve, plan.

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = roster_fuzz::json(data);
});

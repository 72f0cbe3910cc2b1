#![no_main]
//! Any bytes, read as a CSV file: decode, parse, validate, resolve, plan.

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = roster_fuzz::csv(data);
});

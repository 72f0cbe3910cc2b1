#![no_main]
//! A first byte that picks the import options (encoding, delimiter, format, row limit, --map),
//! then the file: decode, parse, validate, resolve, plan.

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = roster_fuzz::options(data);
});

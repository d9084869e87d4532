//! The demo page serves its own copy of the reference configuration
//! (`www/saas.json`, so the page works without `../shared`). It must stay
//! byte-identical to `../shared/examples/saas.json`.

use std::fs;
use std::path::Path;

#[test]
fn demo_config_is_an_exact_copy_of_the_reference() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let reference = root.join("../shared/examples/saas.json");
    let copy = root.join("www/saas.json");
    let read = |p: &Path| fs::read(p).unwrap_or_else(|e| panic!("cannot read {}: {e}", p.display()));
    let (reference_bytes, copy_bytes) = (read(&reference), read(&copy));
    assert!(
        reference_bytes == copy_bytes,
        "www/saas.json differs from ../shared/examples/saas.json; refresh it with\n    cp ../shared/examples/saas.json www/saas.json"
    );
}

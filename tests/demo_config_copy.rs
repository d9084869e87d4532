//! The demo page serves its own copy of the reference configuration
//! (`www/saas.json`, so the page works without `../shared`). It must stay
//! byte-identical to `../shared/examples/saas.json`; the config it runs,
//! `www/acme.json`, is that config plus a guided tour.

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

/// The demo runs `www/acme.json`: the reference config with a guided tour
/// added (the signal `tour_requests` and the experience `first_dashboard`)
/// and nothing else changed, so everything saas.json does, the demo does.
#[test]
fn the_demo_config_is_the_reference_plus_its_tour() {
    use onstage::json::{parse, Json};
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let read = |p: &str| {
        let text = fs::read_to_string(root.join(p)).unwrap_or_else(|e| panic!("cannot read {p}: {e}"));
        parse(&text).unwrap_or_else(|e| panic!("{p}: {e}"))
    };
    let reference = read("../shared/examples/saas.json");
    let mut demo = read("www/acme.json");
    let Json::Obj(o) = &mut demo else { panic!("acme.json is an object") };
    let Some(Json::Obj(signals)) = o.get_mut("signals") else { panic!("signals") };
    assert!(signals.remove("tour_requests").is_some(), "the tour's signal");
    let Some(Json::Arr(experiences)) = o.get_mut("experiences") else { panic!("experiences") };
    let tour = experiences.pop().expect("the tour, last");
    assert_eq!(tour.get("id").and_then(Json::as_str), Some("first_dashboard"));
    assert_eq!(demo, reference, "acme.json is saas.json plus the tour, nothing else");
    // The demo config compiles without warnings, and the tour is a tour.
    let compiled = onstage::compile(&read("www/acme.json")).unwrap_or_else(|p| panic!("{p:#?}"));
    assert_eq!(compiled.warnings, vec![]);
    assert_eq!(compiled.config.experiences.tours.len(), 1);
}

//! Preview (issue 12): an experience or a variation forced into its slot
//! for this session. The decision says `preview` (in the decision and in
//! its reasons), and a previewed slot records nothing: no exposure, no
//! impression, no interaction, nothing in the exported state. Dry runs
//! (`decide_with(.., record: false)`) record no exposure either.
// Test code may unwrap, expect, panic and index: a failing test should panic.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]
#![cfg(not(target_arch = "wasm32"))]

use onstage::config::CompiledConfig;
use onstage::engine::{Engine, Identity, Interaction, Notice, Slots};
use onstage::json::{parse, Json};
use onstage::time::{parse_rfc3339, MINUTE};
use serde_json::{json, Value};
use std::sync::Arc;

const SAAS_PATH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/examples/saas.json");

fn compile(text: &str) -> Arc<CompiledConfig> {
    Arc::new(onstage::config::compile_text(text).unwrap_or_else(|p| panic!("config refused: {p:#?}")).config)
}

fn saas() -> Arc<CompiledConfig> {
    compile(&std::fs::read_to_string(SAAS_PATH).unwrap())
}

fn t0() -> i64 {
    parse_rfc3339("2026-01-05T09:00:00Z").unwrap()
}

/// A new admin user (stage onboarding), identified at t0.
fn admin(config: &Arc<CompiledConfig>, id: &str) -> Engine {
    let mut e = Engine::new(Arc::clone(config), id).unwrap();
    let identity = parse(&format!(r#"{{"id": "{id}", "role": "admin"}}"#)).unwrap();
    e.identify(Identity { attributes: Some(identity), ..Identity::default() }, t0()).unwrap();
    e
}

/// One slot's decision (with reasons), as a serde value to index into.
fn decide(e: &mut Engine, slot: &str, now: i64) -> Value {
    let d = e.decide(Slots::Named(&[slot]), now, true).unwrap();
    value(&d.slots[0].to_json())
}

fn value(j: &Json) -> Value {
    serde_json::from_str(&j.to_json_string()).unwrap()
}

fn exposures(e: &mut Engine) -> Vec<String> {
    e.take_notices()
        .into_iter()
        .filter_map(|n| match n {
            Notice::Exposure(x) => Some(format!("{}:{}", x.experiment, x.variation)),
            _ => None,
        })
        .collect()
}

/// The exported state without the time of the last step (which every
/// step moves, preview or not).
fn stored(e: &Engine) -> Value {
    let mut state = value(&e.export_state());
    let o = state.as_object_mut().unwrap();
    o.remove("last_step");
    o.remove("history_now");
    state
}

#[test]
fn a_previewed_variation_is_shown_whatever_its_rules_and_records_nothing() {
    let config = saas();
    let mut previewed = admin(&config, "ana");
    let mut twin = admin(&config, "ana");
    previewed.take_notices();
    twin.take_notices();
    previewed.set_preview(&[("upgrade_seats", Some("roi"))]).unwrap();

    // A new user is in onboarding: upgrade_seats fails its `when`, yet the
    // preview shows it, with the forced variation's content.
    let now = t0() + MINUTE;
    let d = decide(&mut previewed, "banner", now);
    assert_eq!(d["experience"], json!("upgrade_seats"));
    assert_eq!(d["variation"], json!("roi"));
    assert_eq!(d["preview"], json!(true));
    assert_eq!(d["holdout"], json!(false));
    assert_eq!(d["content"]["title"], json!("Teams like yours save 6 hours a week"));
    let reason = &d["reasons"][0];
    assert_eq!(reason["result"], json!("preview"));
    assert_eq!(reason["variation"], json!("roi"));
    assert_eq!(reason["normally"]["result"], json!("when_failed"), "{reason}");
    assert!(reason["normally"]["failed"].as_array().is_some_and(|f| !f.is_empty()), "{reason}");
    // The slot's other experience is explained beside it.
    assert_eq!(d["reasons"][1]["experience"], json!("referral_ask"));

    // Shown on every render: never an impression, never an exposure.
    assert!(!previewed.interact(Interaction::Shown, "upgrade_seats", now).unwrap());
    assert!(!previewed.interact(Interaction::Shown, "upgrade_seats", now + MINUTE).unwrap());
    decide(&mut previewed, "banner", now + MINUTE);
    assert!(exposures(&mut previewed).is_empty(), "a preview is not an exposure");

    // The same steps without the preview leave the same stored state.
    decide(&mut twin, "banner", now);
    decide(&mut twin, "banner", now + MINUTE);
    assert_eq!(stored(&previewed), stored(&twin));
    let exported = previewed.export_state().to_json_string();
    assert!(!exported.contains("preview"), "the preview is not stored: {exported}");
}

#[test]
fn decisions_without_reasons_say_preview_and_other_slots_are_untouched() {
    let config = saas();
    let mut e = admin(&config, "bo");
    e.set_preview(&[("upgrade_seats", None)]).unwrap();
    let d = e.decide(Slots::All, t0() + MINUTE, false).unwrap();
    let banner = value(&d.slots.iter().find(|s| s.slot == "banner").unwrap().to_json());
    assert_eq!(banner["experience"], json!("upgrade_seats"));
    assert_eq!(banner["variation"], Value::Null, "no variation forced: the experience's own content");
    assert_eq!(banner["content"]["title"], json!("Your team is growing"));
    assert_eq!(banner["preview"], json!(true));
    let home = value(&d.slots.iter().find(|s| s.slot == "home").unwrap().to_json());
    assert_eq!(home["experience"], json!("setup_checklist"));
    assert!(home.get("preview").is_none(), "only previewed slots carry the flag: {home}");
    // The browser form says it too.
    let mut text = String::new();
    d.slots.iter().find(|s| s.slot == "banner").unwrap().write_json(&mut text, true);
    assert!(text.ends_with(r#","preview":true}"#), "{text}");
}

#[test]
fn previewing_a_holdout_shows_what_held_out_users_see_and_records_no_exposure() {
    let config = saas();
    let mut e = admin(&config, "cy");
    e.take_notices();
    e.set_preview(&[("upgrade_seats", Some("holdout"))]).unwrap();
    let d = decide(&mut e, "banner", t0() + MINUTE);
    assert_eq!(d["holdout"], json!(true));
    assert_eq!(d["preview"], json!(true));
    // referral_ask (the slot's next experience) needs the advocacy stage.
    assert_eq!(d["experience"], Value::Null);
    assert_eq!(d["reasons"][0]["result"], json!("preview"));
    assert_eq!(d["reasons"][0]["variation"], json!("holdout"));
    assert!(exposures(&mut e).is_empty());
}

#[test]
fn dismissing_or_converting_a_preview_ends_it_without_recording() {
    let config = saas();
    let mut e = admin(&config, "di");
    let mut twin = admin(&config, "di");
    e.set_preview(&[("upgrade_seats", Some("control")), ("try_automations", None)]).unwrap();
    let now = t0() + MINUTE;
    assert!(e.interact(Interaction::Dismissed, "upgrade_seats", now).unwrap());
    assert_eq!(decide(&mut e, "banner", now)["experience"], Value::Null, "the preview ended; normally nothing");
    assert_eq!(decide(&mut e, "sidebar", now)["experience"], json!("try_automations"), "the other preview stays");
    assert!(e.interact(Interaction::Converted, "try_automations", now).unwrap());
    assert!(e.preview().is_empty());
    decide(&mut twin, "banner", now);
    decide(&mut twin, "sidebar", now);
    assert_eq!(stored(&e), stored(&twin), "no dismissal, no conversion recorded");
    // Once the preview ended, interactions record again as usual.
    e.interact(Interaction::Dismissed, "upgrade_seats", now + MINUTE).unwrap();
    assert_ne!(stored(&e), stored(&twin));
}

#[test]
fn a_previewed_prompt_does_not_count_for_the_policy_of_later_slots() {
    let config = compile(
        r#"{"version": 1, "stages": [{"id": "any", "when": {}}],
            "policy": {"min_gap_between_prompts": "10m"},
            "experiences": [
              {"id": "a", "slot": "top", "kind": "nudge", "priority": 1, "when": {}, "content": {}},
              {"id": "b", "slot": "side", "kind": "nudge", "priority": 1, "when": {}, "content": {}}]}"#,
    );
    let mut e = Engine::new(config, "u").unwrap();
    // For real, a new prompt in `top` keeps `side` empty (the gap).
    let d = e.decide(Slots::Named(&["top", "side"]), t0(), false).unwrap();
    assert_eq!((d.slots[0].experience_id(), d.slots[1].experience_id()), (Some("a"), None));
    // Previewed, `a` is not a real prompt: `side` is decided as without it.
    e.set_preview(&[("a", None)]).unwrap();
    let d = e.decide(Slots::Named(&["top", "side"]), t0(), false).unwrap();
    assert_eq!(d.slots[0].experience_id(), Some("a"));
    assert_eq!(d.slots[1].experience_id(), Some("b"), "a preview does not hold real prompts back");
}

#[test]
fn bad_previews_are_refused_whole_and_the_previous_one_stays() {
    let config = saas();
    let mut e = admin(&config, "ed");
    e.set_preview(&[("upgrade_seats", Some("roi"))]).unwrap();
    let code = |r: Result<(), onstage::error::InputError>| r.unwrap_err().code();
    assert_eq!(code(e.set_preview(&[("nope", None)])), "unknown_experience");
    assert_eq!(code(e.set_preview(&[("upgrade_seats", Some("nope"))])), "unknown_variation");
    assert_eq!(code(e.set_preview(&[("setup_checklist", Some("control"))])), "unknown_variation");
    assert_eq!(code(e.set_preview(&[("upgrade_seats", None), ("referral_ask", None)])), "preview_conflict");
    assert_eq!(e.preview(), vec![("upgrade_seats", Some("roi"))]);
    e.set_preview(&[]).unwrap();
    assert!(e.preview().is_empty());
}

#[test]
fn a_previewed_checklist_lists_its_items() {
    let config = saas();
    let mut e = admin(&config, "fi");
    e.track("workspace_created", &Json::Null, None, t0()).unwrap();
    // Move the user out of onboarding's checklist by previewing win_back
    // over it, then preview the checklist itself.
    e.set_preview(&[("win_back", None)]).unwrap();
    assert_eq!(decide(&mut e, "home", t0() + MINUTE)["experience"], json!("win_back"));
    e.set_preview(&[("setup_checklist", None)]).unwrap();
    let d = decide(&mut e, "home", t0() + 2 * MINUTE);
    assert_eq!(d["experience"], json!("setup_checklist"));
    assert_eq!(d["items"][0]["done"], json!(true));
    assert_eq!(d["items"][1]["done"], json!(false));
    assert_eq!(d["reasons"][0]["normally"], json!("eligible"));
}

#[test]
fn a_dry_run_records_no_exposure_and_the_real_decision_still_does() {
    let config = compile(
        r#"{"version": 1, "stages": [{"id": "any", "when": {}}],
            "experiences": [{"id": "x", "slot": "s", "kind": "nudge", "priority": 1, "when": {}, "content": {},
              "experiment": {"key": "k", "variations": [{"id": "v1"}, {"id": "v2"}]}}]}"#,
    );
    let mut e = Engine::new(config, "u").unwrap();
    let identity = parse(r#"{"id": "u"}"#).unwrap();
    e.identify(Identity { attributes: Some(identity), ..Identity::default() }, t0()).unwrap();
    e.take_notices();
    let dry = e.decide_with(Slots::All, t0(), false, false).unwrap();
    assert!(dry.slots[0].variation.is_some());
    assert!(exposures(&mut e).is_empty(), "a dry run reports no exposure");
    assert!(!e.export_state().to_json_string().contains("\"k\""), "nor keeps one");
    e.decide(Slots::All, t0(), false).unwrap();
    assert_eq!(exposures(&mut e).len(), 1, "the real decision reports it");
}

#[test]
fn a_config_update_keeps_the_preview_by_ids() {
    let config = saas();
    let mut e = admin(&config, "gu");
    e.set_preview(&[("upgrade_seats", Some("roi")), ("setup_checklist", None)]).unwrap();
    let text = std::fs::read_to_string(SAAS_PATH).unwrap();
    let mut doc: serde_json::Value = serde_json::from_str(&text).unwrap();
    let experiences = doc["experiences"].as_array_mut().unwrap();
    experiences.retain(|x| x["id"] != "setup_checklist");
    e.set_config(compile(&doc.to_string()));
    assert_eq!(e.preview(), vec![("upgrade_seats", Some("roi"))]);
    assert_eq!(decide(&mut e, "banner", t0() + MINUTE)["preview"], json!(true));
}

#[test]
fn a_previewed_tour_walks_its_own_steps_and_the_user_keeps_theirs() {
    let text =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/examples/timelines/tours.config.json"))
            .unwrap();
    let config = compile(&text);
    let mut e = Engine::new(Arc::clone(&config), "tu").unwrap();
    let mut twin = Engine::new(config, "tu").unwrap();
    // reports_tour needs a project: the preview shows it anyway, from its first step.
    e.set_preview(&[("reports_tour", Some("guided"))]).unwrap();
    let now = t0();
    let d = decide(&mut e, "main", now);
    assert_eq!(d["experience"], json!("reports_tour"));
    assert_eq!(d["step"], json!("open_reports"));
    assert_eq!(d["content"]["cta"], json!("Guide me"), "the variation's content");
    assert_eq!(d["content"]["theme"], json!("spotlight"), "the step's content over it");
    assert!(e.advance("reports_tour", "open_reports", now).unwrap());
    assert!(!e.advance("reports_tour", "open_reports", now).unwrap(), "at most once");
    assert_eq!(decide(&mut e, "main", now)["step"], json!("build"));
    decide(&mut twin, "main", now);
    assert_eq!(stored(&e), stored(&twin), "the user's progress is untouched");
    for step in ["build", "schedule", "share"] {
        e.advance("reports_tour", step, now).unwrap();
    }
    assert!(e.preview().is_empty(), "a completed preview ends");
    decide(&mut twin, "main", now);
    assert_eq!(stored(&e), stored(&twin));
    assert_ne!(decide(&mut e, "main", now)["experience"], json!("reports_tour"));
}

//! Scenario tests of guided tours, one per rule of DESIGN's tour paragraph
//! ("Experiences and slots"): progress that only grows (`advanced` in any
//! order, `done` sticky once it held, checked at every step), the current
//! step, completion as a conversion, a tour as a prompt for the policy,
//! skips and frequency on the tour as a whole, content merged in order
//! (experience, variation, step), experiments and holdouts, config
//! updates, bad ids, and the reasons.
// Test code may unwrap, expect, panic and index: a failing test should panic.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]
#![cfg(not(target_arch = "wasm32"))]

use onstage::config::CompiledConfig;
use onstage::engine::{Engine, Identity, Interaction, Notice, Slots};
use onstage::json::{parse, Json};
use onstage::time::{parse_rfc3339, DAY, HOUR, MINUTE};
use std::sync::Arc;

// ---------------------------------------------------------------- helpers

/// The tour `guide` (main, priority 10, 2 impressions a day, 1 h
/// cool-down): `project` and `invite` complete by counts, `dashboard` by
/// a 1-hour window, `finish` only by `advanced`. `tip` (main, 1) and
/// `offer` (side, 5) are plain prompts; `quick` (footer) is a tour with no
/// cool-down. Stage `busy` while a dashboard was viewed in the last hour.
fn config_with(policy: &str, guide_when: &str, extra: &str) -> Arc<CompiledConfig> {
    let text = config_text(policy, guide_when, extra);
    let compiled = onstage::config::compile_text(&text).unwrap_or_else(|p| panic!("config refused: {p:#?}"));
    Arc::new(compiled.config)
}

/// The text of `config_with`'s config, written compactly.
fn config_text(policy: &str, guide_when: &str, extra: &str) -> String {
    let text = format!(
        r##"{{"version": 1,
        "signals": {{
            "projects": {{"count": "project_created"}},
            "invites": {{"count": "teammate_invited"}},
            "recent_views": {{"count": "dashboard_viewed", "window": "1h"}}
        }},
        "stages": [
            {{"id": "busy", "when": {{"signals.recent_views": {{"$gte": 1}}}}}},
            {{"id": "idle", "when": {{}}}}
        ],
        "policy": {policy},
        "experiences": [
            {{"id": "guide", "slot": "main", "kind": "tour", "priority": 10, "when": {guide_when},
              "content": {{"title": "Guide", "cta": "Next", "theme": "light"}},
              "frequency": {{"max_impressions": 2, "per": "1d"}},
              "cooldown_after_dismiss": "1h",
              "steps": [
                {{"id": "project", "content": {{"body": "Create a project", "anchor": "#new"}},
                  "done": {{"signals.projects": {{"$gte": 1}}}}}},
                {{"id": "invite", "content": {{"body": "Invite a teammate", "cta": "Invite"}},
                  "done": {{"signals.invites": {{"$gte": 1}}}}}},
                {{"id": "dashboard", "content": {{"body": "Open a dashboard"}},
                  "done": {{"signals.recent_views": {{"$gte": 1}}}}}},
                {{"id": "finish", "content": {{"cta": "Done"}}}}
              ]}},
            {{"id": "tip", "slot": "main", "kind": "nudge", "priority": 1, "when": {{}},
              "content": {{"title": "Tip"}}}},
            {{"id": "offer", "slot": "side", "kind": "upgrade_prompt", "priority": 5, "when": {{}},
              "content": {{"title": "Offer"}}}},
            {{"id": "quick", "slot": "footer", "kind": "tour", "priority": 1, "when": {{}},
              "content": {{"title": "Quick"}},
              "steps": [{{"id": "one"}}, {{"id": "two"}}]}}
            {extra}
        ]}}"##
    );
    json(&text).to_json_string()
}

fn config() -> Arc<CompiledConfig> {
    config_with("{}", "{}", "")
}

fn t0() -> i64 {
    parse_rfc3339("2026-01-05T09:00:00Z").unwrap()
}

fn json(text: &str) -> Json {
    parse(text).unwrap_or_else(|e| panic!("bad JSON in a test: {e}: {text}"))
}

struct User {
    e: Engine,
    now: i64,
}

impl User {
    fn new(config: &Arc<CompiledConfig>) -> User {
        User { e: Engine::new(Arc::clone(config), "u1").unwrap(), now: t0() }
    }

    fn wait(&mut self, d: i64) -> &mut Self {
        self.now += d;
        self
    }

    fn attributes(&mut self, attributes: &str) -> &mut Self {
        let identity = Identity { attributes: Some(json(attributes)), ..Identity::default() };
        self.e.identify(identity, self.now).unwrap();
        self
    }

    fn track(&mut self, name: &str) -> &mut Self {
        self.e.track(name, &Json::Null, None, self.now).unwrap();
        self
    }

    fn shown(&mut self, id: &str) -> &mut Self {
        self.e.interact(Interaction::Shown, id, self.now).unwrap();
        self
    }

    fn dismissed(&mut self, id: &str) -> &mut Self {
        self.e.interact(Interaction::Dismissed, id, self.now).unwrap();
        self
    }

    fn converted(&mut self, id: &str) -> &mut Self {
        self.e.interact(Interaction::Converted, id, self.now).unwrap();
        self
    }

    fn advanced(&mut self, tour: &str, step: &str) -> &mut Self {
        self.e.advance(tour, step, self.now).unwrap();
        self
    }

    /// One slot's decision now, with reasons, in the `simulate` form.
    fn slot(&mut self, slot: &str) -> Json {
        let d = self.e.decide(Slots::Named(&[slot]), self.now, true).unwrap();
        d.slots[0].to_json()
    }

    fn decide(&mut self, slots: &[&str]) -> Vec<Json> {
        let d = self.e.decide(Slots::Named(slots), self.now, true).unwrap();
        d.slots.iter().map(|s| s.to_json()).collect()
    }

    /// `(experience, step)` a slot shows now.
    fn shows(&mut self, slot: &str) -> (Option<String>, Option<String>) {
        let d = self.slot(slot);
        (str_of(&d, "experience"), str_of(&d, "step"))
    }
}

fn str_of(d: &Json, key: &str) -> Option<String> {
    d.get(key).and_then(Json::as_str).map(str::to_string)
}

fn some(experience: &str, step: &str) -> (Option<String>, Option<String>) {
    (Some(experience.to_string()), Some(step.to_string()))
}

/// `[(step id, done)]` of a decision's items.
fn items(d: &Json) -> Vec<(String, bool)> {
    d.get("items")
        .and_then(Json::as_arr)
        .unwrap()
        .iter()
        .map(|i| (str_of(i, "id").unwrap(), i.get("done") == Some(&Json::Bool(true))))
        .collect()
}

fn done_steps(d: &Json) -> Vec<String> {
    items(d).into_iter().filter(|(_, done)| *done).map(|(id, _)| id).collect()
}

/// The reason given for `experience` in a decision.
fn reason<'a>(d: &'a Json, experience: &str) -> &'a Json {
    d.get("reasons")
        .and_then(Json::as_arr)
        .and_then(|r| r.iter().find(|r| r.get("experience").and_then(Json::as_str) == Some(experience)))
        .unwrap_or_else(|| panic!("no reason for {experience} in {d}"))
}

fn result_of(d: &Json, experience: &str) -> String {
    str_of(reason(d, experience), "result").unwrap()
}

// ----------------------------------------------------------------- rules

#[test]
fn steps_complete_in_any_order_and_the_current_step_is_the_first_left() {
    let mut u = User::new(&config());
    assert_eq!(u.shows("main"), some("guide", "project"));
    u.wait(MINUTE).advanced("guide", "finish").advanced("guide", "invite");
    let d = u.slot("main");
    assert_eq!(str_of(&d, "step").as_deref(), Some("project"), "the first step not completed");
    assert_eq!(done_steps(&d), vec!["invite", "finish"]);
    // A second `advanced` for a step counts once.
    assert!(!u.e.advance("guide", "invite", u.now).unwrap());
    assert!(u.e.advance("guide", "project", u.now).unwrap());
    assert_eq!(u.shows("main"), some("guide", "dashboard"));
    assert_eq!(done_steps(&u.slot("main")), vec!["project", "invite", "finish"]);
}

#[test]
fn a_done_that_held_before_the_tour_was_ever_shown_counts() {
    let c = config_with("{}", r#"{"attributes.plan": {"$ne": "locked"}}"#, "");
    let mut u = User::new(&c);
    u.attributes(r#"{"plan": "locked"}"#).wait(MINUTE).track("project_created");
    let d = u.slot("main");
    assert_eq!(str_of(&d, "experience").as_deref(), Some("tip"), "the tour is not eligible yet");
    // Its reason still says where the user is.
    let r = reason(&d, "guide");
    assert_eq!(str_of(r, "result").as_deref(), Some("when_failed"));
    assert_eq!(str_of(r, "step").as_deref(), Some("invite"));
    u.wait(MINUTE).attributes(r#"{"plan": "free"}"#);
    assert_eq!(u.shows("main"), some("guide", "invite"), "the first time it is shown, the step is done");
}

#[test]
fn a_done_stays_completed_after_its_condition_stops_holding() {
    let mut u = User::new(&config());
    u.track("dashboard_viewed");
    assert_eq!(done_steps(&u.slot("main")), vec!["dashboard"]);
    u.wait(3 * HOUR);
    let d = u.slot("main");
    assert_eq!(u.e.snapshot().signals.iter().find(|(id, _)| &**id == "recent_views").unwrap().1, Some(0.0));
    assert_eq!(done_steps(&d), vec!["dashboard"], "sticky once it held");
    let steps = reason(&d, "guide").get("steps").unwrap().as_arr().unwrap();
    assert_eq!(steps[2].get("by"), Some(&Json::str("done")), "{d}");
}

#[test]
fn done_is_checked_at_every_step_not_only_when_deciding() {
    // The dashboard is viewed, and no decision is asked until the view has
    // left the 1-hour window: the condition held at the `track` step.
    let mut u = User::new(&config());
    u.track("dashboard_viewed").wait(3 * HOUR);
    assert_eq!(done_steps(&u.slot("main")), vec!["dashboard"]);
    // The same for a condition that held only between two other steps.
    let mut v = User::new(&config());
    v.track("other").wait(10 * MINUTE).track("dashboard_viewed").wait(2 * HOUR).track("other");
    assert_eq!(done_steps(&v.slot("main")), vec!["dashboard"]);
}

#[test]
fn advanced_is_a_step_of_the_timeline_but_not_a_shown() {
    let mut u = User::new(&config());
    u.track("dashboard_viewed");
    assert_eq!(u.e.snapshot().stage.as_deref(), Some("busy"));
    u.e.take_notices();
    // The stage is re-evaluated at the `advanced` step: time alone moved it.
    u.wait(2 * HOUR).advanced("guide", "finish");
    assert_eq!(u.e.snapshot().stage.as_deref(), Some("idle"));
    let changes: Vec<_> =
        u.e.take_notices()
            .into_iter()
            .filter_map(|n| match n {
                Notice::StageChanged(t) => Some(t.at),
                _ => None,
            })
            .collect();
    assert_eq!(changes, vec![u.now]);
    // It is not an impression: nothing is on screen, nothing counts.
    let log = &u.e.user().interactions[0];
    assert_eq!((log.last_shown, log.impressions.len(), log.showing), (None, 0, false));
    assert_eq!(result_of(&u.slot("main"), "guide"), "shown");
    assert_eq!(reason(&u.slot("main"), "guide").get("onScreen"), Some(&Json::Bool(false)));
    // And like any step it cannot go back in time.
    let err = u.e.advance("guide", "project", u.now - 1).unwrap_err();
    assert_eq!(err.code().as_str(), "time_went_back");
}

#[test]
fn a_skip_with_a_cool_down_comes_back_at_the_current_step() {
    let mut u = User::new(&config());
    u.shown("guide").wait(MINUTE).track("project_created").dismissed("guide");
    let d = u.slot("main");
    assert_eq!(str_of(&d, "experience").as_deref(), Some("tip"));
    assert_eq!(result_of(&d, "guide"), "cooling_down");
    // Progress goes on while it cools down.
    u.wait(10 * MINUTE).advanced("guide", "invite");
    u.wait(HOUR - 10 * MINUTE - 1);
    assert_eq!(result_of(&u.slot("main"), "guide"), "cooling_down");
    u.wait(1);
    assert_eq!(u.shows("main"), some("guide", "dashboard"), "back, at the first step left");
}

#[test]
fn a_skip_without_a_cool_down_is_for_good_and_progress_still_counts() {
    let mut u = User::new(&config());
    assert_eq!(u.shows("footer"), some("quick", "one"));
    u.shown("quick").wait(MINUTE).dismissed("quick");
    u.wait(30 * DAY);
    assert_eq!(result_of(&u.slot("footer"), "quick"), "dismissed");
    u.advanced("quick", "one");
    let d = u.slot("footer");
    assert_eq!(result_of(&d, "quick"), "dismissed");
    assert_eq!(str_of(reason(&d, "quick"), "step").as_deref(), Some("two"));
    // Completing it afterwards records the completion (dismissal still wins the reason).
    u.advanced("quick", "two");
    assert!(u.e.user().interactions[3].tour.completed);
}

#[test]
fn frequency_counts_impressions_of_the_tour_as_a_whole() {
    let mut u = User::new(&config());
    // Two impressions a day, whatever step each one showed.
    u.shown("guide");
    u.wait(10 * MINUTE).advanced("guide", "project");
    u.wait(30 * MINUTE).shown("guide");
    assert_eq!(u.e.user().interactions[0].impressions.len(), 2);
    u.wait(40 * MINUTE).advanced("guide", "invite");
    let d = u.slot("main");
    assert_eq!(str_of(&d, "experience").as_deref(), Some("tip"));
    assert_eq!(result_of(&d, "guide"), "capped");
    // A day after the first impression, it is back, at its current step.
    u.now = t0() + DAY;
    assert_eq!(u.shows("main"), some("guide", "dashboard"));
}

#[test]
fn the_policy_counts_a_tour_as_a_prompt_beside_the_others() {
    let c = config_with(
        r#"{"max_prompts_per_day": 2, "min_gap_between_prompts": "10m", "display_timeout": "5m"}"#,
        "{}",
        "",
    );
    let mut u = User::new(&c);
    // A new tour chosen for an earlier slot blocks a later slot's prompt.
    let page = u.decide(&["main", "side", "footer"]);
    assert_eq!(str_of(&page[0], "experience").as_deref(), Some("guide"));
    assert_eq!(result_of(&page[1], "offer"), "policy_gap");
    assert_eq!(str_of(reason(&page[1], "offer"), "blockedBy").as_deref(), Some("guide"));
    // `quick`, a tour too, is a prompt: refused by the same gap.
    assert_eq!(result_of(&page[2], "quick"), "policy_gap");
    u.shown("guide");
    // While on screen the tour keeps its place, across steps.
    u.wait(2 * MINUTE).advanced("guide", "project");
    assert_eq!(u.shows("main"), some("guide", "invite"));
    assert_eq!(reason(&u.slot("main"), "guide").get("onScreen"), Some(&Json::Bool(true)));
    // The offer is shown once the gap is over; the tour, off screen, is then refused by the gap.
    u.wait(10 * MINUTE).shown("offer");
    u.wait(MINUTE);
    assert_eq!(result_of(&u.slot("main"), "guide"), "policy_gap");
    // Two other prompts (tour, offer) had an impression today: `quick` hits the daily limit.
    u.wait(20 * MINUTE);
    assert_eq!(result_of(&u.slot("footer"), "quick"), "policy_daily_limit");
}

#[test]
fn completing_every_step_converts_the_tour_for_good() {
    let mut u = User::new(&config());
    u.shown("guide").track("project_created").track("teammate_invited").track("dashboard_viewed");
    assert_eq!(u.shows("main"), some("guide", "finish"));
    u.wait(MINUTE).advanced("guide", "finish");
    let d = u.slot("main");
    assert_eq!(str_of(&d, "experience").as_deref(), Some("tip"));
    let r = reason(&d, "guide");
    assert_eq!(str_of(r, "result").as_deref(), Some("completed"));
    assert_eq!(r.get("step"), Some(&Json::Null));
    assert!(u.e.user().interactions[0].tour.completed);
    assert!(!u.e.user().interactions[0].showing, "completion ends the display");
    u.wait(400 * DAY);
    assert_eq!(result_of(&u.slot("main"), "guide"), "completed");
    // A host's own `converted` of a tour is a conversion as for any experience.
    let mut v = User::new(&config());
    v.converted("guide");
    assert_eq!(result_of(&v.slot("main"), "guide"), "converted");
}

#[test]
fn a_tour_completed_by_done_conditions_alone_is_never_shown() {
    let c = config_with(
        "{}",
        "{}",
        r#", {"id": "auto", "slot": "footer", "kind": "tour", "priority": 9, "when": {},
              "content": {}, "steps": [{"id": "a", "done": {"signals.projects": {"$gte": 1}}}]}"#,
    );
    let mut u = User::new(&c);
    assert_eq!(u.shows("footer"), some("auto", "a"));
    u.track("project_created");
    let d = u.slot("footer");
    assert_eq!(str_of(&d, "experience").as_deref(), Some("quick"));
    assert_eq!(result_of(&d, "auto"), "completed");
}

#[test]
fn content_is_the_tours_then_the_current_steps_key_by_key() {
    let mut u = User::new(&config());
    let d = u.slot("main");
    assert_eq!(
        d.get("content"),
        Some(&json(
            r##"{"title": "Guide", "cta": "Next", "theme": "light", "body": "Create a project", "anchor": "#new"}"##
        ))
    );
    u.track("project_created");
    assert_eq!(
        u.slot("main").get("content"),
        Some(&json(r#"{"title": "Guide", "cta": "Invite", "theme": "light", "body": "Invite a teammate"}"#))
    );
}

/// A tour under an experiment: `classic` (no content), `guided` (its own
/// content), `held` (a holdout).
fn experiment_config() -> Arc<CompiledConfig> {
    config_with(
        "{}",
        "{}",
        r#", {"id": "reports", "slot": "side", "kind": "tour", "priority": 9, "when": {},
              "content": {"title": "Reports", "cta": "Show me", "theme": "light"},
              "experiment": {"key": "reports-tour", "variations": [
                  {"id": "classic", "weight": 0.4},
                  {"id": "guided", "weight": 0.4, "content": {"cta": "Guide me", "theme": "dark"}},
                  {"id": "held", "weight": 0.2, "skip": true}]},
              "steps": [{"id": "open", "content": {"body": "Reports live here", "theme": "spotlight"}},
                        {"id": "share"}]}"#,
    )
}

/// A user id that lands in `variation` of the reports experiment.
fn user_in(c: &Arc<CompiledConfig>, variation: &str) -> User {
    for n in 0..500 {
        let mut u = User::new(c);
        u.attributes(&format!(r#"{{"id": "user-{n}"}}"#));
        let d = u.slot("side");
        let got =
            if d.get("holdout") == Some(&Json::Bool(true)) { Some("held".into()) } else { str_of(&d, "variation") };
        if got.as_deref() == Some(variation) {
            return u;
        }
    }
    panic!("no user in {variation}");
}

#[test]
fn an_experiment_merges_experience_then_variation_then_step_content() {
    let c = experiment_config();
    let mut guided = user_in(&c, "guided");
    let d = guided.slot("side");
    assert_eq!(str_of(&d, "step").as_deref(), Some("open"));
    // The variation's cta and theme over the tour's; the step's theme over the variation's.
    assert_eq!(
        d.get("content"),
        Some(&json(r#"{"title": "Reports", "cta": "Guide me", "theme": "spotlight", "body": "Reports live here"}"#))
    );
    guided.advanced("reports", "open");
    assert_eq!(
        guided.slot("side").get("content"),
        Some(&json(r#"{"title": "Reports", "cta": "Guide me", "theme": "dark"}"#)),
        "a step without content shows the variation's"
    );
    let mut classic = user_in(&c, "classic");
    assert_eq!(
        classic.slot("side").get("content"),
        Some(&json(r#"{"title": "Reports", "cta": "Show me", "theme": "spotlight", "body": "Reports live here"}"#))
    );
}

#[test]
fn a_held_out_tour_falls_through_and_its_decision_has_no_step() {
    let c = experiment_config();
    let mut u = user_in(&c, "held");
    let d = u.slot("side");
    assert_eq!(d.get("holdout"), Some(&Json::Bool(true)));
    assert_eq!(str_of(&d, "experience").as_deref(), Some("offer"));
    assert_eq!(d.get("step"), None, "only a decision showing a tour has a step");
    assert_eq!(result_of(&d, "reports"), "holdout");
    // Its progress still grows (the host may report it from elsewhere).
    u.advanced("reports", "open");
    assert_eq!(str_of(reason(&u.slot("side"), "reports"), "step").as_deref(), Some("share"));
}

#[test]
fn only_a_decision_showing_a_tour_has_a_step_and_its_text_form_agrees() {
    let mut u = User::new(&config());
    let page = u.decide(&["main", "side", "footer"]);
    assert!(page[0].get("step").is_some() && page[2].get("step").is_some());
    assert_eq!(page[1].get("step"), None);
    let d = u.e.decide(Slots::All, u.now, true).unwrap();
    for s in &d.slots {
        for labels in [false, true] {
            let mut text = String::new();
            s.write_json(&mut text, labels);
            assert_eq!(parse(&text).unwrap(), s.to_json_with(labels), "{text}");
        }
    }
}

#[test]
fn config_updates_keep_progress_for_step_ids_that_still_exist() {
    let mut u = User::new(&config());
    u.advanced("guide", "project").advanced("guide", "invite").advanced("guide", "finish");
    // Rename `invite` to `invite2`, add `welcome` first, remove `finish`.
    let text = config_text("{}", "{}", "")
        .replace(r#""id":"invite""#, r#""id":"invite2""#)
        .replace(r#"{"id":"finish","content":{"cta":"Done"}}"#, r#"{"id":"welcome"}"#);
    let updated = Arc::new(onstage::config::compile_text(&text).unwrap().config);
    let notes = u.e.set_config(updated);
    assert!(notes.iter().all(|n| n.code != "part_corrupt"), "{notes:?}");
    u.wait(MINUTE);
    let d = u.slot("main");
    assert_eq!(
        items(&d),
        vec![
            ("project".into(), true),
            ("invite2".into(), false),
            ("dashboard".into(), false),
            ("welcome".into(), false)
        ]
    );
    assert_eq!(str_of(&d, "step").as_deref(), Some("invite2"));
    // Removing the steps left makes the tour complete at the next step.
    let text = text.replace(r#",{"id":"welcome"}"#, "").replace(
        r#",{"id":"invite2","content":{"body":"Invite a teammate","cta":"Invite"},"done":{"signals.invites":{"$gte":1}}},{"id":"dashboard","content":{"body":"Open a dashboard"},"done":{"signals.recent_views":{"$gte":1}}}"#,
        "",
    );
    let shorter = Arc::new(onstage::config::compile_text(&text).unwrap_or_else(|p| panic!("{p:?}\n{text}")).config);
    u.e.set_config(Arc::clone(&shorter));
    u.wait(MINUTE);
    assert_eq!(result_of(&u.slot("main"), "guide"), "completed");
    // A completed tour stays completed when a step is added again.
    u.e.set_config(config());
    u.wait(MINUTE);
    assert_eq!(result_of(&u.slot("main"), "guide"), "completed");
}

#[test]
fn progress_survives_a_reload_and_a_kind_change_drops_it() {
    let c = config();
    let mut u = User::new(&c);
    u.track("dashboard_viewed").advanced("guide", "finish");
    let state = u.e.export_state();
    let stored = state.get("interactions").and_then(|i| i.get("guide")).unwrap();
    assert_eq!(stored.get("advanced"), Some(&json(r#"["finish"]"#)));
    assert_eq!(stored.get("held"), Some(&json(r#"["dashboard"]"#)));
    let (restored, notes) = Engine::restore(Arc::clone(&c), "u1", &parse(&state.to_json_string()).unwrap()).unwrap();
    assert_eq!(notes, vec![]);
    assert_eq!(restored.user().interactions[0].tour, u.e.user().interactions[0].tour);
    // The same id as a plain prompt: its progress means nothing any more.
    let text =
        config_text("{}", "{}", "").replace(r#""kind":"tour","priority":10"#, r#""kind":"walkthrough","priority":10"#);
    let text = text.replacen(r#","steps":[{"id":"project""#, r#","unused":[{"id":"project""#, 1);
    let doc = parse(&text).unwrap();
    let mut doc = doc;
    if let Json::Obj(root) = &mut doc {
        if let Some(Json::Arr(list)) = root.get_mut("experiences") {
            if let Some(Json::Obj(guide)) = list.get_mut(0) {
                guide.remove("unused");
            }
        }
    }
    let plain = Arc::new(onstage::compile(&doc).unwrap_or_else(|p| panic!("{p:?}")).config);
    let (prompt, _) = Engine::restore(plain, "u1", &state).unwrap();
    assert_eq!(prompt.user().interactions[0].tour, Default::default());
}

#[test]
fn advanced_refuses_unknown_tours_and_steps_and_stores_nothing() {
    let mut u = User::new(&config());
    u.track("project_created");
    let before = u.e.export_state().to_json_string();
    let later = u.now + MINUTE;
    for (tour, step, code) in [
        ("nope", "project", "unknown_tour"),
        ("tip", "project", "unknown_tour"),
        ("GUIDE", "project", "unknown_tour"),
        ("", "project", "unknown_tour"),
        ("guide", "nope", "unknown_step"),
        ("guide", "", "unknown_step"),
        ("guide", "one", "unknown_step"),
    ] {
        let err = u.e.advance(tour, step, later).unwrap_err();
        assert_eq!(err.code().as_str(), code, "{tour}/{step}: {err}");
        assert!(!err.to_string().is_empty());
        assert_eq!(u.e.export_state().to_json_string(), before, "{tour}/{step} stored something");
    }
    assert!(u.e.advance("guide", "invite", later).unwrap());
}

#[test]
fn a_decision_at_the_same_moment_twice_is_the_same() {
    let mut u = User::new(&config());
    u.track("project_created").advanced("guide", "finish");
    let first = u.decide(&["main", "side", "footer"]);
    let state = u.e.export_state().to_json_string();
    assert_eq!(u.decide(&["main", "side", "footer"]), first);
    assert_eq!(u.e.export_state().to_json_string(), state, "a decision records no progress of its own");
}

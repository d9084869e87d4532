// Types of the onstage browser package (hand-written; checked by
// tests/types/usage.ts with `tsc --noEmit`).

/** A JSON value, as configs, attributes and content are made of. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Event props: a flat object of scalars. */
export type Props = Record<string, string | number | boolean | null>;

/**
 * Every code onstage gives an error, a warning or a notice (the Rust
 * `onstage::ErrorCode`; docs/errors.md says what each means).
 * `tests/docs_errors.rs` checks this list against the Rust type.
 */
export type ErrorCode =
  | 'bad_user_id'
  | 'bad_event_name'
  | 'bad_props'
  | 'bad_time'
  | 'timestamp_in_future'
  | 'timestamp_too_old'
  | 'time_went_back'
  | 'bad_identify'
  | 'unknown_slot'
  | 'unknown_experience'
  | 'unknown_tour'
  | 'unknown_step'
  | 'unknown_variation'
  | 'preview_conflict'
  | 'bad_preview'
  | 'summary_not_recognized'
  | 'summary_unknown_version'
  | 'summary_other_user'
  | 'summary_corrupt'
  | 'invalid_config'
  | 'invalid_plan'
  | 'invalid_json'
  | 'wrong_type'
  | 'missing_field'
  | 'unknown_field'
  | 'unsupported_version'
  | 'bad_id'
  | 'duplicate_id'
  | 'duplicate_key'
  | 'reserved_key'
  | 'limit_exceeded'
  | 'bad_duration'
  | 'out_of_range'
  | 'unknown_signal_form'
  | 'bad_event_selector'
  | 'field_not_allowed'
  | 'ratio_cycle'
  | 'undefined_signal'
  | 'undefined_segment'
  | 'undefined_stage'
  | 'undefined_saved_group'
  | 'unknown_path_root'
  | 'segment_cycle'
  | 'segments_without_ids'
  | 'unknown_operator'
  | 'bad_operand'
  | 'invalid_regex'
  | 'bad_weights'
  | 'empty_checklist'
  | 'empty_tour'
  | 'null_comparison'
  | 'no_catch_all_stage'
  | 'unreachable_stage'
  | 'unreachable_experience'
  | 'done_never_holds'
  | 'done_always_holds'
  | 'state_not_recognized'
  | 'state_unknown_version'
  | 'state_other_user'
  | 'state_corrupt'
  | 'signal_reset'
  | 'part_corrupt'
  | 'stage_dropped'
  | 'import_lossy'
  | 'time_clamped'
  | 'bad_step'
  | 'io_error'
  | 'destroyed'
  | 'internal'
  | 'clock_invalid'
  | 'engine_restarted'
  | 'wasm_load_failed'
  | 'compiler_not_loaded'
  | 'bad_listener'
  | 'storage_full'
  | 'storage_unavailable'
  | 'sync_step_refused'
  | 'sync_step_dropped';

/** A problem of a config, at a JSON path, with a stable code. */
export interface Problem {
  severity: 'error' | 'warning';
  /** e.g. "bad_duration", "undefined_signal", "null_comparison". */
  code: ErrorCode;
  /** Where, written as JavaScript would reach it: `experiences[2].when["signals.x"].$lt`. */
  path: string;
  message: string;
}

/** Errors thrown by onstage are real `Error`s with a stable `code`. */
export interface OnstageError extends Error {
  /** e.g. "bad_event_name", "bad_props", "timestamp_in_future", "unknown_slot", "unknown_tour", "invalid_config". */
  code: ErrorCode;
  /** For "invalid_config": every problem of the config. */
  problems?: Problem[];
}

export interface StageChange {
  from: string | null;
  to: string | null;
  /** Milliseconds since the epoch. */
  at: number;
}

/** A user's first assignment to an experiment variation (holdouts included). */
export interface Exposure {
  experiment: string;
  variation: string;
  variationIndex: number;
  experience: string;
  hashAttribute: string;
  hashValue: string;
}

/**
 * Something the host should know that did not stop onstage: a config
 * warning (code as in `Problem`), or a storage fault: "state_corrupt",
 * "state_unknown_version", "state_not_recognized" (the stored value was set
 * aside under another key), "storage_full", "storage_unavailable" (working
 * in memory), "part_corrupt" (a damaged part of the state was dropped),
 * "import_lossy", "sync_step_refused", "clock_invalid" (the `now` clock
 * returned something that is not a time), "time_clamped" (times ahead of
 * the clock were moved back to it).
 */
export interface Warning {
  code: ErrorCode;
  message: string;
  /** "error" for storage that failed (onstage then works in memory), "warning" otherwise. */
  severity: 'warning' | 'error';
  path?: string;
}

/** A checklist's item, or a tour's step. */
export interface ChecklistItem {
  id: string;
  /** The item's label from the config (null when it has none; always null for a tour's step). */
  label: string | null;
  /** For a tour's step: completed (by `advanced`, or its `done` held once). */
  done: boolean;
}

/** A tour's step, as a decision lists it in `items`. */
export type TourStep = ChecklistItem;

/**
 * Why one experience of a slot was shown or lost (present with `{ reasons:
 * true }`). Keys are camelCase, as everywhere in the API (`onstage
 * simulate` prints the same form).
 */
export interface Reason {
  experience: string;
  result:
    | 'shown'
    | 'holdout'
    | 'lower_priority'
    | 'when_failed'
    | 'stopped'
    | 'converted'
    | 'completed'
    | 'dismissed'
    | 'cooling_down'
    | 'all_items_done'
    | 'capped'
    | 'policy_gap'
    | 'policy_daily_limit'
    | 'preview';
  /** Sentences for failed conditions, e.g. "signals.reports_7d is 1, needs >= 3". */
  failed?: string[];
  /** The evaluated condition tree, with the values that decided it. */
  conditions?: Json;
  /** RFC 3339: when the experience can be shown again. */
  until?: string | null;
  /** "shown": whether this render continues an impression already on screen. */
  onScreen?: boolean;
  /** "lower_priority": the experience that won the slot, and both priorities. */
  beatenBy?: string;
  priority?: number;
  winnerPriority?: number;
  /** "capped": impressions in the window, the cap, the window as written. */
  impressions?: number;
  maxImpressions?: number;
  per?: string;
  /** "policy_gap": the prompt shown within the gap. */
  blockedBy?: string | null;
  /** "policy_daily_limit": other prompts with an impression in the last 24 h, and the limit. */
  promptsToday?: number;
  maxPromptsPerDay?: number;
  /** The experiment's assignment ("shown", "holdout"), or why there was none. */
  experiment?: { key: string; variation: string | null; hashValue?: string; notInExperiment?: string };
  /** For a tour: its current step (null when every step is completed). */
  step?: string | null;
  /** For a tour: every step, whether it is completed, and how ("advanced" or "done"). */
  steps?: { id: string; done: boolean; by?: 'advanced' | 'done' }[];
  /**
   * For "preview": what the experience's own rules give now: "eligible",
   * or the reason it would not be shown (`{result, failed?, until?, ...}`).
   */
  normally?: 'eligible' | { [detail: string]: Json };
  [detail: string]: Json | undefined;
}

/**
 * What a slot shows. Decisions are frozen, and `decide` returns the same
 * object while nothing changed, so UI frameworks can compare them by reference.
 */
export interface SlotDecision {
  /** The experience to show, or null: "no message" is a valid answer. */
  experience: string | null;
  /**
   * Only when the decision shows a tour: its current step (the first not
   * completed). Report it done with `advanced(experience, step)`.
   */
  step?: string;
  variation: string | null;
  /** The top eligible experience was held out of its experiment. */
  holdout: boolean;
  /**
   * The experience's content (a variation's merged over it; for a tour, the
   * current step's merged over that, key by key), handed back as written.
   */
  content: { [key: string]: Json } | null;
  /** For a checklist: every item with its state; for a tour: every step. */
  items: ChecklistItem[];
  reasons: Reason[] | null;
  /** Present (true) when the slot shows a preview: nothing about it is recorded. */
  preview?: true;
  /**
   * Present (true) on a decision read from storage before the engine
   * loaded (`lastDecisions`, `onstage/react` before ready): what the slot
   * showed on the user's last visit, to be replaced by the live one.
   */
  stale?: true;
}

/** A previewed experience, and the variation forced (null: the experience's own content). */
export interface PreviewEntry {
  experience: string;
  variation: string | null;
}

/**
 * A preview: an experience id, "experience:variation", several of them
 * separated by commas, an entry, a list of those, or null for none.
 */
export type PreviewSpec = string | { experience: string; variation?: string | null } | Array<string | { experience: string; variation?: string | null }> | null;

export interface Evaluation {
  stage: string | null;
  stageSince: number | null;
  segments: string[];
  signals: Record<string, number | null>;
  /** `distinct` signals whose 1,000-value cap currently limits them. */
  capped: string[];
}

export interface InitOptions {
  /**
   * The config: best its compiled plan (`onstage compile CONFIG` or
   * `npx onstage-compile CONFIG`, or `compileConfig` of onstage/compiler):
   * the plan's text or the object `JSON.parse` makes of it. The page then
   * downloads no config compiler. A raw config (format version 1: its JSON
   * text, where a key given twice is reported as `duplicate_key`, or a
   * plain object) works too: `init` then loads the compiler module first
   * (`loadCompiler`) and compiles it.
   */
  config: ConfigOrPlan;
  userId: string;
  attributes?: { [key: string]: Json };
  entitlements?: { [key: string]: Json };
  /** The user's UTC offset in minutes (+60 for UTC+1); defaults to the browser's. */
  tzOffsetMinutes?: number;
  /** The clock, in milliseconds since the epoch (default `Date.now`); time never goes back. */
  now?: () => number;
  /**
   * Where the WebAssembly module comes from (default: `onstage_bg.wasm` next
   * to this module, which bundlers emit; read from disk in Node): its URL,
   * a `Response`, its bytes or a compiled `WebAssembly.Module` (edge
   * runtimes). Only the first `load`/`init` of a page uses it.
   */
  wasm?: WasmSource;
  /** @deprecated use `wasm` */
  wasmUrl?: string | URL;
  /**
   * Where the compiler's WebAssembly module comes from, when `config` is a
   * raw config (default: `onstage_compiler_bg.wasm` next to this module).
   */
  compilerWasm?: WasmSource;
  /**
   * Where the state is kept between page loads: a Storage (default
   * `localStorage`) or "memory" (nothing saved, no cross-tab sync).
   */
  storage?: Storage | 'memory';
  /**
   * How often (ms, at least 1000; default 30000) decisions are checked for
   * changes that time alone causes, while someone subscribes and the page
   * is visible. Subscribers hear of such a change within this interval.
   */
  refreshInterval?: number;
  /** A preview to start with (see `Onstage.preview`); default: the page URL's `previewParam`. */
  preview?: PreviewSpec;
  /** The URL query parameter read for a preview (default "onstage-preview"); null ignores the URL. */
  previewParam?: string | null;
  onStageChange?: (change: StageChange) => void;
  /**
   * The user's first exposure to a variation, once per user across tabs:
   * called just after the decision (asynchronously where Web Locks exist).
   */
  onExposure?: (exposure: Exposure) => void;
  onWarning?: (warning: Warning) => void;
}

export interface DecideOptions {
  /** Explain why every experience of the slot won or lost. */
  reasons?: boolean;
  /** For tools (an inspector): record nothing, no first exposure; the stage still follows time. */
  dryRun?: boolean;
}

/** What `on(type, listener)` listens to, and the payload of each. */
export interface OnstageEvents {
  stageChange: StageChange;
  exposure: Exposure;
  warning: Warning;
}

export interface Onstage {
  track(name: string, props?: Props, timestamp?: number): void;
  identify(identity: {
    attributes?: { [key: string]: Json };
    entitlements?: { [key: string]: Json };
    tzOffsetMinutes?: number;
  }): void;
  decide(slot: string, options?: DecideOptions): SlotDecision;
  decide(slots: string[] | '*', options?: DecideOptions): Record<string, SlotDecision>;
  shown(experienceId: string): void;
  dismissed(experienceId: string): void;
  converted(experienceId: string): void;
  /**
   * The user finished a step of a tour (in any order; a completed step stays
   * so). Saved and shared with other tabs; not a `shown`. Throws
   * "unknown_tour" / "unknown_step" for ids the config lacks.
   */
  advanced(tourId: string, stepId: string): void;
  evaluate(): Evaluation;
  /**
   * Switches to another config: a compiled plan, or a raw config once the
   * compiler is loaded (`init` loaded it if it was given a raw config; else
   * `await loadCompiler()` first, or this throws "compiler_not_loaded"). An
   * invalid one throws ("invalid_config", with `problems`; "invalid_plan")
   * and the current one stays in force. Unchanged signals keep their data;
   * stage, interactions and exposures carry over.
   */
  setConfig(config: ConfigOrPlan): void;
  /** Imports a summary made by `onstage summarize` from a backend's event export. */
  importSummary(summary: Json): void;
  /** Saves this user's state and loads another's (a shared computer): users never mix. */
  switchUser(
    userId: string,
    identity?: {
      attributes?: { [key: string]: Json };
      entitlements?: { [key: string]: Json };
      tzOffsetMinutes?: number;
    },
  ): void;
  /** The stage changes kept (the last 100), oldest first. */
  stageHistory(): StageChange[];
  /**
   * Calls `listener` (once per tick) whenever a decision may have changed,
   * including by time alone (checked every `refreshInterval` while someone
   * subscribes and the page is visible); returns an unsubscribe function.
   * A `shown` that continues an impression already on screen does not
   * notify, so reporting `shown` on every render is safe.
   */
  subscribe(listener: () => void): () => void;
  /** Checks now whether time alone changed a decision, and tells subscribers if so. */
  refresh(): void;
  /**
   * Forces experiences (and variations) into their slots in this browser;
   * `null` ends it. Previewed slots say `preview: true` and record nothing.
   * Throws "bad_preview", "unknown_experience", "unknown_variation" or
   * "preview_conflict" (and the previous preview stays).
   */
  preview(spec: PreviewSpec): void;
  /** The preview in force. */
  previewing(): PreviewEntry[];
  /** Listens to stage changes, exposures or warnings; returns an unsubscribe function. */
  on<K extends keyof OnstageEvents>(type: K, listener: (payload: OnstageEvents[K]) => void): () => void;
  /** Writes the state now (it is also written shortly after each change and when the page is hidden). */
  flush(): void;
  /** For debugging: where the state lives and what it holds. */
  state(): DebugState;
  /** Saves, stops syncing and frees the wasm memory; later calls throw (code "destroyed"). */
  destroy(): void;
}

export interface DebugState {
  userId: string;
  storage: 'storage' | 'memory';
  storageKey: string;
  /** Size of the engine's stored state, in characters. */
  bytes: number;
  engine: Json;
  /** The config in force, as given (null when it was given as a compiled plan). */
  config: Json;
  preview: PreviewEntry[];
}

/** What `lastDecisions` returns: the last visit's stage and decisions, each `stale: true`. */
export interface LastDecisions {
  stage: string | null;
  decisions: Record<string, SlotDecision>;
}

/**
 * The decisions a user's page last showed, read synchronously from storage
 * without the WebAssembly module: render them on the first paint, then
 * replace them with live ones. Empty for a new user; never throws.
 */
export function lastDecisions(userId: string, options?: { storage?: Storage | 'memory' }): LastDecisions;

/**
 * A compiled plan: what `onstage compile` writes (`{"onstage_plan": 1,
 * "version": ..., ...}`), read by the page's module as it is. Compile it
 * again for each version of onstage (another version's is refused:
 * "invalid_plan").
 */
export interface Plan {
  onstage_plan: number;
  version: string;
  [key: string]: Json;
}

/** A config as `init` and `setConfig` take it: a plan (object or text), or a raw config (object or JSON text). */
export type ConfigOrPlan = Plan | Json | string;

/** Where the WebAssembly module comes from: see `InitOptions.wasm`. */
export type WasmSource =
  | string
  | URL
  | Response
  | PromiseLike<Response>
  | ArrayBuffer
  | ArrayBufferView
  | WebAssembly.Module;

/**
 * Loads the WebAssembly module once (`init` calls it; call it early to start
 * the download). Rejects with code "wasm_load_failed" (and a hint: a CSP
 * without 'wasm-unsafe-eval', an HTML page served for a missing file).
 */
export function load(wasm?: WasmSource): Promise<unknown>;
export function init(options: InitOptions): Promise<Onstage>;
/**
 * Loads the config compiler (onstage/compiler and its WebAssembly module,
 * fetched only now): needed by `setConfig` with a raw config and by
 * `validateConfig`; `init` loads it when given a raw config. Rejects with
 * code "wasm_load_failed"; a later call tries again.
 */
export function loadCompiler(wasm?: WasmSource): Promise<void>;
/** Every problem of a config; needs `loadCompiler()` first (else throws "compiler_not_loaded"). */
export function validateConfig(config: Json | string): Problem[];
export function version(): string;
/** Bytes of wasm linear memory (all instances), for monitoring. */
export function memoryBytes(): number;

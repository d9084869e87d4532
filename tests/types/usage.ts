// Compiled with `tsc --noEmit` against the package's hand-written types
// (js/index.d.ts): a typical host's use of the API must type-check.
import {
  init,
  lastDecisions,
  load,
  loadCompiler,
  validateConfig,
  version,
  type LastDecisions,
  type Onstage,
  type PreviewEntry,
  type Problem,
  type ErrorCode,
  type SlotDecision,
} from '../../crates/wasm/js/index.js';
import { compileConfig, compilerLoaded, isPlan, loadCompiler as loadTheCompiler, validateConfig as validateWithCompiler, type CompiledPlan } from '../../crates/wasm/js/compiler.js';

async function main(config: { version: 1; [key: string]: unknown }): Promise<void> {
  await load();
  console.log(version());
  const problems: Problem[] = validateConfig(config as never);
  if (problems.some((p) => p.severity === 'error')) throw new Error(problems.map((p) => `${p.path}: ${p.message}`).join('\n'));

  const onstage: Onstage = await init({
    config: config as never,
    userId: 'user-42',
    attributes: { id: 'user-42', role: 'admin' },
    entitlements: { seats_licensed: 10, seats_active: 8, limits: { api_units: 10_000 } },
    tzOffsetMinutes: 60,
    storage: 'memory',
    onStageChange: ({ from, to, at }) => console.log(from, '->', to, new Date(at)),
    onExposure: (e) => console.log(e.experiment, e.variation, e.hashValue),
    onWarning: (w) => console.warn(w.code, w.message),
  });

  onstage.track('report_created');
  onstage.track('api_call', { units: 12, endpoint: '/v1/reports', cached: false });
  onstage.track('workspace_created', undefined, Date.now() - 60_000);
  onstage.identify({ tzOffsetMinutes: -300 });

  const home: SlotDecision = onstage.decide('home');
  if (home.experience === 'setup_checklist') {
    for (const item of home.items) console.log(item.id, item.done);
    onstage.shown(home.experience);
  }
  const all = onstage.decide('*', { reasons: true });
  for (const [slot, d] of Object.entries(all)) {
    const title = d.content?.title;
    console.log(slot, d.experience, d.variation, d.holdout, title);
    for (const r of d.reasons ?? []) console.log(r.experience, r.result, r.failed?.join('; '), r.until);
  }
  // A tour: its current step, every step's state, and advancing it.
  const tour = onstage.decide('main');
  if (tour.step !== undefined && tour.experience !== null) {
    const anchor = tour.content?.anchor;
    console.log(tour.step, typeof anchor === 'string' ? anchor : 'no anchor', tour.items.filter((s) => s.done).length);
    onstage.advanced(tour.experience, tour.step);
  }
  for (const r of tour.reasons ?? []) {
    if (r.result === 'completed') console.log(r.steps?.map((s) => `${s.id}:${s.by ?? 'open'}`).join(','));
  }
  const some: Record<string, SlotDecision> = onstage.decide(['home', 'banner']);
  void some;

  const { stage, segments, signals } = onstage.evaluate();
  console.log(stage, segments.join(','), signals.reports_7d ?? 'null');

  const unsubscribe = onstage.subscribe(() => console.log('re-render'));
  unsubscribe();
  try {
    onstage.track('');
  } catch (err) {
    const code: ErrorCode = (err as import('../../crates/wasm/js/index.js').OnstageError).code;
    // Codes are a union of string literals: a switch over them is checked.
    if (code === 'bad_event_name') console.log(code);
    // @ts-expect-error not a code onstage gives
    if (code === 'bad_event') console.log(code);
  }
  onstage.setConfig(config as never);
  onstage.importSummary({ format: 'onstage-summary', version: 1, user: 'user-42', as_of: 0, signals: {} });
  onstage.switchUser('user-43', { attributes: { id: 'user-43' } });
  console.log(onstage.state().bytes);
  onstage.dismissed('win_back');
  onstage.converted('upgrade_seats');
  onstage.flush();

  // Loading options, preview, time, events, stale decisions (issue 12).
  await load(new URL('/assets/onstage_bg.wasm', 'https://example.com'));
  await load(new Uint8Array([0, 97, 115, 109]));
  void init({ config: {}, userId: 'u', wasm: new WebAssembly.Module(new Uint8Array()), refreshInterval: 15_000, previewParam: null });
  void init({ config: {}, userId: 'u', preview: 'upgrade_seats:roi,setup_checklist' });
  onstage.preview({ experience: 'upgrade_seats', variation: 'roi' });
  onstage.preview(['setup_checklist', { experience: 'win_back' }]);
  onstage.preview(null);
  const previewed: PreviewEntry[] = onstage.previewing();
  console.log(previewed.map((p) => `${p.experience}:${p.variation ?? ''}`));
  const banner = onstage.decide('banner', { reasons: true, dryRun: true });
  if (banner.preview) console.log(banner.reasons?.[0]?.normally);
  onstage.refresh();
  const off = onstage.on('exposure', (e) => console.log(e.experiment, e.variation));
  onstage.on('stageChange', ({ from, to }) => console.log(from, to));
  off();
  const last: LastDecisions = lastDecisions('user-42');
  for (const [slot, d] of Object.entries(last.decisions)) if (d.stale) console.log(slot, d.experience, last.stage);
  // @ts-expect-error only three event types
  onstage.on('decision', () => {});
  // @ts-expect-error a preview is ids, not a number
  onstage.preview(3);

  // Misuse must not type-check (tsc fails when an expected error is missing):
  // @ts-expect-error props are flat scalars
  onstage.track('x', { nested: { a: 1 } });
  // @ts-expect-error a slot decision is not a record of slots
  const wrong: Record<string, SlotDecision> = onstage.decide('home');
  void wrong;
  // @ts-expect-error advanced needs the step id
  onstage.advanced('onboarding');
  // @ts-expect-error a step is not a shown: `shown` takes one id
  onstage.shown('onboarding', 'create_project');
  // @ts-expect-error storage is a Storage or "memory"
  void init({ config: {}, userId: 'u', storage: 'indexeddb' });
  onstage.destroy();
}

// Plans (issue 11): compiled ahead of time, read by the page's module as they are.
async function plans(config: { version: 1; [key: string]: unknown }, planText: string): Promise<void> {
  await loadTheCompiler(new URL('/assets/onstage_compiler_bg.wasm', 'https://example.com'));
  const compiled: CompiledPlan = compileConfig(config as never);
  for (const w of compiled.warnings) console.warn(w.code, w.path);
  const fromText = await init({ config: compiled.plan, userId: 'u' });
  const fromObject = await init({ config: JSON.parse(planText), userId: 'u', compilerWasm: '/assets/onstage_compiler_bg.wasm' });
  await loadCompiler();
  fromObject.setConfig(config as never);
  fromText.setConfig({ onstage_plan: 1, version: '0.1.0', plan: [] });
  console.log(compilerLoaded(), isPlan(planText), validateWithCompiler(config as never).length);
  try {
    fromText.setConfig(config as never);
  } catch (err) {
    const code: ErrorCode = (err as import('../../crates/wasm/js/index.js').OnstageError).code;
    if (code === 'compiler_not_loaded' || code === 'invalid_plan') console.log(code);
  }
  // @ts-expect-error a plan's text is a string, not a number
  const n: number = compiled.plan;
  void n;
}

void main;
void plans;

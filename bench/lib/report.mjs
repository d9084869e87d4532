// Budgets and the markdown report, from bench/results.json's object.
// Used by scripts/bench.mjs (printed after a run) and
// scripts/bench-readme.mjs (the README's Performance section), so that no
// figure is ever typed by hand.

const KB = 1000;

const us = (x) => (x === undefined || x === null ? '–' : x < 10 ? x.toFixed(2) : x < 100 ? x.toFixed(1) : x.toFixed(0));
const ms = (x) => (x === undefined || x === null ? '–' : x.toFixed(2));
const times = (x) => (x === undefined || x === null || !Number.isFinite(x) ? '–' : x < 10 ? x.toFixed(2) : x.toFixed(1));
const int = (x) => (x === undefined || x === null ? '–' : Math.round(x).toLocaleString('en-US'));
const kb = (bytes) => (bytes === undefined || bytes === null ? '–' : `${(bytes / KB).toFixed(1)} KB`);
const medp95 = (s, f = us) => (s ? `${f(s.median_us ?? s.median_ms)} (${f(s.p95_us ?? s.p95_ms)})` : '–');

/**
 * The performance issue's budgets, each {id, label, budget, measured, met}.
 * `met` is null when the figure is missing (that part did not run).
 */
export function checkBudgets(r) {
  const sizes = r.browser?.sizes ?? {};
  const largest = sizes['10000'];
  const out = [];
  const add = (id, label, budget, measured, met) => out.push({ id, label, budget, measured, met: measured === null ? null : met });

  const vsGb = largest ? largest.onstage_decide.median_us / largest.growthbook_conditions.median_us : null;
  add('decide_vs_growthbook', 'decide(all slots) at 10,000 events vs GrowthBook, conditions only', '≤ 0.7×',
    vsGb === null ? null : `${times(vsGb)}× (${us(largest.onstage_decide.median_us)} µs vs ${us(largest.growthbook_conditions.median_us)} µs)`,
    vsGb !== null && vsGb <= 0.7);
  const vsHand = largest ? largest.handwritten.median_us / largest.onstage_decide.median_us : null;
  add('decide_vs_handwritten', 'decide(all slots) at 10,000 events vs hand-written JS', '≥ 20× faster',
    vsHand === null ? null : `${times(vsHand)}× faster (${us(largest.handwritten.median_us)} µs vs ${us(largest.onstage_decide.median_us)} µs)`,
    vsHand !== null && vsHand >= 20);

  const trackMedians = Object.values(sizes).map((s) => s.onstage_track.median_us);
  const worstTrack = trackMedians.length ? Math.max(...trackMedians) : null;
  add('track_median', 'track() median, worst history size', '≤ 1 µs',
    worstTrack === null ? null : `${us(worstTrack)} µs`, worstTrack !== null && worstTrack <= 1);
  const t100 = sizes['100']?.onstage_track.median_us;
  const t10k = largest?.onstage_track.median_us;
  const flat = t100 && t10k ? t10k / t100 : null;
  add('track_flat', 'track() flat across history sizes (median at 10,000 / at 100)', '≤ 1.5×',
    flat === null ? null : `${times(flat)}× (${us(t100)} → ${us(t10k)} µs)`, flat !== null && flat <= 1.5);

  const bundle = r.sizes?.onstage_total?.brotli ?? null;
  add('bundle_brotli', `default entry, brotli (${Object.keys(r.sizes?.files ?? {}).join(', ')})`, `≤ ${60 * KB / KB} KB`,
    bundle === null ? null : kb(bundle), bundle !== null && bundle <= 60 * KB);

  for (const visit of ['first', 'returning']) {
    const o = r.cold_start?.onstage?.[visit]?.total ?? null;
    const g = r.cold_start?.growthbook?.[visit]?.total ?? null;
    const label = visit === 'first' ? 'first visit' : 'returning visit (cached)';
    add(`cold_start_${visit}`, `cold start, ${label}: navigation → first decision, 1,000 events stored, vs GrowthBook (import + new GrowthBook + 20 conditions), medians`, '≤ GrowthBook',
      o === null || g === null ? null : `${ms(o.median_ms)} ms vs ${ms(g.median_ms)} ms (p95 ${ms(o.p95_ms)} vs ${ms(g.p95_ms)} ms)`,
      o !== null && g !== null && o.median_ms <= g.median_ms);
  }

  const heavy = r.heavy ?? null;
  const persisted = heavy ? Math.max(heavy.state_bytes, heavy.localstorage_value_length ?? 0) : null;
  add('persisted', `persisted state, heavy user (${heavy ? int(heavy.events) : '–'} events over 90 days)`, `≤ ${64} KB`,
    persisted === null ? null : `${kb(persisted)} (state ${int(heavy.state_bytes)} chars, localStorage value ${int(heavy.localstorage_value_length)} chars)`,
    persisted !== null && persisted <= 64 * KB);

  const sim = r.native_simulate ?? null;
  // Per core: events per CPU-second of the single-threaded process (the
  // wall clock of a shared machine counts other people's work too).
  add('native_simulate', 'native simulate, events per second per core (CPU time, median run)', '≥ 2,000,000/s',
    sim ? `${int(sim.events_per_s_cpu.median)}/s (wall clock: ${int(sim.events_per_s_wall.median)}/s)` : null,
    sim !== null && sim.events_per_s_cpu.median >= 2e6);
  // The bulk path (onstage batch over Parquet): the same core replay, with
  // reading, grouping by user and writing counted in.
  const batch = r.batch?.threads_1 ?? null;
  add('batch', `onstage batch, events per second per core (CPU time, 1 thread, ${r.batch ? int(r.batch.events) : '–'} events, Parquet in and out)`, '≥ 2,000,000/s',
    batch ? `${int(batch.events_per_s_per_core_cpu)}/s (2 threads: ${int(r.batch.threads_2.events_per_s_per_core_cpu)}/s per core)` : null,
    batch !== null && batch.events_per_s_per_core_cpu >= 2e6);
  return out;
}

function machineLine(r) {
  const m = r.machine;
  const load = m.load_average_1m ? `, load average ${m.load_average_1m.start} at the start and ${m.load_average_1m.end} at the end (shared machine)` : '';
  return `${m.cpu}, ${m.cores} cores${load}, ${m.os}; Node ${m.node}, Chromium ${m.chromium}; ${m.date.slice(0, 10)}, commit ${m.commit.slice(0, 10)}${m.dirty ? ' (uncommitted changes)' : ''}`;
}

/** The markdown report: tables, budgets, machine line. */
export function renderMarkdown(r) {
  const lines = [];
  const sizes = r.browser?.sizes ?? {};
  const keys = Object.keys(sizes).sort((a, b) => Number(a) - Number(b));
  const head = `| per call, median (p95), µs | ${keys.map((k) => `${int(Number(k))} events`).join(' | ')} |`;
  lines.push(head, `|---|${keys.map(() => '---:').join('|')}|`);
  const row = (label, f) => lines.push(`| ${label} | ${keys.map((k) => f(sizes[k])).join(' | ')} |`);
  row('the user at the end: stage (segments)', (s) => `${s.stage} (${s.segments.join(', ')})`);
  row('onstage `decide("*")`, each at a new millisecond (everything evaluated afresh)', (s) => medp95(s.onstage_decide));
  row('onstage `decide("*", {reasons: true})`, each at a new millisecond', (s) => medp95(s.onstage_decide_reasons));
  row('onstage `decide("*")` again at the same moment (the evaluation is reused)', (s) =>
    s.onstage_decide_same_moment ? medp95(s.onstage_decide_same_moment) : 'n/a');
  row(`GrowthBook \`evalCondition\`, ${r.browser?.conditions ?? 20} conditions on precomputed signals`, (s) => medp95(s.growthbook_conditions));
  row('hand-written JS: 16 signals by scanning the events + the same conditions', (s) => medp95(s.handwritten));
  row('onstage `track()` per event', (s) => medp95(s.onstage_track));
  row('ratio: decide / GrowthBook conditions', (s) => `${times(s.onstage_decide.median_us / s.growthbook_conditions.median_us)}×`);
  row('ratio: hand-written / decide (speed-up)', (s) => `${times(s.handwritten.median_us / s.onstage_decide.median_us)}×`);
  const wb = r.browser?.wasm_binding;
  if (wb) {
    lines.push('', `The wasm binding alone at ${int(wb.events)} events (no wrapper, no \`JSON.parse\`), median (p95) µs: ` +
      `decide ${medp95(wb.wasm_decide)}, decide with reasons ${medp95(wb.wasm_decide_reasons)}, ` +
      `decide + \`JSON.parse\` ${medp95(wb.wasm_decide_parse)}, evaluate ${medp95(wb.wasm_evaluate)}, ` +
      `track ${medp95(wb.wasm_track)}, track without props ${medp95(wb.wasm_track_no_props)}.`);
  }

  lines.push('', '| other measures | value |', '|---|---:|');
  const s = r.sizes;
  if (s) {
    const f = s.files;
    const show = (x) => `${int(x.raw)} / ${int(x.gzip)} / ${int(x.brotli)} B`;
    lines.push(`| \`onstage_bg.wasm\` raw / gzip / brotli | ${show(f['onstage_bg.wasm'])} |`);
    lines.push(`| JS of the default entry (${Object.keys(f).filter((n) => n.endsWith('.js')).map((n) => `\`${n}\``).join(', ')}) raw / gzip / brotli | ${show(s.onstage_js)} |`);
    lines.push(`| default entry total (wasm + JS) raw / gzip / brotli | ${show(s.onstage_total)} |`);
    if (s.compiler_module) lines.push(`| compiler module, loaded only for a raw config (${Object.keys(s.compiler_module.files).map((n) => `\`${n}\``).join(', ')}) raw / gzip / brotli | ${show(s.compiler_module.total)} |`);
    lines.push(`| GrowthBook \`${s.growthbook.file}\` raw / gzip / brotli | ${show(s.growthbook)} |`);
    const path = s.cold_path;
    if (path) {
      const phases = Object.entries(path.phases).map(([phase, p]) => `${phase} ${int(p.bytes)}`).join(', ');
      lines.push(`| wasm code run to the first decision, compiled lazily on the way (\`scripts/cold-path.mjs\`): of ${int(path.module.bytes)} B | ${int(path.on_path.bytes)} B in ${int(path.on_path.functions)} functions (${phases}) |`);
    }
  }
  const h = r.heavy;
  if (h) {
    lines.push(`| heavy user (${int(h.events)} events over ${h.days} days): \`state().bytes\` / localStorage value after \`flush()\` | ${int(h.state_bytes)} / ${int(h.localstorage_value_length)} chars |`);
    lines.push(`| … wasm linear memory (\`memoryBytes()\`) after loading that history | ${int(h.memory_bytes)} B (${int(h.memory_bytes_at_load)} B at load) |`);
  }
  const n = r.native_simulate;
  if (n) {
    lines.push(`| native \`onstage simulate --no-reasons\`: ${int(n.users)} users, ${int(n.track_steps)} tracks + ${int(n.decide_steps)} decides (${n.runs} runs), events/s median (wall / CPU) | ${int(n.events_per_s_wall.median)} / ${int(n.events_per_s_cpu.median)} |`);
  }

  if (r.cold_start) lines.push('', renderColdMarkdown(r.cold_start));
  if (r.cold_start?.note) lines.push('', `Cold starts: ${r.cold_start.note}.`);
  if (r.native_note) lines.push('', `Sizes, native simulate and onstage batch: ${r.native_note}.`);

  lines.push('', '| budget | target | measured | |', '|---|---|---|---|');
  for (const b of checkBudgets(r)) {
    lines.push(`| ${b.label} | ${b.budget} | ${b.measured ?? 'not measured'} | ${b.met === null ? '–' : b.met ? 'met' : '**missed**'} |`);
  }
  lines.push('', `Machine: ${machineLine(r)}. Timings are medians and 95th percentiles over ${r.browser?.batches ?? '–'} batches of the per-call time (batches of the compared operations interleaved); KB = 1,000 bytes. Generated by \`npm run bench\` from \`bench/results.json\`.`);
  return lines.join('\n');
}

const COLD_COLUMNS = [
  ['empty', 'empty page'],
  ['growthbook', 'GrowthBook'],
  ['onstage_plain', 'onstage, no hints'],
  ['onstage', 'onstage, preload hints'],
];

const COLD_ROWS = [
  ['total', '**navigation → first decision**'],
  ['after_html', '**HTML received → first decision**'],
  ['html', 'navigation → page script runs (HTML)'],
  ['from_script', 'page script → first decision'],
  ['js_fetch', 'JS module fetch (request → last byte)'],
  ['import', 'page script → module evaluated'],
  ['wasm_requested', 'wasm requested, after the page script started'],
  ['wasm_fetch', 'wasm fetch (request → last byte)'],
  ['wasm_compile', 'wasm compile + instantiate after its last byte'],
  ['config', '`init`: the config (its plan read)'],
  ['restore', '`init`: restore the stored user'],
  ['init_other', '`init`: the rest (identify, storage, tabs)'],
  ['evaluate', '`new GrowthBook` + 20 conditions'],
  ['decide', 'first `decide("*")`'],
];

/** The cold-start tables (first visit, returning visit): medians (p95), ms. */
export function renderColdMarkdown(c) {
  const lines = [];
  for (const [visit, title] of [['first', 'first visit (nothing cached)'], ['returning', 'returning visit (HTTP cache, code caches)']]) {
    const cols = COLD_COLUMNS.filter(([k]) => c[k]?.[visit]);
    if (cols.length === 0) continue;
    const runs = c[cols[0][0]][visit].runs;
    if (lines.length) lines.push('');
    lines.push(`| cold start, ${title}, ${runs} fresh profiles: median (p95) ms | ${cols.map(([, name]) => name).join(' | ')} |`);
    lines.push(`|---|${cols.map(() => '---:').join('|')}|`);
    for (const [key, label] of COLD_ROWS) {
      if (!cols.some(([k]) => c[k][visit][key])) continue;
      lines.push(`| ${label} | ${cols.map(([k]) => medp95(c[k][visit][key], ms)).join(' | ')} |`);
    }
  }
  if (c.warm_page) {
    lines.push('', `The same work in a warm page (assets loaded, JIT warm): \`init\` from the stored state + first decision ${medp95(c.warm_page.init_restore_decide, ms)} ms; compiling the config alone (the compiler module) ${medp95({ median_ms: c.warm_page.compile_config.median_us / 1000, p95_ms: c.warm_page.compile_config.p95_us / 1000 }, ms)} ms${c.warm_page.read_plan ? `, reading its plan (the page's module) ${medp95({ median_ms: c.warm_page.read_plan.median_us / 1000, p95_ms: c.warm_page.read_plan.p95_us / 1000 }, ms)} ms` : ''}. Stored state: ${int(c.stored_state_chars)} characters.`);
  }
  return lines.join('\n');
}

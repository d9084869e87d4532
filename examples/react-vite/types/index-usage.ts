// onstage: loading options, preview, time, events, stale decisions.
import { init, lastDecisions, load, type LastDecisions, type Onstage, type SlotDecision } from 'onstage';

export async function start(config: { version: 1 }, wasmBytes: ArrayBuffer, module: WebAssembly.Module): Promise<Onstage> {
  await load(new URL('/assets/onstage_bg.wasm', location.href));
  await load(wasmBytes);
  const last: LastDecisions = lastDecisions('ada');
  const banner: SlotDecision | undefined = last.decisions.banner;
  if (banner?.stale) console.log(banner.experience);
  const onstage = await init({ config, userId: 'ada', wasm: module, refreshInterval: 10_000, previewParam: 'preview', preview: 'upgrade_seats:roi' });
  onstage.preview([{ experience: 'upgrade_seats', variation: 'roi' }, 'setup_checklist']);
  onstage.preview(null);
  const d = onstage.decide('banner', { reasons: true, dryRun: true });
  if (d.preview) console.log(d.reasons?.[0]?.normally);
  onstage.refresh();
  const off = onstage.on('exposure', (e) => console.log(e.experiment, e.variation));
  off();
  // @ts-expect-error a preview is ids
  onstage.preview(42);
  // @ts-expect-error refreshInterval is a number of ms
  void init({ config, userId: 'x', refreshInterval: '30s' });
  return onstage;
}

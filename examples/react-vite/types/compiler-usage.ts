// onstage/compiler: a config to its plan (editors, tools, build scripts).
import { init, loadCompiler as loadFromIndex, type ErrorCode } from 'onstage';
import { compileConfig, loadCompiler, validateConfig, type CompiledPlan } from 'onstage/compiler';

export async function check(config: { version: 1 }): Promise<void> {
  await loadCompiler();
  await loadFromIndex(new URL('/assets/onstage_compiler_bg.wasm', 'https://example.com'));
  const { plan, warnings }: CompiledPlan = compileConfig(config);
  for (const w of warnings) console.warn(w.code, w.path, w.message);
  const onstage = await init({ config: plan, userId: 'u' });
  onstage.setConfig(JSON.parse(plan));
  console.log(validateConfig(config).filter((p) => p.severity === 'error').length);
  const code: ErrorCode = 'compiler_not_loaded';
  void code;
  // @ts-expect-error compileConfig returns {plan, warnings}, not the text
  const text: string = compileConfig(config);
  void text;
}

// `onstage batch` throughput (issue 14), run by scripts/bench.sh after
// bench.mjs: a deterministic population (crates/cli/examples/population.rs,
// 100,000 users x 100 events = 10,000,000 events of the saas config,
// Parquet, made once in bench/tmp/), evaluated at its end by the release
// CLI with --threads 1 and --threads 2, RUNS runs each, interleaved.
// Events per second per core = events / CPU time (user + sys of the
// process); wall-clock figures beside. The two thread counts must write
// the same bytes (checked). Merges a `batch` section into
// bench/results.json (bench/tmp/results-quick.json with --quick: 1,000,000
// events, one run each).
//
//   node scripts/bench-batch.mjs [--quick]
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createHash } from 'node:crypto';
import os from 'node:os';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const QUICK = process.argv.includes('--quick');
const USERS = QUICK ? 10_000 : 100_000;
const PER_USER = 100;
const RUNS = QUICK ? 1 : 3;
const CONFIG = join(ROOT, '..', 'shared', 'examples', 'saas.json');
const AS_OF = '2026-03-01T00:00:00Z';
const say = (m) => process.stderr.write(`bench-batch: ${m}\n`);

function targetDir() {
  const meta = JSON.parse(execFileSync('cargo', ['metadata', '--format-version', '1', '--no-deps'], { cwd: ROOT, encoding: 'utf8' }));
  return meta.target_directory;
}

/** One run: wall time, CPU time of the child (bash `times`), and the output's digest. */
function run(bin, input, threads, out) {
  return new Promise((resolve, reject) => {
    const script = '"$0" batch "$1" "$2" --as-of "$3" --threads "$4" --out "$5"; s=$?; times >&2; exit $s';
    const t0 = process.hrtime.bigint();
    const child = spawn('bash', ['-c', script, bin, CONFIG, input, AS_OF, String(threads), out], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => {
      const wall = Number(process.hrtime.bigint() - t0) / 1e9;
      if (code !== 0) return reject(new Error(`onstage batch exited ${code}: ${err}`));
      const lines = err.trim().split('\n');
      const m = lines[lines.length - 1].match(/(\d+)m([\d.]+)s\s+(\d+)m([\d.]+)s/);
      const cpu = m ? Number(m[1]) * 60 + Number(m[2]) + Number(m[3]) * 60 + Number(m[4]) : NaN;
      const digest = createHash('sha256').update(readFileSync(out)).digest('hex');
      resolve({ wall_s: wall, cpu_s: cpu, digest });
    });
  });
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};

async function main() {
  const release = join(targetDir(), 'release');
  say('cargo build --release -p onstage-cli --bin onstage --example population');
  execFileSync('cargo', ['build', '--release', '-p', 'onstage-cli', '--bin', 'onstage', '--example', 'population'], {
    cwd: ROOT,
    stdio: 'inherit',
  });
  const tmp = join(ROOT, 'bench', 'tmp');
  mkdirSync(tmp, { recursive: true });
  const input = join(tmp, `population-${USERS}x${PER_USER}.parquet`);
  if (!existsSync(input)) {
    say(`generating ${(USERS * PER_USER).toLocaleString('en-US')} events -> ${input}`);
    execFileSync(join(release, 'examples', 'population'), [input, String(USERS), String(PER_USER), '1'], { stdio: 'inherit' });
  }
  const events = USERS * PER_USER;
  const bin = join(release, 'onstage');
  const byThreads = { 1: [], 2: [] };
  for (let i = 0; i < RUNS; i++) {
    for (const threads of [1, 2]) {
      const r = await run(bin, input, threads, join(tmp, `batch-rows-${threads}.parquet`));
      say(`threads ${threads}, run ${i + 1}: ${r.wall_s.toFixed(2)} s wall, ${r.cpu_s.toFixed(2)} s CPU`);
      byThreads[threads].push(r);
    }
  }
  const digests = new Set([...byThreads[1], ...byThreads[2]].map((r) => r.digest));
  if (digests.size !== 1) throw new Error('--threads 1 and --threads 2 wrote different outputs');
  const summary = (threads) => {
    const runs = byThreads[threads];
    const wall = median(runs.map((r) => r.wall_s));
    const cpu = median(runs.map((r) => r.cpu_s));
    return {
      threads,
      runs: runs.map(({ wall_s, cpu_s }) => ({ wall_s, cpu_s })),
      wall_s_median: wall,
      cpu_s_median: cpu,
      events_per_s_wall: events / wall,
      events_per_s_per_core_cpu: events / cpu,
    };
  };
  const one = summary(1);
  const two = summary(2);
  const section = {
    command: `onstage batch saas.json population.parquet --as-of ${AS_OF} --threads N --out rows.parquet (release build)`,
    population: `crates/cli/examples/population.rs: ${USERS} users x ${PER_USER} events, seed 1, Parquet (snappy)`,
    events,
    users: USERS,
    runs_per_thread_count: RUNS,
    note: 'includes reading the Parquet file, grouping and sorting by user and time, and writing one Parquet row per user; CPU time is user + sys of the process',
    cores: os.cpus().length,
    load_average_1m_start: os.loadavg()[0],
    threads_1: one,
    threads_2: two,
    scaling_wall_2_over_1: one.wall_s_median / two.wall_s_median,
    same_output_for_1_and_2_threads: true,
    date: new Date().toISOString(),
  };
  const path = join(ROOT, 'bench', QUICK ? 'tmp/results-quick.json' : 'results.json');
  const results = existsSync(path) ? JSON.parse(readFileSync(path, 'utf8')) : {};
  results.batch = section;
  writeFileSync(path, `${JSON.stringify(results, null, 2)}\n`);
  say(
    `1 thread: ${Math.round(one.events_per_s_per_core_cpu).toLocaleString('en-US')} events/s per core (CPU), ` +
      `${Math.round(one.events_per_s_wall).toLocaleString('en-US')}/s wall; 2 threads: ` +
      `${Math.round(two.events_per_s_per_core_cpu).toLocaleString('en-US')} events/s per core (CPU), ` +
      `${Math.round(two.events_per_s_wall).toLocaleString('en-US')}/s wall -> ${path}`,
  );
}

main().catch((e) => {
  process.stderr.write(`bench-batch: ${e.stack || e}\n`);
  process.exit(1);
});

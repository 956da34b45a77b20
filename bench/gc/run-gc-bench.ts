// `npm run bench:gc`: the side-by-side of the simulator and CPython on the same 1M-node graphs.
// Generates bench/out/gc/{garbage,live}-1m.heapgraph if missing, then for each graph runs
//   node --expose-gc --import tsx bench/gc/traverse-guard-src.ts gc-bench FILE --python 3.11 --runs N
//   python3.11 bench/gc/cpython-gc-bench.py FILE --runs N
//   node --expose-gc --import tsx bench/gc/sim-memory.ts FILE
// and prints their JSON lines and a summary. Env: GC_BENCH_RUNS (default 5), GC_BENCH_PYTHON
// (a CPython binary; default: pyenv's 3.11 under $PYENV_ROOT or ~/.pyenv, else python3 on PATH),
// GC_BENCH_NODES (default 1e6).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { homedir, loadavg } from 'node:os';
import { join } from 'node:path';

const root = new URL('../../', import.meta.url).pathname;
const out = join(root, 'bench/out/gc');
const runs = process.env.GC_BENCH_RUNS ?? '5';
const nodes = process.env.GC_BENCH_NODES ?? '1000000';

function findPython(): string {
  if (process.env.GC_BENCH_PYTHON) return process.env.GC_BENCH_PYTHON;
  const pyenv = join(process.env.PYENV_ROOT || join(homedir(), '.pyenv'), 'versions');
  const v311 = existsSync(pyenv) ? readdirSync(pyenv).find((v) => v.startsWith('3.11.')) : undefined;
  return v311 ? join(pyenv, v311, 'bin/python3') : 'python3';
}

function run(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { cwd: root, encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}):\n${r.stderr}`);
  return r.stdout.trim();
}

const node = ['--expose-gc', '--import', 'tsx'];
const python = findPython();
mkdirSync(out, { recursive: true });
const rows: string[] = [];
for (const variant of ['garbage', 'live'] as const) {
  const file = join(out, `${variant}-${nodes === '1000000' ? '1m' : nodes}.heapgraph`);
  if (!existsSync(file)) run('node', ['--import', 'tsx', 'bench/gc/generate-heapgraph.ts', '--variant', variant, '--nodes', nodes, '--out', file]);
  const sim = JSON.parse(run('node', [...node, 'bench/gc/traverse-guard-src.ts', 'gc-bench', file, '--python', '3.11', '--runs', runs]));
  const cpy = JSON.parse(run(python, ['bench/gc/cpython-gc-bench.py', file, '--runs', runs]));
  const mem = JSON.parse(run('node', [...node, 'bench/gc/sim-memory.ts', file]));
  console.log(`${variant} simulator ${JSON.stringify(sim)}`);
  console.log(`${variant} cpython   ${JSON.stringify(cpy)}`);
  console.log(`${variant} memory    ${JSON.stringify(mem)}`);
  if (sim.collected !== cpy.collected) console.log(`${variant}: COUNT MISMATCH simulator ${sim.collected} vs CPython ${cpy.collected}`);
  rows.push(
    `${variant.padEnd(8)} collected ${String(sim.collected).padStart(7)}  simulator ${sim.seconds.toFixed(3)} s  ` +
      `CPython ${cpy.python} ${cpy.seconds.toFixed(3)} s  ratio ${(sim.seconds / cpy.seconds).toFixed(2)}x  ` +
      `node heapUsed ${mem.heapUsedMB} MB + ${mem.typedArraysMB} MB typed arrays`,
  );
}
const load = loadavg().map((l) => l.toFixed(1)).join(' ');
console.log(`\nfull gc.collect(), best of ${runs}, ${nodes} nodes (load average ${load}; wall-clock figures are only comparable on an idle machine):`);
for (const r of rows) console.log(r);

// `npm run fuzz [-- --seed N --runs M --depth D --print]`: the long fuzz campaign. Prints the
// seed first (replay with --seed), then per program its lint and simulator verdicts; on a
// failure, fast-check's report (seed, path, shrunk counterexample) and the program's source.
import fc from 'fast-check';
import { programArb, printProgram, type Program } from '../../test/check/fuzz/grammar.js';
import { describeJudgement, judgeSource } from '../../test/check/fuzz/property.js';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const seed = Number(arg('seed') ?? (Date.now() ^ (Math.random() * 0x100000000)) | 0);
const numRuns = Number(arg('runs') ?? 300);
const depth = Number(arg('depth') ?? 2);
const path = arg('path');
const print = process.argv.includes('--print');

console.log(`fuzz: seed ${seed}, ${numRuns} runs, depth ${depth} (replay: npm run fuzz -- --seed ${seed} --runs ${numRuns})`);
const t0 = performance.now();
let n = 0;
let flagged = 0;
let lastFailure: { source: string; account: string } | undefined;
const result = fc.check(
  fc.property(programArb({ depth }), (prog: Program) => {
    const source = printProgram(prog);
    const j = judgeSource(source);
    n++;
    if (j.lint.flagged) flagged++;
    if (print) console.log(`--- #${n}\n${source}\n${describeJudgement(j)}`);
    else if (n % 10 === 0) console.log(`  ${n} programs (${flagged} flagged), ${((performance.now() - t0) / 1000).toFixed(0)} s`);
    if (!j.ok) {
      lastFailure = { source, account: describeJudgement(j) };
      if (!print) console.log(`  failure at program ${n} (shrinking…): ${j.problem}`);
    }
    return j.ok;
  }),
  { seed, numRuns, ...(path ? { path } : {}) },
);
const secs = ((performance.now() - t0) / 1000).toFixed(1);
if (result.failed) {
  console.log(fc.defaultReportMessage(result));
  if (lastFailure) console.log(`\nThe smallest failing program:\n${lastFailure.source}\n${lastFailure.account}`);
  console.log(`\nFAILED after ${n} programs in ${secs} s (seed ${seed})`);
  process.exit(1);
}
console.log(`ok: ${result.numRuns} programs (${flagged} flagged), property held, ${secs} s (seed ${seed})`);

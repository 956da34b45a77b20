// vitest global setup: runs `npm run build` once before any test, because
// `traverse-guard check` runs each file in an isolated worker process that loads
// dist/src/check/worker-main.js and the compiled API (see src/check/isolate.ts).
import { execSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export default function setup(): void {
  const root = fileURLToPath(new URL('..', import.meta.url));
  try {
    execSync('npm run build --silent', { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    // tsc still emits dist/ when some file has a type error (another test will report it).
    const out = String((e as { stdout?: Buffer }).stdout ?? '');
    process.stderr.write(`test/global-setup: npm run build reported errors; dist/ was still emitted\n${out.slice(0, 2000)}\n`);
  }
}

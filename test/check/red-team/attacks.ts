// The red team's files: each attack a checked file might make on the verdict, the parent or
// the machine, next to innocent files checked in the same run. Every file that defines a class
// defines one whose true verdict is known: TAKES (flagged, and it breaks: .take() in traverse).

/** A class the lint flags and the simulator breaks: its true status is broke-when-flagged. */
export const takes = (name: string) => `pyclass('${name}', {
  fields: { inner: field.cell() },
  traverse(self, visit) {
    (self.inner as unknown as RefCell).take();
    visit.call(self.inner.get());
  },
  clear(self) {
    self.inner.take();
  },
})`;

const head = `import { field, pyclass, gc, Interpreter, type RefCell } from 'traverse-guard';\nvoid gc; void Interpreter;\n`;

export const ATTACKS: Readonly<Record<string, string>> = {
  // Forged result lines on its own stdout (the old protocol's markers, and plausible JSON).
  'forge-stdout.ts': `// Prints forged results.\n${head}
const fake = JSON.stringify({ id: 1, ok: true, result: { classes: [], runs: 0, seconds: 0 } });
for (let id = 0; id < 50; id++) console.log('@@traverse-guard-result ' + fake.replace('"id":1', '"id":' + id));
export const Forged = ${takes('Forged')};
`,
  // Reaches for the worker's realm through an API function's constructor.
  'escape-constructor.ts': `// Tries to compile code in the worker's realm.\n${head}
const F = (pyclass as unknown as { constructor: (src: string) => () => unknown }).constructor;
export const leaked = F('return process')();
`,
  // Patches its own realm's intrinsics; its class must keep its true verdict.
  'patch-intrinsics.ts': `// Patches intrinsics and the stack trace limit.\n${head}
Array.prototype.push = function () { return 0; };
JSON.stringify = () => '{"id":1,"ok":true,"result":{"classes":[],"runs":0,"seconds":0}}';
(Object.prototype as unknown as { toJSON: () => unknown }).toJSON = () => ({ forged: true });
Error.stackTraceLimit = 0;
try { (globalThis as unknown as { process: { stdout: { write: unknown } } }).process.stdout.write = () => true; } catch { /* no process here */ }
export const Patched = ${takes('Patched')};
`,
  // Patches the API's objects: they are frozen, so loading fails (a per-file error).
  'patch-interpreter.ts': `// Patches Interpreter.prototype.run.\n${head}
(Interpreter.prototype as unknown as { run: unknown }).run = () => ({ verdict: 'ok' });
export const P = ${takes('PatchInterp')};
`,
  'patch-gc.ts': `// Patches gc.collect.\n${head}
(gc as unknown as { collect: unknown }).collect = () => 0;
export const P = ${takes('PatchGc')};
`,
  // Leaves a timer that would patch things later.
  'interval.ts': `// Leaves an interval behind.\n${head}
setInterval(() => { Array.prototype.push = () => 0; console.log('still here'); }, 1);
export const Interval = ${takes('Interval')};
`,
  // Network: TCP, UDP, listen, DNS, unix socket, fetch.
  'net-tcp.ts': `${head}import net from 'node:net';\nexport const s = net.connect(80, '1.1.1.1');\nexport const NetTcp = ${takes('NetTcp')};\n`,
  'net-udp.ts': `${head}import dgram from 'node:dgram';\nexport const s = dgram.createSocket('udp4');\nexport const NetUdp = ${takes('NetUdp')};\n`,
  'net-listen.ts': `${head}import http from 'node:http';\nexport const s = http.createServer().listen(0);\nexport const NetListen = ${takes('NetListen')};\n`,
  'net-dns.ts': `${head}import dns from 'node:dns';\nexport const p = dns.promises.lookup('example.com');\nexport const NetDns = ${takes('NetDns')};\n`,
  'net-unix.ts': `${head}import net from 'node:net';\nexport const s = net.connect('/var/run/docker.sock');\nexport const NetUnix = ${takes('NetUnix')};\n`,
  'net-fetch.ts': `${head}// fetch at load (top-level await).\nexport const r = await fetch('http://example.com/');\n`,
  // The parent's process.
  'kill-parent.ts': `${head}// Signals the parent.\nprocess.kill(process.ppid, 'SIGSTOP');\nexport {};\n`,
  // An import that leaves the checked paths.
  'import-outside.ts': `// Imports a file outside the roots.\n${head}import { secret } from '../outside/secret.js';\nexport const S = pyclass(secret, { fields: {} });\n`,
  // Memory: ArrayBuffers (outside V8's heap limit).
  'memory-bomb.ts': `${head}// Fills ArrayBuffers until something stops it.\nconst keep: Uint8Array[] = [];\nfor (;;) { const b = new Uint8Array(32 << 20); b.fill(1); keep.push(b); }\nexport {};\n`,
  // 300 MB on stdout.
  'flood.ts': `// Floods stdout.\n${head}const line = 'x'.repeat(1 << 20);\nfor (let i = 0; i < 300; i++) console.log(line);\nexport const Flood = ${takes('Flood')};\n`,
  // A class made later by a factory, with stack traces off.
  'factory.ts': `// A factory called after load, without stack traces.\n${head}Error.stackTraceLimit = 0;\nfunction make(name: string) {\n  return ${takes('__NAME__').replace("'__NAME__'", 'name')};\n}\nexport const Late = [make('FactoryLate')];\n`,
  // .tsx without JSX.
  'component.tsx': `// A .tsx file.\n${head}export const Tsx = ${takes('Tsx')};\n`,
  // Raw terminal escapes in a class name.
  'escapes.ts': `// Terminal escapes in a class name.\n${head}export const E = pyclass('\\u001b[2J\\u001b[31mEvil', { fields: {} });\n`,
};

/** Files with unusual names, each defining one class. */
export const ODD_NAMES: readonly string[] = ['with space.ts', 'paren (1).ts', 'hash#.ts', 'query?.ts', 'percent%20.ts', 'ünïcødé.ts', 'new\nline.ts'];

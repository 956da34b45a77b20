// SIGINT and SIGTERM during a check: stop every worker process (their whole process groups),
// and exit 130 or 143 as a shell would report the signal. The check keeps no temporary
// directory (files are compiled in memory), so nothing else is left behind.

import { stopAllWorkers } from './isolate.js';

const EXIT: Readonly<Record<'SIGINT' | 'SIGTERM', number>> = { SIGINT: 130, SIGTERM: 143 };

/** Installs the handlers; the returned function removes them. */
export function installSignalCleanup(): () => void {
  const handlers = (Object.keys(EXIT) as (keyof typeof EXIT)[]).map((sig) => {
    const h = () => {
      stopAllWorkers();
      process.exit(EXIT[sig]);
    };
    process.on(sig, h);
    return [sig, h] as const;
  });
  return () => {
    for (const [sig, h] of handlers) process.off(sig, h);
  };
}

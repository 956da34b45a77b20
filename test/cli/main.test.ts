// The CLI entry: help and usage errors map to exit codes without stack traces.
import { describe, expect, it, vi } from 'vitest';
import { main, EXIT_OK, EXIT_USAGE } from '../../src/cli/main.js';

describe('cli main', () => {
  it('prints help and exits 0', async () => {
    const out = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      expect(await main(['--help'])).toBe(EXIT_OK);
      expect(out.mock.calls.map((c) => String(c[0])).join('')).toContain('Usage: traverse-guard');
    } finally {
      out.mockRestore();
    }
  });

  it('rejects an unknown command with exit 2', async () => {
    const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      expect(await main(['no-such-command'])).toBe(EXIT_USAGE);
      expect(err.mock.calls.map((c) => String(c[0])).join('')).toContain("unknown command 'no-such-command'");
    } finally {
      err.mockRestore();
    }
  });
});

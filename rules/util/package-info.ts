// The package's own name and version (read from its package.json, above rules/ in the source
// tree or above dist/rules/ when built), and where each rule's documentation lives: the rule's
// page docs/rules/<id>.md as shipped in the published package of this very version.
import { readFileSync } from 'node:fs';

/** The package version, from the package.json above rules/ (source) or dist/rules/ (built). */
export function packageVersion(): string {
  for (const relative of ['../../package.json', '../../../package.json']) {
    try {
      const manifest = JSON.parse(readFileSync(new URL(relative, import.meta.url), 'utf8')) as { name?: string; version?: string };
      if (manifest.name === 'traverse-guard' && manifest.version) return manifest.version;
    } catch {
      // not at this level
    }
  }
  return '0.0.0';
}

/** The package file that documents rule `id` (shipped: "docs" is in package.json's `files`). */
export const ruleDocsPath = (id: string): string => `docs/rules/${id}.md`;

/** A URL that serves that file from the published package of this version (unpkg mirrors npm). */
export const ruleDocsUrl = (id: string): string => `https://unpkg.com/traverse-guard@${packageVersion()}/${ruleDocsPath(id)}`;

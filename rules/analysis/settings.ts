// Reads the shared `settings['traverse-guard']` object: the type-awareness mode, extra modules
// that re-export the API, and extra names of functions that call their callback synchronously.
// These settings shape the one per-file analysis every rule reads, so they are settings, not
// per-rule options.

export type TypeAwareMode = 'auto' | 'off' | 'required';

export interface PluginSettings {
  readonly typeAware: TypeAwareMode;
  /** Module specifiers that export the API's names (besides `traverse-guard`). */
  readonly modules: readonly string[];
  /** Method or function names whose function arguments run synchronously. */
  readonly synchronousCallbacks: ReadonlySet<string>;
}

export const SETTINGS_KEY = 'traverse-guard';
export const API_MODULE = 'traverse-guard';

/** Callbacks passed to these are counted as running inside the traverse body. */
export const DEFAULT_SYNCHRONOUS_CALLBACKS: readonly string[] = [
  'forEach',
  'map',
  'flatMap',
  'filter',
  'some',
  'every',
  'find',
  'findIndex',
  'findLast',
  'findLastIndex',
  'reduce',
  'reduceRight',
  'sort',
  'toSorted',
  'Array.from',
  // String replacers, JSON revivers/replacers, reflective and explicit calls, `new Promise`.
  'replace',
  'replaceAll',
  'JSON.parse',
  'JSON.stringify',
  'Reflect.apply',
  'call',
  'apply',
  'new Promise',
];

const TYPE_AWARE_MODES: readonly TypeAwareMode[] = ['auto', 'off', 'required'];

function stringList(value: unknown, key: string): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.some((item) => typeof item !== 'string')) {
    throw new TypeError(`settings['${SETTINGS_KEY}'].${key} must be an array of strings`);
  }
  return value as string[];
}

export function readSettings(settings: Readonly<Record<string, unknown>> | undefined): PluginSettings {
  const raw = (settings?.[SETTINGS_KEY] ?? {}) as Record<string, unknown>;
  const typeAware = raw.typeAware ?? 'auto';
  if (!TYPE_AWARE_MODES.includes(typeAware as TypeAwareMode)) {
    throw new TypeError(
      `settings['${SETTINGS_KEY}'].typeAware must be one of ${TYPE_AWARE_MODES.join(', ')}; got ${JSON.stringify(typeAware)}`,
    );
  }
  return {
    typeAware: typeAware as TypeAwareMode,
    modules: stringList(raw.modules, 'modules'),
    synchronousCallbacks: new Set([
      ...DEFAULT_SYNCHRONOUS_CALLBACKS,
      ...stringList(raw.synchronousCallbacks, 'synchronousCallbacks'),
    ]),
  };
}

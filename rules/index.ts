// The traverse-guard ESLint plugin (flat config): the hazard rules, the tp_traverse contract
// rules, and `recommended` and `strict` configs that refer to this plugin object. Published as `traverse-guard/eslint-plugin`.
import parser from '@typescript-eslint/parser';
import type { TSESLint } from '@typescript-eslint/utils';

import noDropInTraverse from './no-drop-in-traverse.js';
import noGilInTraverse from './no-gil-in-traverse.js';
import noInterpreterInTraverse from './no-interpreter-in-traverse.js';
import noPoolInTraverse from './no-pool-in-traverse.js';
import traverseSignature from './traverse-signature.js';
import traverseVisitsAllFields from './traverse-visits-all-fields.js';
import noDoubleVisit from './no-double-visit.js';
import noForeignVisit from './no-foreign-visit.js';
import traverseDeterministic from './traverse-deterministic.js';
import clearReleasesVisited from './clear-releases-visited.js';
import { packageVersion } from './util/package-info.js';

const rules = {
  'no-gil-in-traverse': noGilInTraverse,
  'no-drop-in-traverse': noDropInTraverse,
  'no-pool-in-traverse': noPoolInTraverse,
  'no-interpreter-in-traverse': noInterpreterInTraverse,
  'traverse-signature': traverseSignature,
  'traverse-visits-all-fields': traverseVisitsAllFields,
  'no-double-visit': noDoubleVisit,
  'no-foreign-visit': noForeignVisit,
  'traverse-deterministic': traverseDeterministic,
  'clear-releases-visited': clearReleasesVisited,
};

type Config = TSESLint.FlatConfig.Config;

const FILES = ['**/*.ts', '**/*.tsx', '**/*.mts', '**/*.cts', '**/*.js', '**/*.mjs', '**/*.cjs', '**/*.jsx'];

const plugin = {
  meta: { name: 'traverse-guard', version: packageVersion(), namespace: 'traverse-guard' },
  rules,
  configs: {} as { recommended: Config; strict: Config },
};

const recommendedRules: Config['rules'] = {
  'traverse-guard/no-gil-in-traverse': 'error',
  'traverse-guard/no-drop-in-traverse': 'error',
  'traverse-guard/no-pool-in-traverse': 'error',
  'traverse-guard/no-interpreter-in-traverse': 'error',
  'traverse-guard/traverse-signature': 'error',
  'traverse-guard/traverse-visits-all-fields': 'error',
  'traverse-guard/no-double-visit': 'error',
  'traverse-guard/no-foreign-visit': 'error',
  'traverse-guard/traverse-deterministic': 'error',
  'traverse-guard/clear-releases-visited': 'error',
};

plugin.configs.recommended = {
  name: 'traverse-guard/recommended',
  files: FILES,
  languageOptions: { parser: parser as NonNullable<Config['languageOptions']>['parser'] },
  plugins: { 'traverse-guard': plugin as unknown as TSESLint.FlatConfig.Plugin },
  rules: recommendedRules,
};

plugin.configs.strict = {
  ...plugin.configs.recommended,
  name: 'traverse-guard/strict',
  rules: {
    ...recommendedRules,
    'traverse-guard/no-interpreter-in-traverse': ['error', { checkUnknownCalls: true }],
    'traverse-guard/traverse-signature': ['error', { checkVisitEscape: true }],
    'traverse-guard/traverse-visits-all-fields': ['error', { reportUnknownVisitors: true }],
  },
};

export default plugin;

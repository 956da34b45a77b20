// The traverse-guard ESLint plugin (flat config): rules plus `recommended` and `strict`
// configs that refer to this plugin object. Published as `traverse-guard/eslint-plugin`.
import parser from '@typescript-eslint/parser';
import type { TSESLint } from '@typescript-eslint/utils';

import noDropInTraverse from './no-drop-in-traverse.js';
import noGilInTraverse from './no-gil-in-traverse.js';
import noInterpreterInTraverse from './no-interpreter-in-traverse.js';
import noPoolInTraverse from './no-pool-in-traverse.js';
import traverseSignature from './traverse-signature.js';
import { packageVersion } from './util/package-info.js';

const rules = {
  'no-gil-in-traverse': noGilInTraverse,
  'no-drop-in-traverse': noDropInTraverse,
  'no-pool-in-traverse': noPoolInTraverse,
  'no-interpreter-in-traverse': noInterpreterInTraverse,
  'traverse-signature': traverseSignature,
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
  },
};

export default plugin;

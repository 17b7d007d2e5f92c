// ESLint for the map page's scripts (resources/web) and their unit tests (tests/js).
// Run from the repository root, so both folders are inside the base path (see .ci/run):
//   tests/js/node_modules/.bin/eslint --config tests/js/eslint.config.js resources/web tests/js
"use strict";

const js = require("@eslint/js");
const globals = require("globals");

module.exports = [
  { ignores: ["tests/js/node_modules/"] },
  {
    files: ["resources/web/**/*.js"],
    ...js.configs.recommended,
    languageOptions: {
      ecmaVersion: 2022,
      // Plain scripts loaded in order by the page; each is one IIFE.
      sourceType: "script",
      globals: { ...globals.browser, L: "readonly", QWebChannel: "readonly", qt: "readonly" },
    },
    rules: {
      ...js.configs.recommended.rules,
      "no-unused-vars": ["error", { args: "after-used", argsIgnorePattern: "^_" }],
      eqeqeq: "error",
      "no-var": "error",
      "prefer-const": "error",
      strict: ["error", "function"],
    },
  },
  {
    files: ["tests/js/*.js"],
    ...js.configs.recommended,
    languageOptions: { ecmaVersion: 2022, sourceType: "commonjs", globals: { ...globals.node } },
  },
];

import js from "@eslint/js";
import tseslint from "typescript-eslint";
import { boundariesPlugin } from "./eslint/boundaries.js";

export default tseslint.config(
  { ignores: ["**/dist/**", "**/node_modules/**", "**/generated/**", "coverage/**", ".cache/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    // The Clarinet SDK's vitest globals are declared only in files that must be referenced by path.
    files: ["contracts/tests/env.d.ts"],
    rules: { "@typescript-eslint/triple-slash-reference": "off" },
  },
  {
    // Plain Node.js scripts (the CLI's launcher).
    files: ["**/*.js"],
    languageOptions: { globals: { process: "readonly", URL: "readonly", console: "readonly" } },
  },
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_" }],
    },
  },
  {
    // The architecture's rules (eslint/boundaries.js states each).
    files: ["**/*.ts", "**/*.js"],
    plugins: { voltstack: boundariesPlugin },
    rules: { "voltstack/boundaries": "error" },
  },
);

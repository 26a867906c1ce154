// Lint: typescript-eslint's type-aware recommended rules plus the purity rules of STYLE.md §1.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

const pureNodeBan = {
  patterns: [{ group: ["node:*", "fs", "net", "dgram", "tls", "http", "https", "child_process", "worker_threads"], message: "Pure protocol cores take I/O as arguments (STYLE.md §1); sockets and files live in adapters." }],
};

export default tseslint.config(
  { ignores: ["**/dist/**", "**/dist-node/**", "**/node_modules/**", "data/**", "bench/out/**", "eslint.config.js"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/no-explicit-any": "error",
      "no-console": "error",
    },
  },
  {
    // Library code below the composition root: no clock, no timers, no direct I/O.
    files: ["packages/{sip,media,acd,ivr}/src/**/*.ts", "packages/switch/src/**/*.ts"],
    ignores: ["**/*.test.ts", "**/testing/**"],
    rules: {
      "no-restricted-imports": ["error", pureNodeBan],
      "no-restricted-properties": ["error", { object: "Date", property: "now", message: "Take `now` as an argument (STYLE.md §1)." }],
      "no-restricted-globals": ["error", "setTimeout", "setInterval", "process"],
    },
  },
  {
    // switch may hash (node:crypto) but must not open sockets or files.
    files: ["packages/switch/src/**/*.ts"],
    ignores: ["**/*.test.ts", "**/testing/**"],
    rules: {
      "no-restricted-imports": ["error", { patterns: [{ group: ["node:fs", "node:net", "node:dgram", "node:tls", "node:http", "node:https", "node:child_process", "fs", "net", "dgram"], message: "Only @hotline/server opens sockets and files (ARCHITECTURE.md)." }] }],
    },
  },
  {
    files: ["**/*.test.ts", "tests/**/*.ts", "bench/**/*.ts", "scripts/**/*.ts", "packages/server/src/**/*.ts"],
    rules: { "no-console": "off" },
  },
);

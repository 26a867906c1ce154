// Runs the `hotline` CLI from source in a child process, in a throwaway workspace with its own
// hotline.yaml, for CLI tests.
import { spawn } from "node:child_process";
import { createServer } from "node:http";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const CLI = fileURLToPath(new URL("../cli.ts", import.meta.url));
// Absolute, because the CLI runs with a temp directory as its cwd (where "tsx" would not resolve).
const TSX = import.meta.resolve("tsx");

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function hotline(cwd: string, ...args: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--conditions=hotline-source", "--import", TSX, CLI, ...args], {
      cwd,
      env: { ...process.env, HOTLINE_CONFIG: "" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/** A temp directory with hotline.yaml (dataDir ./data) and a remover for test.after. */
export function workspaces(): { create(httpPort: number): string; removeAll(): void } {
  const dirs: string[] = [];
  return {
    create(httpPort) {
      const dir = mkdtempSync(join(tmpdir(), "hotline-cli-"));
      dirs.push(dir);
      writeFileSync(join(dir, "hotline.yaml"), `dataDir: ./data\nsip: { domain: example.org }\nhttp: { port: ${httpPort} }\n`);
      return dir;
    },
    removeAll() {
      for (const d of dirs) rmSync(d, { recursive: true, force: true });
    },
  };
}

/** A port nothing listens on (bound and released at once). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

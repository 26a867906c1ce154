// Composition root: opens the store, the sockets and the HTTP endpoint. Placeholder until
// the switch is wired; the CLI's `start` command already calls it.
import type { HotlineConfig } from "./config/index.js";

export interface RunningServer {
  close(): Promise<void>;
}

export async function startServer(config: HotlineConfig): Promise<RunningServer> {
  void config;
  throw new Error("not wired yet");
}

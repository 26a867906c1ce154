/**
 * Prompt and music-on-hold files: read, parsed (wav.ts) and checked for what the player
 * takes (8 kHz mono), cached by path. A cached file is re-read when its size or mtime
 * changed (an administrator replaced a prompt), which costs one stat per play.
 */
import { readFile, stat } from "node:fs/promises";
import { readFileSync } from "node:fs";
import { checkPrompt, parseWav, type WavAudio } from "@hotline/media";

const MAX_CACHED_FILES = 256;

interface Cached {
  size: number;
  mtimeMs: number;
  audio: WavAudio;
}

const cache = new Map<string, Cached>();

/** Parses and checks WAV bytes; the error names the file and what is wrong. */
export function wavFromBytes(path: string, bytes: Uint8Array): WavAudio {
  const parsed = parseWav(bytes);
  if (!parsed.ok) throw new Error(`${path}: ${parsed.error}`);
  const { ok: _ok, ...audio } = parsed;
  const problem = checkPrompt(audio);
  if (problem !== undefined) throw new Error(`${path}: ${problem.replace(/^prompt 0: /, "")}`);
  return audio;
}

/** For start-up (the MOH file): synchronous, throws with the path on any problem. */
export function loadWavSync(path: string): WavAudio {
  return wavFromBytes(path, readFileSync(path));
}

/** For plays: cached; rejects with the path and the reason. */
export async function loadWav(path: string): Promise<WavAudio> {
  const s = await stat(path);
  const hit = cache.get(path);
  if (hit !== undefined && hit.size === s.size && hit.mtimeMs === s.mtimeMs) return hit.audio;
  const audio = wavFromBytes(path, await readFile(path));
  if (cache.size >= MAX_CACHED_FILES) cache.delete(cache.keys().next().value as string); // oldest first
  cache.set(path, { size: s.size, mtimeMs: s.mtimeMs, audio });
  return audio;
}

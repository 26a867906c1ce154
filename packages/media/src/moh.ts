/**
 * Built-in music on hold, generated in code so hotline ships no binary asset: an 8-second
 * loop of four chords (C, A minor, F, G; two seconds each) as a soft sine pad, with a
 * plucked arpeggio of eighth notes on top. Deterministic: the same samples on every run.
 *
 * The loop is seamless: every chord's pad fades in and out with raised-cosine ramps that
 * overlap the neighbouring chords, and the ramp of the first chord wraps around the end of
 * the loop, so the last sample flows into the first. Each arpeggio note ends at zero.
 *
 * Level: the peak stays below −12 dBFS (≈ 8200), comfortable on a handset and far from
 * G.711 overload. Notes sit between 220 Hz and 1175 Hz, inside the telephone band.
 */
import { TONE_SAMPLE_RATE } from "./tones.js";
import type { WavAudio } from "./wav.js";

export const HOLD_MUSIC_SECONDS = 8;
const CHORD_SECONDS = 2;
const NOTE_SECONDS = 0.25; // eighth notes at 120 bpm
const PAD_FADE_SECONDS = 0.3;
const PAD_AMPLITUDE = 900; // per pad note
const ARP_AMPLITUDE = 2600;
const ARP_DECAY_SECONDS = 0.12;
const ARP_ATTACK_SECONDS = 0.005;
const ARP_RELEASE_SECONDS = 0.01;

/** MIDI note → Hz, equal temperament, A4 = 440 Hz. */
export function midiToHz(note: number): number {
  return 440 * 2 ** ((note - 69) / 12);
}

interface Chord {
  /** Pad notes (MIDI). */
  pad: readonly number[];
  /** Eight arpeggio notes (MIDI). */
  arpeggio: readonly number[];
}

// I – vi – IV – V in C major.
const CHORDS: readonly Chord[] = [
  { pad: [60, 64, 67], arpeggio: [72, 76, 79, 84, 79, 76, 72, 76] },
  { pad: [57, 60, 64], arpeggio: [69, 72, 76, 81, 76, 72, 69, 72] },
  { pad: [65, 69, 72], arpeggio: [77, 81, 84, 86, 84, 81, 77, 81] },
  { pad: [67, 71, 74], arpeggio: [79, 83, 86, 83, 79, 74, 71, 74] },
];

/** 0 → 1 over `fade` seconds, raised cosine (no click at either end). */
function rampUp(t: number, fade: number): number {
  if (t <= 0) return 0;
  if (t >= fade) return 1;
  return 0.5 - 0.5 * Math.cos((Math.PI * t) / fade);
}

/** The pad of chord `c` at loop time `t` (seconds); its segment wraps around the loop end. */
function padSample(c: number, t: number): number {
  const segment = CHORD_SECONDS + PAD_FADE_SECONDS;
  const start = c * CHORD_SECONDS - PAD_FADE_SECONDS / 2;
  const local = (((t - start) % HOLD_MUSIC_SECONDS) + HOLD_MUSIC_SECONDS) % HOLD_MUSIC_SECONDS;
  if (local >= segment) return 0;
  const envelope = Math.min(rampUp(local, PAD_FADE_SECONDS), rampUp(segment - local, PAD_FADE_SECONDS));
  let sum = 0;
  for (const note of CHORDS[c]!.pad) sum += Math.sin(2 * Math.PI * midiToHz(note) * local);
  return PAD_AMPLITUDE * envelope * sum;
}

/** The arpeggio at loop time `t`: one plucked note per eighth, with a soft second harmonic. */
function arpeggioSample(t: number): number {
  const index = Math.floor(t / NOTE_SECONDS);
  const chord = CHORDS[Math.floor(t / CHORD_SECONDS) % CHORDS.length]!;
  const note = chord.arpeggio[index % chord.arpeggio.length]!;
  const local = t - index * NOTE_SECONDS;
  const envelope = rampUp(local, ARP_ATTACK_SECONDS) * Math.exp(-local / ARP_DECAY_SECONDS) * rampUp(NOTE_SECONDS - local, ARP_RELEASE_SECONDS);
  const f = midiToHz(note);
  return ARP_AMPLITUDE * envelope * (Math.sin(2 * Math.PI * f * local) + 0.25 * Math.sin(4 * Math.PI * f * local));
}

/** The loop as 8 kHz 16-bit samples (64,000 of them). */
export function generateHoldMusic(): Int16Array {
  const n = HOLD_MUSIC_SECONDS * TONE_SAMPLE_RATE;
  const out = new Int16Array(n);
  for (let i = 0; i < n; i++) {
    const t = i / TONE_SAMPLE_RATE;
    let s = arpeggioSample(t);
    for (let c = 0; c < CHORDS.length; c++) s += padSample(c, t);
    out[i] = Math.round(s);
  }
  return out;
}

/** The loop as WavAudio, ready for a PromptPlayer (`loop: true`). */
export function holdMusicAudio(): WavAudio {
  return { format: "pcm16", sampleRate: TONE_SAMPLE_RATE, channels: 1, data: generateHoldMusic() };
}

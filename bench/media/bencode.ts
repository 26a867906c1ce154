// bench/media: bencode, the encoding of rtpengine's ng control protocol (a cookie, a space, and
// one bencoded dictionary per UDP datagram). Integers `i42e`, byte strings `4:spam`, lists
// `l…e`, dictionaries `d…e` with keys sorted as raw byte strings (BitTorrent BEP 3).

export type BValue = number | string | BValue[] | { [key: string]: BValue };

export function bencode(v: BValue): Buffer {
  const parts: Buffer[] = [];
  const put = (x: BValue): void => {
    if (typeof x === "number") {
      if (!Number.isInteger(x)) throw new TypeError(`bencode: not an integer: ${x}`);
      parts.push(Buffer.from(`i${x}e`));
    } else if (typeof x === "string") {
      const b = Buffer.from(x, "utf8");
      parts.push(Buffer.from(`${b.length}:`), b);
    } else if (Array.isArray(x)) {
      parts.push(Buffer.from("l"));
      x.forEach(put);
      parts.push(Buffer.from("e"));
    } else {
      parts.push(Buffer.from("d"));
      const keys = Object.keys(x).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
      for (const k of keys) {
        put(k);
        put(x[k] as BValue);
      }
      parts.push(Buffer.from("e"));
    }
  };
  put(v);
  return Buffer.concat(parts);
}

/** Decodes one value starting at `offset`; byte strings become UTF-8 strings. Throws on bad input. */
export function bdecode(buf: Buffer, offset = 0): { value: BValue; end: number } {
  const at = (i: number): number => {
    const c = buf[i];
    if (c === undefined) throw new RangeError(`bdecode: truncated at ${i}`);
    return c;
  };
  const c = at(offset);
  if (c === 0x69 /* i */) {
    const e = buf.indexOf(0x65, offset);
    if (e < 0) throw new RangeError("bdecode: unterminated integer");
    const text = buf.toString("latin1", offset + 1, e);
    if (!/^-?\d+$/.test(text)) throw new RangeError(`bdecode: bad integer ${text}`);
    return { value: Number(text), end: e + 1 };
  }
  if (c >= 0x30 && c <= 0x39) {
    const colon = buf.indexOf(0x3a, offset);
    if (colon < 0) throw new RangeError("bdecode: bad string length");
    const len = Number(buf.toString("latin1", offset, colon));
    const start = colon + 1;
    if (!Number.isInteger(len) || start + len > buf.length) throw new RangeError("bdecode: truncated string");
    return { value: buf.toString("utf8", start, start + len), end: start + len };
  }
  if (c === 0x6c /* l */) {
    const list: BValue[] = [];
    let i = offset + 1;
    while (at(i) !== 0x65) {
      const r = bdecode(buf, i);
      list.push(r.value);
      i = r.end;
    }
    return { value: list, end: i + 1 };
  }
  if (c === 0x64 /* d */) {
    const dict: { [key: string]: BValue } = {};
    let i = offset + 1;
    while (at(i) !== 0x65) {
      const k = bdecode(buf, i);
      if (typeof k.value !== "string") throw new RangeError("bdecode: dictionary key is not a string");
      const v = bdecode(buf, k.end);
      dict[k.value] = v.value;
      i = v.end;
    }
    return { value: dict, end: i + 1 };
  }
  throw new RangeError(`bdecode: unexpected byte 0x${c.toString(16)} at ${offset}`);
}

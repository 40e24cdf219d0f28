/**
 * Byte reader and writer under the SCALE codecs.
 *
 * @module
 */

/** A decoding failure: truncated input, an invalid tag or trailing bytes. */
export class DecodeError extends RangeError {
  override name = "DecodeError";
}

/** Reads SCALE bytes front to back; every read checks the bounds. */
export class Reader {
  /** Position of the next byte to read. */
  pos = 0;
  // PERF: made on first use; most reads are bytes and compacts, and a view costs an allocation.
  #dataView: DataView | undefined;

  constructor(readonly bytes: Uint8Array) {}

  get #view(): DataView {
    return this.#dataView ??= new DataView(
      this.bytes.buffer,
      this.bytes.byteOffset,
      this.bytes.byteLength,
    );
  }

  /** Bytes not read yet. */
  get remaining(): number {
    return this.bytes.length - this.pos;
  }

  #need(n: number): void {
    if (this.pos + n > this.bytes.length) throw new DecodeError("unexpected end of input");
  }

  u8(): number {
    this.#need(1);
    return this.bytes[this.pos++];
  }

  u16(): number {
    this.#need(2);
    const v = this.#view.getUint16(this.pos, true);
    this.pos += 2;
    return v;
  }

  u32(): number {
    this.#need(4);
    const v = this.#view.getUint32(this.pos, true);
    this.pos += 4;
    return v;
  }

  u64(): bigint {
    this.#need(8);
    const v = this.#view.getBigUint64(this.pos, true);
    this.pos += 8;
    return v;
  }

  /** `n` bytes as a view into the input: copy before keeping them past the input's life. */
  take(n: number): Uint8Array {
    this.#need(n);
    const out = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
}

/** Accumulates SCALE bytes in a growing buffer. */
export class Writer {
  #buf = new Uint8Array(64);
  #view = new DataView(this.#buf.buffer);
  /** Bytes written so far. */
  length = 0;

  #reserve(n: number): void {
    if (this.length + n <= this.#buf.length) return;
    let size = this.#buf.length * 2;
    while (size < this.length + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.#buf.subarray(0, this.length));
    this.#buf = next;
    this.#view = new DataView(next.buffer);
  }

  u8(v: number): void {
    this.#reserve(1);
    this.#buf[this.length++] = v;
  }

  u16(v: number): void {
    this.#reserve(2);
    this.#view.setUint16(this.length, v, true);
    this.length += 2;
  }

  u32(v: number): void {
    this.#reserve(4);
    this.#view.setUint32(this.length, v, true);
    this.length += 4;
  }

  u64(v: bigint): void {
    this.#reserve(8);
    this.#view.setBigUint64(this.length, v, true);
    this.length += 8;
  }

  bytes(b: Uint8Array): void {
    this.#reserve(b.length);
    this.#buf.set(b, this.length);
    this.length += b.length;
  }

  /** A copy of what was written. */
  finish(): Uint8Array {
    return this.#buf.slice(0, this.length);
  }
}

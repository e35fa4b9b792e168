/**
 * SHA-256 over a buffer that already holds its padding, writing the digest straight into a caller's
 * array. The tree hashes millions of fixed-shape messages: each scratch buffer is padded once for its
 * length, and no digest allocates, so a 1M-account tree costs no garbage collection for its hashes.
 * Pure JS (runs in the browser); checked against node's OpenSSL and @noble/hashes in the tests.
 */

/** A buffer for messages of exactly `len` bytes, padded for SHA-256 (write the message into [0, len)). */
export function paddedBuffer(len: number): { buf: Uint8Array; blocks: number } {
  const blocks = (len + 9 + 63) >>> 6;
  const buf = new Uint8Array(blocks * 64);
  buf[len] = 0x80;
  const bits = len * 8;
  const end = blocks * 64;
  buf[end - 4] = bits >>> 24;
  buf[end - 3] = (bits >>> 16) & 0xff;
  buf[end - 2] = (bits >>> 8) & 0xff;
  buf[end - 1] = bits & 0xff;
  buf[end - 5] = Math.floor(bits / 4294967296) & 0xff;
  return { buf, blocks };
}

/**
 * Makes digestPadded. Self-contained (refers to nothing outside its body): merkle-sum-thread.ts runs its
 * source in a worker thread, so the helper thread hashes with this very code.
 */
export function makeDigestPadded(): (p: Uint8Array, blocks: number, out: Uint8Array, off: number) => void {
  const K = Int32Array.from([
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
  ]);
  const W = new Int32Array(64);

  /** SHA-256 of the message in a paddedBuffer, into out[off .. off+32). */
  function digestPadded(p: Uint8Array, blocks: number, out: Uint8Array, off: number): void {
    let h0 = 0x6a09e667 | 0;
    let h1 = 0xbb67ae85 | 0;
    let h2 = 0x3c6ef372 | 0;
    let h3 = 0xa54ff53a | 0;
    let h4 = 0x510e527f | 0;
    let h5 = 0x9b05688c | 0;
    let h6 = 0x1f83d9ab | 0;
    let h7 = 0x5be0cd19 | 0;
    for (let blk = 0; blk < blocks; blk++) {
      const o = blk * 64;
      for (let t = 0; t < 16; t++) {
        const q = o + t * 4;
        W[t] = (p[q] << 24) | (p[q + 1] << 16) | (p[q + 2] << 8) | p[q + 3];
      }
      for (let t = 16; t < 64; t++) {
        const w15 = W[t - 15];
        const w2 = W[t - 2];
        const s0 = ((w15 >>> 7) | (w15 << 25)) ^ ((w15 >>> 18) | (w15 << 14)) ^ (w15 >>> 3);
        const s1 = ((w2 >>> 17) | (w2 << 15)) ^ ((w2 >>> 19) | (w2 << 13)) ^ (w2 >>> 10);
        W[t] = (W[t - 16] + s0 + W[t - 7] + s1) | 0;
      }
      let a = h0, b = h1, c = h2, d = h3, e = h4, f = h5, g = h6, h = h7;
      for (let t = 0; t < 64; t++) {
        const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
        const ch = (e & f) ^ (~e & g);
        const t1 = (h + S1 + ch + K[t] + W[t]) | 0;
        const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
        const maj = (a & b) ^ (a & c) ^ (b & c);
        const t2 = (S0 + maj) | 0;
        h = g;
        g = f;
        f = e;
        e = (d + t1) | 0;
        d = c;
        c = b;
        b = a;
        a = (t1 + t2) | 0;
      }
      h0 = (h0 + a) | 0;
      h1 = (h1 + b) | 0;
      h2 = (h2 + c) | 0;
      h3 = (h3 + d) | 0;
      h4 = (h4 + e) | 0;
      h5 = (h5 + f) | 0;
      h6 = (h6 + g) | 0;
      h7 = (h7 + h) | 0;
    }
    put(out, off, h0);
    put(out, off + 4, h1);
    put(out, off + 8, h2);
    put(out, off + 12, h3);
    put(out, off + 16, h4);
    put(out, off + 20, h5);
    put(out, off + 24, h6);
    put(out, off + 28, h7);
  }

  function put(out: Uint8Array, o: number, v: number): void {
    out[o] = v >>> 24;
    out[o + 1] = (v >>> 16) & 0xff;
    out[o + 2] = (v >>> 8) & 0xff;
    out[o + 3] = v & 0xff;
  }

  return digestPadded;
}

/** SHA-256 of the message in a paddedBuffer, into out[off .. off+32). */
export const digestPadded = makeDigestPadded();

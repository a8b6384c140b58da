/**
 * The hashes httpipe computes, in plain TypeScript, for the browser build (Node's build uses
 * `node:crypto`): MD5, SHA-1 and SHA-256 on 32-bit words, SHA-512/256 on BigInts (Digest's
 * SHA-512-256: a handful of short strings per challenge, so speed does not matter there). Each
 * takes bytes and returns the digest's bytes.
 * @module
 */

/** The bytes padded to whole 64-byte (or 128-byte) blocks, with the bit length at the end. */
const padded = (data: Uint8Array, block: 64 | 128, littleEndian: boolean): Uint8Array => {
  const lengthBytes = block === 64 ? 8 : 16
  const total = Math.ceil((data.length + 1 + lengthBytes) / block) * block
  const out = new Uint8Array(total)
  out.set(data)
  out[data.length] = 0x80
  const view = new DataView(out.buffer)
  const bits = data.length * 8
  const hi = Math.floor(bits / 2 ** 32)
  const lo = bits >>> 0
  if (littleEndian) {
    view.setUint32(total - 8, lo, true)
    view.setUint32(total - 4, hi, true)
  } else {
    view.setUint32(total - 8, hi)
    view.setUint32(total - 4, lo)
  }
  return out
}

const rotl = (x: number, n: number): number => (x << n) | (x >>> (32 - n))
const rotr = (x: number, n: number): number => (x >>> n) | (x << (32 - n))

const words = (state: ArrayLike<number>, littleEndian: boolean): Uint8Array => {
  const out = new Uint8Array(state.length * 4)
  const view = new DataView(out.buffer)
  for (let i = 0; i < state.length; i++) view.setUint32(i * 4, (state[i] ?? 0) >>> 0, littleEndian)
  return out
}

const MD5_S = [7, 12, 17, 22, 5, 9, 14, 20, 4, 11, 16, 23, 6, 10, 15, 21]
const MD5_K = Array.from({ length: 64 }, (_, i) => Math.floor(Math.abs(Math.sin(i + 1)) * 2 ** 32) >>> 0)

/**
 * MD5 (RFC 1321).
 * @example
 * md5(new TextEncoder().encode('abc')) // bytes of 900150983cd24fb0d6963f7d28e17f72
 */
export const md5 = (data: Uint8Array): Uint8Array => {
  const m = padded(data, 64, true)
  const view = new DataView(m.buffer)
  const h = [0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476]
  for (let off = 0; off < m.length; off += 64) {
    let [a, b, c, d] = h as [number, number, number, number]
    for (let i = 0; i < 64; i++) {
      const r = i >> 4
      const f = r === 0 ? (b & c) | (~b & d) : r === 1 ? (d & b) | (~d & c) : r === 2 ? b ^ c ^ d : c ^ (b | ~d)
      const g = r === 0 ? i : r === 1 ? (5 * i + 1) & 15 : r === 2 ? (3 * i + 5) & 15 : (7 * i) & 15
      const t = d
      d = c
      c = b
      b =
        (b + rotl((a + f + (MD5_K[i] ?? 0) + view.getUint32(off + g * 4, true)) | 0, MD5_S[(r << 2) | (i & 3)] ?? 0)) |
        0
      a = t
    }
    h[0] = ((h[0] ?? 0) + a) | 0
    h[1] = ((h[1] ?? 0) + b) | 0
    h[2] = ((h[2] ?? 0) + c) | 0
    h[3] = ((h[3] ?? 0) + d) | 0
  }
  return words(h, true)
}

/**
 * SHA-1 (FIPS 180-4), for OAuth1's HMAC-SHA1.
 * @example
 * sha1(new TextEncoder().encode('abc')) // bytes of a9993e364706816aba3e25717850c26c9cd0d89d
 */
export const sha1 = (data: Uint8Array): Uint8Array => {
  const m = padded(data, 64, false)
  const view = new DataView(m.buffer)
  const h = [0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0]
  const w = new Int32Array(80)
  for (let off = 0; off < m.length; off += 64) {
    for (let i = 0; i < 16; i++) w[i] = view.getInt32(off + i * 4)
    for (let i = 16; i < 80; i++)
      w[i] = rotl((w[i - 3] ?? 0) ^ (w[i - 8] ?? 0) ^ (w[i - 14] ?? 0) ^ (w[i - 16] ?? 0), 1)
    let [a, b, c, d, e] = h as [number, number, number, number, number]
    for (let i = 0; i < 80; i++) {
      const [f, k] =
        i < 20
          ? [(b & c) | (~b & d), 0x5a827999]
          : i < 40
            ? [b ^ c ^ d, 0x6ed9eba1]
            : i < 60
              ? [(b & c) | (b & d) | (c & d), 0x8f1bbcdc]
              : [b ^ c ^ d, 0xca62c1d6]
      const t = (rotl(a, 5) + f + e + k + (w[i] ?? 0)) | 0
      e = d
      d = c
      c = rotl(b, 30)
      b = a
      a = t
    }
    ;[a, b, c, d, e].forEach((v, i) => (h[i] = ((h[i] ?? 0) + v) | 0))
  }
  return words(h, false)
}

const SHA256_K = [
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98,
  0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
  0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8,
  0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
  0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819,
  0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
  0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
  0xc67178f2,
]

/**
 * SHA-256 (FIPS 180-4).
 * @example
 * sha256(new TextEncoder().encode('abc')) // bytes of ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad
 */
export const sha256 = (data: Uint8Array): Uint8Array => {
  const m = padded(data, 64, false)
  const view = new DataView(m.buffer)
  const h = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]
  const w = new Int32Array(64)
  for (let off = 0; off < m.length; off += 64) {
    for (let i = 0; i < 16; i++) w[i] = view.getInt32(off + i * 4)
    for (let i = 16; i < 64; i++) {
      const x = w[i - 15] ?? 0
      const y = w[i - 2] ?? 0
      const s0 = rotr(x, 7) ^ rotr(x, 18) ^ (x >>> 3)
      const s1 = rotr(y, 17) ^ rotr(y, 19) ^ (y >>> 10)
      w[i] = ((w[i - 16] ?? 0) + s0 + (w[i - 7] ?? 0) + s1) | 0
    }
    let [a, b, c, d, e, f, g, hh] = h as [number, number, number, number, number, number, number, number]
    for (let i = 0; i < 64; i++) {
      const t1 =
        (hh + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + (SHA256_K[i] ?? 0) + (w[i] ?? 0)) | 0
      const t2 = ((rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c))) | 0
      hh = g
      g = f
      f = e
      e = (d + t1) | 0
      d = c
      c = b
      b = a
      a = (t1 + t2) | 0
    }
    ;[a, b, c, d, e, f, g, hh].forEach((v, i) => (h[i] = ((h[i] ?? 0) + v) | 0))
  }
  return words(h, false)
}

/** The fractional parts of the cube roots of the first 80 primes (FIPS 180-4's K for SHA-512). */
const SHA512_K: ReadonlyArray<bigint> = (() => {
  const primes: number[] = []
  for (let n = 2; primes.length < 80; n++) if (primes.every((p) => n % p !== 0)) primes.push(n)
  // 64 fraction bits need more precision than a double: refine the cube root with BigInts
  return primes.map((p) => {
    const scale = 1n << 64n
    const target = BigInt(p) * scale ** 3n
    let x = BigInt(Math.floor(Math.cbrt(p) * 2 ** 40)) << 24n
    for (let i = 0; i < 8; i++) x = (2n * x + target / (x * x)) / 3n
    while (x ** 3n > target) x -= 1n
    while ((x + 1n) ** 3n <= target) x += 1n
    return BigInt.asUintN(64, x)
  })
})()

const SHA512_256_IV: ReadonlyArray<bigint> = [
  0x22312194fc2bf72cn,
  0x9f555fa3c84c64c2n,
  0x2393b86b6f53b151n,
  0x963877195940eabdn,
  0x96283ee2a88effe3n,
  0xbe5e1e2553863992n,
  0x2b0199fc2c85b8aan,
  0x0eb72ddc81c52ca2n,
]

const M64 = (1n << 64n) - 1n
const rotr64 = (x: bigint, n: bigint): bigint => ((x >> n) | (x << (64n - n))) & M64

/**
 * SHA-512/256 (FIPS 180-4): Digest's SHA-512-256.
 * @example
 * sha512_256(new TextEncoder().encode('abc')) // bytes of 53048e2681941ef99b2e29b76b4c7dabe4c2d0c634fc6d46e0e2f13107e7af23
 */
export const sha512_256 = (data: Uint8Array): Uint8Array => {
  const m = padded(data, 128, false)
  const view = new DataView(m.buffer)
  const h = [...SHA512_256_IV]
  const w: bigint[] = new Array<bigint>(80).fill(0n)
  for (let off = 0; off < m.length; off += 128) {
    for (let i = 0; i < 16; i++) w[i] = view.getBigUint64(off + i * 8)
    for (let i = 16; i < 80; i++) {
      const x = w[i - 15] ?? 0n
      const y = w[i - 2] ?? 0n
      const s0 = rotr64(x, 1n) ^ rotr64(x, 8n) ^ (x >> 7n)
      const s1 = rotr64(y, 19n) ^ rotr64(y, 61n) ^ (y >> 6n)
      w[i] = ((w[i - 16] ?? 0n) + s0 + (w[i - 7] ?? 0n) + s1) & M64
    }
    let [a, b, c, d, e, f, g, hh] = h as [bigint, bigint, bigint, bigint, bigint, bigint, bigint, bigint]
    for (let i = 0; i < 80; i++) {
      const s1 = rotr64(e, 14n) ^ rotr64(e, 18n) ^ rotr64(e, 41n)
      const t1 = (hh + s1 + ((e & f) ^ (~e & M64 & g)) + (SHA512_K[i] ?? 0n) + (w[i] ?? 0n)) & M64
      const t2 = ((rotr64(a, 28n) ^ rotr64(a, 34n) ^ rotr64(a, 39n)) + ((a & b) ^ (a & c) ^ (b & c))) & M64
      hh = g
      g = f
      f = e
      e = (d + t1) & M64
      d = c
      c = b
      b = a
      a = (t1 + t2) & M64
    }
    ;[a, b, c, d, e, f, g, hh].forEach((v, i) => (h[i] = ((h[i] ?? 0n) + v) & M64))
  }
  const out = new Uint8Array(32)
  const ov = new DataView(out.buffer)
  for (let i = 0; i < 4; i++) ov.setBigUint64(i * 8, h[i] ?? 0n)
  return out
}

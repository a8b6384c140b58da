/**
 * What httpipe uses of `node:crypto`, for the browser build (scripts/build-browser.mjs puts this
 * module in place of `node:crypto`): `createHash` and `createHmac` over the hashes of
 * digests.browser.ts (MD5, SHA-1, SHA-256, SHA-512/256: Digest, OAuth1's HMAC, AWS4's SHA-256),
 * random bytes from `crypto.getRandomValues`. RSA keys (OAuth1's RSA-SHA1/RSA-SHA256) are not
 * available: `createPrivateKey` throws, which OAuth1 reports as a key it cannot use.
 * @module
 */
import { md5, sha1, sha256, sha512_256 } from './digests.browser.js'
import { concatBytes } from './bytes.js'

type Digest = (data: Uint8Array) => Uint8Array

const HASHES: Readonly<Record<string, { readonly digest: Digest; readonly block: number }>> = {
  md5: { digest: md5, block: 64 },
  sha1: { digest: sha1, block: 64 },
  sha256: { digest: sha256, block: 64 },
  'sha512-256': { digest: sha512_256, block: 128 },
}

const hashOf = (name: string): { readonly digest: Digest; readonly block: number } => {
  const h = HASHES[name.toLowerCase()]
  if (h === undefined) throw new Error(`hash ${name} is not available in the browser`)
  return h
}

const bytesOf = (data: string | Uint8Array): Uint8Array =>
  typeof data === 'string' ? new TextEncoder().encode(data) : data

/**
 * A hash being fed, as Node's `Hash` is used: `update` (text as UTF-8) then `digest`.
 * @example
 * new BrowserHash((d) => d).update('a').digest('hex') // '61'
 */
export class BrowserHash {
  private readonly parts: Uint8Array[] = []
  constructor(private readonly finish: (data: Uint8Array) => Uint8Array) {}
  update(data: string | Uint8Array, _encoding?: string): this {
    this.parts.push(bytesOf(data))
    return this
  }
  digest(): Buffer
  digest(encoding: 'hex' | 'base64'): string
  digest(encoding?: 'hex' | 'base64'): string | Buffer {
    const out = Buffer.from(this.finish(concatBytes(this.parts)))
    return encoding === undefined ? out : out.toString(encoding)
  }
}

/**
 * Node's `createHash` for md5, sha1, sha256 and sha512-256.
 * @example
 * createHash('md5').update('abc').digest('hex') // '900150983cd24fb0d6963f7d28e17f72'
 */
export const createHash = (name: string): BrowserHash => new BrowserHash(hashOf(name).digest)

/**
 * Node's `createHmac` (RFC 2104) over the same hashes.
 * @example
 * createHmac('sha256', 'key').update('data').digest('hex')
 */
export const createHmac = (name: string, key: string | Uint8Array): BrowserHash => {
  const { digest, block } = hashOf(name)
  let k = bytesOf(key)
  if (k.byteLength > block) k = digest(k)
  const pad = (x: number): Uint8Array => {
    const out = new Uint8Array(block).fill(x)
    for (let i = 0; i < k.byteLength; i++) out[i] = (k[i] ?? 0) ^ x
    return out
  }
  return new BrowserHash((data) => digest(concatBytes([pad(0x5c), digest(concatBytes([pad(0x36), data]))])))
}

/**
 * Node's `randomFillSync`, from `crypto.getRandomValues` (65,536 bytes at most per call there).
 * @example
 * randomFillSync(new Uint8Array(16))
 */
export const randomFillSync = <T extends ArrayBufferView>(buffer: T): T => {
  const bytes = new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength)
  for (let at = 0; at < bytes.byteLength; at += 65536)
    globalThis.crypto.getRandomValues(bytes.subarray(at, Math.min(at + 65536, bytes.byteLength)))
  return buffer
}

/**
 * Node's `randomBytes`.
 * @example
 * randomBytes(32).byteLength // 32
 */
export const randomBytes = (n: number): Buffer => randomFillSync(Buffer.alloc(n))

const noRsa = (): never => {
  throw new Error('RSA keys are not available in the browser')
}

/**
 * Node's `createPrivateKey`: not in the browser (throws, as for a key Node cannot read).
 * @example
 * createPrivateKey('-----BEGIN PRIVATE KEY-----…') // throws
 */
export const createPrivateKey = (_pem: string): never => noRsa()

/**
 * Node's `sign`: not in the browser (throws).
 * @example
 * sign('sha1', data, key) // throws
 */
export const sign = (..._args: unknown[]): never => noRsa()

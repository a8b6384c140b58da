/**
 * The bytes of the transfer benchmarks: a deterministic resource of any size that the bench
 * writes to disk as the file to upload and the server (a child process) generates for the
 * downloads, so that both sides know its SHA-256 without holding it. Byte `o` lies in block
 * `o / BLOCK`: 64 KiB of fixed pseudo-random bytes whose first 8 are the block's number, so a
 * part sent or received at the wrong offset changes the hash.
 * @module
 */
import { createHash } from 'node:crypto'
import { open } from 'node:fs/promises'
import { mulberry32 } from './harness.js'

/** The block size of the resource. */
export const BLOCK = 64 * 1024

const base = ((): Buffer => {
  const random = mulberry32(0x5eed)
  const b = Buffer.allocUnsafe(BLOCK)
  for (let i = 0; i < BLOCK; i += 4) b.writeUInt32LE(Math.floor(random() * 2 ** 32), i)
  return b
})()

/** Block `k` of the resource (a fresh buffer: a stream may still hold the previous one). */
const block = (k: number): Buffer => {
  const b = Buffer.allocUnsafe(BLOCK)
  base.copy(b)
  b.writeBigUInt64LE(BigInt(k), 0)
  return b
}

/** The bytes `[start, end)` of the resource, one block (or the part of one) at a time. */
export function* blobBytes(start: number, end: number): Generator<Buffer> {
  for (let at = start; at < end;) {
    const k = Math.floor(at / BLOCK)
    const from = at - k * BLOCK
    const to = Math.min(BLOCK, end - k * BLOCK)
    const b = block(k)
    yield from === 0 && to === BLOCK ? b : b.subarray(from, to)
    at += to - from
  }
}

/** Writes the first `size` bytes of the resource to `path`; resolves with their SHA-256 (hex). */
export const writeBlob = async (path: string, size: number): Promise<string> => {
  const h = createHash('sha256')
  const f = await open(path, 'w')
  try {
    const batch: Buffer[] = []
    const flush = async (): Promise<void> => {
      if (batch.length > 0) await f.writev(batch.splice(0))
    }
    for (const b of blobBytes(0, size)) {
      h.update(b)
      batch.push(b)
      if (batch.length === 64) await flush()
    }
    await flush()
  } finally {
    await f.close()
  }
  return h.digest('hex')
}

/** The size and SHA-256 (hex) of a file, read as a stream. */
export const hashFile = async (path: string): Promise<{ readonly bytes: number; readonly sha256: string }> => {
  const h = createHash('sha256')
  let bytes = 0
  const f = await open(path, 'r')
  try {
    for await (const chunk of f.createReadStream({ highWaterMark: 1 << 20 })) {
      bytes += (chunk as Buffer).byteLength
      h.update(chunk as Buffer)
    }
  } finally {
    await f.close().catch(() => undefined)
  }
  return { bytes, sha256: h.digest('hex') }
}

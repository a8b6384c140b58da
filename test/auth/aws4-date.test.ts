/**
 * amzDate, the AWS4 timestamp: the ISO time without separators or milliseconds, the same for
 * every reading within one second (it is remembered for that second), another for the next.
 */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import fc from 'fast-check'

import { amzDate } from '../../src/auth/aws4.js'

const byRegex = (ms: number): string => new Date(ms).toISOString().replace(/[:-]|\.\d{3}/g, '')

describe('amzDate', () => {
  test('known answers, and the same second read twice, then the next', () => {
    assert.equal(amzDate(Date.UTC(2015, 7, 30, 12, 36)), '20150830T123600Z')
    assert.equal(amzDate(Date.UTC(2015, 7, 30, 12, 36, 0, 999)), '20150830T123600Z')
    assert.equal(amzDate(Date.UTC(2015, 7, 30, 12, 36, 1)), '20150830T123601Z')
    assert.equal(amzDate(0), '19700101T000000Z')
    assert.equal(amzDate(Date.UTC(2015, 7, 30, 12, 36, 1, 500)), '20150830T123601Z')
  })

  test('property: as the ISO text with its separators and milliseconds removed, in any order of readings', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -8.64e15, max: 8.64e15 }), { maxLength: 20 }), (times) => {
        for (const ms of times) assert.equal(amzDate(ms), byRegex(ms))
      }),
      { numRuns: 300 },
    )
  })
})

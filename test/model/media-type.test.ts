import assert from 'node:assert/strict'
import { test } from 'node:test'
import { mediaTypeOf } from '../../src/model/media-type.js'
import { mediaTypeOf as browserMediaTypeOf } from '../../src/model/media-type.browser.js'

const NAMES = [
  'report.pdf',
  'a.PNG',
  'photo.jpeg',
  'x.jpg',
  'notes.txt',
  'page.html',
  'data.csv',
  'd.json',
  'f.svg',
  'a.zip',
  'v.mp4',
  'y.webp',
  's.css',
  'm.mp3',
  'w.wav',
  'i.gif',
  'fnt.woff2',
  'x.xml',
  'doc.md',
  'arch.gz',
  'q.webm',
  'a.js',
  'a.mjs',
  'b.htm',
  'c.ico',
]

test('the browser table gives what mime-types gives for each of its types', () => {
  for (const name of NAMES) assert.equal(browserMediaTypeOf(name), mediaTypeOf(name), name)
})

test('names without a known extension have no type, on both', () => {
  for (const name of ['README', 'archive.unknownext', 'dir.d/file', '.', '', 'a.', 'x/.hidden\\y']) {
    assert.equal(browserMediaTypeOf(name), null, name)
    assert.ok(mediaTypeOf(name) === null || name === '.hidden', name)
  }
})

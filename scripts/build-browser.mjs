// The browser build: dist/browser/index.js, the package's `browser` export condition (Node.js,
// Bun and Deno keep `import`/`require`, dist/esm and dist/cjs, untouched).
//
// The choice: one ES module bundled by esbuild from src/index.ts (platform 'browser'), in which
//  - each module with a sibling `X.browser.ts` is that sibling instead (same exports, same layer:
//    scripts/check-layers.mjs checks them too), so Node's code path is not changed by it:
//      model/iconv (TextDecoder instead of iconv-lite), transport/default (the global fetch,
//      looked up per request), transport/fetch (no Node stream), transport/undici (refuses each
//      request: undici needs sockets), transport/cross-fetch-send (the global fetch),
//      execute/prepare/platform (a file, a proxy or TLS options are an InvalidInput naming the
//      step that set them);
//  - the Node builtins that have a browser equivalent are small modules of src/model:
//      crypto → model/node-crypto.browser.ts (MD5, SHA-1, SHA-256, SHA-512/256 and HMAC in plain
//      TypeScript, getRandomValues: Digest, OAuth1's HMAC, AWS4 work in the browser),
//      buffer → model/node-buffer.browser.ts (its constants), querystring →
//      model/node-querystring.browser.ts (AWS4's canonical query);
//  - the globals `Buffer` (the `buffer` package) and `process` come from model/globals.browser.ts
//    (esbuild's inject);
//  - the builtins left (UNREACHABLE below: files, Node streams and zlib, which the guard and the
//    fetch transport keep the browser from reaching) are a stub whose every function throws "not
//    available in the browser"; any other builtin fails the build, so a new Node-only import is
//    seen here, not in a user's bundle;
//  - fp-ts, io-ts and eventsource-parser stay imports (the user's bundler resolves them, one copy
//    with the user's own), everything else used (aws4, buffer) is in the bundle.
// The bundle is checked to name no `node:` module and to require no builtin.
import { existsSync, readFileSync } from 'node:fs'
import { builtinModules, createRequire } from 'node:module'
import { dirname, join, relative, resolve } from 'node:path'

const require = createRequire(import.meta.url)
const esbuild = require('esbuild')

const ROOT = resolve(import.meta.dirname, '..')
const SRC = join(ROOT, 'src')
const OUT = join(ROOT, 'dist', 'browser', 'index.js')

/** The builtins with a browser module of their own. */
const SHIMS = {
  crypto: join(SRC, 'model', 'node-crypto.browser.ts'),
  buffer: join(SRC, 'model', 'node-buffer.browser.ts'),
  querystring: join(SRC, 'model', 'node-querystring.browser.ts'),
  path: join(SRC, 'model', 'node-path.browser.ts'),
}
/** The builtins the browser never reaches (behind the guard or the fetch transport): a stub. */
const UNREACHABLE = new Set(['fs', 'fs/promises', 'stream', 'stream/promises', 'zlib', 'url'])
const EXTERNAL = /^(fp-ts|io-ts|eventsource-parser)(\/|$)/
const BUILTIN = new Set(builtinModules)

// a stub of the builtin: each of its names (read from Node's own module) a function that throws
// "not available in the browser" when called or constructed (`instanceof` against it is false),
// the default export an object of them
const STUB = async (name) => {
  const names = Object.keys(await import(`node:${name}`)).filter((n) => n !== 'default' && /^[A-Za-z_$][\w$]*$/.test(n))
  const lines = [
    `const fail = (what) => { throw new Error(what + ' is not available in the browser (Node.js module ${name})') }`,
    ...names.map((n) => `export function ${n}() { fail('${name}.${n}') }`),
    `export default { ${names.join(', ')} }`,
  ]
  return lines.join('\n')
}

/** @type {import('esbuild').Plugin} */
const browserModules = {
  name: 'httpipe-browser',
  setup(build) {
    build.onResolve({ filter: /^\.\.?\// }, (args) => {
      if (!args.importer.startsWith(SRC)) return undefined
      const target = resolve(dirname(args.importer), args.path).replace(/\.js$/, '.ts')
      const sibling = target.replace(/\.ts$/, '.browser.ts')
      if (sibling !== args.importer && existsSync(sibling)) return { path: sibling }
      return undefined
    })
    build.onResolve({ filter: /^[a-z_:/]+$/ }, (args) => {
      const name = args.path.replace(/^node:/, '')
      // the `buffer` package (globals.browser.ts) is bare `buffer`; Node's is `node:buffer`
      if (args.path === 'buffer' && args.importer === join(SRC, 'model', 'globals.browser.ts')) return undefined
      if (!args.path.startsWith('node:') && !BUILTIN.has(name)) return undefined
      if (SHIMS[name] !== undefined) return { path: SHIMS[name] }
      if (UNREACHABLE.has(name)) return { path: name, namespace: 'unreachable' }
      return { errors: [{ text: `${args.path} (from ${relative(ROOT, args.importer)}) has no browser module` }] }
    })
    build.onLoad({ filter: /.*/, namespace: 'unreachable' }, async (args) => ({
      contents: await STUB(args.path),
      loader: 'js',
    }))
  },
}

/**
 * Builds dist/browser/index.js; fails (exit 1) on a builtin without a browser module or a bundle
 * that still names one.
 */
export const buildBrowser = async () => {
  const result = await esbuild.build({
    entryPoints: [join(SRC, 'index.ts')],
    outfile: OUT,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    mainFields: ['browser', 'module', 'main'],
    inject: [join(SRC, 'model', 'globals.browser.ts')],
    plugins: [
      { name: 'external', setup: (b) => b.onResolve({ filter: EXTERNAL }, (a) => ({ path: a.path, external: true })) },
      browserModules,
    ],
    // minified, names too: the bundle is a second copy of the code in the tarball (dist/cjs is
    // Node's), so its size counts (97 kB packed as written, 71 kB minified)
    minify: true,
    legalComments: 'eof',
    logLevel: 'silent',
    metafile: true,
  })
  const problems = nodeImports(readFileSync(OUT, 'utf8'))
  if (problems.length > 0) throw new Error(`build: dist/browser/index.js names Node modules: ${problems.join(', ')}`)
  return result.metafile
}

/**
 * The Node modules a bundle's text imports or requires (`node:x`, or a bare builtin name).
 * @param {string} text
 */
export const nodeImports = (text) => {
  const found = new Set()
  const SPEC = /(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*|\bimport\s+)(['"])([^'"]+)\1/g
  for (const m of text.matchAll(SPEC)) {
    const spec = m[2] ?? ''
    if (spec.startsWith('node:') || BUILTIN.has(spec)) found.add(spec)
  }
  for (const m of text.matchAll(/['"]node:[a-z_/]+['"]/g)) found.add(m[0].slice(1, -1))
  return [...found].sort()
}

if (import.meta.url === `file://${process.argv[1]}`) await buildBrowser()

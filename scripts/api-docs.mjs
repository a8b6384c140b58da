// The public API as the TypeScript compiler sees it: every name exported by the package's
// entry points (src/index.ts for 'httpipe', src/testing/index.ts for 'httpipe/testing'),
// resolved to its declaration, with the TSDoc tags on it. Used by scripts/check-docs.mjs
// (every export has @example, @category and @since) and by the test that runs the examples.
import ts from 'typescript'
import { readFileSync } from 'node:fs'
import { relative, resolve } from 'node:path'

export const ENTRIES = [
  { module: 'httpipe', file: 'src/index.ts' },
  { module: 'httpipe/testing', file: 'src/testing/index.ts' },
]

/**
 * The `@category` names an export may have, by entry point: what a user does (keep typedoc.json's
 * `categoryOrder` in step).
 */
export const CATEGORIES = {
  httpipe: ['request', 'headers', 'bodies', 'auth', 'settings', 'running', 'responses', 'errors', 'transports'],
  'httpipe/testing': ['testing'],
}

const text = (comment) =>
  typeof comment === 'string' ? comment : Array.isArray(comment) ? comment.map((c) => c.text ?? '').join('') : ''

// JSDoc tags of a declaration (a `const` carries them on its statement)
const docTags = (decl) => {
  const host = ts.isVariableDeclaration(decl) ? decl.parent.parent : decl
  const docs = ts.getJSDocCommentsAndTags(host).filter((d) => ts.isJSDoc(d))
  return docs.flatMap((d) => [...(d.tags ?? [])]).map((t) => ({ name: t.tagName.text, text: text(t.comment) }))
}

/**
 * Lists every public export: `{ module, name, kind, file, line, tags }`, `kind` being `value`,
 * `type` or `both`, `tags` the TSDoc tags of its first documented declaration
 * (`{ name, text }`). `root` is the repository.
 */
export const publicApi = (root = process.cwd()) => {
  const files = ENTRIES.map((e) => resolve(root, e.file))
  const program = ts.createProgram(files, {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    types: ['node'],
  })
  const checker = program.getTypeChecker()
  const out = []
  for (const entry of ENTRIES) {
    const source = program.getSourceFile(resolve(root, entry.file))
    if (source === undefined) throw new Error(`api-docs: cannot read ${entry.file}`)
    const moduleSymbol = checker.getSymbolAtLocation(source)
    for (const exported of checker.getExportsOfModule(moduleSymbol)) {
      const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported
      const decls = symbol.declarations ?? []
      const documented = decls.find((d) => docTags(d).length > 0) ?? decls[0]
      const sf = documented?.getSourceFile()
      const value = (symbol.flags & ts.SymbolFlags.Value) !== 0
      const type = (symbol.flags & ts.SymbolFlags.Type) !== 0
      out.push({
        module: entry.module,
        name: exported.name,
        kind: value && type ? 'both' : value ? 'value' : 'type',
        file: sf === undefined ? '?' : relative(root, sf.fileName),
        line: sf === undefined ? 0 : sf.getLineAndCharacterOfPosition(documented.getStart(sf)).line + 1,
        tags: documented === undefined ? [] : docTags(documented),
      })
    }
  }
  return out
}

/**
 * The problems of one export's docs: a missing @example, @category or @since, a bad @since, or a
 * @category that is not one of its entry point's `CATEGORIES`.
 */
export const docProblems = (api) =>
  api.flatMap((x) => {
    const has = (n) => x.tags.filter((t) => t.name === n)
    const where = `${x.file}:${x.line} ${x.name} (${x.module})`
    const problems = []
    for (const tag of ['example', 'category', 'since']) if (has(tag).length === 0) problems.push(`${where}: no @${tag}`)
    for (const s of has('since'))
      if (!/^\d+\.\d+\.\d+$/.test(s.text.trim()))
        problems.push(`${where}: @since ${JSON.stringify(s.text.trim())} is not a version`)
    const allowed = CATEGORIES[x.module] ?? []
    for (const c of has('category'))
      if (c.text.trim() === '') problems.push(`${where}: empty @category`)
      else if (!allowed.includes(c.text.trim()))
        problems.push(`${where}: @category ${JSON.stringify(c.text.trim())} is not one of ${allowed.join(', ')}`)
    return problems
  })

/**
 * The `@example` blocks of the entry points' own module comments (the first `/** … *\/` of
 * each entry file): `{ module, file, examples }`.
 */
export const moduleExamples = (root = process.cwd()) =>
  ENTRIES.map((entry) => {
    const src = readFileSync(resolve(root, entry.file), 'utf8')
    const sf = ts.createSourceFile(entry.file, src, ts.ScriptTarget.ES2022, true)
    const first = sf.statements[0]
    const docs = first === undefined ? [] : ts.getJSDocCommentsAndTags(first).filter((d) => ts.isJSDoc(d))
    const tags = docs.slice(0, 1).flatMap((d) => [...(d.tags ?? [])])
    return {
      module: entry.module,
      file: entry.file,
      examples: tags.filter((t) => t.tagName.text === 'example').map((t) => text(t.comment)),
    }
  })

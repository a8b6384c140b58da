// Fails (exit 1, one line per problem on stderr) when an export of the package's entry points
// has no @example, @category or @since in its TSDoc, a @since that is not a version, or a
// @category outside the entry point's set (CATEGORIES in api-docs.mjs: what a user does).
// Usage: node scripts/check-docs.mjs [ROOT]   (ROOT: the repository, default the cwd)
import { docProblems, publicApi } from './api-docs.mjs'

const root = process.argv[2] ?? process.cwd()
const api = publicApi(root)
const problems = docProblems(api)
if (problems.length > 0) {
  for (const p of problems) console.error(p)
  console.error(`check-docs: ${problems.length} problem(s) in the docs of ${api.length} exports`)
  process.exit(1)
}
console.log(`check-docs: ${api.length} exports, each with @example, @category and @since`)

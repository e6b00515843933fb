// Adds up the Vitest and Playwright JSON reports into one line: "N passed, N failed".
// A report that is missing counts as one failure: a runner that never ran passed nothing.
import { existsSync, readFileSync } from 'node:fs'

let passed = 0
let failed = 0
const [unitPath, e2ePath] = process.argv.slice(2)

if (unitPath !== undefined && existsSync(unitPath)) {
  const r = JSON.parse(readFileSync(unitPath, 'utf8'))
  passed += r.numPassedTests ?? 0
  failed += (r.numFailedTests ?? 0) + (r.numRuntimeErrorTestSuites ?? 0)
  if (r.numTotalTests === 0) failed += 1
} else {
  console.log(`no unit report at ${unitPath}`)
  failed += 1
}

if (e2ePath !== undefined && existsSync(e2ePath)) {
  const r = JSON.parse(readFileSync(e2ePath, 'utf8'))
  const s = r.stats ?? {}
  passed += (s.expected ?? 0) + (s.flaky ?? 0)
  failed += s.unexpected ?? 0
  if ((r.errors ?? []).length > 0) failed += r.errors.length
  if ((s.expected ?? 0) + (s.unexpected ?? 0) + (s.flaky ?? 0) === 0) failed += 1
} else {
  console.log(`no e2e report at ${e2ePath}`)
  failed += 1
}

console.log(`${passed} passed, ${failed} failed`)
process.exit(failed > 0 ? 1 : 0)

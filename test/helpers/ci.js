'use strict'
// The CI gate for tests that need a program on the machine (redis-server,
// Chromium): in CI (CI set and not "false", as .ci/run runs) a missing program
// fails the run; on a developer's machine the file is skipped with the reason
// in the test name. SKIP_<WHAT>=1 skips on purpose anywhere.
const inCI = () => Boolean(process.env.CI) && process.env.CI !== 'false'

// Registers the one test that stands for a missing prerequisite: failing in CI, skipped elsewhere.
function missingPrerequisite(what, problem, { skip = false } = {}) {
  const required = !skip && inCI()
  ;(required ? test : test.skip)(`${what}: ${problem}`, () => {
    throw new Error(problem)
  })
}

module.exports = { inCI, missingPrerequisite }

import { readFileSync } from 'node:fs'
import { expect, it } from 'vitest'

it("the README's component test is tests/testing/readme-example.test.tsx, verbatim", () => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8')
  const example = readFileSync(new URL('./readme-example.test.tsx', import.meta.url), 'utf8').split('\n')
  // The file's first two lines are its environment and this note; the README shows the environment line too.
  const shown = [example[0], ...example.slice(2)].join('\n').trimEnd()
  expect(readme).toContain(`\`\`\`tsx\n${shown}\n\`\`\``)
})

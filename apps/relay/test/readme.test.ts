import { readFile } from 'node:fs/promises'
import { describe, expect, it } from 'vitest'

describe('README', () => {
  it('shows the library example that test/fixtures/readme-example.ts type-checks', async () => {
    const readme = await readFile(new URL('../README.md', import.meta.url), 'utf8')
    const example = await readFile(new URL('./fixtures/readme-example.ts', import.meta.url), 'utf8')
    const block = /```ts\n([\s\S]*?)```/.exec(readme)?.[1]
    expect(block).toBe(example)
  })
})

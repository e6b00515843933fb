/** Wait for a condition with a deadline (benchmarks never sleep for a fixed time either). */
export async function until(cond: () => boolean, ms: number, what: string, pollMs = 2): Promise<void> {
  const end = Date.now() + ms
  while (!cond()) {
    if (Date.now() > end) throw new Error(`${what}: not met within ${ms} ms`)
    await new Promise<void>((r) => setTimeout(r, pollMs))
  }
}

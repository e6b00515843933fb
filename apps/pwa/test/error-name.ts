/** The name of the error `fn` throws, or 'no error'. */
export function nameOf(fn: () => unknown): string {
  try {
    fn()
  } catch (err) {
    return (err as Error).name
  }
  return 'no error'
}

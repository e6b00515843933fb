// Classes that load their module on first construction, for the mesh-bridge bundle
// (rolldown.config.ts aliases a dependency to a file that exports these). A stand-in
// becomes the real class when it is first constructed: the real class joins the prototype
// chain, so `instanceof`, statics and subclasses see the real thing.
import { createRequire } from 'node:module'

type Ctor = abstract new (...args: never[]) => unknown

/**
 * Stand-ins for `names`, classes that `specifier` exports, loaded from node_modules by a
 * synchronous require the first time any of them is constructed. `loaded()` tells whether
 * that has happened.
 */
export function standIns<M extends object, N extends keyof M & string>(
  specifier: string,
  names: readonly N[]
): { classes: Pick<M, N>; loaded: () => boolean } {
  let real: M | undefined
  const classes = {} as Record<N, Ctor>
  const load = (): M => {
    if (real === undefined) {
      real = createRequire(import.meta.url)(specifier) as M
      for (const name of names) {
        const cls = real[name] as Ctor
        Object.setPrototypeOf(classes[name], cls)
        Object.setPrototypeOf(classes[name].prototype, cls.prototype as object)
      }
    }
    return real
  }
  for (const name of names) {
    const stand = class {
      constructor(...args: unknown[]) {
        const cls = load()[name] as new (...a: unknown[]) => object
        // new.target: a subclass of the stand-in keeps its own prototype.
        return Reflect.construct(cls, args, new.target)
      }
    }
    Object.defineProperty(stand, 'name', { value: name })
    classes[name] = stand
  }
  return { classes: classes as unknown as Pick<M, N>, loaded: () => real !== undefined }
}

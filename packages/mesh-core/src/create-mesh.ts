import { platform } from '#platform'
import type { Mesh } from './api.ts'
import { parseBootstrapEntry } from './bootstrap.ts'
import { capabilitiesProblem } from './capabilities/validate.ts'
import { MAX_NAME_LENGTH } from './constants.ts'
import { InvalidCapabilitiesError, InvalidOptionsError } from './errors.ts'
import { MeshNode } from './mesh.ts'
import { createMeshLibp2p } from './node/create-libp2p.ts'
import type { MeshOptions } from './types.ts'
import { evacuationPolicy } from './work/evacuation.ts'

/** Create a peer, start it and join the mesh. */
export async function createMesh(options: MeshOptions = {}): Promise<Mesh> {
  const bootstrap = (options.bootstrap ?? platform.defaultBootstrap()).map(parseBootstrapEntry)
  const name = options.name ?? platform.defaultName()
  if (name.length === 0 || name.length > MAX_NAME_LENGTH) {
    throw new InvalidOptionsError(`name must be 1 to ${MAX_NAME_LENGTH} characters`)
  }
  const capsProblem = capabilitiesProblem(options.capabilities ?? {})
  if (capsProblem !== undefined) throw new InvalidCapabilitiesError(capsProblem)
  try {
    evacuationPolicy(options)
  } catch (err) {
    throw new InvalidOptionsError((err as Error).message)
  }
  const { key, release } = await platform.loadIdentity(options)
  const role = options.role ?? platform.defaultRole
  const libp2p = await createMeshLibp2p(key, role, options)
  const mesh = new MeshNode(libp2p, key, role, name, bootstrap, options, release)
  try {
    await mesh.start()
  } catch (err) {
    await mesh.stop()
    throw err
  }
  return mesh
}

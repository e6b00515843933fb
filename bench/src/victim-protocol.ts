/**
 * The control channel between the failure bench and a victim peer in its own process
 * (Node IPC). Both directions are a discriminated union on `type`, checked on arrival.
 */
export type ToVictim = { type: 'stop' }
export type FromVictim = { type: 'ready'; peerId: string } | { type: 'failed'; message: string }

export class BadVictimMessageError extends Error {
  override name = 'BadVictimMessageError'
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

export function parseFromVictim(v: unknown): FromVictim {
  if (!isObject(v)) throw new BadVictimMessageError('a victim message must be an object')
  if (v.type === 'ready' && typeof v.peerId === 'string' && v.peerId.length > 0)
    return { type: 'ready', peerId: v.peerId }
  if (v.type === 'failed' && typeof v.message === 'string') return { type: 'failed', message: v.message }
  throw new BadVictimMessageError(`unknown victim message ${JSON.stringify(v).slice(0, 80)}`)
}

export function parseToVictim(v: unknown): ToVictim {
  if (isObject(v) && v.type === 'stop') return { type: 'stop' }
  throw new BadVictimMessageError(`unknown command ${JSON.stringify(v).slice(0, 80)}`)
}

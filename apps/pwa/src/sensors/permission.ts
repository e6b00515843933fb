import type { PermissionState, PermissionStatusLike } from './types'

/** The least of `navigator.permissions` the sensors use: tests pass fakes. */
export interface PermissionsLike {
  query(descriptor: { name: string }): Promise<PermissionStatusLike>
}

export function toPermissionState(state: string): PermissionState {
  return state === 'granted' || state === 'denied' || state === 'prompt' ? state : 'unsupported'
}

/** A permission being watched: its state now, and how to stop watching. */
export interface PermissionWatch {
  state: PermissionState
  close(): void
}

/**
 * Queries `name` and calls `onChange` on every `change` event. Where the Permissions API is
 * missing, or does not know the name (Firefox and `accelerometer`), the state is
 * `unsupported` and nothing is watched.
 */
export async function watchPermission(
  permissions: PermissionsLike | undefined,
  name: string | undefined,
  onChange: (state: PermissionState) => void
): Promise<PermissionWatch> {
  if (permissions === undefined || name === undefined) return { state: 'unsupported', close: () => undefined }
  let status: PermissionStatusLike
  try {
    status = await permissions.query({ name })
  } catch {
    // A TypeError for a name this browser does not know.
    return { state: 'unsupported', close: () => undefined }
  }
  const listener = (): void => onChange(toPermissionState(status.state))
  status.addEventListener('change', listener)
  return {
    state: toPermissionState(status.state),
    close: () => status.removeEventListener('change', listener)
  }
}

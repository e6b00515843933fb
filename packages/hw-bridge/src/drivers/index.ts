export { driverSource } from './driver-source.ts'
export { DriverError } from './errors.ts'
export { driverInitSchema, parseDriverInit } from './init.ts'
export { PROTOCOL_VERSION } from './constants.ts'
export { parseDriverLine } from './protocol.ts'
export type {
  DriverClock,
  DriverComponents,
  DriverDownReason,
  DriverEventName,
  DriverEvents,
  DriverGarbageInit,
  DriverInit,
  DriverRestartInit,
  DriverSource,
  DriverStatus
} from './types.ts'
export type { BridgeMessage, DriverMessage, ParseResult } from './protocol.ts'

import { readFileSync } from 'node:fs'
import { UsageError, USAGE, parseCliArgs } from './cli/args.js'
import type { CliCommand } from './cli/args.js'
import type { Printer, TextSink } from './cli/output.js'
import { createPrinter } from './cli/output.js'
import { InvalidOptionError } from './errors.js'
import { errorMessage } from './log.js'
import type { RelayInit } from './options.js'
import type { Relay } from './relay.js'
import { createRelay } from './relay.js'

/** Exit codes that mean something to scripts and supervisors. */
export const EXIT_OK = 0
export const EXIT_FAILURE = 1
export const EXIT_USAGE = 2

/** Where SIGINT and SIGTERM arrive from: `process`, or a fake in tests. */
export interface SignalSource {
  on(signal: NodeJS.Signals, listener: () => void): unknown
  off(signal: NodeJS.Signals, listener: () => void): unknown
}

export interface CliIo {
  stdout: TextSink
  stderr: TextSink
  /** @default process */
  signals?: SignalSource
}

const SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM']

/**
 * The `mesh-relay` command. Returns the exit code once the relay has stopped: 0 after a
 * graceful stop on SIGINT/SIGTERM, 1 when it failed or a second signal forced the stop,
 * 2 for a bad command line.
 */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  let command: CliCommand
  try {
    command = parseCliArgs(argv)
  } catch (err) {
    if (!(err instanceof UsageError)) throw err
    io.stderr.write(`mesh-relay: ${err.message}\nRun mesh-relay --help for usage.\n`)
    return EXIT_USAGE
  }
  switch (command.kind) {
    case 'help':
      io.stdout.write(USAGE)
      return EXIT_OK
    case 'version':
      io.stdout.write(`${packageVersion()}\n`)
      return EXIT_OK
    case 'run':
      return run(command.init, createPrinter(io.stdout, io.stderr, command.json), io)
  }
}

async function run(init: RelayInit, printer: Printer, io: CliIo): Promise<number> {
  const signals = io.signals ?? process
  const stopRequested = Promise.withResolvers<NodeJS.Signals>()
  const forced = Promise.withResolvers<number>()
  let received = 0
  // Listening from the start, so Ctrl+C during start-up stops the relay once it is up.
  const onSignal = (signal: NodeJS.Signals): void => {
    received += 1
    if (received === 1) {
      stopRequested.resolve(signal)
    } else {
      printer.log({
        level: 'warn',
        event: 'relay:forced',
        message: `${signal} again: exiting without waiting`
      })
      forced.resolve(EXIT_FAILURE)
    }
  }
  const listeners = SIGNALS.map((signal) => [signal, () => onSignal(signal)] as const)
  for (const [signal, listener] of listeners) signals.on(signal, listener)

  try {
    const started = await Promise.race([
      createRelay({ ...init, logger: (entry) => printer.log(entry) }).then(
        (relay): Relay | number => relay,
        (err: unknown) => {
          if (err instanceof InvalidOptionError) {
            io.stderr.write(`mesh-relay: ${err.message}\nRun mesh-relay --help for usage.\n`)
            return EXIT_USAGE
          }
          printer.log({
            level: 'error',
            event: 'relay:start-failed',
            message: `cannot start: ${errorMessage(err)}`
          })
          return EXIT_FAILURE
        }
      ),
      forced.promise
    ])
    if (typeof started === 'number') return started
    const relay = started

    try {
      await printer.started({
        version: packageVersion(),
        peerId: relay.peerId,
        url: relay.url,
        lanUrls: relay.lanUrls,
        addresses: relay.addresses,
        tls: init.cert !== undefined ? 'custom' : init.tls === true ? 'self-signed' : 'off'
      })
    } catch (err) {
      // The relay is up; a banner that cannot be drawn is no reason to stop it.
      printer.log({ level: 'warn', event: 'relay:banner-failed', message: errorMessage(err) })
    }

    const signal = await stopRequested.promise
    printer.log({ level: 'info', event: 'relay:stopping', message: `${signal}: stopping` })
    return await Promise.race([
      relay.close().then(
        () => {
          printer.log({ level: 'info', event: 'relay:stopped', message: 'stopped' })
          return EXIT_OK
        },
        (err: unknown) => {
          printer.log({ level: 'error', event: 'relay:stop-failed', message: errorMessage(err) })
          return EXIT_FAILURE
        }
      ),
      forced.promise
    ])
  } finally {
    for (const [signal, listener] of listeners) signals.off(signal, listener)
  }
}

/** The version in this package's package.json (one level above both src/ and dist/). */
export function packageVersion(): string {
  const text = readFileSync(new URL('../package.json', import.meta.url), 'utf8')
  const parsed: unknown = JSON.parse(text)
  if (
    typeof parsed === 'object' &&
    parsed !== null &&
    'version' in parsed &&
    typeof parsed.version === 'string'
  ) {
    return parsed.version
  }
  throw new Error('package.json has no version')
}

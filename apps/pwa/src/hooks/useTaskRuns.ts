import { useSyncExternalStore } from 'react'
import type { RunLog, TaskRun } from '../tasks/run-log'

/** The runs of the Tasks panel, newest first, re-rendering on every change. */
export function useTaskRuns(log: RunLog): readonly TaskRun[] {
  return useSyncExternalStore(log.subscribe, log.runs)
}

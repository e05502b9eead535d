// The scheduler's public face.
export { Scheduler, DEFAULT_SCHEDULER_NAME, needsScheduling } from './scheduler.js';
export { effectiveTaints, filterNode, fitErrorMessage, schedule, tolerates, type ScheduleResult, type Taint, type Toleration } from './filter.js';

// The userspace proxy backend: Service addresses in 127.0.0.0/8 carried to pods by real sockets.
export { UserspaceProxy, type UserspaceProxyOptions, type BindFailure, type TcpRelay } from './proxy.js';
export type { TrafficCounters, UserspaceProxyStats } from './counters.js';
export type { BalancingMode } from './serviceport.js';
export type { TrafficClass } from './select.js';

// The garbage collector's public face.
export { GarbageCollector, resourceOf } from './garbagecollector.js';
export { OwnershipGraph, FOREGROUND_FINALIZER, ORPHAN_FINALIZER, type GraphNode, type Identity } from './graph.js';

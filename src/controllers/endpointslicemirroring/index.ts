// The EndpointSlice mirroring controller's public face.
export { EndpointSliceMirroringController, shouldMirror, type EndpointSliceMirroringControllerOptions } from './controller.js';
export { DEFAULT_MAX_ENDPOINTS_PER_SUBSET, addressToEndpoint, newMirroredSlice, planMirroredSlices, type MirrorInput, type MirrorPlan } from './reconciler.js';

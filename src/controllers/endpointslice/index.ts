// The EndpointSlice controller's public face, and the pieces the Endpoints and mirroring
// controllers share with it (pod selection, port resolution, slice labels, the tracker).
export { EndpointSliceController, type EndpointSliceControllerOptions } from './controller.js';
export { errorText, isNamespaceTerminating } from './api-errors.js';
export { endpointKey, endpointsEqualBeyondHash, podToEndpoint } from './endpoint.js';
export * from './labels.js';
export {
  addressTypesFor,
  endpointPortsFor,
  findPort,
  isIPv6,
  isServiceIPSet,
  podAddresses,
  podIPs,
  portMapKey,
  shouldPodBeInEndpoints,
  shouldSetHostname,
  type AddressType,
} from './pods.js';
export { DEFAULT_MAX_ENDPOINTS_PER_SLICE, planEndpointSlices, type SlicePlan, type SliceReconcileInput } from './reconciler.js';
export { ServiceSelectionIndex, selectorMatches } from './selection.js';
export { SliceIndex, managedBy, serviceKeyOfSlice } from './slice-index.js';
export { EndpointSliceTracker, type TrackedSlice } from './tracker.js';
export { SLICE_CHANGE_DELAY_MS, SliceSync, type SliceWrites } from './slice-sync.js';

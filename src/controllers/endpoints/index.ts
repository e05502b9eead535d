// The Endpoints controller's public face.
export { EndpointsController, desiredSubsets, podToEndpointAddress, type EndpointsControllerOptions } from './controller.js';
export { MAX_ENDPOINTS_CAPACITY, canonicalSubsets, repackSubsets, subsetsEqual, truncateSubsets, type EndpointsPort } from './subsets.js';

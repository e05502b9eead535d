// The LoadBalancer controller's public face.
export { LoadBalancerController, LOAD_BALANCER_CLASS, isLoadBalancer, isOurs } from './controller.js';
export { AddressPool, PoolError } from './pool.js';

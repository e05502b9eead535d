// The Deployment controller.
export { DeploymentController, type DeploymentControllerOptions } from './controller.js';
export { computeHash, equalIgnoreHash, POD_TEMPLATE_HASH_LABEL } from './hash.js';
export { DEPLOYMENT_KIND } from './sync.js';

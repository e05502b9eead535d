// apps/v1 Deployment.
// Each row: protobuf field number -> [JSON name, type, Go pointer / no-omitempty flags].
import { ALWAYS, BOOL, INT32, INT64, PTR, STRING, list, message } from '../schema.js';
import { PodTemplateSpec } from './core-pod.js';
import { LabelSelector, ObjectMeta } from './meta.js';
import { IntOrString, Time } from './wellknown.js';

const RollingUpdateDeployment = message('RollingUpdateDeployment', {
  1: ['maxUnavailable', IntOrString, PTR],
  2: ['maxSurge', IntOrString, PTR],
});

const DeploymentStrategy = message('DeploymentStrategy', {
  1: ['type', STRING],
  2: ['rollingUpdate', RollingUpdateDeployment, PTR],
});

const DeploymentSpec = message('DeploymentSpec', {
  // *int32: `replicas: 0` (scaled to zero) differs from unset (defaulted to 1).
  1: ['replicas', INT32, PTR],
  // *LabelSelector without omitempty: null when unset.
  2: ['selector', LabelSelector, PTR, ALWAYS],
  3: ['template', PodTemplateSpec],
  4: ['strategy', DeploymentStrategy],
  5: ['minReadySeconds', INT32],
  6: ['revisionHistoryLimit', INT32, PTR],
  7: ['paused', BOOL],
  9: ['progressDeadlineSeconds', INT32, PTR],
});

const DeploymentCondition = message('DeploymentCondition', {
  1: ['type', STRING, ALWAYS],
  2: ['status', STRING, ALWAYS],
  4: ['reason', STRING],
  5: ['message', STRING],
  6: ['lastUpdateTime', Time],
  7: ['lastTransitionTime', Time],
});

const DeploymentStatus = message('DeploymentStatus', {
  1: ['observedGeneration', INT64],
  2: ['replicas', INT32],
  3: ['updatedReplicas', INT32],
  4: ['availableReplicas', INT32],
  5: ['unavailableReplicas', INT32],
  6: ['conditions', list(DeploymentCondition)],
  7: ['readyReplicas', INT32],
  8: ['collisionCount', INT32, PTR],
  9: ['terminatingReplicas', INT32, PTR],
});

export const Deployment = message('Deployment', {
  1: ['metadata', ObjectMeta],
  2: ['spec', DeploymentSpec],
  3: ['status', DeploymentStatus],
});

// core/v1 Container and what it is made of: ports, env, resources, probes, lifecycle hooks,
// security context (k8s.io/api/core/v1, as of Kubernetes 1.33).
// Each row: protobuf field number -> [JSON name, type, Go pointer / no-omitempty flags].
import { ALWAYS, BOOL, INLINE, INT32, INT64, PTR, STRING, list, map, message } from '../schema.js';
import { IntOrString, Quantity } from './wellknown.js';

export const LocalObjectReference = message('LocalObjectReference', {
  1: ['name', STRING],
});

export const ContainerPort = message('ContainerPort', {
  1: ['name', STRING],
  2: ['hostPort', INT32],
  3: ['containerPort', INT32, ALWAYS],
  4: ['protocol', STRING],
  5: ['hostIP', STRING],
});

export const ObjectFieldSelector = message('ObjectFieldSelector', {
  1: ['apiVersion', STRING],
  2: ['fieldPath', STRING, ALWAYS],
});

export const ResourceFieldSelector = message('ResourceFieldSelector', {
  1: ['containerName', STRING],
  2: ['resource', STRING, ALWAYS],
  3: ['divisor', Quantity],
});

/** ConfigMapKeySelector and SecretKeySelector share one shape. */
const KeySelector = message('KeySelector', {
  1: [INLINE, LocalObjectReference],
  2: ['key', STRING, ALWAYS],
  3: ['optional', BOOL, PTR],
});

const EnvVarSource = message('EnvVarSource', {
  1: ['fieldRef', ObjectFieldSelector, PTR],
  2: ['resourceFieldRef', ResourceFieldSelector, PTR],
  3: ['configMapKeyRef', KeySelector, PTR],
  4: ['secretKeyRef', KeySelector, PTR],
});

const EnvVar = message('EnvVar', {
  1: ['name', STRING, ALWAYS],
  2: ['value', STRING],
  3: ['valueFrom', EnvVarSource, PTR],
});

/** ConfigMapEnvSource and SecretEnvSource share one shape. */
const EnvSource = message('EnvSource', {
  1: [INLINE, LocalObjectReference],
  2: ['optional', BOOL, PTR],
});

const EnvFromSource = message('EnvFromSource', {
  1: ['prefix', STRING],
  2: ['configMapRef', EnvSource, PTR],
  3: ['secretRef', EnvSource, PTR],
});

const ResourceClaim = message('ResourceClaim', {
  1: ['name', STRING, ALWAYS],
  2: ['request', STRING],
});

export const ResourceRequirements = message('ResourceRequirements', {
  1: ['limits', map(Quantity)],
  2: ['requests', map(Quantity)],
  3: ['claims', list(ResourceClaim)],
});

const VolumeMount = message('VolumeMount', {
  1: ['name', STRING, ALWAYS],
  2: ['readOnly', BOOL],
  3: ['mountPath', STRING, ALWAYS],
  4: ['subPath', STRING],
  5: ['mountPropagation', STRING, PTR],
  6: ['subPathExpr', STRING],
  7: ['recursiveReadOnly', STRING, PTR],
});

const VolumeDevice = message('VolumeDevice', {
  1: ['name', STRING, ALWAYS],
  2: ['devicePath', STRING, ALWAYS],
});

const ExecAction = message('ExecAction', {
  1: ['command', list(STRING)],
});

const HTTPHeader = message('HTTPHeader', {
  1: ['name', STRING, ALWAYS],
  2: ['value', STRING, ALWAYS],
});

const HTTPGetAction = message('HTTPGetAction', {
  1: ['path', STRING],
  2: ['port', IntOrString],
  3: ['host', STRING],
  4: ['scheme', STRING],
  5: ['httpHeaders', list(HTTPHeader)],
});

const TCPSocketAction = message('TCPSocketAction', {
  1: ['port', IntOrString],
  2: ['host', STRING],
});

const GRPCAction = message('GRPCAction', {
  1: ['port', INT32, ALWAYS],
  // *string without omitempty: written as null when unset.
  2: ['service', STRING, PTR, ALWAYS],
});

const SleepAction = message('SleepAction', {
  1: ['seconds', INT64, ALWAYS],
});

const ProbeHandler = message('ProbeHandler', {
  1: ['exec', ExecAction, PTR],
  2: ['httpGet', HTTPGetAction, PTR],
  3: ['tcpSocket', TCPSocketAction, PTR],
  4: ['grpc', GRPCAction, PTR],
});

const Probe = message('Probe', {
  1: [INLINE, ProbeHandler],
  2: ['initialDelaySeconds', INT32],
  3: ['timeoutSeconds', INT32],
  4: ['periodSeconds', INT32],
  5: ['successThreshold', INT32],
  6: ['failureThreshold', INT32],
  7: ['terminationGracePeriodSeconds', INT64, PTR],
});

const LifecycleHandler = message('LifecycleHandler', {
  1: ['exec', ExecAction, PTR],
  2: ['httpGet', HTTPGetAction, PTR],
  3: ['tcpSocket', TCPSocketAction, PTR],
  4: ['sleep', SleepAction, PTR],
});

const Lifecycle = message('Lifecycle', {
  1: ['postStart', LifecycleHandler, PTR],
  2: ['preStop', LifecycleHandler, PTR],
  3: ['stopSignal', STRING, PTR],
});

const Capabilities = message('Capabilities', {
  1: ['add', list(STRING)],
  2: ['drop', list(STRING)],
});

export const SELinuxOptions = message('SELinuxOptions', {
  1: ['user', STRING],
  2: ['role', STRING],
  3: ['type', STRING],
  4: ['level', STRING],
});

export const WindowsSecurityContextOptions = message('WindowsSecurityContextOptions', {
  1: ['gmsaCredentialSpecName', STRING, PTR],
  2: ['gmsaCredentialSpec', STRING, PTR],
  3: ['runAsUserName', STRING, PTR],
  4: ['hostProcess', BOOL, PTR],
});

/** SeccompProfile and AppArmorProfile share one shape. */
export const SecurityProfile = message('SecurityProfile', {
  1: ['type', STRING, ALWAYS],
  2: ['localhostProfile', STRING, PTR],
});

const SecurityContext = message('SecurityContext', {
  1: ['capabilities', Capabilities, PTR],
  2: ['privileged', BOOL, PTR],
  3: ['seLinuxOptions', SELinuxOptions, PTR],
  4: ['runAsUser', INT64, PTR],
  5: ['runAsNonRoot', BOOL, PTR],
  6: ['readOnlyRootFilesystem', BOOL, PTR],
  7: ['allowPrivilegeEscalation', BOOL, PTR],
  8: ['runAsGroup', INT64, PTR],
  9: ['procMount', STRING, PTR],
  10: ['windowsOptions', WindowsSecurityContextOptions, PTR],
  11: ['seccompProfile', SecurityProfile, PTR],
  12: ['appArmorProfile', SecurityProfile, PTR],
});

const ContainerResizePolicy = message('ContainerResizePolicy', {
  1: ['resourceName', STRING, ALWAYS],
  2: ['restartPolicy', STRING, ALWAYS],
});

/** Also used for initContainers. */
export const Container = message('Container', {
  1: ['name', STRING, ALWAYS],
  2: ['image', STRING],
  3: ['command', list(STRING)],
  4: ['args', list(STRING)],
  5: ['workingDir', STRING],
  6: ['ports', list(ContainerPort)],
  7: ['env', list(EnvVar)],
  8: ['resources', ResourceRequirements],
  9: ['volumeMounts', list(VolumeMount)],
  10: ['livenessProbe', Probe, PTR],
  11: ['readinessProbe', Probe, PTR],
  12: ['lifecycle', Lifecycle, PTR],
  13: ['terminationMessagePath', STRING],
  14: ['imagePullPolicy', STRING],
  15: ['securityContext', SecurityContext, PTR],
  16: ['stdin', BOOL],
  17: ['stdinOnce', BOOL],
  18: ['tty', BOOL],
  19: ['envFrom', list(EnvFromSource)],
  20: ['terminationMessagePolicy', STRING],
  21: ['volumeDevices', list(VolumeDevice)],
  22: ['startupProbe', Probe, PTR],
  23: ['resizePolicy', list(ContainerResizePolicy)],
  24: ['restartPolicy', STRING, PTR],
});

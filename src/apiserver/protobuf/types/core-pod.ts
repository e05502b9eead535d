// core/v1 PodSpec and PodTemplateSpec, the pod part of every workload. ephemeralContainers is
// not modelled: it cannot be set on create (only through the ephemeralcontainers subresource).
// Each row: protobuf field number -> [JSON name, type, Go pointer / no-omitempty flags].
import { ALWAYS, BOOL, INT32, INT64, PTR, STRING, list, map, message } from '../schema.js';
import { Container, LocalObjectReference, ResourceRequirements, SELinuxOptions, SecurityProfile, WindowsSecurityContextOptions } from './core-container.js';
import { Volume } from './core-volume.js';
import { LabelSelector, LabelSelectorRequirement, ObjectMeta } from './meta.js';
import { Quantity } from './wellknown.js';

// NodeSelectorRequirement has the shape of LabelSelectorRequirement.
const NodeSelectorTerm = message('NodeSelectorTerm', {
  1: ['matchExpressions', list(LabelSelectorRequirement)],
  2: ['matchFields', list(LabelSelectorRequirement)],
});

const NodeSelector = message('NodeSelector', {
  1: ['nodeSelectorTerms', list(NodeSelectorTerm), ALWAYS],
});

const PreferredSchedulingTerm = message('PreferredSchedulingTerm', {
  1: ['weight', INT32, ALWAYS],
  2: ['preference', NodeSelectorTerm],
});

const NodeAffinity = message('NodeAffinity', {
  1: ['requiredDuringSchedulingIgnoredDuringExecution', NodeSelector, PTR],
  2: ['preferredDuringSchedulingIgnoredDuringExecution', list(PreferredSchedulingTerm)],
});

const PodAffinityTerm = message('PodAffinityTerm', {
  1: ['labelSelector', LabelSelector, PTR],
  2: ['namespaces', list(STRING)],
  3: ['topologyKey', STRING, ALWAYS],
  4: ['namespaceSelector', LabelSelector, PTR],
  5: ['matchLabelKeys', list(STRING)],
  6: ['mismatchLabelKeys', list(STRING)],
});

const WeightedPodAffinityTerm = message('WeightedPodAffinityTerm', {
  1: ['weight', INT32, ALWAYS],
  2: ['podAffinityTerm', PodAffinityTerm],
});

/** PodAffinity and PodAntiAffinity share one shape. */
const PodAffinity = message('PodAffinity', {
  1: ['requiredDuringSchedulingIgnoredDuringExecution', list(PodAffinityTerm)],
  2: ['preferredDuringSchedulingIgnoredDuringExecution', list(WeightedPodAffinityTerm)],
});

const Affinity = message('Affinity', {
  1: ['nodeAffinity', NodeAffinity, PTR],
  2: ['podAffinity', PodAffinity, PTR],
  3: ['podAntiAffinity', PodAffinity, PTR],
});

const Sysctl = message('Sysctl', {
  1: ['name', STRING, ALWAYS],
  2: ['value', STRING, ALWAYS],
});

const PodSecurityContext = message('PodSecurityContext', {
  1: ['seLinuxOptions', SELinuxOptions, PTR],
  2: ['runAsUser', INT64, PTR],
  3: ['runAsNonRoot', BOOL, PTR],
  4: ['supplementalGroups', list(INT64)],
  5: ['fsGroup', INT64, PTR],
  6: ['runAsGroup', INT64, PTR],
  7: ['sysctls', list(Sysctl)],
  8: ['windowsOptions', WindowsSecurityContextOptions, PTR],
  9: ['fsGroupChangePolicy', STRING, PTR],
  10: ['seccompProfile', SecurityProfile, PTR],
  11: ['appArmorProfile', SecurityProfile, PTR],
  12: ['supplementalGroupsPolicy', STRING, PTR],
  13: ['seLinuxChangePolicy', STRING, PTR],
});

const Toleration = message('Toleration', {
  1: ['key', STRING],
  2: ['operator', STRING],
  3: ['value', STRING],
  4: ['effect', STRING],
  5: ['tolerationSeconds', INT64, PTR],
});

const HostAlias = message('HostAlias', {
  1: ['ip', STRING, ALWAYS],
  2: ['hostnames', list(STRING)],
});

const PodDNSConfigOption = message('PodDNSConfigOption', {
  1: ['name', STRING],
  2: ['value', STRING, PTR],
});

const PodDNSConfig = message('PodDNSConfig', {
  1: ['nameservers', list(STRING)],
  2: ['searches', list(STRING)],
  3: ['options', list(PodDNSConfigOption)],
});

const PodReadinessGate = message('PodReadinessGate', {
  1: ['conditionType', STRING, ALWAYS],
});

const TopologySpreadConstraint = message('TopologySpreadConstraint', {
  1: ['maxSkew', INT32, ALWAYS],
  2: ['topologyKey', STRING, ALWAYS],
  3: ['whenUnsatisfiable', STRING, ALWAYS],
  4: ['labelSelector', LabelSelector, PTR],
  5: ['minDomains', INT32, PTR],
  6: ['nodeAffinityPolicy', STRING, PTR],
  7: ['nodeTaintsPolicy', STRING, PTR],
  8: ['matchLabelKeys', list(STRING)],
});

const PodOS = message('PodOS', {
  1: ['name', STRING, ALWAYS],
});

const PodSchedulingGate = message('PodSchedulingGate', {
  1: ['name', STRING, ALWAYS],
});

const PodResourceClaim = message('PodResourceClaim', {
  1: ['name', STRING, ALWAYS],
  3: ['resourceClaimName', STRING, PTR],
  4: ['resourceClaimTemplateName', STRING, PTR],
});

export const PodSpec = message('PodSpec', {
  1: ['volumes', list(Volume)],
  // A slice without omitempty: null when a pod has no containers (validation rejects that later).
  2: ['containers', list(Container), ALWAYS],
  3: ['restartPolicy', STRING],
  4: ['terminationGracePeriodSeconds', INT64, PTR],
  5: ['activeDeadlineSeconds', INT64, PTR],
  6: ['dnsPolicy', STRING],
  7: ['nodeSelector', map(STRING)],
  8: ['serviceAccountName', STRING],
  9: ['serviceAccount', STRING],
  10: ['nodeName', STRING],
  11: ['hostNetwork', BOOL],
  12: ['hostPID', BOOL],
  13: ['hostIPC', BOOL],
  14: ['securityContext', PodSecurityContext, PTR],
  15: ['imagePullSecrets', list(LocalObjectReference)],
  16: ['hostname', STRING],
  17: ['subdomain', STRING],
  18: ['affinity', Affinity, PTR],
  19: ['schedulerName', STRING],
  20: ['initContainers', list(Container)],
  21: ['automountServiceAccountToken', BOOL, PTR],
  22: ['tolerations', list(Toleration)],
  23: ['hostAliases', list(HostAlias)],
  24: ['priorityClassName', STRING],
  25: ['priority', INT32, PTR],
  26: ['dnsConfig', PodDNSConfig, PTR],
  27: ['shareProcessNamespace', BOOL, PTR],
  28: ['readinessGates', list(PodReadinessGate)],
  29: ['runtimeClassName', STRING, PTR],
  30: ['enableServiceLinks', BOOL, PTR],
  31: ['preemptionPolicy', STRING, PTR],
  32: ['overhead', map(Quantity)],
  33: ['topologySpreadConstraints', list(TopologySpreadConstraint)],
  35: ['setHostnameAsFQDN', BOOL, PTR],
  36: ['os', PodOS, PTR],
  37: ['hostUsers', BOOL, PTR],
  38: ['schedulingGates', list(PodSchedulingGate)],
  39: ['resourceClaims', list(PodResourceClaim)],
  40: ['resources', ResourceRequirements, PTR],
});

export const PodTemplateSpec = message('PodTemplateSpec', {
  1: ['metadata', ObjectMeta],
  2: ['spec', PodSpec],
});

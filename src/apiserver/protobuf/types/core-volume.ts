// core/v1 Volume and the volume sources a workload on one machine can use. Cloud and legacy
// network sources (gcePersistentDisk, awsElasticBlockStore, rbd, iscsi, cephfs, ...) and
// `ephemeral` are not modelled: their fields are skipped like any unknown field.
// Each row: protobuf field number -> [JSON name, type, Go pointer / no-omitempty flags].
import { ALWAYS, BOOL, INLINE, INT32, INT64, PTR, STRING, list, map, message } from '../schema.js';
import { LocalObjectReference, ObjectFieldSelector, ResourceFieldSelector } from './core-container.js';
import { LabelSelector } from './meta.js';
import { Quantity } from './wellknown.js';

const KeyToPath = message('KeyToPath', {
  1: ['key', STRING, ALWAYS],
  2: ['path', STRING, ALWAYS],
  3: ['mode', INT32, PTR],
});

const HostPathVolumeSource = message('HostPathVolumeSource', {
  1: ['path', STRING, ALWAYS],
  2: ['type', STRING, PTR],
});

const EmptyDirVolumeSource = message('EmptyDirVolumeSource', {
  1: ['medium', STRING],
  2: ['sizeLimit', Quantity, PTR],
});

const SecretVolumeSource = message('SecretVolumeSource', {
  1: ['secretName', STRING],
  2: ['items', list(KeyToPath)],
  3: ['defaultMode', INT32, PTR],
  4: ['optional', BOOL, PTR],
});

const NFSVolumeSource = message('NFSVolumeSource', {
  1: ['server', STRING, ALWAYS],
  2: ['path', STRING, ALWAYS],
  3: ['readOnly', BOOL],
});

const PersistentVolumeClaimVolumeSource = message('PersistentVolumeClaimVolumeSource', {
  1: ['claimName', STRING, ALWAYS],
  2: ['readOnly', BOOL],
});

const DownwardAPIVolumeFile = message('DownwardAPIVolumeFile', {
  1: ['path', STRING, ALWAYS],
  2: ['fieldRef', ObjectFieldSelector, PTR],
  3: ['resourceFieldRef', ResourceFieldSelector, PTR],
  4: ['mode', INT32, PTR],
});

const DownwardAPIVolumeSource = message('DownwardAPIVolumeSource', {
  1: ['items', list(DownwardAPIVolumeFile)],
  2: ['defaultMode', INT32, PTR],
});

const ConfigMapVolumeSource = message('ConfigMapVolumeSource', {
  1: [INLINE, LocalObjectReference],
  2: ['items', list(KeyToPath)],
  3: ['defaultMode', INT32, PTR],
  4: ['optional', BOOL, PTR],
});

/** SecretProjection and ConfigMapProjection share one shape. */
const KeysProjection = message('KeysProjection', {
  1: [INLINE, LocalObjectReference],
  2: ['items', list(KeyToPath)],
  4: ['optional', BOOL, PTR],
});

const DownwardAPIProjection = message('DownwardAPIProjection', {
  1: ['items', list(DownwardAPIVolumeFile)],
});

const ServiceAccountTokenProjection = message('ServiceAccountTokenProjection', {
  1: ['audience', STRING],
  2: ['expirationSeconds', INT64, PTR],
  3: ['path', STRING, ALWAYS],
});

const ClusterTrustBundleProjection = message('ClusterTrustBundleProjection', {
  1: ['name', STRING, PTR],
  2: ['signerName', STRING, PTR],
  3: ['labelSelector', LabelSelector, PTR],
  4: ['path', STRING, ALWAYS],
  5: ['optional', BOOL, PTR],
});

const VolumeProjection = message('VolumeProjection', {
  1: ['secret', KeysProjection, PTR],
  2: ['downwardAPI', DownwardAPIProjection, PTR],
  3: ['configMap', KeysProjection, PTR],
  4: ['serviceAccountToken', ServiceAccountTokenProjection, PTR],
  5: ['clusterTrustBundle', ClusterTrustBundleProjection, PTR],
});

const ProjectedVolumeSource = message('ProjectedVolumeSource', {
  // A slice without omitempty: null when there are no sources.
  1: ['sources', list(VolumeProjection), ALWAYS],
  2: ['defaultMode', INT32, PTR],
});

const CSIVolumeSource = message('CSIVolumeSource', {
  1: ['driver', STRING, ALWAYS],
  2: ['readOnly', BOOL, PTR],
  3: ['fsType', STRING, PTR],
  4: ['volumeAttributes', map(STRING)],
  5: ['nodePublishSecretRef', LocalObjectReference, PTR],
});

const ImageVolumeSource = message('ImageVolumeSource', {
  1: ['reference', STRING],
  2: ['pullPolicy', STRING],
});

/** Exactly one source is set; in JSON its key sits beside `name` (VolumeSource is inline). */
const VolumeSource = message('VolumeSource', {
  1: ['hostPath', HostPathVolumeSource, PTR],
  2: ['emptyDir', EmptyDirVolumeSource, PTR],
  6: ['secret', SecretVolumeSource, PTR],
  7: ['nfs', NFSVolumeSource, PTR],
  10: ['persistentVolumeClaim', PersistentVolumeClaimVolumeSource, PTR],
  16: ['downwardAPI', DownwardAPIVolumeSource, PTR],
  19: ['configMap', ConfigMapVolumeSource, PTR],
  26: ['projected', ProjectedVolumeSource, PTR],
  28: ['csi', CSIVolumeSource, PTR],
  30: ['image', ImageVolumeSource, PTR],
});

export const Volume = message('Volume', {
  1: ['name', STRING, ALWAYS],
  2: [INLINE, VolumeSource],
});

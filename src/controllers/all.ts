// Every controller `tinykube up` runs, by kube-controller-manager's names. Each entry makes a
// fresh controller; `--controllers` style selection picks from these names.
import type { Controller } from './controller.js';

export const CONTROLLERS: Record<string, () => Controller> = {
};

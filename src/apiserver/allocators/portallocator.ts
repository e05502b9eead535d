// Node ports out of the node port range (Kubernetes' portallocator.PortAllocator over a bitmap),
// with a lower band of min(max(16, size/32), 128) ports left to user-chosen node ports.
import { AllocationBitmap, RangeAllocator, staticBandSize } from './bitmap.js';
import { AllocationError } from './errors.js';

export interface PortRange {
  min: number;
  max: number;
}

export class NodePortAllocator extends RangeAllocator<number> {
  constructor(
    readonly range: PortRange,
    random?: () => number,
  ) {
    if (!Number.isInteger(range.min) || !Number.isInteger(range.max) || range.min < 1 || range.max > 65535 || range.min > range.max) {
      throw new Error(`${range.min}-${range.max} is not a port range such as 30000-32767`);
    }
    const size = range.max - range.min + 1;
    super(new AllocationBitmap(size, staticBandSize(size, 16, 32, 128), random));
  }

  /** As net.PortRange prints it: `30000-32767`. */
  get text(): string {
    return `${this.range.min}-${this.range.max}`;
  }

  contains(port: number): boolean {
    return Number.isInteger(port) && port >= this.range.min && port <= this.range.max;
  }

  offsetOf(port: number): number | undefined {
    return this.contains(port) ? port - this.range.min : undefined;
  }

  protected valueAt(offset: number): number {
    return this.range.min + offset;
  }

  protected notInRange(): AllocationError {
    return new AllocationError('NotInRange', `provided port is not in the valid range. The range of valid ports is ${this.text}`);
  }

  protected alreadyAllocated(): AllocationError {
    return new AllocationError('Allocated', 'provided port is already allocated');
  }
}

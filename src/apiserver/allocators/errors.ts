// The allocators' refusals, with the texts Kubernetes' ipallocator and portallocator give
// (they end up inside field errors and Internal errors the user reads).

export type AllocationFailure = 'Full' | 'Allocated' | 'NotInRange';

export class AllocationError extends Error {
  constructor(
    readonly reason: AllocationFailure,
    message: string,
  ) {
    super(message);
  }
}

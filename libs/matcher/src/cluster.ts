import type { Matcher } from './matcher';
export class GapClusterer {
  constructor(_o: { matcher: Matcher }) {}
  add(_t: string): { clusterId: number; isNew: boolean } { return { clusterId: 0, isNew: true }; }
}

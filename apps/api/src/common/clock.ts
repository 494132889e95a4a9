import { Injectable } from '@nestjs/common';

/**
 * The time a service reads, in epoch milliseconds: injected rather than `Date.now()` so that a unit spec
 * can set it (a spec passes its own `Clock` whose `now` returns the time the spec chose).
 */
@Injectable()
export class Clock {
  now(): number {
    return Date.now();
  }
}

import { Module } from '@nestjs/common';
import { PushHub } from './push-hub';

/** The one push hub of the `api` role: the gateway, the live metrics and the gaps share it. */
@Module({ providers: [PushHub], exports: [PushHub] })
export class PushModule {}

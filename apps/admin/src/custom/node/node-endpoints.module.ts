import { Module } from '@nestjs/common';
import { LogLevelController } from './log-level.controller';
import { LogLevelService } from './log-level.service';
import { NodeController } from './node.controller';

@Module({ controllers: [NodeController, LogLevelController], providers: [LogLevelService] })
export class NodeEndpointsModule {}

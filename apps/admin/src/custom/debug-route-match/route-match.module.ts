import { Module } from '@nestjs/common';
import { ReleasesModule } from '../../cluster/releases/releases.module';
import { RouteMatchController } from './route-match.controller';
import { RouteMatchService } from './route-match.service';

@Module({ imports: [ReleasesModule], controllers: [RouteMatchController], providers: [RouteMatchService] })
export class RouteMatchModule {}

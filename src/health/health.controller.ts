import { Controller, Get } from '@nestjs/common';
import { HealthCheck, HealthCheckService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Public } from '../auth/auth.decorators';
import { CONTROL_CONNECTION } from '../common/database/control-connection';

/**
 * `/health/live`: the process answers (restart it if not). `/health/ready` and `/health`: it can
 * serve, database included (take it out of the load balancer if not).
 */
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly db: TypeOrmHealthIndicator,
    @InjectDataSource(CONTROL_CONNECTION) private readonly control: DataSource,
  ) {}

  @Public()
  @Get('live')
  live() {
    return { status: 'ok' };
  }

  @Public()
  @Get(['', 'ready'])
  @HealthCheck()
  ready() {
    // On the control pool: a main pool full of gated pages does not make the API look dead.
    return this.health.check([() => this.db.pingCheck('database', { connection: this.control, timeout: 2000 })]);
  }
}

import { Module } from '@nestjs/common';
import { AnalysisResolver } from './analysis.resolver';
import { AnalysisService } from './analysis.service';

/** The anonymised analysis (docs/analysis.md). `retireIntoAnalysis` needs no module: it runs in its caller's transaction. */
@Module({
  providers: [AnalysisService, AnalysisResolver],
})
export class AnalysisModule {}

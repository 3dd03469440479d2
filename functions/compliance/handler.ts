import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { type ComplianceResult, checkCompliance, readComplianceConfig } from '../lib/compliance/check';
import { FindingDelivery } from '../lib/compliance/delivery';
import { parseEnvelope } from '../lib/envelope';
import { instrument, logger, metrics } from '../lib/observability';

const config = readComplianceConfig();
const delivery = new FindingDelivery(config.delivery);

/** Step Functions task: the event is the envelope; the result lists the findings raised for it. */
export const handler = instrument<unknown, ComplianceResult>(async (event, context) => {
  const envelope = parseEnvelope(event);
  logger.setCorrelationId(envelope.id);
  delivery.registerLambdaContext(context);
  const result = await checkCompliance(envelope, {
    catalogue: config.catalogue,
    allowList: config.allowList,
    delivery,
    onRuleErrors: (errors) => {
      logger.warn('compliance rules could not be evaluated', { eventId: envelope.id, errors });
      metrics.addMetric('ComplianceRuleErrors', MetricUnit.Count, errors.length);
    },
  });
  metrics.addMetric('ComplianceFindings', MetricUnit.Count, result.findings.length);
  for (const finding of result.findings) {
    const bySeverity = metrics.singleMetric();
    bySeverity.addDimension('severity', finding.severity);
    bySeverity.addMetric('ComplianceFindings', MetricUnit.Count, 1);
  }
  if (result.findings.length > 0) {
    logger.info('compliance findings raised', { eventId: envelope.id, source: envelope.source, ...result });
  }
  return result;
});

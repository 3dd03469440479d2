import { loadTemplate } from '../../local/template';

const template = loadTemplate();
const alarms = Object.entries(template.Resources).filter(([, r]) => r.Type === 'AWS::CloudWatch::Alarm');

/** The metric names an alarm watches, whether directly or through metric math. */
function watched(properties: Record<string, unknown>): string[] {
  if (typeof properties.MetricName === 'string') return [`${properties.Namespace}/${properties.MetricName}`];
  const metrics = (properties.Metrics ?? []) as Array<{
    MetricStat?: { Metric: { Namespace: string; MetricName: string } };
  }>;
  return metrics.flatMap((m) =>
    m.MetricStat ? [`${m.MetricStat.Metric.Namespace}/${m.MetricStat.Metric.MetricName}`] : [],
  );
}

describe('operations alarms', () => {
  it.each([
    ['ingest 5xx', 'AWS/ApiGateway/5XXError'],
    ['authorizer denials', 'WebhookPipeline/AuthorizerDenied'],
    ['iterator age', 'AWS/Lambda/IteratorAge'],
    ['dead-letter messages', 'AWS/SQS/ApproximateNumberOfMessagesVisible'],
    ['failed executions', 'AWS/States/ExecutionsFailed'],
    ['Firehose delivery failures', 'AWS/Firehose/DeliveryToS3.Success'],
    ['OpenSearch throttling', 'WebhookPipeline/SearchThrottled'],
    ['records the lake transform refused', 'WebhookPipeline/LakeRecordsFailed'],
  ])('watches %s', (_what, metric) => {
    const matching = alarms.filter(([, alarm]) => watched(alarm.Properties ?? {}).includes(metric));
    expect(matching).toHaveLength(1);
  });

  it.each(alarms)('%s notifies the operations topic', (_id, alarm) => {
    expect(alarm.Properties?.AlarmActions).toEqual([{ Ref: 'OperationsAlarmTopic' }]);
    expect(typeof alarm.Properties?.AlarmDescription).toBe('string');
  });

  it('watches custom metrics under the dimensions the functions emit them with', () => {
    const services: Record<string, string> = {};
    for (const [id, resource] of Object.entries(template.Resources)) {
      const variables = (
        resource.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined
      )?.Variables;
      if (typeof variables?.POWERTOOLS_SERVICE_NAME === 'string')
        services[variables.POWERTOOLS_SERVICE_NAME] = id;
    }
    const custom = alarms.flatMap(([, alarm]) => {
      const props = alarm.Properties ?? {};
      const stats = props.MetricName
        ? [{ Namespace: props.Namespace, Dimensions: props.Dimensions }]
        : ((props.Metrics ?? []) as Array<{ MetricStat?: { Metric: Record<string, unknown> } }>).flatMap(
            (m) => (m.MetricStat ? [m.MetricStat.Metric] : []),
          );
      return stats.filter((s) => s.Namespace === 'WebhookPipeline');
    });
    expect(custom.length).toBeGreaterThan(0);
    for (const metric of custom) {
      const dimensions = metric.Dimensions as Array<{ Name: string; Value: string }>;
      expect(dimensions).toHaveLength(1);
      expect(dimensions[0]?.Name).toBe('service');
      expect(Object.keys(services)).toContain(dimensions[0]?.Value);
    }
  });

  it('has a dashboard that shows every alarm', () => {
    const dashboard = template.Resources.PipelineDashboard?.Properties?.DashboardBody as {
      'Fn::Sub': [string, unknown];
    };
    const body = dashboard['Fn::Sub'][0];
    for (const [id] of alarms) expect(body).toContain(`\${${id}.Arn}`);
    const parsed = JSON.parse(body.replace(/\$\{[^}]+\}/g, 'x')) as { widgets: unknown[] };
    expect(parsed.widgets.length).toBeGreaterThanOrEqual(6);
  });
});

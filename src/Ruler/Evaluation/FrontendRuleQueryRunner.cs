using Orleans.Loki.Gateway.Query;
using Orleans.Loki.Gateway.Query.Frontend;
using Orleans.Loki.LogQL.Engine;
using Orleans.Loki.LogQL.Syntax;
using Orleans.Loki.Model;

namespace Orleans.Loki.Ruler.Evaluation;

/// <summary>
/// Rule expressions as instant queries through the query frontend users hit (<see cref="QueryService"/>): the tenant's
/// limits, fair queue, query timeout and the read path's delete filtering apply. Parsed expressions are cached.
/// </summary>
public sealed class FrontendRuleQueryRunner(QueryService queries) : IRuleQueryRunner
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, Expr> _parsed = new(StringComparer.Ordinal);

    public async Task<IReadOnlyList<RuleSample>> InstantAsync(string tenant, string expr, long atNs, CancellationToken ct)
    {
        QueryResult result;
        try
        {
            if (!_parsed.TryGetValue(expr, out var parsed))
            {
                parsed = LogQLParser.Parse(expr);
                if (_parsed.Count < 100_000)
                {
                    _parsed[expr] = parsed;
                }
            }
            if (parsed.IsLogQuery)
            {
                throw new RuleEvaluationException(LokiErrors.RuleResultNotVector);
            }
            result = await queries.InstantForRuleAsync(tenant, parsed, atNs, ct).ConfigureAwait(false);
        }
        catch (ParseException e)
        {
            throw new RuleEvaluationException(e.Message);
        }
        catch (QueryException e)
        {
            throw new RuleEvaluationException(e.Message);
        }
        catch (TooManyOutstandingRequestsException e)
        {
            throw new RuleEvaluationException(e.Message);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new RuleEvaluationException(LokiErrors.ContextDeadlineExceeded);
        }
        switch (result.ResultType)
        {
            case "vector":
                var vector = result.Vector ?? [];
                var samples = new RuleSample[vector.Count];
                for (var i = 0; i < vector.Count; i++)
                {
                    samples[i] = new RuleSample(vector[i].Labels, vector[i].Value);
                }
                return samples;
            case "scalar" when result.Scalar is { } s:
                return [new RuleSample([], s.Value)];
            default:
                throw new RuleEvaluationException(LokiErrors.RuleResultNotVector);
        }
    }
}

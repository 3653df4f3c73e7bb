using Orleans.Loki.Gateway.Query.Frontend;
using Orleans.Loki.LogQL.Engine;
using Orleans.Loki.LogQL.Syntax;

namespace Orleans.Loki.Gateway.Query;

/// <summary>Instant queries for the ruler: the same frontend, fair queue, tenant limits and timeout as <c>/loki/api/v1/query</c>.</summary>
public sealed partial class QueryService
{
    /// <summary>Evaluates <paramref name="expr"/> for <paramref name="tenant"/> at <paramref name="atNs"/>, as an instant query.</summary>
    /// <exception cref="ParseException">The query does not parse.</exception>
    /// <exception cref="QueryException">The query cannot be executed (limits, pipeline errors).</exception>
    /// <exception cref="TooManyOutstandingRequestsException">The tenant's queue is full.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="ct"/> or the tenant's <c>query_timeout</c> ran out.</exception>
    public async Task<QueryResult> InstantForRuleAsync(string tenant, Expr expr, long atNs, CancellationToken ct)
    {
        var queryLimits = limits.Query(tenant);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(queryLimits.QueryTimeout);
        var outcome = await _frontend.ExecuteAsync(tenant, new QueryParams
        {
            Expr = expr,
            StartNs = atNs,
            EndNs = atNs,
            Direction = Direction.Backward,
            Limit = queryLimits.MaxEntriesLimitPerQuery > 0 ? queryLimits.MaxEntriesLimitPerQuery : new QueryLimits().MaxEntriesLimitPerQuery,
            Instant = true,
        }, queryLimits, timeout.Token).ConfigureAwait(false);
        return outcome.Result;
    }
}

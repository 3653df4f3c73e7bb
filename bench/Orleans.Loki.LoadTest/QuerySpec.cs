using Orleans.Loki.Bench.Generation;

namespace Orleans.Loki.LoadTest;

/// <summary>How a query is sent.</summary>
internal enum QueryKind
{
    /// <summary><c>/loki/api/v1/query</c> at the corpus end; the result is one number.</summary>
    InstantCount = 1,

    /// <summary><c>/loki/api/v1/query_range</c> over the corpus span with a step.</summary>
    Range = 2,

    /// <summary><c>/loki/api/v1/query_range</c> log query, backward, with a limit.</summary>
    Logs = 3,
}

/// <summary>One query of the fixed set.</summary>
/// <param name="Name">Short name for the tables.</param>
/// <param name="LogQL">The query.</param>
/// <param name="Kind">Endpoint and shape.</param>
/// <param name="Scans">Format of the streams the selector matches (null: all); their raw bytes are what it scans.</param>
/// <param name="GrepPattern">grep -E pattern counting the same lines on the decompressed corpus, or null.</param>
/// <param name="StepSeconds">Range step.</param>
/// <param name="GrepFixed">Whether <paramref name="GrepPattern"/> is a fixed string (grep -F) rather than a regex.</param>
internal sealed record QuerySpec(string Name, string LogQL, QueryKind Kind, LineFormat? Scans, string? GrepPattern, int StepSeconds = 60, bool GrepFixed = false)
{
    /// <summary>The fixed query set. Counting queries have a grep twin, so their results are checked too.</summary>
    public static IReadOnlyList<QuerySpec> FixedSet { get; } =
    [
        new("needle count", $"sum(count_over_time({{job=\"loadtest\"}} |= \"{Corpus.Needle}\" [1h]))", QueryKind.InstantCount, null, Corpus.Needle, GrepFixed: true),
        new("regex count", "sum(count_over_time({job=\"loadtest\"} |~ \"user_id=u-12[0-9]+ \" [1h]))", QueryKind.InstantCount, null, "user_id=u-12[0-9]+ "),
        new("logfmt status>=500", "sum(count_over_time({job=\"loadtest\", format=\"logfmt\"} | logfmt | status >= 500 [1h]))", QueryKind.InstantCount, LineFormat.Logfmt, "^ts=.* status=5[0-9][0-9] "),
        new("json level=error", "sum(count_over_time({job=\"loadtest\", format=\"json\"} | json | level=\"error\" [1h]))", QueryKind.InstantCount, LineFormat.Json, "^\\{\"ts\":\"[^\"]*\",\"level\":\"error\""),
        new("sum by level [1m]", "sum by (level) (count_over_time({job=\"loadtest\"}[1m]))", QueryKind.Range, null, null, 60),
        new("topk path rate [5m]", "topk(5, sum by (path) (rate({job=\"loadtest\", format=\"logfmt\"} | logfmt [5m])))", QueryKind.Range, LineFormat.Logfmt, null, 300),
        new("logs limit=1000", "{job=\"loadtest\"}", QueryKind.Logs, null, null),
    ];
}

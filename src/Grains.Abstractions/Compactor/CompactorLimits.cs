using Orleans.Loki.LogQL.Syntax;
using Orleans.Loki.Model;

namespace Orleans.Loki.Grains.Compactor;

/// <summary>A <c>retention_stream</c> rule: streams matching <see cref="Selector"/> keep their data for <see cref="Period"/>.</summary>
public sealed record RetentionStreamRule(string Selector, int Priority, TimeSpan Period)
{
    private LabelMatcher[]? _matchers;

    /// <summary>The selector's matchers (parsed once).</summary>
    public LabelMatcher[] Matchers => _matchers ??= Parse(Selector);

    /// <summary>Loki's validation: the problem with the rule, or null.</summary>
    public string? Validate()
    {
        if (Period < TimeSpan.FromHours(24))
        {
            return LokiErrors.RetentionPeriodTooShort(GoDuration.Format(Period));
        }
        try
        {
            _ = Parse(Selector);
        }
        catch (ParseException e)
        {
            return LokiErrors.InvalidLabelsMatchers(e.Message);
        }
        return null;
    }

    private static LabelMatcher[] Parse(string selector) => LogQLParser.Parse(selector) switch
    {
        LogSelectorExpr { Stages.Count: 0 } s => [.. s.Matchers],
        _ => throw new ParseException(LokiErrors.OnlyLabelMatchersAllowed, 0, 0),
    };
}

/// <summary>The compactor's per-tenant limits (<c>limits_config</c> keys, overridable per tenant at run time).</summary>
public sealed record CompactorLimits
{
    /// <summary><c>retention_period</c>: 0 keeps data forever.</summary>
    public TimeSpan RetentionPeriod { get; init; }

    /// <summary><c>retention_stream</c>: a tenant's list replaces the global list.</summary>
    public IReadOnlyList<RetentionStreamRule> RetentionStreams { get; init; } = [];

    /// <summary><c>deletion_mode</c>: <c>disabled</c>, <c>filter-only</c> or <c>filter-and-delete</c>.</summary>
    public string DeletionMode { get; init; } = FilterAndDelete;

    public const string Disabled = "disabled";
    public const string FilterOnly = "filter-only";
    public const string FilterAndDelete = "filter-and-delete";

    /// <summary>Loki's validation text for an unknown deletion mode, or null.</summary>
    public static string? ValidateDeletionMode(string mode) => mode is Disabled or FilterOnly or FilterAndDelete
        ? null : "unknown deletion mode: must be one of disabled|filter-only|filter-and-delete";

    /// <summary>
    /// The retention period of a stream (Loki's <c>RetentionPeriodFor</c>): among matching rules the highest priority wins,
    /// ties go to the shorter period; without a match, <see cref="RetentionPeriod"/>. Zero or less: never expires.
    /// </summary>
    public TimeSpan PeriodFor(KeyValuePair<string, string>[] labels)
    {
        RetentionStreamRule? best = null;
        foreach (var rule in RetentionStreams)
        {
            if (!Matches(rule.Matchers, labels))
            {
                continue;
            }
            if (best is null || rule.Priority > best.Priority || (rule.Priority == best.Priority && rule.Period < best.Period))
            {
                best = rule;
            }
        }
        return best?.Period ?? RetentionPeriod;
    }

    public static bool Matches(IReadOnlyList<LabelMatcher> matchers, KeyValuePair<string, string>[] labels) => LabelMatcher.MatchesAll(matchers, labels);
}

/// <summary>Where the compactor reads a tenant's limits; the gateway's runtime overrides implement it.</summary>
public interface ICompactorLimitsSource
{
    /// <summary>The compactor limits of <paramref name="tenant"/> now; ask per use.</summary>
    CompactorLimits Compactor(string tenant);
}

/// <summary>The same compactor limits for every tenant.</summary>
public sealed class DefaultCompactorLimitsSource(CompactorLimits limits) : ICompactorLimitsSource
{
    public CompactorLimits Compactor(string tenant) => limits;
}

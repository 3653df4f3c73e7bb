using Orleans.Loki.LogQL.Syntax;

namespace Orleans.Loki.LogQL.Engine;

/// <summary>
/// Decides which parsed labels a range aggregation really needs, so <c>| json</c> and <c>| logfmt</c> can skip the
/// values of every other key. As in Loki this is done only where the outer expression is a <c>sum</c> (or the range
/// aggregation groups itself with <c>by</c>): summing merges series anyway, so labels outside the grouping cannot
/// change the result. Any other consumer (avg, count, topk, binary operators...) sees every series and gets all labels.
/// </summary>
internal static class ParserHintPlanner
{
    /// <summary>The labels to extract, or null for all.</summary>
    /// <param name="range">The range aggregation whose samples are fetched.</param>
    /// <param name="parent">The vector aggregation directly around it, if any.</param>
    public static IReadOnlyCollection<string>? RequiredLabels(RangeAggregationExpr range, VectorAggregationExpr? parent)
    {
        var selector = range.Left.Left;
        if (!selector.Stages.Any(s => s is JsonParserExpr { Expressions.Count: 0 } or LogfmtParserExpr { Expressions.Count: 0 }))
        {
            return null;
        }
        var grouping = range.Grouping ?? (parent is { Operation: VectorOp.Sum } ? parent.Grouping : null);
        if (grouping is null || grouping.Without)
        {
            return null;
        }
        var names = new HashSet<string>(grouping.Groups, StringComparer.Ordinal);
        foreach (var stage in selector.Stages)
        {
            switch (stage)
            {
                case LabelFilterExpr f:
                    AddNames(f.Filter, names);
                    break;
                case DropLabelsExpr d:
                    names.UnionWith(d.Labels.Select(l => l.Name));
                    break;
                case KeepLabelsExpr k:
                    names.UnionWith(k.Labels.Select(l => l.Name));
                    break;
                case LineFormatExpr or LabelFormatExpr:
                    // Templates may read any label.
                    return null;
            }
        }
        if (range.Left.Unwrap is { } unwrap)
        {
            names.Add(unwrap.Identifier);
            foreach (var f in unwrap.PostFilters)
            {
                AddNames(f, names);
            }
        }
        return names;
    }

    /// <summary>
    /// The labels the samples of <paramref name="range"/> may be reduced to before they leave the data (sorted), or null
    /// when every label matters; see <see cref="SelectSampleParams.Grouping"/>. Only for counts, rates and bytes without
    /// unwrap: their window values are integral sums, exact in any order of addition, so merging series early changes
    /// nothing, whatever order the shards answer in. A range aggregation's own <c>by</c> wins; otherwise a <c>sum</c>
    /// (with <c>by</c>, or none: one group) directly around it.
    /// </summary>
    public static IReadOnlyList<string>? SeriesGrouping(RangeAggregationExpr range, VectorAggregationExpr? parent)
    {
        if (range.Left.Unwrap is not null || range.Operation is not (RangeOp.CountOverTime or RangeOp.Rate or RangeOp.BytesOverTime or RangeOp.BytesRate))
        {
            return null;
        }
        var grouping = range.Grouping;
        if (grouping is null)
        {
            if (parent is not { Operation: VectorOp.Sum })
            {
                return null;
            }
            grouping = parent.Grouping;
        }
        if (grouping is null)
        {
            return [];
        }
        return grouping.Without ? null : [.. grouping.Groups.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];
    }

    private static void AddNames(LabelFilter filter, HashSet<string> into)
    {
        switch (filter)
        {
            case BinaryLabelFilter b:
                AddNames(b.Left, into);
                AddNames(b.Right, into);
                break;
            case StringLabelFilter s:
                into.Add(s.Matcher.Name);
                break;
            case NumericLabelFilter n:
                into.Add(n.Name);
                break;
            case DurationLabelFilter d:
                into.Add(d.Name);
                break;
            case BytesLabelFilter b:
                into.Add(b.Name);
                break;
            case IpLabelFilter ip:
                into.Add(ip.Name);
                break;
        }
    }
}

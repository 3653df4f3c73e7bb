namespace Orleans.Loki.LogQL.Log;

/// <summary>Helpers for the storage layer: literals a chain of line filters requires (for bloom-filter block skipping).</summary>
public static class LineFilters
{
    /// <summary>Literals every line passing all <paramref name="filters"/> contains; empty when nothing is known.</summary>
    public static IReadOnlyList<RequiredLiteral> RequiredLiterals(IEnumerable<LineFilter> filters)
    {
        ArgumentNullException.ThrowIfNull(filters);
        var result = new List<RequiredLiteral>();
        foreach (var f in filters)
        {
            f.CollectRequired(result);
        }
        return result.Distinct().ToArray();
    }

    /// <summary>Literals required by the line-filter stages at the start of a pipeline (up to the first stage that is not a line filter).</summary>
    public static IReadOnlyList<RequiredLiteral> RequiredLiterals(Pipeline pipeline)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        var filters = new List<LineFilter>();
        foreach (var s in pipeline.Stages)
        {
            if (s is not LineFilterStage lf)
            {
                break;
            }
            filters.Add(lf.Filter);
        }
        return RequiredLiterals(filters);
    }

    /// <summary>The longest case-sensitive literal required by the filters, if any.</summary>
    public static bool TryGetRequiredLiteral(IEnumerable<LineFilter> filters, out string literal)
    {
        literal = "";
        foreach (var r in RequiredLiterals(filters))
        {
            if (!r.IgnoreCase && r.Value.Length > literal.Length)
            {
                literal = r.Value;
            }
        }
        return literal.Length > 0;
    }
}

using Orleans.Loki.Model;

namespace Orleans.Loki.LogQL.Syntax;

/// <summary>A stream selector with an optional pipeline: the part of a query that selects and processes log lines.</summary>
public abstract record LogSelectorExpr : Expr
{
    /// <summary>The stream matchers of the selector.</summary>
    public abstract ValueList<LabelMatcher> Matchers { get; }

    /// <summary>The pipeline stages in source order (empty for a bare selector).</summary>
    public abstract ValueList<StageExpr> Stages { get; }

    /// <summary>True if a stage can drop lines (a label filter, or a line filter other than an empty match).</summary>
    public bool HasFilter
    {
        get
        {
            foreach (var stage in Stages)
            {
                switch (stage)
                {
                    case LabelFilterExpr:
                        return true;
                    case LineFilterExpr lf when !(lf.Terms.Count == 1 && lf.Terms[0].Value.Length == 0 && !lf.Terms[0].Ip
                        && lf.Type is LineFilterType.Equal or LineFilterType.Regexp):
                        return true;
                }
            }
            return false;
        }
    }

    /// <summary>
    /// Literals every line accepted by the pipeline must contain (case-sensitive <c>|= "x"</c> filters that run before any
    /// stage rewriting the line). The storage layer may skip blocks lacking one of them.
    /// </summary>
    public IReadOnlyList<string> RequiredLiterals
    {
        get
        {
            var result = new List<string>();
            foreach (var stage in Stages)
            {
                if (stage is LineFormatExpr or DecolorizeExpr || stage is LabelParserExpr { Kind: LabelParserKind.Unpack })
                {
                    // These rewrite the line: later filters test the new line, not the stored one.
                    break;
                }
                if (stage is LineFilterExpr { Type: LineFilterType.Equal, Terms.Count: 1 } lf && !lf.Terms[0].Ip && lf.Terms[0].Value.Length > 0)
                {
                    result.Add(lf.Terms[0].Value);
                }
            }
            return result;
        }
    }
}

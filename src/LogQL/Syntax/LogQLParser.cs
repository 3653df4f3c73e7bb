using System.Diagnostics.CodeAnalysis;
using Orleans.Loki.Model;

namespace Orleans.Loki.LogQL.Syntax;

/// <summary>Parses LogQL queries into the AST, validating them as Loki's <c>ParseExpr</c> does.</summary>
public static class LogQLParser
{
    /// <summary>Longest accepted query, in characters (Loki's limit).</summary>
    public const int MaxInputSize = 5120;

    /// <summary>Parses and validates a query. Throws <see cref="ParseException"/> and nothing else.</summary>
    public static Expr Parse(string query)
    {
        var expr = ParseWithoutValidation(query);
        Validation.Validate(expr);
        return expr;
    }

    /// <summary>Parses and validates a query; returns the error instead of throwing.</summary>
    public static bool TryParse(string query, [NotNullWhen(true)] out Expr? expr, [NotNullWhen(false)] out ParseException? error)
    {
        try
        {
            expr = Parse(query);
            error = null;
            return true;
        }
        catch (ParseException e)
        {
            expr = null;
            error = e;
            return false;
        }
    }

    /// <summary>Parses a log query (selector and pipeline); optionally validates its matchers.</summary>
    public static LogSelectorExpr ParseLogSelector(string query, bool validate = true)
    {
        var expr = ParseWithoutValidation(query);
        if (expr is not LogSelectorExpr selector)
        {
            throw new ParseException(LokiErrors.OnlyLogSelector, 0, 0);
        }
        if (validate)
        {
            Validation.Validate(selector);
        }
        return selector;
    }

    /// <summary>Parses a metric query.</summary>
    public static SampleExpr ParseSampleExpr(string query) =>
        Parse(query) as SampleExpr ?? throw new ParseException(LokiErrors.OnlySampleExpression, 0, 0);

    /// <summary>Parses a bare selector <c>{a="b"}</c> into its matchers (used by /series and /labels match[] parameters).</summary>
    public static ValueList<LabelMatcher> ParseMatchers(string query) =>
        Parse(query) is MatchersExpr m ? m.Matchers : throw new ParseException(LokiErrors.OnlyLabelMatchers, 0, 0);

    private static Expr ParseWithoutValidation(string query)
    {
        ArgumentNullException.ThrowIfNull(query);
        if (query.Length >= MaxInputSize)
        {
            throw new ParseException(LokiErrors.InputSizeTooLong(query.Length, MaxInputSize), 0, 0);
        }
        return new Parser(query).ParseRoot();
    }
}

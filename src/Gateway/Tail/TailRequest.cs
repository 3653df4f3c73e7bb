using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using Microsoft.AspNetCore.Http;
using Orleans.Loki.Gateway.Query;
using Orleans.Loki.LogQL.Syntax;

namespace Orleans.Loki.Gateway.Tail;

/// <summary>The parameters of <c>GET /loki/api/v1/tail</c>, parsed and checked as Loki's <c>ParseTailQuery</c> does.</summary>
internal sealed record TailRequest(string Query, Expr Expr, int Limit, long StartNs, int DelayForSeconds)
{
    /// <summary>Asked at Loki's legacy <c>/api/prom/tail</c>: messages in the legacy shape.</summary>
    public bool Legacy { get; init; }

    /// <summary>Loki's <c>maxDelayForInTailing</c>.</summary>
    public const int MaxDelayForSeconds = 5;

    private const int DefaultLimit = 100;
    private const long DefaultSinceNs = 3_600_000_000_000L;

    /// <summary>Parses the query string; on failure <paramref name="error"/> is the 400 body Loki answers.</summary>
    public static bool TryParse(IQueryCollection q, long nowNs, [NotNullWhen(true)] out TailRequest? request, [NotNullWhen(false)] out string? error)
    {
        request = null;
        var query = q["query"].ToString();
        if (!LogQLParser.TryParse(query, out var expr, out var parseError))
        {
            error = parseError.Message;
            return false;
        }
        var limit = DefaultLimit;
        if (q["limit"].ToString() is { Length: > 0 } limitText)
        {
            if (!TryParseGoInt(limitText, out limit, out error))
            {
                return false;
            }
            if (limit <= 0)
            {
                error = "limit must be a positive value";
                return false;
            }
        }
        var startText = q["start"].ToString();
        if (!LokiTime.TryParseTimestamp(startText, nowNs - DefaultSinceNs, out var startNs))
        {
            // Loki's parser tries a float, then an integer, then RFC3339, and reports the integer parse's error.
            error = $"strconv.ParseInt: parsing \"{startText}\": {(IsDigits(startText) ? "value out of range" : "invalid syntax")}";
            return false;
        }
        var delay = 0;
        if (q["delay_for"].ToString() is { Length: > 0 } delayText && !TryParseGoInt(delayText, out delay, out error))
        {
            return false;
        }
        // Loki stores delay_for as an unsigned number, so a negative value is "greater" too.
        if (delay is < 0 or > MaxDelayForSeconds)
        {
            error = $"delay_for can't be greater than {MaxDelayForSeconds}";
            return false;
        }
        request = new TailRequest(query, expr, limit, startNs, delay);
        error = null;
        return true;
    }

    /// <summary>Go's <c>strconv.Atoi</c>, with its error texts.</summary>
    private static bool TryParseGoInt(string text, out int value, [NotNullWhen(false)] out string? error)
    {
        if (int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value))
        {
            error = null;
            return true;
        }
        error = $"strconv.Atoi: parsing \"{text}\": {(IsDigits(text) ? "value out of range" : "invalid syntax")}";
        return false;
    }

    /// <summary>An optionally signed run of digits: Go reports such a number as out of range rather than invalid.</summary>
    private static bool IsDigits(string text)
    {
        var digits = text.AsSpan().TrimStart("+-");
        return digits.Length > 0 && !digits.ContainsAnyExcept("0123456789");
    }
}

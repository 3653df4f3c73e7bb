using System.Diagnostics.CodeAnalysis;
using Microsoft.AspNetCore.Http;
using Orleans.Loki.Gateway.Query;
using Orleans.Loki.LogQL.Syntax;
using Orleans.Loki.Model;

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
            if (!TryParseGoInt("limit", limitText, out limit, out error))
            {
                return false;
            }
            if (limit <= 0)
            {
                error = LokiErrors.ErrLimitNotPositive;
                return false;
            }
        }
        // Loki's bounds: since, end, then start (default: since before the end, or before now if the end is later).
        var since = DefaultSinceNs;
        if (q["since"].ToString() is { Length: > 0 } sinceText && !GoDuration.TryParsePrometheus(sinceText, out since, out _))
        {
            error = LokiErrors.Format(LokiErrors.CouldNotParseParameterErrorMsg, "since", LokiErrors.Format(LokiErrors.NotAValidDurationStringErrorMsg, GoQuote.Quote(sinceText)));
            return false;
        }
        if (!LokiTime.TryParseTimestamp(q["end"].ToString(), nowNs, out var endNs, out var timeError))
        {
            error = LokiErrors.Format(LokiErrors.CouldNotParseParameterErrorMsg, "end", timeError!);
            return false;
        }
        if (!LokiTime.TryParseTimestamp(q["start"].ToString(), Math.Min(endNs, nowNs) - since, out var startNs, out timeError))
        {
            error = LokiErrors.Format(LokiErrors.CouldNotParseParameterErrorMsg, "start", timeError!);
            return false;
        }
        var delay = 0;
        if (q["delay_for"].ToString() is { Length: > 0 } delayText && !TryParseGoInt("delay_for", delayText, out delay, out error))
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

    /// <summary>Go's <c>strconv.Atoi</c>, with its error texts; values beyond uint32 are out of range for Loki.</summary>
    private static bool TryParseGoInt(string name, string text, out int value, [NotNullWhen(false)] out string? error)
    {
        value = 0;
        if (!LokiTime.TryParseGoInt(text, "Atoi", out var n, out error))
        {
            return false;
        }
        if (n > uint.MaxValue)
        {
            error = LokiErrors.Format(LokiErrors.LimitOutOfRangeErrorMsg, name, n);
            return false;
        }
        value = (int)Math.Clamp(n, int.MinValue, int.MaxValue);
        return true;
    }
}

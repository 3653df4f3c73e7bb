using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;
using Orleans.Loki.Gateway.Http;
using Orleans.Loki.Gateway.Limits;
using Orleans.Loki.Gateway.Tenancy;
using Orleans.Loki.Grains.Abstractions;
using Orleans.Loki.LogQL.Engine;
using Orleans.Loki.LogQL.Syntax;
using Orleans.Loki.Model;

namespace Orleans.Loki.Gateway.Query;

/// <summary>
/// The request binder of every read endpoint (query, query_range, labels, series, index, detected_*, patterns, tail,
/// export and the legacy <c>/api/prom/*</c> paths): the parameters of a GET query string or POST form, parsed and
/// checked as Loki's pkg/loghttp does, in Loki's order and with its 400 texts (<see cref="LokiErrors"/>).
/// The time range is bound in two steps as in Loki: <see cref="TryBounds"/> parses it (Loki's <c>bounds</c>), and
/// <see cref="TryTimeRangeLimits"/> applies the tenants' <c>max_query_lookback</c> and <c>max_query_length</c>.
/// </summary>
internal sealed class ReadRequest
{
    private const long HourNs = 3_600_000_000_000L;
    private const long MaxPoints = 11_000;

    private readonly Dictionary<string, StringValues> _form;

    private ReadRequest(HttpContext context, Dictionary<string, StringValues> form)
    {
        Context = context;
        _form = form;
    }

    public HttpContext Context { get; }

    /// <summary>The tenants read: one, or several for <c>X-Scope-OrgID: a|b</c> (sorted, distinct).</summary>
    public string[] Tenants { get; private set; } = [TenantResolver.DefaultTenant];

    /// <summary><c>start</c> as given (or its default), before the limits apply.</summary>
    public long ParsedStartNs { get; private set; }

    /// <summary><c>end</c> as given (or now), before the limits apply.</summary>
    public long ParsedEndNs { get; private set; }

    /// <summary>Start of the data range, after <c>max_query_lookback</c>.</summary>
    public long StartNs { get; private set; }

    /// <summary>Exclusive end of the data range (the inclusive <c>end</c> plus one nanosecond).</summary>
    public long EndNs { get; private set; }

    /// <summary>The inclusive end, as the query engine takes it.</summary>
    public long QueryEndNs => EndNs - 1;

    /// <summary>The first value of a parameter (a POST form's value over the query string's), or null.</summary>
    public string? this[string name] => _form.TryGetValue(name, out var v) && v.Count > 0 ? v[0] : null;

    /// <summary>Every value of a parameter, query string and form together.</summary>
    public IEnumerable<string> Values(string name) =>
        _form.TryGetValue(name, out var v) ? v.Where(s => s is not null).Select(s => s!) : [];

    public static async Task<ReadRequest> ReadAsync(HttpContext ctx)
    {
        var result = new Dictionary<string, StringValues>(StringComparer.Ordinal);
        foreach (var (k, v) in ctx.Request.Query)
        {
            result[k] = v;
        }
        if (ctx.Request.HasFormContentType)
        {
            var form = await FormBody.ReadAsync(ctx).ConfigureAwait(false);
            foreach (var (k, v) in form)
            {
                result[k] = result.TryGetValue(k, out var q) ? StringValues.Concat(v, q) : v;
            }
        }
        return new ReadRequest(ctx, result);
    }

    /// <summary>
    /// The tenants as the query endpoints resolve them (<c>X-Scope-OrgID</c>, <c>a|b</c> for several, or <c>fake</c>
    /// without auth).
    /// </summary>
    public bool TryTenants(GatewayOptions options, out IResult? problem)
    {
        problem = null;
        if (TenantResolver.TryResolveMany(Context, options.AuthEnabled, out var tenants, out var error))
        {
            Tenants = tenants;
            return true;
        }
        problem = Results.Text(error!.Message, statusCode: error.StatusCode);
        return false;
    }

    /// <summary>The query limits of the request: the smallest of its tenants' for a multi-tenant request, as Loki.</summary>
    public QueryLimits Limits(ITenantLimits limits) => MultiTenant.Smallest(Tenants.Select(limits.Query));

    /// <summary>
    /// Loki's <c>bounds</c>: <c>end</c> (default now), then <c>start</c> (default <c>since</c>, one hour, before the
    /// end or before now if the end is later).
    /// </summary>
    public bool TryBounds(long nowNs, out IResult? problem)
    {
        problem = null;
        var since = HourNs;
        if (this["since"] is { Length: > 0 } sinceText && !GoDuration.TryParsePrometheus(sinceText, out since, out _))
        {
            problem = BadRequest(LokiErrors.Format(LokiErrors.CouldNotParseParameterErrorMsg, "since", LokiErrors.Format(LokiErrors.NotAValidDurationStringErrorMsg, GoQuote.Quote(sinceText))));
            return false;
        }
        if (!LokiTime.TryParseTimestamp(this["end"], nowNs, out var end, out var error))
        {
            problem = BadRequest(LokiErrors.Format(LokiErrors.CouldNotParseParameterErrorMsg, "end", error!));
            return false;
        }
        if (!LokiTime.TryParseTimestamp(this["start"], Math.Min(end, nowNs) - since, out var start, out error))
        {
            problem = BadRequest(LokiErrors.Format(LokiErrors.CouldNotParseParameterErrorMsg, "start", error!));
            return false;
        }
        ParsedStartNs = StartNs = start;
        ParsedEndNs = end;
        EndNs = end + 1;
        return true;
    }

    /// <summary>Loki's check after <c>bounds</c> on the query, index and detected endpoints.</summary>
    public bool TryEndNotBeforeStart(out IResult? problem)
    {
        problem = ParsedEndNs < ParsedStartNs ? BadRequest(LokiErrors.ErrEndBeforeStart) : null;
        return problem is null;
    }

    /// <summary>
    /// The tenants' time-range limits, as Loki's frontend applies them: the start is moved up to
    /// <c>max_query_lookback</c> (a range wholly before it keeps start = end), then the length, in whole milliseconds,
    /// is checked against <c>max_query_length</c> (0 disables either).
    /// </summary>
    public bool TryTimeRangeLimits(ITenantLimits limits, long nowNs, out IResult? problem)
    {
        problem = null;
        var queryLimits = Limits(limits);
        var start = ParsedStartNs;
        var lookbackStart = queryLimits.LookbackStartNs(nowNs);
        if (start < lookbackStart)
        {
            start = Math.Min(lookbackStart, ParsedEndNs);
        }
        var length = TimeSpan.FromMilliseconds(FloorMs(ParsedEndNs) - FloorMs(start));
        if (queryLimits.MaxQueryLength > TimeSpan.Zero && length > queryLimits.MaxQueryLength)
        {
            problem = BadRequest(QueryTooLong(length, queryLimits.MaxQueryLength));
            return false;
        }
        StartNs = start;
        return true;
    }

    /// <summary><see cref="TryBounds"/>, <see cref="TryEndNotBeforeStart"/> and <see cref="TryTimeRangeLimits"/>.</summary>
    public bool TryRange(ITenantLimits limits, long nowNs, out IResult? problem) =>
        TryBounds(nowNs, out problem) && TryEndNotBeforeStart(out problem) && TryTimeRangeLimits(limits, nowNs, out problem);

    /// <summary>True when the whole range ends before <c>max_query_lookback</c> allows: Loki answers it empty without reading.</summary>
    public bool BeyondLookback(ITenantLimits limits, long nowNs) => ParsedEndNs < Limits(limits).LookbackStartNs(nowNs);

    /// <summary>Loki's <c>ts</c>: the instant query's <c>time</c> (default now); the error is the parser's, unwrapped.</summary>
    public bool TryTime(long nowNs, out long ns, out IResult? problem)
    {
        problem = null;
        if (LokiTime.TryParseTimestamp(this["time"], nowNs, out ns, out var error))
        {
            return true;
        }
        problem = BadRequest(error!);
        return false;
    }

    /// <summary>Loki's <c>limit</c> (default 100): Go's Atoi, positive, within uint32.</summary>
    public bool TryLimit(out int limit, out IResult? problem) => TryPositiveInt("limit", 100, out limit, out problem);

    /// <summary>A positive integer parameter with a default, as Loki's <c>limit</c> / <c>line_limit</c> (Go's Atoi texts).</summary>
    public bool TryPositiveInt(string name, int defaultValue, out int value, out IResult? problem)
    {
        problem = null;
        value = defaultValue;
        var text = this[name];
        if (string.IsNullOrEmpty(text))
        {
            return true;
        }
        if (!LokiTime.TryParseGoInt(text, "Atoi", out var n, out var error))
        {
            problem = BadRequest(error!);
            return false;
        }
        if (n <= 0)
        {
            problem = BadRequest(LokiErrors.ErrLimitNotPositive);
            return false;
        }
        if (n > uint.MaxValue)
        {
            problem = BadRequest(LokiErrors.Format(LokiErrors.LimitOutOfRangeErrorMsg, name, n));
            return false;
        }
        value = (int)Math.Min(n, int.MaxValue);
        return true;
    }

    /// <summary>Loki's <c>volumeLimit</c>: as <c>limit</c>, but 0 means the default (written back, as Loki sets the form value).</summary>
    public bool TryVolumeLimit(int defaultValue, out int value, out IResult? problem)
    {
        if (this["limit"] is { Length: > 0 } text && LokiTime.TryParseGoInt(text, "Atoi", out var n, out _) && n == 0)
        {
            _form["limit"] = defaultValue.ToString(System.Globalization.CultureInfo.InvariantCulture);
            value = defaultValue;
            problem = null;
            return true;
        }
        return TryPositiveInt("limit", defaultValue, out value, out problem);
    }

    /// <summary>The tenants' <c>max_entries_limit_per_query</c> (0: none) against <paramref name="limit"/>.</summary>
    public bool TryMaxEntries(ITenantLimits limits, int limit, out IResult? problem)
    {
        problem = null;
        var max = Limits(limits).MaxEntriesLimitPerQuery;
        if (max > 0 && limit > max)
        {
            problem = BadRequest(LokiErrors.Format(LokiErrors.MaxEntriesLimitErrorMsg, limit, max));
            return false;
        }
        return true;
    }

    /// <summary>Loki's <c>direction</c>: <c>forward</c> or <c>backward</c> in any case.</summary>
    public bool TryDirection(Direction defaultValue, out Direction direction, out IResult? problem)
    {
        problem = null;
        direction = defaultValue;
        var text = this["direction"];
        switch (text?.ToUpperInvariant())
        {
            case null or "":
                return true;
            case "FORWARD":
                direction = Direction.Forward;
                return true;
            case "BACKWARD":
                direction = Direction.Backward;
                return true;
            default:
                problem = BadRequest(LokiErrors.Format(LokiErrors.InvalidDirectionErrorMsg, text));
                return false;
        }
    }

    /// <summary>
    /// Loki's <c>step</c> over the parsed bounds: float seconds or a duration (default <c>max(range/250, 1s)</c>),
    /// positive, at most 11,000 points.
    /// </summary>
    public bool TryStep(out long stepNs, out IResult? problem)
    {
        problem = null;
        stepNs = LokiTime.DefaultStepNs(ParsedStartNs, ParsedEndNs);
        var text = this["step"];
        if (!string.IsNullOrEmpty(text) && !LokiTime.TryParseSecondsOrDuration(text, out stepNs, out var error))
        {
            problem = BadRequest(error!);
            return false;
        }
        if (stepNs <= 0)
        {
            problem = BadRequest(LokiErrors.ErrZeroOrNegativeStep);
            return false;
        }
        if (unchecked(ParsedEndNs - ParsedStartNs) / stepNs > MaxPoints)
        {
            problem = BadRequest(LokiErrors.ErrStepTooSmall);
            return false;
        }
        return true;
    }

    /// <summary>Loki's <c>interval</c> (default 0): float seconds or a duration, not negative.</summary>
    public bool TryInterval(out long intervalNs, out IResult? problem)
    {
        problem = null;
        intervalNs = 0;
        var text = this["interval"];
        if (!string.IsNullOrEmpty(text) && !LokiTime.TryParseSecondsOrDuration(text, out intervalNs, out var error))
        {
            problem = BadRequest(error!);
            return false;
        }
        if (intervalNs < 0)
        {
            problem = BadRequest(LokiErrors.ErrNegativeInterval);
            return false;
        }
        return true;
    }

    /// <summary>
    /// A selector of label matchers only, as Loki's <c>syntax.ParseMatchers</c>: <paramref name="validate"/> (labels,
    /// index, volume) asks for at least one matcher that does not match the empty string; series do not.
    /// Empty text is no matchers when <paramref name="allowEmpty"/>.
    /// </summary>
    public static bool TryMatchers(string? selector, out List<MatcherSpec> matchers, out IResult? problem, bool validate = true, bool allowEmpty = false)
    {
        problem = null;
        matchers = [];
        if (allowEmpty && string.IsNullOrEmpty(selector))
        {
            return true;
        }
        try
        {
            var parsed = LogQLParser.ParseLogSelector(selector ?? "", validate);
            if (parsed.Stages.Count > 0)
            {
                problem = BadRequest(LokiErrors.ErrParseMatchers);
                return false;
            }
            matchers = GrainLogQuerier.ToSpecs(parsed.Matchers);
            return true;
        }
        catch (ParseException e)
        {
            problem = BadRequest(e.Message);
            return false;
        }
    }

    public static IResult BadRequest(string message) => Results.Text(message, statusCode: 400);

    /// <summary>Loki's text: the length as a Go duration, the limit as a Prometheus duration (<c>30d1h</c>).</summary>
    internal static string QueryTooLong(TimeSpan length, TimeSpan limit) =>
        LokiErrors.Format(LokiErrors.QueryTooLongErrorMsg, GoDuration.Format(length.Ticks * 100), GoDuration.FormatPrometheus(limit.Ticks * 100));

    private static long FloorMs(long ns) => ns >= 0 ? ns / 1_000_000 : -((-ns + 999_999) / 1_000_000);
}

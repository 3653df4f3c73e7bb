using System.Globalization;
using Microsoft.AspNetCore.Http;
using Orleans.Loki.Gateway.Http;
using Orleans.Loki.Gateway.Limits;
using Orleans.Loki.Gateway.Tenancy;
using Orleans.Loki.Grains.Abstractions;
using Orleans.Loki.LogQL.Syntax;
using Orleans.Loki.Model;

namespace Orleans.Loki.Gateway.Query;

/// <summary>
/// Parameters of one read request (GET query string or POST form) with Loki's parsing rules and 400 texts for the
/// parameters the index, volume, detected_* and patterns endpoints share: tenant, time range, step, limits, selector.
/// </summary>
internal sealed class ReadRequest
{
    private const long HourNs = 3_600_000_000_000L;
    private const int MaxPoints = 11_000;

    private readonly Dictionary<string, string?> _form;

    private ReadRequest(HttpContext context, Dictionary<string, string?> form)
    {
        Context = context;
        _form = form;
    }

    public HttpContext Context { get; }

    /// <summary>The tenants read: one, or several for <c>X-Scope-OrgID: a|b</c> (sorted, distinct).</summary>
    public string[] Tenants { get; private set; } = [TenantResolver.DefaultTenant];

    public long StartNs { get; private set; }

    /// <summary>Exclusive end of the data range.</summary>
    public long EndNs { get; private set; }

    public string? this[string name] => _form.GetValueOrDefault(name);

    public static async Task<ReadRequest> ReadAsync(HttpContext ctx)
    {
        var result = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var (k, v) in ctx.Request.Query)
        {
            result[k] = v.ToString();
        }
        if (ctx.Request.HasFormContentType)
        {
            var form = await FormBody.ReadAsync(ctx).ConfigureAwait(false);
            foreach (var (k, v) in form)
            {
                result[k] = v.ToString();
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

    /// <summary>
    /// <c>start</c>/<c>end</c> (default: <c>since</c>, one hour, before the end or now if earlier), end not before start, range within the tenants'
    /// <c>max_query_length</c>. The end is made exclusive by one nanosecond, as for the other metadata endpoints.
    /// </summary>
    /// <summary>The query limits of the request: the smallest of its tenants' for a multi-tenant request, as Loki.</summary>
    public QueryLimits Limits(ITenantLimits limits) => MultiTenant.Smallest(Tenants.Select(limits.Query));

    public bool TryRange(ITenantLimits limits, long nowNs, out IResult? problem)
    {
        problem = null;
        if (!LokiTime.TryParseTimestamp(this["end"], nowNs, out var end))
        {
            problem = BadRequest($"invalid parameter \"end\": cannot parse \"{this["end"]}\" to a valid timestamp");
            return false;
        }
        var since = HourNs;
        if (this["since"] is { Length: > 0 } sinceText && !GoDuration.TryParsePrometheus(sinceText, out since, out _))
        {
            problem = BadRequest($"could not parse 'since' parameter: not a valid duration string: {GoQuote.Quote(sinceText)}");
            return false;
        }
        if (!LokiTime.TryParseTimestamp(this["start"], Math.Min(end, nowNs) - since, out var start))
        {
            problem = BadRequest($"invalid parameter \"start\": cannot parse \"{this["start"]}\" to a valid timestamp");
            return false;
        }
        if (end < start)
        {
            problem = BadRequest("end timestamp must not be before or equal to start time");
            return false;
        }
        var queryLimits = Limits(limits);
        var lookbackStart = queryLimits.LookbackStartNs(nowNs);
        if (start < lookbackStart)
        {
            // max_query_lookback cuts the range; a range wholly before it reads nothing.
            start = Math.Min(lookbackStart, end);
        }
        var length = TimeSpan.FromTicks((end - start) / 100);
        var max = queryLimits.MaxQueryLength;
        if (max > TimeSpan.Zero && length > max)
        {
            problem = BadRequest(QueryService.QueryTooLong(length, max));
            return false;
        }
        StartNs = start;
        EndNs = end + 1;
        return true;
    }

    /// <summary><c>step</c> as seconds or a duration, default <c>max(range/250, 1s)</c>; positive; at most 11,000 points.</summary>
    public bool TryStep(out long stepNs, out IResult? problem)
    {
        problem = null;
        stepNs = LokiTime.DefaultStepNs(StartNs, EndNs - 1);
        var text = this["step"];
        if (!string.IsNullOrEmpty(text) && !LokiTime.TryParseSecondsOrDuration(text, out stepNs))
        {
            problem = BadRequest($"invalid parameter \"step\": cannot parse \"{text}\" to a valid duration");
            return false;
        }
        if (stepNs <= 0)
        {
            problem = BadRequest("zero or negative query resolution step widths are not accepted. Try a positive integer");
            return false;
        }
        if ((EndNs - 1 - StartNs) / stepNs > MaxPoints)
        {
            problem = BadRequest("exceeded maximum resolution of 11,000 points per timeseries. Try increasing the value of the step parameter");
            return false;
        }
        return true;
    }

    /// <summary>A positive integer parameter with a default (Loki: "limit must be a positive value").</summary>
    public bool TryPositiveInt(string name, int defaultValue, out int value, out IResult? problem)
    {
        problem = null;
        value = defaultValue;
        var text = this[name];
        if (string.IsNullOrEmpty(text))
        {
            return true;
        }
        if (!int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value))
        {
            problem = BadRequest($"strconv.Atoi: parsing {GoQuote.Quote(text)}: invalid syntax");
            return false;
        }
        if (value <= 0)
        {
            problem = BadRequest("limit must be a positive value");
            return false;
        }
        return true;
    }

    /// <summary>A stream selector's matchers, validated as Loki's index endpoints do (at least one non-empty matcher).</summary>
    public static bool TryMatchers(string? selector, out List<MatcherSpec> matchers, out IResult? problem)
    {
        problem = null;
        matchers = [];
        try
        {
            matchers = GrainLogQuerier.ToSpecs(LogQLParser.ParseLogSelector(selector ?? "", validate: true).Matchers);
            return true;
        }
        catch (ParseException e)
        {
            problem = BadRequest(e.Message);
            return false;
        }
    }

    public static IResult BadRequest(string message) => Results.Text(message, statusCode: 400);

}

using System.Globalization;
using Orleans.Loki.Model;

namespace Orleans.Loki.LogQL.Log.Template;

internal static partial class TemplateFunctions
{
    // Loki servers run in UTC; Go's time.Local is taken as UTC here.
    private static readonly TimeZoneInfo LocalZone = TimeZoneInfo.Utc;

    private static void AddTime(Dictionary<string, Func> t)
    {
        Add(t, "now", 0, 0, static (_, _) => GoTime.FromUnixNanos(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1_000_000L, LocalZone));
        Add(t, "date", 2, 2, static (_, a) => GoTimeFormat.Format(AsTime(a[1]), Str(a, 0)));
        Add(t, "toDate", 2, 2, static (_, a) => GoTimeFormat.TryParse(Str(a, 0), Str(a, 1), LocalZone, out var tm, out var parseError) && parseError is null ? tm : GoTime.Zero);
        Add(t, "toDateInZone", 3, 3, static (_, a) =>
        {
            var zone = FindZone(Str(a, 1)) ?? TimeZoneInfo.Utc;
            return GoTimeFormat.TryParse(Str(a, 0), Str(a, 2), zone, out var tm, out var parseError) && parseError is null ? tm : GoTime.Zero;
        });
        Add(t, "unixEpoch", 1, 1, static (_, a) => Inv(Time(a, 0).UnixSeconds));
        Add(t, "unixEpochMillis", 1, 1, static (_, a) => Inv(Time(a, 0).UnixSeconds * 1000 + Time(a, 0).Nanos / 1_000_000));
        Add(t, "unixEpochNanos", 1, 1, static (_, a) => Inv(Time(a, 0).UnixNanos));
        Add(t, "unixToTime", 1, 1, static (_, a) => UnixToTime(Str(a, 0)));
        Add(t, "duration", 1, 1, static (_, a) => DurationSeconds(Str(a, 0)));
        Add(t, "duration_seconds", 1, 1, static (_, a) => DurationSeconds(Str(a, 0)));
        Add(t, "bytes", 1, 1, static (_, a) => GoBytes.TryParse(Str(a, 0), out var b, out var e) ? (double)b : throw new TemplateException(e!));
    }

    private static GoTime AsTime(object? v) => v switch
    {
        GoTime t => t,
        long l => new GoTime(l, 0, LocalZone),
        _ => GoTime.FromUnixNanos(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1_000_000L, LocalZone),
    };

    private static TimeZoneInfo? FindZone(string id)
    {
        if (id is "UTC" or "")
        {
            return TimeZoneInfo.Utc;
        }
        return TimeZoneInfo.TryFindSystemTimeZoneById(id, out var tz) ? tz : null;
    }

    private static double DurationSeconds(string s) =>
        GoDuration.TryParse(s, out var ns, out var error) ? ns / 1e9 : throw new TemplateException(error!);

    // The epoch's digit count tells its unit: days, seconds, milliseconds, microseconds or nanoseconds.
    private static GoTime UnixToTime(string epoch)
    {
        if (!long.TryParse(epoch, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var i))
        {
            throw new TemplateException($"unable to parse time '{epoch}': strconv.ParseInt: parsing {GoQuote.Quote(epoch)}: invalid syntax");
        }
        return epoch.Length switch
        {
            5 => new GoTime(i * 86400, 0, LocalZone),
            10 => new GoTime(i, 0, LocalZone),
            13 => GoTime.FromUnixNanos(i * 1_000_000, LocalZone),
            16 => GoTime.FromUnixNanos(i * 1_000, LocalZone),
            19 => GoTime.FromUnixNanos(i, LocalZone),
            _ => throw new TemplateException($"unable to parse time '{epoch}' length {epoch.Length} did not match any expected format"),
        };
    }
}

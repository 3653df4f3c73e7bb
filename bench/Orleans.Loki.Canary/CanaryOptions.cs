using System.Globalization;

namespace Orleans.Loki.Canary;

/// <summary>Command line of the canary (<c>--name value</c> pairs; see <see cref="Usage"/>).</summary>
internal sealed record CanaryOptions
{
    public const string Usage = """
        Orleans.Loki.Canary canary [options]   write sequence-numbered lines, read them back by tail and query, report
          --url http://127.0.0.1:3100   server
          --tenant canary               X-Scope-OrgID
          --interval 100ms              one line per interval
          --size 100                    line length in bytes
          --duration 10m                how long to write (then wait --wait for the last lines)
          --wait 60s                    an entry not seen by the tail this long after it was written is missing there
          --query-every 15s             spot check: query back every acknowledged entry older than --wait
          --metrics-file canary.prom    Prometheus text of the counters, rewritten every second
        Orleans.Loki.Canary bombs [options]    push decompression bombs, report the server's RSS before/after
          --url http://127.0.0.1:3100  --pid <server pid>  --count 100  --inflated 300MiB
        """;

    public Uri Url { get; init; } = new("http://127.0.0.1:3100");
    public string Tenant { get; init; } = "canary";
    public TimeSpan Interval { get; init; } = TimeSpan.FromMilliseconds(100);
    public int Size { get; init; } = 100;
    public TimeSpan Duration { get; init; } = TimeSpan.FromMinutes(10);
    public TimeSpan Wait { get; init; } = TimeSpan.FromSeconds(60);
    public TimeSpan QueryEvery { get; init; } = TimeSpan.FromSeconds(15);
    public string? MetricsFile { get; init; }
    public int? Pid { get; init; }
    public int Count { get; init; } = 100;
    public long Inflated { get; init; } = 300L << 20;

    public static CanaryOptions Parse(string[] args)
    {
        var o = new CanaryOptions();
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            var v = args[i + 1];
            o = args[i] switch
            {
                "--url" => o with { Url = new Uri(v) },
                "--tenant" => o with { Tenant = v },
                "--interval" => o with { Interval = Duration_(v) },
                "--size" => o with { Size = int.Parse(v, CultureInfo.InvariantCulture) },
                "--duration" => o with { Duration = Duration_(v) },
                "--wait" => o with { Wait = Duration_(v) },
                "--query-every" => o with { QueryEvery = Duration_(v) },
                "--metrics-file" => o with { MetricsFile = v },
                "--pid" => o with { Pid = int.Parse(v, CultureInfo.InvariantCulture) },
                "--count" => o with { Count = int.Parse(v, CultureInfo.InvariantCulture) },
                "--inflated" => o with { Inflated = Bytes(v) },
                _ => throw new ArgumentException($"unknown option {args[i]}\n{Usage}"),
            };
        }
        return o;
    }

    private static TimeSpan Duration_(string v)
    {
        var unit = v.TrimStart("0123456789.".ToCharArray());
        var number = double.Parse(v[..^unit.Length], CultureInfo.InvariantCulture);
        return unit switch
        {
            "ms" => TimeSpan.FromMilliseconds(number),
            "s" => TimeSpan.FromSeconds(number),
            "m" => TimeSpan.FromMinutes(number),
            "h" => TimeSpan.FromHours(number),
            _ => throw new ArgumentException($"duration {v}: use ms, s, m or h"),
        };
    }

    private static long Bytes(string v)
    {
        var unit = v.TrimStart("0123456789".ToCharArray());
        var number = long.Parse(v[..^unit.Length], CultureInfo.InvariantCulture);
        return unit switch
        {
            "" => number,
            "KiB" => number << 10,
            "MiB" => number << 20,
            "GiB" => number << 30,
            _ => throw new ArgumentException($"size {v}: use KiB, MiB or GiB"),
        };
    }
}

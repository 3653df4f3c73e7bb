using System.Text;
using Orleans.Loki.Chunks;
using Orleans.Loki.Grains.Abstractions;
using Orleans.Loki.Push;

namespace Orleans.Loki.Grains.Tests;

/// <summary>Pushes to and reads from the cluster the way the distributor and the querier do.</summary>
internal sealed class StreamClient(IGrainFactory grains, string tenant)
{
    public static long NowNs => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1_000_000;

    public static (string Labels, ulong Fingerprint) Stream(params (string Name, string Value)[] labels)
    {
        var pairs = labels.Select(l => new KeyValuePair<string, string>(l.Name, l.Value)).ToArray();
        LabelSet.SortByName(pairs);
        var canonical = LabelSet.Format(pairs);
        return (canonical, LabelSet.Fingerprint(canonical));
    }

    public IStreamGrain Grain(ulong fingerprint) => grains.GetGrain<IStreamGrain>(StorageKeys.StreamGrainKey(tenant, fingerprint));

    public Task<PushAck> PushAsync(string labels, ulong fingerprint, params (long Ts, string Line)[] entries)
    {
        var batch = EntryBatch.Encode(entries.Select(e => new LogEntry(e.Ts, Encoding.UTF8.GetBytes(e.Line), null)).ToArray());
        return Grain(fingerprint).PushAsync(new StreamPush(labels, batch, entries.Length));
    }

    /// <summary>Index lookup over every day of the range, then a querier read (chunks + unflushed).</summary>
    public async Task<Dictionary<string, List<(long Ts, string Line)>>> ReadAsync(IReadOnlyList<MatcherSpec> matchers, long fromNs, long throughNs, params string[] requiredLiterals)
    {
        var series = new Dictionary<ulong, SeriesMatch>();
        for (var day = StorageKeys.DayOf(fromNs); day <= StorageKeys.DayOf(throughNs - 1); day++)
        {
            foreach (var match in await grains.GetGrain<IIndexGrain>($"{tenant}/{day}").LookupAsync(matchers, fromNs, throughNs))
            {
                if (series.TryGetValue(match.Fingerprint, out var existing))
                {
                    series[match.Fingerprint] = existing with { Chunks = [.. existing.Chunks.Concat(match.Chunks).DistinctBy(c => c.Key)] };
                }
                else
                {
                    series[match.Fingerprint] = match;
                }
            }
        }
        var data = await grains.GetGrain<IQuerierGrain>(0).ReadStreamsAsync(tenant, [.. series.Values], fromNs, throughNs, includeUnflushed: true, requiredLiterals);
        var result = new Dictionary<string, List<(long, string)>>();
        foreach (var stream in data)
        {
            result[stream.Labels] = EntryBatch.Decode(stream.Batch).Select(e => (e.TimestampNs, Encoding.UTF8.GetString(e.Line.Span))).ToList();
        }
        return result;
    }
}

using System.Text;
using Orleans.Loki.Chunks;
using Orleans.Loki.Grains.Abstractions;
using Orleans.Loki.Model;

namespace Orleans.Loki.Grains.Tests;

/// <summary>Pushes to and reads from the cluster the way the distributor and the querier do.</summary>
internal sealed class StreamClient(IGrainFactory grains, string tenant)
{
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

    /// <summary>Pushes entries with their structured metadata.</summary>
    public Task<PushAck> PushAsync(string labels, ulong fingerprint, IReadOnlyList<LogEntry> entries) =>
        Grain(fingerprint).PushAsync(new StreamPush(labels, EntryBatch.Encode([.. entries]), entries.Count));

    /// <summary>
    /// The production read path of a metric sub-query: the querier grain runs <paramref name="query"/> (a range
    /// aggregation) over the flushed chunks and heads of the series <paramref name="matchers"/> select.
    /// </summary>
    public async Task<SamplePage> SelectSamplesAsync(IReadOnlyList<MatcherSpec> matchers, long fromNs, long throughNs, string query,
        string[]? grouping = null, StepWindows? windows = null, bool includeUnflushed = true)
    {
        var request = new SelectRequest(tenant, await SeriesAsync(matchers, fromNs, throughNs), fromNs, throughNs, includeUnflushed, query, Backward: false, Limit: 0)
        {
            Grouping = grouping,
            Windows = windows,
        };
        return await grains.GetGrain<IQuerierGrain>(0).SelectSamplesAsync(request);
    }

    private async Task<List<SeriesMatch>> SeriesAsync(IReadOnlyList<MatcherSpec> matchers, long fromNs, long throughNs)
    {
        var series = new Dictionary<ulong, SeriesMatch>();
        for (var day = StorageKeys.DayOf(fromNs); day <= StorageKeys.DayOf(throughNs - 1); day++)
        {
            foreach (var match in await grains.GetGrain<IIndexGrain>($"{tenant}/{day}").LookupAsync(matchers, fromNs, throughNs))
            {
                series[match.Fingerprint] = series.TryGetValue(match.Fingerprint, out var existing)
                    ? existing with { Chunks = [.. existing.Chunks.Concat(match.Chunks).DistinctBy(c => c.Key)] }
                    : match;
            }
        }
        return [.. series.Values];
    }

    /// <summary>
    /// Index lookup over every day of the range, then the production read path: a querier grain runs the selector
    /// (plus <c>|= literal</c> for each required literal) over the flushed chunks and the stream grains' heads.
    /// </summary>
    public async Task<Dictionary<string, List<(long Ts, string Line)>>> ReadAsync(IReadOnlyList<MatcherSpec> matchers, long fromNs, long throughNs, params string[] requiredLiterals)
    {
        var (result, _) = await SelectAsync(matchers, fromNs, throughNs, requiredLiterals);
        return result;
    }

    /// <summary>As <see cref="ReadAsync"/>, also returning what the querier read.</summary>
    public async Task<(Dictionary<string, List<(long Ts, string Line)>> Streams, ReadStats Stats)> SelectAsync(IReadOnlyList<MatcherSpec> matchers, long fromNs, long throughNs, params string[] requiredLiterals)
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
        var query = "{" + string.Join(", ", matchers.Select(m => $"{m.Name}{m.Type}{Quote(m.Value)}")) + "}"
            + string.Concat(requiredLiterals.Select(l => " |= " + Quote(l)));
        var request = new SelectRequest(tenant, [.. series.Values], fromNs, throughNs, IncludeUnflushed: true, query, Backward: false, Limit: int.MaxValue);
        var page = await grains.GetGrain<IQuerierGrain>(0).SelectLogsAsync(request);
        var result = new Dictionary<string, List<(long, string)>>();
        foreach (var stream in page.Streams)
        {
            if (!result.TryGetValue(stream.Labels, out var entries))
            {
                result[stream.Labels] = entries = [];
            }
            for (var i = 0; i < stream.Timestamps.Length; i++)
            {
                entries.Add((stream.Timestamps[i], stream.Lines[i]));
            }
        }
        foreach (var entries in result.Values)
        {
            entries.Sort((a, b) => a.Item1.CompareTo(b.Item1));
        }
        return (result, page.Stats);
    }

    private static string Quote(string value) => "\"" + value.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";
}

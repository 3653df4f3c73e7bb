using Orleans.Loki.Grains.Abstractions;

namespace Orleans.Loki.Grains.Ingester;

/// <summary>Operations over every active stream grain of the cluster.</summary>
public static class StreamGrains
{
    /// <summary>Flushes every active stream grain (Loki's ingester flush), in parallel.</summary>
    public static async Task FlushAllAsync(IGrainFactory grains, CancellationToken ct)
    {
        var stats = await grains.GetGrain<IManagementGrain>(0).GetDetailedGrainStatistics().WaitAsync(ct).ConfigureAwait(false);
        var flushes = new List<Task>();
        foreach (var stat in stats)
        {
            if (stat.GrainType.Contains("StreamGrain", StringComparison.Ordinal))
            {
                flushes.Add(grains.GetGrain<IStreamGrain>(stat.GrainId).FlushAsync());
            }
        }
        await Task.WhenAll(flushes).WaitAsync(ct).ConfigureAwait(false);
    }
}

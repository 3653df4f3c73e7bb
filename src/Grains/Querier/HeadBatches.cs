using Microsoft.Extensions.DependencyInjection;
using Orleans.Loki.Grains.Abstractions;
using Orleans.Loki.Grains.Placement;
using Orleans.Runtime.MembershipService.SiloMetadata;

namespace Orleans.Loki.Grains.Querier;

/// <summary>
/// The in-memory entries of a shard's series read with one <see cref="IHeadReaderGrain"/> call per ingester silo
/// (each answers for the streams active on it) rather than one stream grain call per series. Series no silo answered
/// for (not active anywhere, or their silo's call failed) are read one by one as before, which also activates them.
/// </summary>
internal sealed class HeadBatches
{
    private static readonly long[] NoIntervals = [];

    private readonly bool[] _answered;
    private readonly byte[]?[] _raw;

    private HeadBatches(int count)
    {
        _answered = new bool[count];
        _raw = new byte[count][];
    }

    /// <summary>The merged sample pages of every silo.</summary>
    public List<SamplePage> Samples { get; } = [];

    /// <summary>Whether a silo answered for series <paramref name="index"/>: its head is read and its samples are in <see cref="Samples"/>.</summary>
    public bool Answered(int index) => _answered[index];

    /// <summary>Series <paramref name="index"/>'s entries inside its raw intervals (an entry batch; null when it has none).</summary>
    public byte[]? Raw(int index) => _raw[index];

    /// <summary>The raw intervals a series' head read uses: the time ranges of its chunk components (see <see cref="SeriesScan"/>).</summary>
    public static long[] RawIntervals(SeriesMatch series, long fromNs, long throughNs)
    {
        if (series.Chunks.Count == 0)
        {
            return NoIntervals;
        }
        var components = SeriesScan.Components(series.Chunks, fromNs, throughNs);
        if (components.Count == 0)
        {
            return NoIntervals;
        }
        var intervals = new long[components.Count * 2];
        for (var i = 0; i < components.Count; i++)
        {
            intervals[2 * i] = components[i].From;
            intervals[(2 * i) + 1] = components[i].Through;
        }
        return intervals;
    }

    /// <summary>
    /// Reads the heads of <paramref name="request"/>'s series (a metric sub-query) from every ingester silo; null when
    /// the cluster's silos cannot be listed here (then every series is read one by one).
    /// </summary>
    public static async Task<HeadBatches?> ReadSamplesAsync(IGrainFactory grains, IServiceProvider services, SelectRequest request, CancellationToken ct)
    {
        var silos = IngesterSilos(services);
        if (silos is null || silos.Count == 0 || request.Series.Count == 0)
        {
            return null;
        }
        var fingerprints = new ulong[request.Series.Count];
        var intervals = new long[request.Series.Count][];
        for (var i = 0; i < fingerprints.Length; i++)
        {
            fingerprints[i] = request.Series[i].Fingerprint;
            intervals[i] = RawIntervals(request.Series[i], request.FromNs, request.ThroughNs);
        }
        var batch = new HeadBatchSelect(request.Tenant, fingerprints, intervals,
            new HeadSelect(request.Query, true, request.FromNs, request.ThroughNs, request.Backward, request.Limit, NoIntervals)
            {
                RequiredLabels = request.RequiredLabels,
                Deletes = request.Deletes,
                Grouping = request.Grouping,
            });
        var pages = await Task.WhenAll(silos.Select(silo => CallAsync(grains, silo, batch, ct))).ConfigureAwait(false);
        var result = new HeadBatches(fingerprints.Length);
        foreach (var page in pages)
        {
            if (page is null)
            {
                continue;
            }
            for (var k = 0; k < page.Answered.Length; k++)
            {
                // A stream is active on one silo at a time (two answers would need Orleans to run two activations
                // of it at once, which it prevents outside membership changes; its entries would then count twice).
                var index = page.Answered[k];
                result._answered[index] = true;
                if (page.RawCount[k] > 0)
                {
                    result._raw[index] = page.Raw[k];
                }
            }
            if (page.Samples is not null)
            {
                result.Samples.Add(page.Samples);
            }
        }
        return result;
    }

    private static async Task<HeadBatchPage?> CallAsync(IGrainFactory grains, SiloAddress silo, HeadBatchSelect batch, CancellationToken ct)
    {
        try
        {
            return await GrainRefs.Get<IHeadReaderGrain>(grains, silo.ToParsableString()).SelectSamplesAsync(batch).WaitAsync(ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException && !ct.IsCancellationRequested)
        {
            // The silo left or failed: its streams are read one by one (activating them elsewhere when it is gone).
            return null;
        }
    }

    /// <summary>The active silos that run the ingester; null when membership or silo metadata is not available.</summary>
    private static List<SiloAddress>? IngesterSilos(IServiceProvider services)
    {
        var membership = services.GetService<IClusterMembershipService>();
        var metadata = services.GetService<ISiloMetadataCache>();
        if (membership is null || metadata is null)
        {
            return null;
        }
        var result = new List<SiloAddress>();
        foreach (var member in membership.CurrentSnapshot.Members.Values)
        {
            if (member.Status == SiloStatus.Active && metadata.GetSiloMetadata(member.SiloAddress).RunsModule(LokiModules.Ingester))
            {
                result.Add(member.SiloAddress);
            }
        }
        return result;
    }
}

using Orleans.Loki.Gateway.Index;

namespace Orleans.Loki.Gateway.Tests;

public sealed class VolumeResultTests
{
    private const long S = 1_000_000_000L;

    [Fact]
    public void Buckets_AlignToTheStep_FirstAtStart_LastAtEnd()
    {
        Assert.Equal([65 * S, 120 * S, 180 * S, 190 * S], IndexApi.Buckets(65 * S, 190 * S, 60 * S));
        Assert.Equal([65 * S, 190 * S], IndexApi.Buckets(65 * S, 190 * S, 0));
    }

    [Fact]
    public void Range_IsAMatrix_SamplesAtBucketEnds_LargestFirst_LimitPerBucket()
    {
        long[] bounds = [65 * S, 120 * S, 180 * S, 190 * S];
        var volumes = new Dictionary<string, long[]>
        {
            ["{app=\"a\"}"] = [10, 0, 5],
            ["{app=\"b\"}"] = [20, 30, 1],
            ["{app=\"c\"}"] = [1, 2, 3],
        };

        var result = IndexApi.ToResult(volumes, bounds, 190 * S - 1, limit: 2, bySeries: true, range: true);

        Assert.Equal("matrix", result.ResultType);
        Assert.Collection(
            result.Matrix!,
            s =>
            {
                Assert.Equal([new("app", "b")], s.Labels);
                Assert.Equal([(120 * S - 500_000, 20.0), (180 * S - 500_000, 30.0)], s.Points.Select(p => (p.TimestampNs, p.Value)));
            },
            s =>
            {
                Assert.Equal([new("app", "a")], s.Labels);
                Assert.Equal([(120 * S - 500_000, 10.0), (190 * S - 500_000, 5.0)], s.Points.Select(p => (p.TimestampNs, p.Value)));
            },
            s =>
            {
                Assert.Equal([new("app", "c")], s.Labels);
                Assert.Equal([(180 * S - 500_000, 2.0), (190 * S - 500_000, 3.0)], s.Points.Select(p => (p.TimestampNs, p.Value)));
            });
    }

    [Fact]
    public void Instant_ByLabels_IsAVectorOfLabelNamesWithEmptyValues()
    {
        var volumes = new Dictionary<string, long[]> { ["app"] = [30], ["env"] = [12] };

        var result = IndexApi.ToResult(volumes, [0, 60 * S], 60 * S - 1, limit: 100, bySeries: false, range: false);

        Assert.Equal("vector", result.ResultType);
        Assert.Equal(
            [("app", 30.0), ("env", 12.0)],
            result.Vector!.Select(v => (Assert.Single(v.Labels).Key, v.Value)));
        Assert.All(result.Vector!, v => Assert.Equal("", v.Labels[0].Value));
    }
}

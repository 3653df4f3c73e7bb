using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Orleans.Loki.Grains.Ingester;
using Orleans.Loki.Silo;
using Orleans.Loki.Silo.Configuration;

namespace Orleans.Loki.Server.Tests.Memory;

/// <summary>
/// <c>ingester.return_memory_after_flushed_bytes</c>: a full GC gives flushed chunks' memory back once the unflushed
/// data has fallen that far from its peak, and at most once per <see cref="FlushedMemoryReturner.MinInterval"/>.
/// </summary>
public sealed class FlushedMemoryReturnerTests
{
    private const long MiB = 1 << 20;

    private readonly IngesterMemory _memory = new(configured: 0);
    private readonly FakeTimeProvider _time = new();
    private int _collections;

    private FlushedMemoryReturner Returner(long threshold) =>
        new(_memory, new LokiSettings { ReturnMemoryAfterFlushedBytes = threshold }, _time, NullLogger<FlushedMemoryReturner>.Instance)
        {
            Collect = () => _collections++,
        };

    [Fact]
    public void Collects_once_the_unflushed_data_fell_by_the_threshold_from_its_peak()
    {
        var returner = Returner(64 * MiB);
        _memory.Report("a", 0, 100 * MiB);
        _memory.Report("b", 0, 50 * MiB);
        Assert.False(returner.Check()); // growing: nothing to give back

        _memory.Report("a", 100 * MiB, 40 * MiB); // 90 MiB: 60 MiB below the peak of 150
        Assert.False(returner.Check());
        _memory.Report("b", 50 * MiB, 40 * MiB); // 80 MiB: 70 MiB below it
        Assert.True(returner.Check());
        Assert.Equal(1, _collections);

        // The peak starts over from what is left (80 MiB): a drop counts from there.
        _time.Advance(FlushedMemoryReturner.MinInterval);
        _memory.Report("a", 40 * MiB, 0); // 40 MiB: 40 below 80
        Assert.False(returner.Check());
        Assert.Equal(1, _collections);
    }

    [Fact]
    public void Collects_at_most_once_per_min_interval()
    {
        var returner = Returner(10 * MiB);
        _memory.Report("a", 0, 100 * MiB);
        returner.Check();
        _memory.Report("a", 100 * MiB, 80 * MiB);
        Assert.True(returner.Check());

        _memory.Report("a", 80 * MiB, 200 * MiB);
        returner.Check();
        _memory.Report("a", 200 * MiB, 20 * MiB);
        _time.Advance(FlushedMemoryReturner.MinInterval - TimeSpan.FromMilliseconds(1));
        Assert.False(returner.Check());
        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(returner.Check());
        Assert.Equal(2, _collections);
    }

    [Fact]
    public void Zero_never_collects()
    {
        var returner = Returner(0);
        _memory.Report("a", 0, 500 * MiB);
        returner.Check();
        _memory.Report("a", 500 * MiB, 0);
        Assert.False(returner.Check());
        Assert.Equal(0, _collections);
    }

    [Fact]
    public void Config_key_sets_the_threshold()
    {
        var settings = new LokiSettings();
        Assert.Equal(64 * MiB, settings.ReturnMemoryAfterFlushedBytes);
        ConfigLoader.ApplyYaml(settings, "ingester: { return_memory_after_flushed_bytes: 128MiB }", "test");
        Assert.Equal(128 * MiB, settings.ReturnMemoryAfterFlushedBytes);
        Assert.Empty(settings.Warnings);
    }
}
